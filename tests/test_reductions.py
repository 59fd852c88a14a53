"""Reductions and scans against torch: values, dtypes, node names, gradients, edge cases, errors.

Every comparison runs one function against torch and reference_impl (``helpers.assert_same``),
which checks values, dtypes, shapes, requires_grad and grad_fn names of everything returned.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import SETTINGS, assert_grad_matches_fd, assert_same, graph_signature


def _arr(shape: tuple, seed: int, dtype: str = "float64") -> np.ndarray:
    return np.asarray(np.random.default_rng(seed).standard_normal(shape)).astype(dtype)


def _with_grads(lib: Any, a: np.ndarray, op: Any, create_graph: bool = False) -> tuple:
    """op's output (first element if a (values, indices) pair), its graph and the input's gradient."""
    x = lib.tensor(a, requires_grad=True)
    res = op(lib, x)
    out = res[0] if isinstance(res, tuple) else res
    weight = lib.tensor(_arr(tuple(out.shape), 7, "float64")).to(out.dtype)
    (grad,) = lib.autograd.grad((out * weight).sum(), x, create_graph=create_graph)
    return res, graph_signature(out), grad


# ---------------------------------------------------------------------------------------
# Differentiable reductions over shapes, dims and keepdim (hypothesis)
# ---------------------------------------------------------------------------------------
def _one(dim: Any) -> int:
    """Ops that take a single dim use the first of a tuple."""
    return dim[0] if isinstance(dim, tuple) else dim


DIM_OPS = {  # name -> op(lib, x, dim, keepdim); dim is an int, a tuple, or None
    "sum": lambda L, x, d, k: x.sum() if d is None else x.sum(d, keepdim=k),
    "mean": lambda L, x, d, k: x.mean() if d is None else x.mean(d, keepdim=k),
    "prod": lambda L, x, d, k: x.prod() if d is None else x.prod(_one(d), keepdim=k),
    "max": lambda L, x, d, k: x.max() if d is None else x.max(_one(d), k),
    "min": lambda L, x, d, k: x.min() if d is None else L.min(x, _one(d), k),
    "amax": lambda L, x, d, k: x.amax() if d is None else x.amax(d, keepdim=k),
    "amin": lambda L, x, d, k: x.amin() if d is None else L.amin(x, d, k),
    "var": lambda L, x, d, k: x.var() if d is None else x.var(d, keepdim=k),
    "var_c0": lambda L, x, d, k: x.var(d, correction=0, keepdim=k),
    "var_unbiased_false": lambda L, x, d, k: x.var(False) if d is None else x.var(d, False, k),
    "std": lambda L, x, d, k: x.std() if d is None else x.std(d, keepdim=k),
    "std_c2": lambda L, x, d, k: L.std(x, d, correction=2, keepdim=k),
    "norm": lambda L, x, d, k: x.norm() if d is None else x.norm(dim=d, keepdim=k),
    "norm_1": lambda L, x, d, k: x.norm(1, d, k),
    "norm_inf": lambda L, x, d, k: x.norm(math.inf, d, k),
    "norm_-inf": lambda L, x, d, k: x.norm(-math.inf, d, k),
    "norm_3": lambda L, x, d, k: x.norm(3, d, k),
    "norm_1.5": lambda L, x, d, k: x.norm(1.5, d, k),
    "norm_0.5": lambda L, x, d, k: x.norm(0.5, d, k),
    "norm_fro": lambda L, x, d, k: x.norm("fro", d, k),
    "logsumexp": lambda L, x, d, k: x.logsumexp(tuple(range(x.dim())) if d is None else d, k),
    "cumsum": lambda L, x, d, k: x.cumsum(0 if d is None else _one(d)),
    "cumprod": lambda L, x, d, k: x.cumprod(-1 if d is None else _one(d)),
}


@st.composite
def _shape_and_dim(draw: Any) -> tuple:
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        return shape, None
    dims = draw(st.lists(st.integers(-len(shape), len(shape) - 1), min_size=1, max_size=len(shape),
                         unique_by=lambda d: d % len(shape)))
    return shape, (dims[0] if kind == "int" else tuple(dims))


@pytest.mark.parametrize("name", list(DIM_OPS))
@SETTINGS
@given(shape_dim=_shape_and_dim(), keepdim=st.booleans(), dtype=st.sampled_from(["float32", "float64"]),
       seed=st.integers(0, 2**16), ties=st.booleans())
def test_reduction_matches_torch(name: str, shape_dim: tuple, keepdim: bool, dtype: str, seed: int,
                                 ties: bool) -> None:
    shape, dim = shape_dim
    a = _arr(shape, seed, dtype)
    if ties:  # small integers: ties for max/min/amax/norm-inf, zeros for prod/cumprod/norm
        a = np.round(a * 1.5).astype(dtype)
    op = DIM_OPS[name]
    assert_same(lambda lib: _with_grads(lib, a, lambda L, x: op(L, x, dim, keepdim)))


@pytest.mark.parametrize("name", ["sum", "mean", "prod", "max", "amax", "var", "std", "norm", "logsumexp",
                                  "cumsum", "cumprod"])
def test_zero_dim_input(name: str) -> None:
    a = np.asarray(1.5)
    assert_same(lambda lib: _with_grads(lib, a, lambda L, x: DIM_OPS[name](L, x, 0, False)))


# ---------------------------------------------------------------------------------------
# Edge cases: zeros in prod/cumprod, ties, norm at zero, NaN
# ---------------------------------------------------------------------------------------
PROD_INPUTS = {
    "no zero": [[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]],
    "one zero": [[1.5, 0.0, 3.0], [0.5, 4.0, -1.0]],
    "two zeros one row": [[0.0, 0.0, 3.0], [0.5, 4.0, -1.0]],
    "zeros in both rows": [[0.0, 2.0, 3.0], [0.5, 0.0, -1.0]],
    "all zero": [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
}


@pytest.mark.parametrize("values", list(PROD_INPUTS))
@pytest.mark.parametrize("form", ["full", "dim0", "dim1_keepdim", "cumprod0", "cumprod1"])
def test_prod_and_cumprod_with_zeros(values: str, form: str) -> None:
    """torch's prod_backward / cumprod_backward take special paths for one and several zeros."""
    a = np.asarray(PROD_INPUTS[values])
    op = {"full": lambda L, x: x.prod(), "dim0": lambda L, x: x.prod(0),
          "dim1_keepdim": lambda L, x: x.prod(1, keepdim=True), "cumprod0": lambda L, x: x.cumprod(0),
          "cumprod1": lambda L, x: x.cumprod(1)}[form]
    assert_same(lambda lib: _with_grads(lib, a, op))


