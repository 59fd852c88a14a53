"""torch.tensor's dtype inference and the factory functions, against torch."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import assert_same

INFERENCE_CASES = {
    "empty list": lambda t: t.tensor([]),
    "nested empty": lambda t: t.tensor([[], []]),
    "bools": lambda t: t.tensor([True, False]),
    "ints": lambda t: t.tensor([1, 2]),
    "mixed int float": lambda t: t.tensor([1, 2.5]),
    "complex": lambda t: t.tensor([1, 2j]),
    "0-d int tensor in list": lambda t: t.tensor([t.tensor(1)]),
    "0-d int tensor and float": lambda t: t.tensor([t.tensor(1), 2.5]),
    "0-d bool tensor and int": lambda t: t.tensor([t.tensor(True), 1]),
    "scalar float": lambda t: t.tensor(3.5),
    "explicit dtype": lambda t: t.tensor([1, 2], dtype=t.float64),
}


@pytest.mark.parametrize("case", INFERENCE_CASES.values(), ids=list(INFERENCE_CASES))
def test_tensor_infers_torch_dtype(case) -> None:
    assert_same(case, check_warnings=False, expect_error=False)


FACTORIES = {
    "zeros": lambda t: t.zeros(2, 3),
    "ones tuple": lambda t: t.ones((2, 1), dtype=t.int32),
    "full int": lambda t: t.full((2,), 7),
    "full float": lambda t: t.full((2,), 7.0),
    "arange ints": lambda t: t.arange(5),
    "arange float step": lambda t: t.arange(0, 1, 0.25),
    "linspace": lambda t: t.linspace(0, 1, 5),
    "eye": lambda t: t.eye(2, 3),
    "zeros_like keeps dtype": lambda t: t.zeros_like(t.tensor([1, 2])),
    "zeros negative size": lambda t: t.zeros(2, -3),
    "ones negative size": lambda t: t.ones(-1),
}


@pytest.mark.parametrize("case", FACTORIES.values(), ids=list(FACTORIES))
def test_factories_match_torch(case) -> None:
    assert_same(case)


# --- torch's checked scalar conversion: a Python number must fit the target dtype --------------------------
FIT_VALUES = (-1.5, -0.5, -1, -255, -256, 255, 256, 300.0, 1.5, 2, float("nan"), float("inf"), 1e5, 1e39,
              2**63, True, 127, 128, -129, 32768, 2**31, 2**40, 1 + 2j)
FIT_PATHS = {
    "tensor": lambda t, dt, v: t.tensor([v], dtype=dt),
    "full": lambda t, dt, v: t.full((1,), v, dtype=dt),
    "fill_": lambda t, dt, v: t.zeros(1, dtype=dt).fill_(v),
    "masked_fill": lambda t, dt, v: t.zeros(1, dtype=dt).masked_fill(t.tensor(True), v),
    "masked_fill_unmasked": lambda t, dt, v: t.zeros(1, dtype=dt).masked_fill(t.tensor(False), v),
}


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "int64", "bool", "float16", "float32",
                                   "float64", "complex64"])
@pytest.mark.parametrize("path", sorted(FIT_PATHS))
def test_python_scalars_must_fit_the_dtype(path: str, dtype: str) -> None:
    """torch refuses a value that overflows the dtype ("value cannot be converted to type uint8_t
    without overflow"; tensor() names it "uint8"), lets negative integers wrap into unsigned types,
    refuses NaN and inf for integers, and (fill kernel) lets half overflow to inf; every path and
    value gives the same result or the same error on both sides."""
    def f(t: Any) -> list:
        results = []
        for v in FIT_VALUES:
            try:
                results.append(repr(FIT_PATHS[path](t, getattr(t, dtype), v).tolist()))  # NaN == NaN
            except Exception as e:  # noqa: BLE001 - the error itself is the observation
                results.append((type(e).__name__, str(e)))
        return results

    assert_same(f, check_warnings=False)


def test_half_overflow_from_python_scalars_is_silent() -> None:
    """70000 does not fit half: full/fill_ give inf and arithmetic gives inf, with no warning
    (NumPy's "overflow encountered in cast" must not leak)."""
    def f(t: Any) -> tuple:
        x = t.tensor([1.0], dtype=t.float16)
        return (t.full((1,), 70000.0, dtype=t.float16), t.zeros(1, dtype=t.float16).fill_(70000.0),
                x + 1e39, x - 1e39, x == 1e39)

    assert_same(f)


def test_float_beyond_the_dtype_becomes_inf_silently() -> None:
    assert_same(lambda t: (t.tensor([1e300, -1e39], dtype=t.float32), t.tensor([7e4], dtype=t.float16)))


# copy.deepcopy: torch's Tensor.__deepcopy__ (leaves only; .grad, user attributes and shared memory
# between views are copied; the copy is at version 1) and Parameter.__deepcopy__ (data only).
def _deepcopy_tensor(t: Any) -> tuple:
    import copy

    x = t.ones(3, requires_grad=True)
    (x * 2).sum().backward()
    x.note = [1]
    y = copy.deepcopy(x)
    return (y, y.requires_grad, y.is_leaf, y.grad, y.grad is x.grad, y.note, y.note is x.note, y._version,
            y.grad._version)


def _deepcopy_views(t: Any) -> tuple:
    import copy

    b = t.arange(6.0).reshape(2, 3)
    c1, c2 = copy.deepcopy([b.t(), b[1]])
    c1[1, 1] = 100.0  # the copies share their memory as the originals do, with the same layout
    return c1, c2, b, c1._version, c2._version


def _deepcopy_parameters(t: Any) -> tuple:
    import copy

    m = t.nn.Linear(2, 2)
    m(t.ones(1, 2)).sum().backward()
    m2 = copy.deepcopy(m)
    return (bool((m2.weight == m.weight).all()), m2.weight is m.weight, m2.weight.grad, type(m2.weight).__name__,
            m2.weight._version, m2.bias.requires_grad)


DEEPCOPY_CASES = {
    "tensor": _deepcopy_tensor,
    "views": _deepcopy_views,
    "parameters": _deepcopy_parameters,
    "non-leaf": lambda t: __import__("copy").deepcopy(t.ones(2, requires_grad=True) * 2),
}


@pytest.mark.parametrize("case", DEEPCOPY_CASES.values(), ids=list(DEEPCOPY_CASES))
def test_deepcopy_matches_torch(case) -> None:
    assert_same(case)
