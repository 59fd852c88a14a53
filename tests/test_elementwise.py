"""Elementwise ops against torch: node names per overload, in-place forms, dtype errors, gradients.

Each case is a small program run on both libraries (``assert_same``); graphs are compared
through ``graph_signature`` so that ``(None, 0)`` edges and NotImplemented nodes count.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from helpers import SETTINGS, assert_grad_matches_fd, assert_same, graph_signature
from hypothesis import example, given
from hypothesis import strategies as st


def _leaves(lib: Any) -> tuple:
    a = lib.tensor([2.2, 1.5, -0.7], requires_grad=True)
    b = lib.tensor([-0.2, 0.7, 0.3], requires_grad=True)
    c = lib.tensor([0.3, 0.4, -1.5])
    return a, b, c


def _graph_and_grads(lib: Any, y: Any, *inputs: Any) -> tuple:
    """What a program observes: value, node graph, and the gradients of the inputs that need one."""
    grads = lib.autograd.grad(y.sum(), [t for t in inputs if t.requires_grad], allow_unused=True)
    return y, graph_signature(y), grads


# ------------------------------------------------------------------------------------------
# Node names and edges per overload
# ------------------------------------------------------------------------------------------
GRAPH_CASES = {
    "remainder_tensor": lambda lib, a, b, c: lib.remainder(a, b),  # RemainderBackward1
    "remainder_scalar": lambda lib, a, b, c: lib.remainder(a, 0.4),  # RemainderBackward0, one edge
    "remainder_tensor_nograd_other": lambda lib, a, b, c: lib.remainder(a, c),
    "fmod_tensor": lambda lib, a, b, c: lib.fmod(a, b),
    "fmod_scalar": lambda lib, a, b, c: lib.fmod(a, 0.4),
    "div_mode_none": lambda lib, a, b, c: lib.div(a, b, rounding_mode=None),  # DivBackward2
    "div_mode_trunc": lambda lib, a, b, c: lib.div(a, b, rounding_mode="trunc"),
    "div_mode_floor_scalar": lambda lib, a, b, c: lib.div(a, 2, rounding_mode="floor"),  # (None, 0) edge
    "div_plain": lambda lib, a, b, c: lib.div(a, c),  # DivBackward0
    "eq_inplace_tensor": lambda lib, a, b, c: a.clone().eq_(b),
    "lt_inplace_scalar": lambda lib, a, b, c: a.clone().lt_(0.5),
    "ge_inplace_nograd_self": lambda lib, a, b, c: c.clone().ge_(b),
    "fmod_inplace": lambda lib, a, b, c: a.clone().fmod_(b),
    "clamp_tensor_bounds": lambda lib, a, b, c: lib.clamp(a, min=b, max=c + 2),
    "pow_scalar_base": lambda lib, a, b, c: lib.pow(2, a),
}


@pytest.mark.parametrize("case", sorted(GRAPH_CASES))
def test_graph_and_gradients_match_torch(case: str) -> None:
    def program(lib: Any) -> tuple:
        a, b, c = _leaves(lib)
        return _graph_and_grads(lib, GRAPH_CASES[case](lib, a, b, c), a, b)

    assert_same(program, expect_error=False)


NOT_IMPLEMENTED_CASES = {
    "floor_divide": lambda lib, a, b, c: lib.floor_divide(a, b),
    "floor_divide_nograd_self": lambda lib, a, b, c: lib.floor_divide(c, b),
    "floordiv_operator_scalar": lambda lib, a, b, c: a // 2,
    "floor_divide_inplace": lambda lib, a, b, c: a.clone().floor_divide_(b),
    "scalar_remainder": lambda lib, a, b, c: 2 % a,
}


@pytest.mark.parametrize("case", sorted(NOT_IMPLEMENTED_CASES))
def test_not_implemented_node_has_edges_only_to_grad_inputs_and_raises(case: str) -> None:
    def graph(lib: Any) -> Any:
        a, b, c = _leaves(lib)
        return graph_signature(NOT_IMPLEMENTED_CASES[case](lib, a, b, c))

    def backward(lib: Any) -> None:
        a, b, c = _leaves(lib)
        NOT_IMPLEMENTED_CASES[case](lib, a, b, c).sum().backward()

    assert_same(graph, expect_error=False)
    assert_same(backward, expect_error=True)


def test_version_error_names_overload_like_torch() -> None:
    def program(lib: Any) -> None:
        x = lib.tensor([0.25, 2.0], requires_grad=True)
        y = lib.pow(x, x)  # PowBackward1: torch's message says "output 0 of Pow1"
        y.mul_(2)
        y.sum().backward()

    assert_same(program, expect_error=True)


def test_sgn_saves_its_result() -> None:
    def program(lib: Any) -> None:
        y = lib.sgn(lib.tensor([-1.5, 2.0], requires_grad=True))
        y.mul_(0.5)
        y.sum().backward()

    assert_same(program, expect_error=True)


def test_clamp_backward_mask_is_computed_in_place() -> None:
    """torch's clamp_backward does (x >= min).logical_and_(x <= max): a 0-d min cannot widen."""
    def program(lib: Any) -> None:
        x = lib.tensor(0.0, requires_grad=True)
        lib.clamp(x, min=lib.tensor(-0.6), max=lib.tensor([0.6])).sum().backward()

    assert_same(program, expect_error=True)


