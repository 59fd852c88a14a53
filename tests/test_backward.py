"""backward / autograd.backward / autograd.grad: values, accumulation, arguments, errors."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pytest
from helpers import SETTINGS, assert_grad_matches_fd, assert_same
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

FLOATS = st.floats(-2.0, 2.0, allow_nan=False, width=64)


# --- gradient values ----------------------------------------------------------------------
@SETTINGS
@given(x=hnp.arrays(np.float64, st.sampled_from([(3,), (2, 3)]), elements=FLOATS))
def test_gradient_values_of_a_composite(x: np.ndarray) -> None:
    def f(t):
        a = t.tensor(x, requires_grad=True)
        y = ((a * a).sin() + a.exp() * 0.5 - (a + 3).log()).sum()
        y.backward()
        return y, a.grad

    assert_same(f)
    assert_grad_matches_fd(fn=lambda t, a: (a * a).sin() + a.exp() * 0.5 - (a + 3).log(), x=x)


@pytest.mark.parametrize("a_shape,b_shape", [((2, 3), (3,)), ((2, 1), (1, 3)), ((3,), ()), ((1,), (2, 2))])
def test_broadcast_gradients_are_reduced(a_shape: tuple, b_shape: tuple) -> None:
    def f(t):
        a = t.ones(a_shape, dtype=t.float64, requires_grad=True)
        b = t.full(b_shape, 2.0, dtype=t.float64, requires_grad=True)
        (a * b + b).sum().backward()
        return a.grad, b.grad

    assert_same(f)


@pytest.mark.parametrize("dt", ["float16", "float32", "float64", "complex64", "complex128"])
def test_gradient_dtype_follows_input_dtype(dt: str) -> None:
    def f(t):
        a = t.ones(3, dtype=getattr(t, dt), requires_grad=True)
        b = t.ones(3, dtype=t.float64, requires_grad=True)
        y = (a * b).abs().sum() if dt.startswith("complex") else (a * b).sum()
        y.backward()
        return a.grad, b.grad

    assert_same(f)


def test_complex_tensors_can_require_grad() -> None:
    def f(t):
        z = t.tensor([1 + 2j, 3 - 1j], requires_grad=True)
        (z * z.conj()).real.sum().backward() if hasattr(z, "real") else (z.abs() ** 2).sum().backward()
        return z.grad

    assert_same(f)


# --- accumulation -------------------------------------------------------------------------
def test_grad_accumulates_across_calls_in_place() -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        (a * 3).sum().backward()
        held = a.grad
        (a * a).sum().backward()
        return held is a.grad, held, a.grad._version

    assert_same(f)


def test_grad_accumulation_with_create_graph_replaces() -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        (a * 3).sum().backward()
        held = a.grad
        (a * a).sum().backward(create_graph=True)
        return held is a.grad, held, a.grad, a.grad.requires_grad

    assert_same(f, check_warnings=False)  # warn-once state: see test_create_graph_backward_warns_once


def test_first_grad_is_a_copy_of_the_incoming_gradient() -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        g = t.tensor([5.0, 6.0])
        a.backward(g)
        g.add_(1)
        return a.grad, a.grad is g

    assert_same(f)


# --- non-leaf .grad -----------------------------------------------------------------------
def test_non_leaf_grad_warns_and_is_none() -> None:
    def f(t):
        a = t.ones(2, requires_grad=True)
        y = a * 2
        y.sum().backward()
        return y.grad

    assert_same(f)


def test_retain_grad() -> None:
    def f(t):
        a = t.ones(2, requires_grad=True)
        y = a * 2
        r0 = y.retains_grad
        y.retain_grad()
        y.retain_grad()
        z = (y * y).sum()
        z.backward(retain_graph=True)
        first = y.grad.clone()
        z.backward()
        return r0, y.retains_grad, a.retains_grad, first, y.grad, a.grad

    assert_same(f)


def test_retain_grad_errors_and_leaf_noop() -> None:
    assert_same(lambda t: t.ones(2).retain_grad(), expect_error=True)

    def leaf(t):
        a = t.ones(2, requires_grad=True)
        a.retain_grad()
        (a * 2).sum().backward()
        return a.retains_grad, a.grad

    assert_same(leaf)


# --- assigning .grad ----------------------------------------------------------------------
@pytest.mark.parametrize("value", [
    "t.ones(2)", "None", "t.ones(3)", "t.ones(2, dtype=t.float64)", "[1.0, 2.0]", "t.ones(2, dtype=t.int64)",
    "t.ones(1, 2)", "3.0",
])
def test_assigning_grad(value: str) -> None:
    def f(t):
        a = t.zeros(2, requires_grad=True)
        a.grad = eval(value, {"t": t})  # noqa: S307 - fixed expressions above
        return a.grad

    assert_same(f)


def test_deleting_grad() -> None:
    def f(t):
        a = t.ones(2, requires_grad=True)
        (a * 2).sum().backward()
        del a.grad
        return a.grad

    assert_same(f)


# --- Tensor.backward arguments ------------------------------------------------------------
def test_implicit_gradient_only_for_one_element_outputs() -> None:
    assert_same(lambda t: (t.ones(2, requires_grad=True) * 2).backward(), expect_error=True)

    def one_element(t):
        a = t.ones(1, 1, requires_grad=True)
        (a * 2).backward()
        return a.grad

    assert_same(one_element, expect_error=False)


def test_backward_of_tensor_without_grad() -> None:
    assert_same(lambda t: t.ones(()).backward(), expect_error=True)
    assert_same(lambda t: t.autograd.backward([t.ones(()) * 2]), expect_error=True)

    def second(t):
        a = t.ones((), requires_grad=True)
        t.autograd.backward([a * 2, t.ones(())])

    assert_same(second, expect_error=True)


@pytest.mark.parametrize("grad", [
    "t.ones(3)", "t.ones(2, 2)", "t.ones(2, dtype=t.float64)", "t.ones(2, dtype=t.complex64)", "[1.0, 1.0]",
    "t.ones(2, dtype=t.int64)",
])
def test_backward_gradient_argument(grad: str) -> None:
    def f(t):
        a = t.ones(2, requires_grad=True)
        (a * 2).backward(eval(grad, {"t": t}))  # noqa: S307 - fixed expressions above
        return a.grad

    assert_same(f)


def test_autograd_backward_argument_errors() -> None:
    def count(t):
        a = t.ones(2, requires_grad=True)
        t.autograd.backward([a * 2, a * 3], [t.ones(2)])

    def empty_inputs(t):
        a = t.ones((), requires_grad=True)
        (a * 2).backward(inputs=[])

    assert_same(count, expect_error=True)
    assert_same(empty_inputs, expect_error=True)


def test_backward_inputs_restricts_accumulation() -> None:
    def f(t):
        a = t.ones(2, requires_grad=True)
        b = t.ones(2, requires_grad=True)
        (a * b * 3).sum().backward(inputs=[a])
        return a.grad, b.grad

    assert_same(f)


def test_backward_inputs_non_leaf() -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        h = a * 2
        (h * h).sum().backward(inputs=[h])
        return a.grad, h.grad, h.retains_grad

    assert_same(f)


def test_backward_inputs_non_leaf_with_retain_grad() -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        h = a * 2
        h.retain_grad()
        (h * h).sum().backward(inputs=[h, a])
        return a.grad, h.grad

    assert_same(f)


def test_backward_inputs_tensor_not_requiring_grad() -> None:
    def f(t):
        a = t.ones(2, requires_grad=True)
        (a * 2).sum().backward(inputs=[t.ones(2)])

    assert_same(f, expect_error=True)


def test_backward_inputs_unused_leaf_gets_no_grad() -> None:
    def f(t):
        a = t.ones(2, requires_grad=True)
        b = t.ones(2, requires_grad=True)
        (a * 2).sum().backward(inputs=[a, b])
        return a.grad, b.grad

    assert_same(f)


# --- second backward ----------------------------------------------------------------------
@pytest.mark.parametrize("expr,raises", [
    ("(a + 1).sum()", False), ("(a * 2).sum()", True), ("(a * a).sum()", True), ("a.exp().sum()", True),
    ("(a - 1).mean()", False), ("a.view(2, 1).sum()", False), ("(a / 2).sum()", True),
    ("(2 / a).sum()", True), ("a.sin().sum()", True), ("(-a).sum()", False), ("(a ** 2).sum()", True),
])
def test_second_backward(expr: str, raises: bool) -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        y = eval(expr, {"a": a})  # noqa: S307 - fixed expressions above
        y.backward()
        y.backward()
        return a.grad

    assert_same(f, expect_error=raises)


def test_retain_graph_allows_second_backward() -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        y = (a * a).sum()
        y.backward(retain_graph=True)
        y.backward()
        return a.grad

    assert_same(f)


# --- autograd.grad ------------------------------------------------------------------------
def test_grad_does_not_touch_dot_grad() -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        b = t.tensor([3.0, 4.0], requires_grad=True)
        h = a * b
        h.retain_grad()
        g = t.autograd.grad((h * h).sum(), [a, b])
        return g, a.grad, b.grad, h.grad

    assert_same(f)


def test_grad_of_non_leaf_input() -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        h = a.exp()
        return t.autograd.grad((h * 3).sum(), h)

    assert_same(f)


def test_grad_with_grad_outputs_and_multiple_outputs() -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        return t.autograd.grad([a * 2, a * a], a, grad_outputs=[t.ones(2), t.tensor([1.0, 0.5])])

    assert_same(f)


def test_grad_grad_outputs_none_entry() -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        return t.autograd.grad([(a * 2).sum(), (a * a).sum()], a, grad_outputs=[None, None])

    assert_same(f)


@pytest.mark.parametrize("kwargs", [
    {}, {"allow_unused": True}, {"materialize_grads": True},
    {"allow_unused": False, "materialize_grads": True},
    {"allow_unused": True, "materialize_grads": True},
])
def test_grad_unused_inputs(kwargs: dict) -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        b = t.tensor([1.0, 2.0], requires_grad=True)
        return t.autograd.grad((a * 2).sum(), [a, b], **kwargs)

    assert_same(f)


def test_grad_argument_errors() -> None:
    def empty(t):
        a = t.ones(2, requires_grad=True)
        t.autograd.grad((a * 2).sum(), [])

    def mismatch(t):
        a = t.ones(2, requires_grad=True)
        t.autograd.grad([(a * 2).sum(), (a * 3).sum()], [a], grad_outputs=[t.ones(())])

    def input_without_grad(t):
        a = t.ones(2, requires_grad=True)
        t.autograd.grad((a * 2).sum(), [t.ones(2)])

    def non_scalar(t):
        a = t.ones(2, requires_grad=True)
        t.autograd.grad(a * 2, [a])

    def wrong_shape(t):
        a = t.ones(2, requires_grad=True)
        t.autograd.grad(a * 2, [a], grad_outputs=t.ones(3))

    def output_without_grad(t):
        a = t.ones(2, requires_grad=True)
        t.autograd.grad(t.ones(()), [a])

    for fn in (empty, mismatch, input_without_grad, non_scalar, wrong_shape, output_without_grad):
        assert_same(fn, expect_error=True)


def test_grad_second_call_without_retain_graph() -> None:
    def f(t):
        a = t.ones(2, requires_grad=True)
        y = (a * a).sum()
        t.autograd.grad(y, a)
        t.autograd.grad(y, a)

    assert_same(f, expect_error=True)


def test_grad_captures_gradient_before_leaf_hooks_run() -> None:
    """autograd.grad returns what flows into the input's edge; tensor hooks on the input apply."""
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        a.register_hook(lambda g: g * 10)
        return t.autograd.grad((a * 3).sum(), a)

    assert_same(f)