@pytest.mark.parametrize("values", list(PROD_INPUTS))
@pytest.mark.parametrize("form", ["full", "dim1", "cumprod1"])
def test_prod_double_backward_with_zeros(values: str, form: str) -> None:
    a = np.asarray(PROD_INPUTS[values])
    op = {"full": lambda L, x: x.prod(), "dim1": lambda L, x: x.prod(1),
          "cumprod1": lambda L, x: x.cumprod(1)}[form]

    def fn(lib: Any) -> tuple:
        _, _, grad = _with_grads(lib, a, op, create_graph=True)
        x = lib.tensor(a, requires_grad=True)
        (g1,) = lib.autograd.grad(op(lib, x).sum(), x, create_graph=True)
        # values only for the create_graph gradient: its own grad_fn is an internal detail of torch's formula
        return grad.detach(), lib.autograd.grad((g1 * g1).sum(), x)

    assert_same(fn)


@pytest.mark.parametrize("op", ["max", "min", "amax_d1", "max_d1", "min_d0", "norm_inf", "amin_all"])
def test_ties_share_or_pick_gradient(op: str) -> None:
    """Full max/min and amax split the gradient evenly among ties; max(dim) sends it to one index."""
    a = np.asarray([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0], [3.0, -3.0, 3.0]])
    fn = {"max": lambda L, x: x.max(), "min": lambda L, x: x.min(), "amax_d1": lambda L, x: x.amax(1),
          "max_d1": lambda L, x: x.max(1), "min_d0": lambda L, x: x.min(0),
          "norm_inf": lambda L, x: x.norm(math.inf, 1), "amin_all": lambda L, x: x.amin()}[op]
    assert_same(lambda lib: _with_grads(lib, a, fn))


@pytest.mark.parametrize("p", [2, "fro", 1, 3, 1.5, 0.5, math.inf, 0])
def test_norm_at_zero_vector(p: Any) -> None:
    """torch masks the 0/0 at a zero norm (gradient 0; p=0 gives no gradient at all)."""
    def fn(lib: Any) -> tuple:
        x = lib.zeros(2, 3, dtype=lib.float64, requires_grad=True)
        out = x.norm(p)
        out.backward()
        return out, x.grad

    assert_same(fn)