# ------------------------------------------------------------------------------------------
# In-place forms torch has (and the ones it has not)
# ------------------------------------------------------------------------------------------
INPLACE = ["eq_", "ne_", "lt_", "le_", "gt_", "ge_", "logical_and_", "logical_or_", "logical_xor_", "fmod_",
           "remainder_", "bitwise_and_", "bitwise_or_", "bitwise_xor_", "__iand__", "__ior__", "__ixor__"]


@pytest.mark.parametrize("name", INPLACE)
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_binary_inplace_writes_self_dtype(name: str, dtype: str) -> None:
    def program(lib: Any) -> tuple:
        x = lib.tensor([3, 0, -2, 5], dtype=getattr(lib, dtype) if dtype != "bool" else lib.bool)
        other = lib.tensor([3, 1, -1, 2])
        y = getattr(x, name)(other)
        return y is x, x, x._version

    assert_same(program)


@pytest.mark.parametrize("name", ["logical_not_", "bitwise_not_", "sign_", "abs_", "floor_", "neg_"])
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_unary_inplace(name: str, dtype: str) -> None:
    def program(lib: Any) -> tuple:
        x = lib.tensor([3, 0, -2, 5], dtype=getattr(lib, dtype) if dtype != "bool" else lib.bool)
        getattr(x, name)()
        return x, x._version

    assert_same(program)


def test_logical_inplace_keeps_history() -> None:
    def program(lib: Any) -> Any:
        a = lib.tensor([2.0, 0.0], requires_grad=True)
        y = a.clone().logical_and_(lib.tensor([1.0, 1.0]))
        return y, graph_signature(y)

    assert_same(program, expect_error=False)


@pytest.mark.parametrize("name", ["maximum_", "minimum_"])
def test_missing_inplace_methods_stay_missing(name: str) -> None:
    assert_same(lambda lib: getattr(lib.tensor([1.0]), name), expect_error=True)


def test_inplace_comparison_shape_error() -> None:
    assert_same(lambda lib: lib.tensor(1.0).eq_(lib.tensor([1.0, 2.0])), expect_error=True)


# ------------------------------------------------------------------------------------------
# Scalar operands and integer powers
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", ["logical_and", "logical_or", "logical_xor"])
@pytest.mark.parametrize("as_method", [False, True])
def test_logical_ops_reject_python_scalars(fn: str, as_method: bool) -> None:
    def program(lib: Any) -> Any:
        x = lib.tensor([True, False])
        return getattr(x, fn)(True) if as_method else getattr(lib, fn)(x, True)

    assert_same(program, expect_error=True)


@SETTINGS
@given(base=st.lists(st.integers(-3, 3), min_size=1, max_size=5), exp=st.integers(-3, 3),
       scalar_base=st.sampled_from([None, 2, -1, 1, 0]))
def test_integer_pow_with_negative_exponents(base: list, exp: int, scalar_base: Any) -> None:
    def program(lib: Any) -> Any:
        if scalar_base is not None:
            return lib.pow(scalar_base, lib.tensor(base, dtype=lib.int32))
        return lib.pow(lib.tensor(base), lib.tensor([exp] * len(base)))

    assert_same(program)


@SETTINGS
@given(x=st.lists(st.floats(-5, 5), min_size=1, max_size=4), d=st.floats(0.3, 3.0), sign=st.sampled_from([1, -1]))
def test_remainder_fmod_divisor_gradient(x: list, d: float, sign: int) -> None:
    def program(lib: Any) -> tuple:
        a = lib.tensor(x, requires_grad=True)
        b = lib.tensor([sign * d] * len(x), requires_grad=True)
        return lib.autograd.grad((lib.remainder(a, b) + lib.fmod(a, b)).sum(), (a, b))

    assert_same(program)


@pytest.mark.parametrize("op", ["fmod", "remainder"])
def test_fmod_remainder_self_gradient_matches_finite_differences(op: str) -> None:
    x = np.array([0.33, -1.27, 2.61, -0.49])
    assert_grad_matches_fd(fn=lambda lib, t: getattr(lib, op)(t, 0.7), x=x)


