"""Shared helpers: run the same code against ``torch`` and ``reference_impl`` and compare.

The core idea: a test is a function ``fn(lib)`` written against a torch-shaped module.
``run_both(fn)`` runs it once per library, capturing the return value, any exception and
any warnings, and ``assert_same(fn)`` demands that both runs are indistinguishable:
same exception type and message (verbatim), same warnings, and return values that match
structurally (tensors by value, dtype, shape, requires_grad, is_leaf and grad_fn name).

Every assertion helper is keyword-only and says in its failure message *what* differed,
for which library, and where inside the returned structure (``value[1].grad``).

Stable API (other test modules import these names):
    LIBS, LIB_NAMES, lib (fixture), SETTINGS, Outcome, run_both, assert_same,
    assert_same_outcome, describe, to_numpy, tolerances, assert_close,
    assert_same_dtype, assert_same_grad_fn, graph_signature, assert_same_graph,
    assert_same_error, assert_same_warnings, numerical_grad, assert_grad_matches_fd.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, settings

import reference_impl

LIBS: dict[str, Any] = {"torch": torch, "reference_impl": reference_impl}
LIB_NAMES: tuple[str, ...] = ("torch", "reference_impl")

# Modest hypothesis budget: the whole suite must stay fast.
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture(params=LIB_NAMES)
def lib(request: pytest.FixtureRequest) -> Any:
    """The library under test, once as torch and once as reference_impl."""
    return LIBS[request.param]


def _is_tensor(x: Any) -> bool:
    return isinstance(x, (torch.Tensor, reference_impl.Tensor))


def _is_dtype(x: Any) -> bool:
    return isinstance(x, (torch.dtype, reference_impl.dtype))


def _is_node(x: Any) -> bool:
    return hasattr(x, "next_functions") and hasattr(x, "name") and not _is_tensor(x)


# ------------------------------------------------------------------------------------------
# Running code against both libraries
# ------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    """What one library did: the return value, or the exception; plus the warnings it emitted."""

    lib: str
    value: Any = None
    exc: BaseException | None = None
    warnings: list[tuple[type, str]] = field(default_factory=list)

    def raised(self) -> bool:
        return self.exc is not None

    def summary(self) -> str:
        if self.exc is not None:
            return f"{self.lib} raised {type(self.exc).__name__}: {self.exc}"
        return f"{self.lib} returned {describe(self.value)!r}"


def _reset(module: Any) -> None:
    """Undo global state a previous test may have leaked (default dtype, grad mode)."""
    module.set_default_dtype(module.float32)
    module.set_grad_enabled(True)


def run_one(fn: Callable[[Any], Any], name: str) -> Outcome:
    """Run ``fn(LIBS[name])``, capturing value / exception / warnings; restores global state."""
    module = LIBS[name]
    _reset(module)
    out = Outcome(lib=name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out.value = fn(module)
        except Exception as e:  # noqa: BLE001 - the exception is the observation
            out.exc = e
    out.warnings = [(w.category, str(w.message)) for w in caught
                    if not issubclass(w.category, (DeprecationWarning, pytest.PytestWarning))]
    _reset(module)
    return out


def run_both(fn: Callable[[Any], Any]) -> tuple[Outcome, Outcome]:
    """``(torch_outcome, reference_outcome)`` of ``fn(lib)``."""
    return run_one(fn, "torch"), run_one(fn, "reference_impl")


def assert_same(fn: Callable[[Any], Any], *, rtol: float | None = None, atol: float | None = None,
                check_warnings: bool = True, expect_error: bool | None = None) -> Outcome:
    """Run ``fn`` on both libraries and demand indistinguishable outcomes; returns torch's.

    ``expect_error=True/False`` additionally pins what torch itself does, so a test cannot
    pass vacuously when torch's behaviour changes.
    """
    expected, actual = run_both(fn)
    assert_same_outcome(actual=actual, expected=expected, rtol=rtol, atol=atol,
                        check_warnings=check_warnings)
    if expect_error is not None:
        assert expected.raised() == expect_error, (
            f"test premise broken: expected torch to {'raise' if expect_error else 'succeed'}, but "
            f"{expected.summary()}")
    return expected


def assert_same_outcome(*, actual: Outcome, expected: Outcome, rtol: float | None = None,
                        atol: float | None = None, check_warnings: bool = True) -> None:
    """Compare two outcomes: exception type+message verbatim, warnings, then values."""
    if expected.exc is not None or actual.exc is not None:
        assert_same_error(actual=actual.exc, expected=expected.exc)
    else:
        assert_same_value(actual=actual.value, expected=expected.value, rtol=rtol, atol=atol)
    if check_warnings:
        assert_same_warnings(actual=actual.warnings, expected=expected.warnings)


def assert_same_error(*, actual: BaseException | None, expected: BaseException | None) -> None:
    """Same exception type (by name, so torch's subclasses map to builtins) and same text."""
    if expected is None:
        raise AssertionError(f"torch succeeded but reference_impl raised {type(actual).__name__}: {actual}")
    if actual is None:
        raise AssertionError(f"torch raised {type(expected).__name__}: {expected!s}\n"
                             "but reference_impl raised nothing")
    # torch raises e.g. torch.AcceleratorError / NotImplementedError; compare the builtin base.
    exp_type = _builtin_type(type(expected))
    act_type = _builtin_type(type(actual))
    assert act_type is exp_type, (
        f"exception type differs: torch raised {type(expected).__name__}, reference_impl raised "
        f"{type(actual).__name__}\n  torch message: {expected!s}\n  ref message:   {actual!s}")
    assert str(actual) == str(expected), (
        f"{type(expected).__name__} message differs:\n  torch: {expected!s}\n  ref:   {actual!s}")


def _builtin_type(t: type) -> type:
    for base in t.__mro__:
        if base.__module__ == "builtins":
            return base
    return t


def assert_same_warnings(*, actual: Sequence[tuple[type, str]], expected: Sequence[tuple[type, str]]) -> None:
    """Same warnings in the same order: category name and message text verbatim."""
    exp = [(_builtin_type(c).__name__, m) for c, m in expected]
    act = [(_builtin_type(c).__name__, m) for c, m in actual]
    assert act == exp, f"warnings differ:\n  torch: {exp!r}\n  ref:   {act!r}"


# ------------------------------------------------------------------------------------------
# Describing and comparing values
# ------------------------------------------------------------------------------------------
def to_numpy(x: Any) -> np.ndarray:
    """A tensor of either library (or anything array-like) as a NumPy array."""
    if isinstance(x, torch.Tensor):
        return x.detach().resolve_conj().resolve_neg().cpu().numpy()
    if isinstance(x, reference_impl.Tensor):
        return np.asarray(x.detach().numpy())
    return np.asarray(x)


def describe(x: Any) -> Any:
    """A library-neutral, printable description of a value (used in failure messages)."""
    if _is_tensor(x):
        fn = x.grad_fn
        return {"tensor": to_numpy(x).tolist(), "dtype": str(x.dtype), "shape": tuple(x.shape),
                "requires_grad": x.requires_grad, "grad_fn": None if fn is None else type(fn).__name__}
    if _is_dtype(x):
        return str(x)
    if _is_node(x):
        return f"<{type(x).__name__}>"
    if isinstance(x, (list, tuple)):
        return type(x)(describe(v) for v in x) if type(x) in (list, tuple) else tuple(describe(v) for v in x)
    if isinstance(x, dict):
        return {k: describe(v) for k, v in x.items()}
    return x


_TOLERANCES = {  # torch.testing.assert_close defaults (rtol, atol)
    "float16": (1e-3, 1e-5), "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7),
    "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7),
}


def tolerances(dtype: Any) -> tuple[float, float]:
    """torch.testing's default ``(rtol, atol)`` for a dtype of either library (exact for ints)."""
    return _TOLERANCES.get(str(dtype).removeprefix("torch."), (0.0, 0.0))


def assert_close(*, actual: Any, expected: Any, rtol: float | None = None, atol: float | None = None,
                 what: str = "value", check_dtype: bool = True) -> None:
    """Tensors (or arrays) equal in shape, dtype and values within torch.testing tolerances."""
    if check_dtype and _is_tensor(actual) and _is_tensor(expected):
        assert_same_dtype(actual=actual.dtype, expected=expected.dtype, what=what)
    a, e = to_numpy(actual), to_numpy(expected)
    assert a.shape == e.shape, f"{what}: shape differs: torch {e.shape}, ref {a.shape}"
    dt = expected.dtype if _is_tensor(expected) else e.dtype
    r0, a0 = tolerances(dt)
    r, t = (r0 if rtol is None else rtol), (a0 if atol is None else atol)
    if e.dtype.kind in "biu" and a.dtype.kind in "biu":
        ok = np.array_equal(a, e)
    else:
        ok = np.allclose(a, e, rtol=r, atol=t, equal_nan=True) if a.size else True
    if not ok:
        raise AssertionError(f"{what}: values differ (rtol={r}, atol={t})\n  torch: {e!r}\n  ref:   {a!r}")


def assert_same_dtype(*, actual: Any, expected: Any, what: str = "dtype") -> None:
    """Same dtype, compared by its printed name (``torch.float32``)."""
    assert str(actual) == str(expected), f"{what}: dtype differs: torch {expected}, ref {actual}"


def assert_same_grad_fn(*, actual: Any, expected: Any, what: str = "grad_fn") -> None:
    """Same grad_fn node name (or both None); accepts tensors or nodes."""
    a = actual.grad_fn if _is_tensor(actual) else actual
    e = expected.grad_fn if _is_tensor(expected) else expected
    an = None if a is None else type(a).__name__
    en = None if e is None else type(e).__name__
    assert an == en, f"{what}: grad_fn differs: torch {en}, ref {an}"


def _check_tensor(*, actual: Any, expected: Any, what: str, rtol: float | None, atol: float | None) -> None:
    assert _is_tensor(actual), f"{what}: torch returned a Tensor, ref returned {type(actual).__name__}"
    assert tuple(actual.shape) == tuple(expected.shape), (
        f"{what}: shape differs: torch {tuple(expected.shape)}, ref {tuple(actual.shape)}")
    assert_same_dtype(actual=actual.dtype, expected=expected.dtype, what=what)
    assert actual.requires_grad == expected.requires_grad, (
        f"{what}: requires_grad differs: torch {expected.requires_grad}, ref {actual.requires_grad}")
    assert actual.is_leaf == expected.is_leaf, (
        f"{what}: is_leaf differs: torch {expected.is_leaf}, ref {actual.is_leaf}")
    assert_same_grad_fn(actual=actual, expected=expected, what=what)
    assert_close(actual=actual, expected=expected, rtol=rtol, atol=atol, what=what)


def assert_same_value(*, actual: Any, expected: Any, rtol: float | None = None, atol: float | None = None,
                      what: str = "value") -> None:
    """Structural comparison of return values: tensors, dtypes, nodes, containers, scalars."""
    if _is_tensor(expected):
        _check_tensor(actual=actual, expected=expected, what=what, rtol=rtol, atol=atol)
    elif _is_dtype(expected):
        assert_same_dtype(actual=actual, expected=expected, what=what)
    elif _is_node(expected):
        assert _is_node(actual), f"{what}: torch returned node {type(expected).__name__}, ref {actual!r}"
        assert_same_grad_fn(actual=actual, expected=expected, what=what)
    elif expected is None:
        assert actual is None, f"{what}: torch returned None, ref returned {describe(actual)!r}"
    elif isinstance(expected, (list, tuple)):
        assert isinstance(actual, (list, tuple)), (
            f"{what}: torch returned a sequence, ref {describe(actual)!r}")
        assert len(actual) == len(expected), (
            f"{what}: length differs: torch {len(expected)}, ref {len(actual)}\n"
            f"  torch: {describe(expected)!r}\n  ref:   {describe(actual)!r}")
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_same_value(actual=a, expected=e, rtol=rtol, atol=atol, what=f"{what}[{i}]")
    elif isinstance(expected, dict):
        assert isinstance(actual, dict) and set(actual) == set(expected), (
            f"{what}: keys differ: torch {sorted(map(str, expected))}, ref {describe(actual)!r}")
        for k in expected:
            assert_same_value(actual=actual[k], expected=expected[k], rtol=rtol, atol=atol,
                              what=f"{what}[{k!r}]")
    elif isinstance(expected, float) and isinstance(actual, float):
        r, t = (1e-6 if rtol is None else rtol), (1e-6 if atol is None else atol)
        assert (math.isnan(expected) and math.isnan(actual)) or math.isclose(actual, expected, rel_tol=r,
                                                                             abs_tol=t), (
            f"{what}: torch {expected!r}, ref {actual!r}")
    else:
        assert type(actual) is type(expected) and actual == expected, (
            f"{what}: torch {expected!r} ({type(expected).__name__}), "
            f"ref {actual!r} ({type(actual).__name__})")


# ------------------------------------------------------------------------------------------
# Graph structure
# ------------------------------------------------------------------------------------------
def graph_signature(root: Any, *, max_nodes: int = 200) -> Any:
    """The graph below a tensor or node as nested tuples of names and output numbers.

    ``(None, 0)`` edges appear as ``None``; AccumulateGrad nodes carry their variable's
    shape; shared nodes are expanded each time (it is a tree view), up to ``max_nodes``.
    """
    node = root.grad_fn if _is_tensor(root) else root
    budget = [max_nodes]

    def sig(n: Any) -> Any:
        if n is None:
            return None
        budget[0] -= 1
        if budget[0] < 0:
            return "..."
        name = type(n).__name__
        if name == "AccumulateGrad":
            return (name, tuple(n.variable.shape))
        return (name, tuple(None if nxt is None else (sig(nxt), nr) for nxt, nr in n.next_functions))

    return sig(node)


def assert_same_graph(*, actual: Any, expected: Any, what: str = "graph") -> None:
    """Same node names, same next_functions shape and output numbers, (None, 0) in the same places."""
    a, e = graph_signature(actual), graph_signature(expected)
    assert a == e, f"{what}: backward graph differs\n  torch: {e!r}\n  ref:   {a!r}"


# ------------------------------------------------------------------------------------------
# Finite differences
# ------------------------------------------------------------------------------------------
def numerical_grad(f: Callable[[np.ndarray], float], x: np.ndarray, *, eps: float = 1e-6) -> np.ndarray:
    """Central differences of a scalar function of a float64 array."""
    x = np.array(x, dtype=np.float64)
    g = np.zeros_like(x)
    flat, gflat = x.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        hi = f(x)
        flat[i] = old - eps
        lo = f(x)
        flat[i] = old
        gflat[i] = (hi - lo) / (2 * eps)
    return g


def assert_grad_matches_fd(*, fn: Callable[[Any, Any], Any], x: np.ndarray, rtol: float = 1e-5,
                           atol: float = 1e-6) -> None:
    """reference_impl's gradient of ``fn(lib, x).sum()`` equals float64 finite differences."""
    ri = reference_impl
    xt = ri.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    fn(ri, xt).sum().backward()

    def f(arr: np.ndarray) -> float:
        with ri.no_grad():
            return float(fn(ri, ri.tensor(arr)).sum().item())

    expected = numerical_grad(f, x)
    got = to_numpy(xt.grad)
    assert np.allclose(got, expected, rtol=rtol, atol=atol), (
        f"gradient vs finite differences:\n  fd:  {expected!r}\n  ref: {got!r}")