@pytest.mark.parametrize("op", ["max", "max_d0", "amax", "argmax", "logsumexp"])
def test_nan_propagation(op: str) -> None:
    a = np.asarray([[1.0, np.nan, 2.0], [np.nan, np.nan, 0.5]])
    fn = {"max": lambda L, x: x.max(), "max_d0": lambda L, x: x.max(0), "amax": lambda L, x: x.amax(1),
          "argmax": lambda L, x: x.argmax(1), "logsumexp": lambda L, x: x.logsumexp(1)}[op]
    assert_same(lambda lib: fn(lib, lib.tensor(a, requires_grad=True)))


def test_max_dim_returns_named_pair() -> None:
    def fn(lib: Any) -> tuple:
        x = lib.tensor([[1.0, 3.0], [4.0, 2.0]], requires_grad=True)
        res = lib.max(x, 1, keepdim=True)
        values, indices = res
        return (repr(res), type(res).__name__, isinstance(res, tuple), len(res), res.values is res[0],
                values, indices, res.indices is indices, repr(x.min(dim=0)))

    assert_same(fn)


def test_var_std_with_too_few_degrees_of_freedom() -> None:
    """Forward nan/inf with torch's warning; backward gives torch's nan/inf pattern."""
    def fn(lib: Any) -> tuple:
        x = lib.tensor([[1.0, 2.0, 4.0]], requires_grad=True)
        out = (x.var(0), x.var(correction=5), x.std(0), lib.tensor([3.0], requires_grad=True).var())
        return out, lib.autograd.grad(out[0].sum() + out[1], x)

    assert_same(fn)


@pytest.mark.parametrize("op", ["var", "std", "var_dim", "std_dim", "logsumexp", "max", "amax", "norm_3",
                                "cumsum", "sum", "mean"])
def test_double_backward(op: str) -> None:
    a = _arr((3, 4), 11)
    fn = {"var": lambda L, x: x.var(), "std": lambda L, x: x.std(), "var_dim": lambda L, x: x.var(1),
          "std_dim": lambda L, x: x.std(0, keepdim=True), "logsumexp": lambda L, x: x.logsumexp(1),
          "max": lambda L, x: x.max(1)[0], "amax": lambda L, x: x.amax(0),
          "norm_3": lambda L, x: x.norm(3, 1), "cumsum": lambda L, x: x.cumsum(1),
          "sum": lambda L, x: x.sum(0), "mean": lambda L, x: x.mean(1)}[op]

    def run(lib: Any) -> tuple:
        x = lib.tensor(a, requires_grad=True)
        (g,) = lib.autograd.grad((fn(lib, x) ** 2).sum(), x, create_graph=True)
        return g.detach(), g.requires_grad, lib.autograd.grad((g * g).sum(), x)

    assert_same(run)


@pytest.mark.parametrize("op", ["prod", "prod_dim", "var", "std", "norm", "norm_3", "logsumexp", "cumprod",
                                "cumsum", "amax"])
def test_gradient_matches_finite_differences(op: str) -> None:
    fn = {"prod": lambda L, x: x.prod(), "prod_dim": lambda L, x: x.prod(1), "var": lambda L, x: x.var(1),
          "std": lambda L, x: x.std(), "norm": lambda L, x: x.norm(dim=0), "norm_3": lambda L, x: x.norm(3),
          "logsumexp": lambda L, x: x.logsumexp(1), "cumprod": lambda L, x: x.cumprod(1) ** 2,
          "cumsum": lambda L, x: x.cumsum(0) ** 2, "amax": lambda L, x: x.amax(1)}[op]
    assert_grad_matches_fd(fn=fn, x=_arr((3, 4), 12) + 0.5)


