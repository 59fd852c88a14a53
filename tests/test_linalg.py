"""Matrix products and transposes: values, dtypes, the graphs matmul leaves, gradients, errors.

Each test runs the same function against torch and reference_impl (``helpers.assert_same``);
graphs are compared as full ``next_functions`` trees (``graph_signature``), because
matmul's composite decomposition (fold into mm, or expand + bmm) is observable there.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import SETTINGS, assert_grad_matches_fd, assert_same, graph_signature

FLOATS = ("float32", "float64")


def _arr(shape: tuple, seed: int, dtype: str = "float64") -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _leaf(lib: Any, a: np.ndarray, requires_grad: bool) -> Any:
    return lib.tensor(a, requires_grad=requires_grad)


def _forward_and_grads(lib: Any, op: Any, arrays: tuple, flags: tuple) -> tuple:
    """Output, its graph, and the gradients of a fixed weighted sum w.r.t. every input that requires grad."""
    leaves = [_leaf(lib, a, f) for a, f in zip(arrays, flags)]
    out = op(lib, *leaves)
    graph = graph_signature(out)
    if not out.requires_grad:
        return out, graph
    weight = lib.tensor(_arr(tuple(out.shape), 99, "float64")).to(out.dtype)
    grads = lib.autograd.grad((out * weight).sum(), [x for x in leaves if x.requires_grad])
    return out, graph, grads


# ---------------------------------------------------------------------------------------
# matmul in every rank combination: value, dtype, graph, gradients
# ---------------------------------------------------------------------------------------
MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
    ((5, 2, 3), (5, 3, 4)), ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((5, 2, 3), (3,)), ((3,), (5, 3, 4)),
    ((2, 1, 2, 3), (5, 3, 4)), ((2, 1, 2, 3), (3, 4)), ((2, 1, 3, 2, 3), (4, 1, 3, 5)),
    ((4, 2, 3), (1, 3, 2)), ((1, 2, 3), (4, 3, 2)), ((1, 2, 3), (1, 3, 2)), ((2, 3), (1, 3, 2)),
    ((1, 2, 3), (3,)), ((1, 2, 3), (3, 2)), ((4, 2, 3), (2, 1, 3, 2)),
    ((2, 0, 3), (3,)), ((2, 0, 3), (3, 0)), ((0,), (0,)),
]


@SETTINGS
@given(shapes=st.sampled_from(MATMUL_SHAPES),
       flags=st.sampled_from([(True, True), (True, False), (False, True)]),
       dtype=st.sampled_from(FLOATS), seed=st.integers(0, 2**16))
def test_matmul_matches_torch(shapes: tuple, flags: tuple, dtype: str, seed: int) -> None:
    a, b = _arr(shapes[0], seed, dtype), _arr(shapes[1], seed + 1, dtype)
    assert_same(lambda lib: _forward_and_grads(lib, lambda L, x, y: x @ y, (a, b), flags), expect_error=False)


@pytest.mark.parametrize("op", ["mm", "bmm", "mv", "dot", "outer", "ger", "matmul"])
@pytest.mark.parametrize("dtype", FLOATS)
def test_named_products_match_torch(op: str, dtype: str) -> None:
    shapes = {"mm": ((2, 3), (3, 4)), "bmm": ((2, 2, 3), (2, 3, 4)), "mv": ((2, 3), (3,)),
              "dot": ((3,), (3,)),
              "outer": ((3,), (2,)), "ger": ((3,), (2,)), "matmul": ((2, 2, 3), (3,))}[op]
    a, b = _arr(shapes[0], 1, dtype), _arr(shapes[1], 2, dtype)
    flags = (True, True)
    assert_same(lambda lib: _forward_and_grads(lib, lambda L, x, y: getattr(L, op)(x, y), (a, b), flags))
    assert_same(lambda lib: _forward_and_grads(lib, lambda L, x, y: getattr(x, op)(y), (a, b), (True, True)))


def test_vector_matrix_product_bumps_version_and_is_no_view() -> None:
    """1-D @ 2-D is mm + in-place squeeze_(0): torch's result is at version 1 and not a view."""
    def fn(lib: Any) -> tuple:
        out = lib.tensor(_arr((2,), 0), requires_grad=True) @ lib.tensor(_arr((2, 3), 1))
        return out._version, out._is_view(), graph_signature(out)

    assert_same(fn)


def test_matmul_noncontiguous_batch_uses_bmm() -> None:
    """A batch that cannot be folded without a copy goes through expand + bmm + squeeze, as torch."""
    def fn(lib: Any) -> tuple:
        x = lib.tensor(_arr((3, 2, 4), 0)).transpose(0, 1)
        w = lib.tensor(_arr((4,), 1), requires_grad=True)
        out = x @ w
        return out, graph_signature(out), lib.autograd.grad(out.sum(), w)

    assert_same(fn)


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "float16", "complex64", "complex128"])
@pytest.mark.parametrize("shapes", [((2, 3), (3, 2)), ((3,), (3,)), ((2, 3), (3,)), ((2, 2, 3), (2, 3, 2)),
                                    ((2, 2, 3), (3, 2))])