def test_grad_non_leaf_input_hooks_apply() -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        h = a * 2
        h.register_hook(lambda g: g * 10)
        return t.autograd.grad((h * 3).sum(), [h, a])

    assert_same(f)


# --- higher order -------------------------------------------------------------------------
@pytest.mark.parametrize("expr", [
    "x ** 3", "x.sin()", "x.exp()", "x.tanh()", "x * x.sin()", "x.exp() * x ** 2", "x.sigmoid()",
    "1 / x", "x.log()", "x.sqrt()", "(x * 2).cos() / x",
])
def test_higher_derivatives(expr: str) -> None:
    def f(t):
        x = t.tensor([0.5, 1.25, 2.0], dtype=t.float64, requires_grad=True)
        y = eval(expr, {"x": x}).sum()  # noqa: S307 - fixed expressions above
        (g1,) = t.autograd.grad(y, x, create_graph=True)
        (g2,) = t.autograd.grad(g1.sum(), x, create_graph=True)
        (g3,) = t.autograd.grad(g2.sum(), x, create_graph=True)
        return g1, g2, g3

    assert_same(f)


def test_double_backward_through_backward_create_graph() -> None:
    def f(t):
        x = t.tensor([0.5, 1.5], requires_grad=True)
        y = (x ** 3).sum()
        y.backward(create_graph=True)
        g = x.grad
        x.grad = None
        g.sum().backward()
        return g, x.grad, g.grad_fn.next_functions[0], g.grad_fn.name()

    assert_same(f, check_warnings=False)