# ---------------------------------------------------------------------------------------
# Dtypes of non-float inputs and non-differentiable reductions
# ---------------------------------------------------------------------------------------
INT_OPS = {
    "sum": lambda L, x: x.sum(), "sum_dtype": lambda L, x: x.sum(dtype=L.float32),
    "prod": lambda L, x: x.prod(),
    "prod_dim": lambda L, x: x.prod(0), "max": lambda L, x: x.max(), "max_dim": lambda L, x: x.max(0),
    "amax": lambda L, x: x.amax(), "argmax": lambda L, x: x.argmax(),
    "argmin_kd": lambda L, x: x.argmin(keepdim=True),
    "cumsum": lambda L, x: x.cumsum(0), "cumprod": lambda L, x: x.cumprod(0), "all": lambda L, x: x.all(),
    "any_dim": lambda L, x: x.any(0), "all_tuple": lambda L, x: x.all((0, 1), keepdim=True),
    "logsumexp": lambda L, x: x.logsumexp(0), "mean_dtype": lambda L, x: x.mean(dtype=L.float64),
}


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
@pytest.mark.parametrize("name", list(INT_OPS))
def test_integer_and_bool_inputs(dtype: str, name: str) -> None:
    a = np.asarray([[1, 0, 2], [3, 1, 1]]).astype(dtype)
    assert_same(lambda lib: INT_OPS[name](lib, lib.tensor(a)))


@pytest.mark.parametrize("name", ["argmax", "argmin", "all", "any"])
def test_non_differentiable_results(name: str) -> None:
    def fn(lib: Any) -> tuple:
        x = lib.tensor(_arr((2, 3), 1), requires_grad=True)
        return getattr(x, name)(), getattr(x, name)(1), getattr(x, name)(1, keepdim=True)

    assert_same(fn)


@pytest.mark.parametrize("name", ["sum", "prod", "var", "std", "norm", "logsumexp", "cumsum", "cumprod",
                                  "mean"])
def test_complex_inputs(name: str) -> None:
    a = _arr((2, 3), 1) + 1j * _arr((2, 3), 2)
    fn = {"sum": lambda L, x: x.sum(0), "prod": lambda L, x: x.prod(1), "var": lambda L, x: x.var(1),
          "std": lambda L, x: x.std(), "norm": lambda L, x: x.norm(dim=1),
          "logsumexp": lambda L, x: x.logsumexp(1),
          "cumsum": lambda L, x: x.cumsum(1), "cumprod": lambda L, x: x.cumprod(1),
          "mean": lambda L, x: x.mean(0)}[name]

    def run(lib: Any) -> tuple:
        x = lib.tensor(a, requires_grad=True)
        out = fn(lib, x)
        return out, lib.autograd.grad(out.abs().sum(), x)

    assert_same(run)


# ---------------------------------------------------------------------------------------
# Errors, verbatim
# ---------------------------------------------------------------------------------------
def _f(lib: Any, *shape: int, dtype: str = "float32") -> Any:
    return lib.ones(shape, dtype=getattr(lib, dtype))


