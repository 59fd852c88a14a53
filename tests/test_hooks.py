"""Hooks: tensor hooks, post-accumulate hooks, node hooks/pre-hooks, their order and errors."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import assert_same


def test_tensor_hook_replaces_gradient_and_can_be_removed() -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        h = a.register_hook(lambda g: g * 10)
        (a * 3).sum().backward()
        first = a.grad.clone()
        h.remove()
        a.grad = None
        (a * 3).sum().backward()
        return first, a.grad

    assert_same(f)


def test_hook_fires_once_with_summed_gradient() -> None:
    def f(t):
        calls = []
        a = t.tensor([1.0, 2.0], requires_grad=True)
        y = a * 2
        y.register_hook(lambda g: calls.append(g.clone()))
        a.register_hook(lambda g: calls.append(g.clone()))
        (y * y + y * 3).sum().backward()
        return calls, a.grad

    assert_same(f)


def test_hook_errors() -> None:
    assert_same(lambda t: t.ones(2).register_hook(lambda g: g), expect_error=True)
    assert_same(lambda t: t.ones(2).register_post_accumulate_grad_hook(lambda x: None), expect_error=True)

    def post_on_non_leaf(t):
        (t.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(lambda x: None)

    assert_same(post_on_non_leaf, expect_error=True)


def test_hook_returning_wrong_shape_or_type() -> None:
    def wrong_shape(t):
        a = t.ones(2, requires_grad=True)
        y = a * 2
        y.register_hook(lambda g: t.ones(3))
        y.sum().backward()

    def wrong_dtype(t):
        a = t.ones(2, requires_grad=True)
        y = a * 2
        y.register_hook(lambda g: t.ones(2, dtype=t.float64))
        y.sum().backward()

    def not_tensor(t):
        a = t.ones(2, requires_grad=True)
        a.register_hook(lambda g: 3.0)
        (a * 2).sum().backward()

    def wrong_shape_leaf(t):
        a = t.ones(2, requires_grad=True)
        a.register_hook(lambda g: t.ones(3))
        (a * 2).sum().backward()

    for fn in (wrong_shape, wrong_dtype, not_tensor, wrong_shape_leaf):
        assert_same(fn, expect_error=True)


def test_retain_grad_sees_hook_modified_gradient() -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        y = a * 2
        y.retain_grad()
        y.register_hook(lambda g: g * 10)
        z = a * 2
        z.register_hook(lambda g: g * 10)
        z.retain_grad()
        (y * 3 + z).sum().backward()
        return y.grad, z.grad, a.grad

    assert_same(f)


def test_post_accumulate_grad_hook() -> None:
    def f(t):
        seen = []
        a = t.tensor([1.0, 2.0], requires_grad=True)
        a.register_hook(lambda g: g * 2)
        a.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.clone()))
        (a * 3).sum().backward()
        (a * 3).sum().backward()
        return seen

    assert_same(f)


def test_hook_order_across_kinds() -> None:
    def f(t):
        order = []
        a = t.tensor([1.0, 2.0], requires_grad=True)
        y = a * 2
        z = y * 3
        y.register_hook(lambda g: order.append("tensor_y"))
        y.grad_fn.register_prehook(lambda go: order.append("pre_y"))
        y.grad_fn.register_hook(lambda gi, go: order.append("post_y"))
        a.register_hook(lambda g: order.append("tensor_a"))
        a.register_post_accumulate_grad_hook(lambda p: order.append("post_acc_a"))
        z.grad_fn.register_hook(lambda gi, go: order.append("post_z"))
        z.sum().backward()
        return order

    assert_same(f)


def test_node_hooks_can_replace_gradients() -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        b = t.tensor([3.0, 4.0], requires_grad=True)
        y = a * b
        y.grad_fn.register_prehook(lambda go: (go[0] * 2,))
        y.grad_fn.register_hook(lambda gi, go: (gi[0] + 1, gi[1]))
        y.sum().backward()
        return a.grad, b.grad

    assert_same(f)


def test_node_hook_arguments() -> None:
    def f(t):
        seen = []
        a = t.tensor([1.0, 2.0], requires_grad=True)
        y = a * 2 + 1
        y.grad_fn.register_hook(lambda gi, go: seen.append((gi, go)))
        y.sum().backward()
        return seen

    assert_same(f)


def test_tensor_hook_on_leaf_in_grad_and_handle_context() -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        with a.register_hook(lambda g: g * 5):
            inside = t.autograd.grad((a * a).sum(), a)
        outside = t.autograd.grad((a * a).sum(), a)
        return inside, outside

    assert_same(f)


def test_multiple_hooks_chain_in_registration_order() -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        a.register_hook(lambda g: g + 1)
        a.register_hook(lambda g: g * 10)
        (a * 1).sum().backward()
        return a.grad

    assert_same(f)


@pytest.mark.parametrize("case", ["linear_bias", "broadcast_add", "dtype_promotion"])
def test_node_post_hooks_see_validated_gradients(case: str) -> None:
    """torch's engine reduces (sum_to) and casts a node's outputs to its inputs' metadata before
    the node's post hooks run, so a hook sees the (2,) bias gradient, not the (4, 2) one."""
    def f(t: Any) -> tuple:
        seen = []
        w = t.ones(2, 3, requires_grad=True)
        b = t.ones(2, requires_grad=True)
        x = t.ones(4, 3)
        if case == "linear_bias":
            y = t.nn.functional.linear(x, w, b)
        elif case == "broadcast_add":
            y = x[:, :2] + b
        else:
            y = b + t.ones(4, 2, dtype=t.float64)
        y.grad_fn.register_hook(lambda gi, go: seen.append([None if g is None else (tuple(g.shape), g.dtype)
                                                            for g in gi]))
        y.sum().backward()
        return seen, b.grad

    assert_same(f)