def test_create_graph_products() -> None:
    def f(t):
        x = t.tensor([0.5, 1.5], dtype=t.float64, requires_grad=True)
        w = t.tensor([2.0, -1.0], dtype=t.float64, requires_grad=True)
        y = (x * w * x.exp()).sum()
        gx, gw = t.autograd.grad(y, [x, w], create_graph=True)
        return gx, gw, t.autograd.grad((gx * gw).sum(), [x, w])

    assert_same(f)


_WARN_ONCE_SCRIPT = """
import warnings
import {lib} as torch
x = torch.tensor([0.5, 1.5], requires_grad=True)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    torch.autograd.grad((x ** 3).sum(), x, create_graph=True)
    n_grad = len(caught)
    (x ** 3).sum().backward(create_graph=True)
    (x ** 3).sum().backward(create_graph=True)
print(n_grad, [str(w.message) for w in caught])
"""


def test_create_graph_backward_warns_once_per_process() -> None:
    """torch's TORCH_WARN_ONCE: the first backward(create_graph=True) warns, autograd.grad never."""
    out = {lib: subprocess.run([sys.executable, "-c", _WARN_ONCE_SCRIPT.format(lib=lib)], capture_output=True,
                               text=True, check=True).stdout for lib in ("torch", "reference_impl")}
    assert out["torch"].startswith("0 ['Using backward() with create_graph=True"), out["torch"]
    assert out["reference_impl"] == out["torch"], out