@pytest.mark.parametrize("name", ["bitwise_and_", "bitwise_or_", "__ixor__"])
def test_bitwise_inplace_checks_output_shape_before_dtype(name: str) -> None:
    def program(lib: Any) -> Any:
        return getattr(lib.tensor(0.5, dtype=lib.float16), name)(lib.tensor([[0.5]]))

    assert_same(program, expect_error=True)


@SETTINGS
@given(a=st.lists(st.floats(-1e3, 1e3, width=16), min_size=1, max_size=4),
       b=st.floats(-1e3, 1e3, width=16), w=st.sampled_from([0.0, 0.1, 0.4999, 0.5, 0.9, 1.0, -0.7, 1.6]),
       dtype=st.sampled_from(["float16", "float32", "float64"]), tensor_weight=st.booleans())
@example(a=[-1.86], b=0.0, w=0.9, dtype="float16", tensor_weight=True)  # found by the conformance run
@example(a=[1000.0, -3.0], b=0.0, w=0.9, dtype="float16", tensor_weight=False)
@example(a=[-1000.0], b=997.0, w=0.4999, dtype="float32", tensor_weight=False)  # fused multiply-add
def test_lerp_values_match_torchs_kernel(a: list, b: float, w: float, dtype: str, tensor_weight: bool) -> None:
    """torch's lerp computes half in float and, for |weight| >= 0.5, from ``end``: a naive
    ``a + w * (b - a)`` in half misses torch's values by more than half's tolerance."""
    def f(t: Any) -> Any:
        dt = getattr(t, dtype)
        weight = t.tensor(w, dtype=dt) if tensor_weight else w
        return t.lerp(t.tensor(a, dtype=dt), t.tensor(b, dtype=dt), weight)

    assert_same(f)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("tensor_weight", [False, True])
def test_lerp_rounds_once_like_torchs_fused_multiply_add(dtype: str, tensor_weight: bool) -> None:
    """torch's vectorized lerp is ``fmadd(coeff, end - self, base)``: one rounding. Over values of
    mixed magnitudes an unfused ``self + w * (end - self)`` differs in the last bit about a third
    of the time; the emulation must agree bit for bit."""
    import torch

    import reference_impl as ri

    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal(400) * 10.0 ** rng.uniform(-3, 4, 400) for _ in range(2))
    w = rng.uniform(-1.5, 2.5, 400)
    for lib in (torch, ri):
        ws = lib.tensor(w, dtype=getattr(lib, dtype)) if tensor_weight else 0.4999
        out = lib.lerp(lib.tensor(a, dtype=getattr(lib, dtype)), lib.tensor(b, dtype=getattr(lib, dtype)), ws)
        if lib is torch:
            expected = out.numpy()
        else:
            np.testing.assert_array_equal(out.numpy(), expected)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_lerp_extreme_values_match_torch(dtype: str) -> None:
    """The float64 fused multiply-add splits its operands (Veltkamp); beyond 2**996 the split would
    overflow, and infinities and NaNs must come out as torch's fma gives them."""
    inf, nan = float("inf"), float("nan")
    a = [1e300, -1e300, 3.0, 1e308, inf, nan, 1.0, -inf, 0.0]
    b = [-1e300, 1e300, 4.0, -1e308, 1.0, 2.0, inf, inf, -0.0]
    w = [0.7, 0.2, 0.5, 0.4, 0.1, 0.9, 0.3, 0.6, 0.5]

    def f(t: Any) -> Any:
        dt = getattr(t, dtype)
        x, y = t.tensor(a, dtype=t.float64).to(dt), t.tensor(b, dtype=t.float64).to(dt)
        return t.lerp(x, y, 0.3), t.lerp(x, y, t.tensor(w, dtype=dt))

    assert_same(f)


@pytest.mark.parametrize("op", ["floor_divide", "div_floor", "div_trunc", "floordiv_operator", "floor_divide_"])
def test_half_rounding_division_by_a_python_scalar_computes_in_float(op: str) -> None:
    """torch reads the scalar divisor as a float and divides in float (1.52 // 0.76 is 1 in torch;
    dividing in half, with 0.76 rounded to half, gives 2). Found by a randomized conformance run."""
    x = np.random.default_rng(0).standard_normal(2000).astype(np.float16) * np.float16(4)
    x[:2] = [1.52, -1.52]

    ops = {"floor_divide": lambda t, a, s: t.floor_divide(a, s),
           "div_floor": lambda t, a, s: t.div(a, s, rounding_mode="floor"),
           "div_trunc": lambda t, a, s: t.div(a, s, rounding_mode="trunc"),
           "floordiv_operator": lambda t, a, s: a // s,
           "floor_divide_": lambda t, a, s: a.clone().floor_divide_(s)}

    def f(t: Any) -> Any:
        a = t.tensor(x)
        return [ops[op](t, a, s) for s in (0.76, -1.7, 0.1, 3, 0.0)]

    assert_same(f, rtol=0, atol=0)
