"""The engine's performance shortcuts must stay unobservable (or match torch where observable).

Covered: AccumulateGrad taking an unshared gradient instead of copying it, torch's
layout-aware mm/addmm backward (visible through create_graph graphs), the fast
arithmetic/unary paths (dtype, values, warnings), and the in-place SGD update.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import reference_impl
from tests.helpers import assert_close, assert_same, assert_same_graph


def _linear_grads(t, x_transposed: bool):
    w = t.tensor(np.arange(12.0, dtype=np.float32).reshape(3, 4) / 10, requires_grad=True)
    b = t.tensor([0.5, -1.0, 2.0], requires_grad=True)
    base = t.tensor(np.linspace(-1, 1, 8, dtype=np.float32).reshape(4, 2) if x_transposed
                    else np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4), requires_grad=True)
    x = base.t() if x_transposed else base
    y = t.nn.functional.linear(x, w, b)
    return t.autograd.grad((y * y).sum(), (x, w, b), create_graph=True)


@pytest.mark.parametrize("x_transposed", [False, True])
def test_linear_double_backward_graph_and_values_match_torch(x_transposed: bool) -> None:
    """mm_mat1/mat2_backward give a column-major input a column-major grad (TBackward0 on top)."""
    import torch

    expected = _linear_grads(torch, x_transposed)
    actual = _linear_grads(reference_impl, x_transposed)
    for i, (a, e) in enumerate(zip(actual, expected)):
        assert_same_graph(actual=a, expected=e, what=f"grad {i}")
        assert_close(actual=a, expected=e)


def test_mm_with_transposed_operand_double_backward_graph_matches_torch() -> None:
    def f(t):
        a = t.tensor(np.linspace(-2, 2, 12, dtype=np.float32).reshape(4, 3), requires_grad=True)
        m = t.tensor(np.linspace(0, 1, 20, dtype=np.float32).reshape(4, 5), requires_grad=True)
        ga, gm = t.autograd.grad((a.t() @ m).pow(2).sum(), (a, m), create_graph=True)
        (ga.sum() + gm.sum()).backward()
        return ga, gm, ga.grad_fn.name(), gm.grad_fn.name(), a.grad, m.grad

    assert_same(f)


def _copies(monkeypatch: pytest.MonkeyPatch) -> list:
    from reference_impl.autograd import engine

    calls: list = []
    original = engine._fresh
    monkeypatch.setattr(engine, "_fresh", lambda g: calls.append(g) or original(g))
    return calls


@pytest.mark.skipif(reference_impl.get_backend() != "numpy", reason="grad stealing is a NumPy-buffer fast path")
def test_unshared_gradient_is_taken_without_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    copies = _copies(monkeypatch)
    x = reference_impl.ones(4, requires_grad=True)
    (x * 2).sum().backward()
    assert copies == [], "a gradient nothing else references should become .grad without a copy"
    assert x.grad.tolist() == [2.0, 2.0, 2.0, 2.0]


def test_gradient_held_by_a_hook_is_copied(monkeypatch: pytest.MonkeyPatch) -> None:
    copies = _copies(monkeypatch)
    held = []
    x = reference_impl.ones(4, requires_grad=True)
    x.register_hook(held.append)
    (x * 2).sum().backward()
    assert len(copies) == 1, "the hook keeps the gradient: .grad must be a private copy"
    assert not np.shares_memory(x.grad._data, held[0]._data), "x.grad aliases the hook's tensor"


def test_user_gradient_and_its_views_are_never_aliased() -> None:
    a = reference_impl.ones(2, 2, requires_grad=True)
    gout = reference_impl.ones(4) * 3
    a.reshape(4).backward(gout)
    assert not np.shares_memory(a.grad._data, gout._data), "a.grad aliases the gradient passed in"
    a.grad.add_(1)
    assert gout.tolist() == [3.0, 3.0, 3.0, 3.0], "writing a.grad changed the user's gradient"


def test_one_gradient_reaching_two_leaves_gives_two_buffers() -> None:
    class Same(reference_impl.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            h = g * 5
            return h, h

    a = reference_impl.ones(4, requires_grad=True)
    b = reference_impl.ones(4, requires_grad=True)
    Same.apply(a, b).sum().backward()
    assert not np.shares_memory(a.grad._data, b.grad._data), "two leaves share one .grad buffer"


def test_second_backward_accumulates_into_the_same_grad_object() -> None:
    def f(t):
        x = t.ones(3, requires_grad=True)
        (x * 2).sum().backward()
        first = x.grad
        (x * 3).sum().backward()
        return first is x.grad, x.grad

    assert_same(f)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "tanh", "exp"])
def test_fast_paths_keep_dtypes_values_and_stay_silent(op: str) -> None:
    def f(t):
        x = t.tensor([3e38, -3e38, 0.0, float("inf")], requires_grad=True)
        h = t.tensor([1.5, 2.0], dtype=t.float16)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # torch prints nothing for overflow, inf - inf, x / 0
            if op in ("tanh", "exp"):
                y = getattr(x, op)()
                z = getattr(h, op)()
            else:
                y = getattr(x, f"__{op}__")(1e38) if op != "div" else x / 0.0
                y = getattr(y, f"__{op}__")(x) if op != "div" else y / x
                z = getattr(h, f"__{op}__")(3) if op != "div" else h / 7
            y.sum().backward()
        return y, z, y.grad_fn.name(), x.grad

    assert_same(f)


def test_sgd_in_place_update_matches_torch_and_bumps_version() -> None:
    def f(t):
        w = t.nn.Parameter(t.tensor([[1.0, -2.0], [0.5, 4.0]]))
        opt = t.optim.SGD([w], lr=0.1)
        alias = w.detach()
        (w * w).sum().backward()
        before = w._version
        opt.step()
        return w, alias, w._version - before

    assert_same(f)