def test_create_graph_accumulation_nodes() -> None:
    def f(t):
        x = t.tensor([0.5, 1.5], requires_grad=True)
        w = t.tensor([2.0, 3.0], requires_grad=True)
        (x * w).sum().backward(create_graph=True)
        first = x.grad
        (x * w).sum().backward(create_graph=True)
        y = x * 2
        (y * w).sum().backward(create_graph=True, inputs=[y])
        z = t.tensor([1.0, 1.0], requires_grad=True)
        (z * 2).sum().backward(create_graph=True)
        return first.grad_fn.name(), x.grad.grad_fn.name(), y.grad, z.grad.grad_fn, first

    assert_same(f, check_warnings=False)


@pytest.mark.parametrize("case", ["sum", "mul", "scalar_identity", "given_grad", "accumulate", "create_graph",
                                  "retain_grad"])
def test_accumulated_grad_version_counter(case: str) -> None:
    """AccumulateGrad steals an unshared gradient (sharing its version counter) and otherwise
    copies it with new_empty_strided().copy_() (version 1); later backward calls add in place."""
    def f(t):
        x = t.ones(3, requires_grad=True)
        if case == "sum":
            x.sum().backward()
        elif case == "mul":
            (x * 2).sum().backward()
        elif case == "scalar_identity":
            x = t.tensor(1.0, requires_grad=True)
            x.backward()
        elif case == "given_grad":
            g = t.ones(3)
            x.backward(g)
            return x.grad._version, x.grad is g
        elif case == "accumulate":
            x.sum().backward()
            first = x.grad
            (x * 2).sum().backward()
            return first._version, x.grad is first
        elif case == "create_graph":
            (x * 2).sum().backward(create_graph=True)
        else:
            y = x * 2
            y.retain_grad()
            y.sum().backward()
            return y.grad._version, x.grad._version
        return x.grad._version
    assert_same(f)


