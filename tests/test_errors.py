"""Error parity: same exception type and same text as torch for common user mistakes."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import assert_same


@pytest.mark.parametrize("a,b", [((2, 3), (3, 2)), ((3,), (4,)), ((2, 1, 3), (4, 5)), ((5,), (2, 4))])
def test_broadcasting_message(a: tuple, b: tuple) -> None:
    assert_same(lambda t: t.ones(a) + t.ones(b), expect_error=True)
    assert_same(lambda t: t.ones(a) * t.ones(b), expect_error=True)


@pytest.mark.parametrize("shape", [(5,), (4, 2), (-1, 5), (-1, -1), (2, -2), (3, 0)])
def test_view_and_reshape_shape_errors(shape: tuple) -> None:
    assert_same(lambda t: t.ones(2, 3).view(*shape), expect_error=True)
    assert_same(lambda t: t.ones(2, 3).reshape(shape), expect_error=True)


@pytest.mark.parametrize("call", ["x.sum(2)", "x.sum(-3)", "x.size(5)", "x.mean(dim=7)", "x.sum((0, 0))"])
def test_bad_dims(call: str) -> None:
    assert_same(lambda t: eval(call, {"x": t.ones(2, 3)}), expect_error=True)  # noqa: S307


def test_numpy_on_tensor_requiring_grad() -> None:
    assert_same(lambda t: t.ones(2, requires_grad=True).numpy(), expect_error=True)
    assert_same(lambda t: (t.ones(2, requires_grad=True) * 2).numpy(), expect_error=True)
    assert_same(lambda t: t.ones(2, requires_grad=True).detach().numpy().tolist())


_SCALAR_WARN_SCRIPT = """
import warnings
import {lib} as torch
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    int(torch.tensor([2.5], requires_grad=True))
    bool(torch.tensor([2.5], requires_grad=True))
    n = len(caught)
    float(torch.tensor(1.5, requires_grad=True))
    complex(torch.tensor(1.5, requires_grad=True))
    float(torch.tensor(1.5, requires_grad=True))
print(n, [str(w.message) for w in caught])
"""


def test_float_of_tensor_requiring_grad_warns_once_per_process() -> None:
    out = {lib: subprocess.run([sys.executable, "-c", _SCALAR_WARN_SCRIPT.format(lib=lib)],
                               capture_output=True, text=True, check=True).stdout
           for lib in ("torch", "reference_impl")}
    assert out["torch"].startswith("0 ['Converting a tensor with requires_grad=True"), out["torch"]
    assert out["reference_impl"] == out["torch"], out


def test_scalar_conversion_values() -> None:
    assert_same(lambda t: (float(t.tensor(1.5)), int(t.tensor([2.5])), complex(t.tensor(1.0))))
    assert_same(lambda t: float(t.tensor([1.0, 2.0])), expect_error=True)
    assert_same(lambda t: t.tensor([1.0, 2.0]).item(), expect_error=True)


def test_bool_of_multi_element_tensor() -> None:
    assert_same(lambda t: bool(t.tensor([1.0, 2.0])), expect_error=True)
    assert_same(lambda t: bool(t.tensor([0.0])))
    assert_same(lambda t: bool(t.tensor([]) if hasattr(t, "tensor") else None), expect_error=True)

    def in_if(t):
        if t.tensor([1, 2]) > 0:
            return 1

    assert_same(in_if, expect_error=True)


def test_len_and_iter_of_zero_dim() -> None:
    assert_same(lambda t: len(t.tensor(1.0)), expect_error=True)
    assert_same(lambda t: iter(t.tensor(1.0)), expect_error=True)


def test_expand_errors() -> None:
    assert_same(lambda t: t.ones(2, 3).expand(3, 3), expect_error=True)
    assert_same(lambda t: t.ones(2, 3).expand(3), expect_error=True)
    assert_same(lambda t: t.ones(2).expand(-1, 2), expect_error=True)


def test_creation_errors() -> None:
    assert_same(lambda t: t.ones(-1), expect_error=True)
    assert_same(lambda t: t.tensor([[1, 2], [3]]), expect_error=True)
    assert_same(lambda t: t.tensor([1.0], dtype="float32"), expect_error=True)


_WARN_ALWAYS_SCRIPT = """
import warnings
import {lib} as torch
counts = []
for always in (True, False, False, True):
    torch.set_warn_always(always)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.ones(3).T
        torch.ones(()).T
        float(torch.tensor(1.5, requires_grad=True))
    counts.append([str(w.message)[:20] for w in caught])
print(torch.is_warn_always_enabled(), counts)
"""


def test_set_warn_always_repeats_once_per_process_warnings() -> None:
    """Under set_warn_always(True) TORCH_WARN_ONCE warnings come every time, without using
    up the once: the first call after switching it off still warns."""
    out = {lib: subprocess.run([sys.executable, "-c", _WARN_ALWAYS_SCRIPT.format(lib=lib)],
                               capture_output=True, text=True, check=True).stdout
           for lib in ("torch", "reference_impl")}
    assert out["torch"].startswith("True [["), out["torch"]
    assert out["reference_impl"] == out["torch"], out