def test_matmul_other_dtypes(dtype: str, shapes: tuple) -> None:
    rng = np.random.default_rng(0)
    imag = 1j if dtype.startswith("complex") else 0
    a, b = (rng.integers(0, 9, s).astype(dtype) if dtype[0] in "iu" else
            (rng.standard_normal(s) + imag * rng.standard_normal(s)).astype(dtype) for s in shapes)
    tol = 1e-2 if dtype == "float16" else None  # torch's CPU half kernels round differently
    assert_same(lambda lib: lib.tensor(a) @ lib.tensor(b), expect_error=False, rtol=tol, atol=tol)


@pytest.mark.parametrize("shapes", [((2, 3), (3, 4)), ((3,), (3,)), ((2, 3), (3,)), ((2, 2, 3), (2, 3, 2)),
                                    ((3,), (3, 2)), ((2, 2, 3), (3, 2))])
def test_complex_matmul_gradients_use_conj(shapes: tuple) -> None:
    a = (_arr(shapes[0], 1) + 1j * _arr(shapes[0], 2)).astype("complex128")
    b = (_arr(shapes[1], 3) + 1j * _arr(shapes[1], 4)).astype("complex128")

    def fn(lib: Any) -> tuple:
        x, y = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        out = x @ y
        loss = (out * out.conj()).real.sum() if hasattr(out, "real") else out.abs().sum()
        return out, lib.autograd.grad(loss, [x, y])

    assert_same(fn)


@pytest.mark.parametrize("shapes", [((2, 3), (3, 4)), ((3,), (3,)), ((2, 3), (3,)), ((2, 2, 3), (2, 3, 2)),
                                    ((3,), (2, 3, 2)), ((4, 2, 3), (3, 2))])
def test_matmul_double_backward(shapes: tuple) -> None:
    a, b = _arr(shapes[0], 5), _arr(shapes[1], 6)

    def fn(lib: Any) -> tuple:
        x, y = lib.tensor(a, requires_grad=True), lib.tensor(b, requires_grad=True)
        out = x @ y
        gx, gy = lib.autograd.grad((out * out).sum(), [x, y], create_graph=True)
        return gx, gy, lib.autograd.grad((gx * gx).sum() + (gy ** 3).sum(), [x, y])

    assert_same(fn)


@pytest.mark.parametrize("other", [(3, 2), (3,), (2, 3, 4)])
def test_matmul_gradient_matches_finite_differences(other: tuple) -> None:
    w = _arr(other, 7)
    assert_grad_matches_fd(fn=lambda lib, x: (x @ lib.tensor(w)) ** 2, x=_arr((2, 3), 8))


# ---------------------------------------------------------------------------------------
# Errors, verbatim
# ---------------------------------------------------------------------------------------
def _t(lib: Any, shape: tuple, dtype: str = "float32") -> Any:
    return lib.ones(shape, dtype=getattr(lib, dtype))