ERRORS = {
    "sum bad dim": lambda L: _f(L, 3).sum(1),
    "max bad dim": lambda L: _f(L, 2, 3).max(2),
    "0d bad dim": lambda L: _f(L).max(1),
    "dup dims": lambda L: _f(L, 2, 3).sum((1, -1)),
    "amax dup dims": lambda L: _f(L, 2, 3).amax((0, 0)),
    "max empty": lambda L: _f(L, 0, 3).max(),
    "min empty": lambda L: _f(L, 0, 3).min(),
    "max empty dim": lambda L: _f(L, 0, 3).max(0),
    "amax empty": lambda L: _f(L, 0, 3).amax(),
    "amin empty dim": lambda L: _f(L, 0, 3).amin(0),
    "argmax empty": lambda L: _f(L, 0, 3).argmax(),
    "argmin empty dim": lambda L: _f(L, 0, 3).argmin(0),
    "argmax bool": lambda L: _f(L, 3, dtype="bool").argmax(),
    "argmax complex": lambda L: _f(L, 3, dtype="complex64").argmax(),
    "argmax tuple": lambda L: _f(L, 2, 3).argmax(dim=(0, 1)),
    "max complex": lambda L: _f(L, 3, dtype="complex64").max(),
    "max complex dim": lambda L: _f(L, 3, dtype="complex64").max(0),
    "amax complex": lambda L: _f(L, 3, dtype="complex64").amax(),
    "max tuple": lambda L: _f(L, 2, 3).max((0, 1)),
    "prod tuple": lambda L: _f(L, 2, 3).prod((0, 1)),
    "mean int": lambda L: _f(L, 3, dtype="int32").mean(),
    "var int": lambda L: _f(L, 3, dtype="int64").var(),
    "std int": lambda L: _f(L, 3, dtype="int32").std(),
    "norm int": lambda L: _f(L, 3, dtype="int32").norm(),
    "norm inf empty": lambda L: _f(L, 0, 3).norm(math.inf),
    "norm fro 3 dims": lambda L: _f(L, 2, 2, 2).norm("fro", (0, 1, 2)),
    "sum int dtype with grad": lambda L: L.ones(3, requires_grad=True).sum(dtype=L.int32),
    "cumsum int dtype with grad": lambda L: L.ones(3, requires_grad=True).cumsum(0, dtype=L.int32),
    "prod int dtype with grad": lambda L: L.ones(3, requires_grad=True).prod(dtype=L.int64),
    "cumsum bad dim": lambda L: _f(L).cumsum(1),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_verbatim(name: str) -> None:
    assert_same(ERRORS[name], expect_error=True)


# --- versions torch leaves on results -------------------------------------------------------------
@pytest.mark.parametrize("expr", ["x.max()", "x.min()", "x.max(0)[0]", "x.min(1, keepdim=True)[0]",
                                  "x[0, 0].max(0)[0]", "x.amax()", "x.prod()", "x.sum(0)"])
def test_gradient_versions_match_torch(expr: str) -> None:
    """max/min's backward fills zeros in place (scatter_/masked fill): the stolen .grad keeps that version."""
    x = _arr((2, 3), 3, "float32")

    def f(t):
        a = t.tensor(x, requires_grad=True)
        eval(expr, {"x": a}).sum().backward()
        return a.grad, a.grad._version

    assert_same(f)


INFERENCE_RESULTS = ["v.sum()", "v.sum(0)", "v.sum(0, keepdim=True)", "v.mean()", "v.mean(1)", "v.prod()",
                     "v.prod(0)", "v.amax()", "v.amin(0)", "v.max()", "v.min()", "v.max(0)[0]", "v.max(0)[1]",
                     "v.argmax()", "v.all()", "v.any(0)", "b.all()", "b.any(1)", "v.std()", "v.var(0)",
                     "v.logsumexp(1)", "v.cumsum(0)", "v.cumprod(0)", "v.sum_to_size(1, 3)", "v.norm()"]


@pytest.mark.parametrize("expr", INFERENCE_RESULTS)
def test_results_of_inference_tensors_outside_inference_mode(expr: str) -> None:
    """torch quirk: these kernels' inner in-place steps bump the (normal) output's version."""
    def f(t):
        with t.inference_mode():
            v, b = t.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), t.tensor([[True, False]])
        out = eval(expr, {"v": v, "b": b})
        return out, out._version, t.ones(2, 3).sum()._version

    assert_same(f)


# --- in-place scans ---------------------------------------------------------------------------------
@pytest.mark.parametrize("op", ["cumsum_", "cumprod_"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "uint8", "bool", "complex64"])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
def test_inplace_scans_keep_self_dtype(op: str, dtype: str, shape: tuple) -> None:
    x = (np.arange(int(np.prod(shape))).reshape(shape) % 3 + 1).astype("float64")

    def f(t):
        a = t.tensor(x, dtype=getattr(t, dtype))
        out = getattr(a, op)(-1 if shape else 0)
        return out is a, a, a._version

    assert_same(f)


@pytest.mark.parametrize("op", ["cumsum_", "cumprod_"])
def test_inplace_scans_record_and_differentiate(op: str) -> None:
    x = _arr((2, 3), 5)

    def f(t):
        leaf = t.tensor(x, requires_grad=True)
        a = leaf * 1
        getattr(a, op)(1)
        graph = graph_signature(a)
        (g,) = t.autograd.grad((a * a).sum(), leaf, create_graph=True)
        g.sum().backward()
        return a, graph, g, leaf.grad

    assert_same(f)


@pytest.mark.parametrize("expr", ["t.ones(2, dtype=t.int64).cumsum_(0, dtype=t.float32)",
                                  "t.ones(2).cumprod_(0, dtype=t.float64)", "t.ones(2, requires_grad=True).cumsum_(0)",
                                  "t.ones(2).cumsum_(3)", "t.ones(2, dtype=t.bool).cumsum_(0, dtype=t.float32)"])
def test_inplace_scan_errors(expr: str) -> None:
    assert_same(lambda t: eval(expr, {"t": t}), expect_error=True)