ZEROTENSOR_CASES = {
    "zero_grad_in_place": lambda t, x: (t.sgn(x).sum().backward(), x.grad.zero_()),
    "second_backward": lambda t, x: (t.sgn(x).sum().backward(), t.sgn(x).sum().backward()),
    "through_clone_sgn_": lambda t, x: (x.clone().sgn_().sum().backward(), x.sum().backward()),
    "autograd_grad_add_": lambda t, x: t.autograd.grad(t.sgn(x).sum(), x)[0].add_(1),
    "clone_is_mutable": lambda t, x: t.autograd.grad(t.sgn(x).sum(), x)[0].clone().add_(1),
    "create_graph_materializes": lambda t, x: (t.sgn(x).sum().backward(create_graph=True), x.grad.add_(1)),
    "other_path_adds": lambda t, x: ((t.sgn(x) + x).sum().backward(), x.grad.add_(1)),
}


@pytest.mark.parametrize("case", sorted(ZEROTENSOR_CASES))
def test_sgn_gradient_of_a_real_input_is_an_immutable_zerotensor(case: str) -> None:
    """torch's sgn backward for real input returns an efficient ZeroTensor: adopted as ``.grad`` it
    refuses in-place writes, so zero_() and a second accumulation raise "ZeroTensors are
    immutable"; a clone, create_graph's copy, or a sum with another gradient is an ordinary tensor."""
    def f(t: Any) -> Any:
        x = t.tensor([0.2, -3.0], requires_grad=True)
        ZEROTENSOR_CASES[case](t, x)
        return x.grad

    assert_same(f, check_warnings=False)


@pytest.mark.parametrize("op", ["fmod", "remainder", "mul_scalar", "mul_tensor"])
def test_second_backward_raises_only_where_something_was_saved(op: str) -> None:
    """torch saves a tensor for backward only when an input whose formula needs it requires grad:
    fmod/remainder by a tensor without grad save nothing, so a second backward runs; ``x * 2.0``
    saves the wrapped scalar and ``x * t`` saves ``t``, so it raises."""
    def f(t):
        a = t.tensor([[1.5, -2.0], [0.5, 3.0]], requires_grad=True)
        b = t.tensor([1.0, 2.0])
        y = {"fmod": lambda: a.fmod(b), "remainder": lambda: a.remainder(b), "mul_scalar": lambda: a * 2.0,
             "mul_tensor": lambda: a * b}[op]()
        y.sum().backward()
        y.sum().backward()
        return a.grad

    assert_same(f)


def test_second_backward_through_advanced_indexing_raises() -> None:
    """IndexBackward0 saves the indices (freed by the first backward); found by the CI conformance run."""
    def f(t):
        x = t.tensor([0.0, 1.0], requires_grad=True)
        s = x[t.tensor([0])].sum()
        s.backward()
        s.backward()

    assert_same(f, expect_error=True)