ERRORS = {
    "mm shapes": lambda L: _t(L, (2, 3)) @ _t(L, (2, 3)),
    "mm fn shapes": lambda L: L.mm(_t(L, (2, 3)), _t(L, (2, 3))),
    "mm 1d": lambda L: L.mm(_t(L, (3,)), _t(L, (3, 2))),
    "mm mat2 1d": lambda L: L.mm(_t(L, (2, 3)), _t(L, (3,))),
    "mm dtype": lambda L: _t(L, (2, 3)) @ _t(L, (3, 2), "float64"),
    "mm dtype rev": lambda L: _t(L, (2, 3), "float64") @ _t(L, (3, 2)),
    "mm int/float": lambda L: L.mm(_t(L, (2, 3), "int64"), _t(L, (3, 2))),
    "mm half/float": lambda L: L.mm(_t(L, (2, 3), "float16"), _t(L, (3, 2))),
    "mm bool": lambda L: _t(L, (2, 3), "bool") @ _t(L, (3, 2), "bool"),
    "mm bool/float": lambda L: L.mm(_t(L, (2, 3), "bool"), _t(L, (3, 2))),
    "mm complex/float": lambda L: _t(L, (2, 3), "complex64") @ _t(L, (3, 2)),
    "dot sizes": lambda L: _t(L, (3,)) @ _t(L, (2,)),
    "dot 2d": lambda L: L.dot(_t(L, (2, 2)), _t(L, (2, 2))),
    "dot 1d 2d": lambda L: L.dot(_t(L, (2,)), _t(L, (2, 2))),
    "dot dtype": lambda L: _t(L, (3,)) @ _t(L, (3,), "float64"),
    "dot dtype before size": lambda L: L.dot(_t(L, (3,)), _t(L, (2,), "float64")),
    "dot bool": lambda L: _t(L, (3,), "bool") @ _t(L, (3,), "bool"),
    "mv sizes": lambda L: _t(L, (2, 3)) @ _t(L, (2,)),
    "mv ranks": lambda L: L.mv(_t(L, (3,)), _t(L, (3,))),
    "mv dtype": lambda L: L.mv(_t(L, (2, 3)), _t(L, (3,), "float64")),
    "mv dtype rev": lambda L: L.mv(_t(L, (2, 3), "float64"), _t(L, (3,))),
    "mv bool": lambda L: _t(L, (2, 3), "bool") @ _t(L, (3,), "bool"),
    "vm sizes": lambda L: _t(L, (2,)) @ _t(L, (3, 2)),
    "bmm sizes": lambda L: L.bmm(_t(L, (2, 2, 3)), _t(L, (2, 2, 3))),
    "bmm batch": lambda L: L.bmm(_t(L, (2, 2, 3)), _t(L, (3, 3, 3))),
    "bmm 2d": lambda L: L.bmm(_t(L, (2, 3)), _t(L, (3, 3))),
    "bmm batch2 2d": lambda L: L.bmm(_t(L, (2, 2, 3)), _t(L, (3, 3))),
    "bmm dtype": lambda L: L.bmm(_t(L, (2, 2, 3)), _t(L, (2, 3, 3), "float64")),
    "bmm bool": lambda L: _t(L, (2, 2, 3), "bool") @ _t(L, (2, 3, 2), "bool"),
    "bmm float/bool": lambda L: L.bmm(_t(L, (2, 2, 3)), _t(L, (2, 3, 2), "bool")),
    "matmul batch broadcast": lambda L: _t(L, (2, 2, 3)) @ _t(L, (3, 3, 3)),
    "matmul folded sizes": lambda L: _t(L, (2, 2, 3)) @ _t(L, (2, 3)),
    "matmul folded vec": lambda L: _t(L, (2, 2, 3)) @ _t(L, (2,)),
    "matmul 4d/3d dtype": lambda L: _t(L, (2, 2, 2, 3)) @ _t(L, (2, 3, 3), "float64"),
    "matmul 0d": lambda L: L.matmul(_t(L, ()), _t(L, (3,))),
    "matmul 0d right": lambda L: L.matmul(_t(L, (3,)), _t(L, ())),
    "matmul scalar": lambda L: _t(L, (3,)) @ 2,
    "matmul list": lambda L: L.matmul(_t(L, (3,)), [1.0, 2.0, 3.0]),
    "mm scalar": lambda L: L.mm(_t(L, (2, 2)), 3),
    "outer 2d": lambda L: L.outer(_t(L, (3, 1)), _t(L, (2,))),
    "outer vec2 2d": lambda L: L.outer(_t(L, (3,)), _t(L, (2, 1))),
    "t 3d": lambda L: _t(L, (2, 3, 4)).t(),
    "mT 1d": lambda L: _t(L, (3,)).mT,
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_verbatim(name: str) -> None:
    assert_same(ERRORS[name], expect_error=True)


# ---------------------------------------------------------------------------------------
# t / T / mT
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 4)])
@pytest.mark.parametrize("attr", ["t", "T", "mT"])
def test_transposes(shape: tuple, attr: str) -> None:
    """Node names (TBackward0 / PermuteBackward0 / TransposeBackward0), views, warnings, errors."""
    a = _arr(shape, 3)

    def fn(lib: Any) -> tuple:
        x = lib.tensor(a, requires_grad=True)
        out = x.t() if attr == "t" else getattr(x, attr)
        grad = lib.autograd.grad((out * lib.tensor(_arr(tuple(out.shape), 4))).sum(), x)
        return out, out is x, out._base is x, graph_signature(out), grad

    assert_same(fn)


# --- t_ and stale views in saved tensors ---------------------------------------------------------
@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
def test_t_inplace_restrides_self_and_records_tbackward1(shape: tuple) -> None:
    x = _arr(shape, 7)

    def f(t):
        leaf = t.tensor(x, requires_grad=True)
        a = leaf.clone()
        out = a.t_()
        graph = graph_signature(a)
        (a * a).sum().backward()
        return out is a, tuple(a.shape), a._version, graph, leaf.grad

    assert_same(f)


@pytest.mark.parametrize("expr", ["t.ones(2, 2, 2).t_()", "t.ones(2, requires_grad=True).t_()"])
def test_t_inplace_errors(expr: str) -> None:
    assert_same(lambda t: eval(expr, {"t": t}), expect_error=True)


@pytest.mark.parametrize("op", ["matmul", "outer"])
def test_modified_view_saved_by_matmul_is_named_as_strided(op: str) -> None:
    """The 1-D operand is saved as a view; after its base is written torch's error names AsStrided."""
    def f(t):
        a = t.tensor([1.0], requires_grad=True).clone()
        other = t.tensor([[2.0]] if op == "matmul" else [2.0], requires_grad=True)
        s = getattr(t, op)(a, other).sum()
        a.mul_(2)
        s.backward()

    assert_same(f, expect_error=True)


@pytest.mark.parametrize("expr", ["t.dot(v, v)", "t.mv(m, v)", "t.dot(v, n)", "t.mv(m, n)", "t.mm(m, m.t())"])
def test_products_of_inference_tensors_versions(expr: str) -> None:
    def f(t):
        with t.inference_mode():
            v, m = t.ones(3), t.ones(2, 3)
        out = eval(expr, {"t": t, "v": v, "m": m, "n": t.ones(3)})
        return out, out._version

    assert_same(f)
