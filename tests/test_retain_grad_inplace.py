"""retain_grad across in-place ops: torch moves the retain_grad hook to the tensor's new grad_fn
(update_tensor_hooks_on_new_gradfn), while hooks from register_hook stay with the old node.

Each test backwards through the old graph and then the new one, so a retain_grad left on the
old node (or lost) shows in ``.grad``.
"""

from __future__ import annotations

from typing import Any

from helpers import assert_same


def _old_then_new(lib: Any, write: Any, view: bool = False) -> tuple:
    x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
    b = x * 1
    t = b[:2] if view else b
    t.retain_grad()
    old = (t * 2).sum()
    write(t)
    old.backward(retain_graph=True)
    first = t.grad
    (t * 4).sum().backward()
    return first, t.grad, t.grad_fn


def test_minimised_program_old_graph_fails_after_retain_moved() -> None:
    """The conformance program: the old node raises (graph freed) after retain_grad ran on it."""

    def fn(lib: Any) -> tuple:
        x = lib.tensor(-1.99, requires_grad=True)
        y = lib.abs(x)
        lib.autograd.grad([y], [x])  # frees AbsBackward0
        y.retain_grad()
        z = lib.sub(x, y)
        y.exp_()
        try:
            z.sum().backward()
        except RuntimeError as e:
            return str(e)[:40], y.grad
        return None, y.grad

    assert_same(fn)


def test_unary_inplace_moves_retain_grad_but_not_hooks() -> None:
    def fn(lib: Any) -> tuple:
        calls = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.retain_grad()
        y.register_hook(lambda g: calls.append(("old", g.tolist())))
        y.exp_()
        y.register_hook(lambda g: calls.append(("new", g.tolist())))
        (y * 3).sum().backward()
        return y.grad, y.grad_fn, calls

    assert_same(fn)


def test_unary_inplace() -> None:
    assert_same(lambda lib: _old_then_new(lib, lambda t: t.relu_()))


def test_binary_inplace_through_view() -> None:
    assert_same(lambda lib: _old_then_new(lib, lambda t: t.mul_(5), view=True))


def test_zero_fill_copy() -> None:
    assert_same(lambda lib: _old_then_new(lib, lambda t: t.zero_()))
    assert_same(lambda lib: _old_then_new(lib, lambda t: t.fill_(2.0)))
    assert_same(lambda lib: _old_then_new(lib, lambda t: t.copy_(lib.ones(3))))


def test_setitem() -> None:
    def put(t: Any) -> None:
        t[0] = 5.0

    assert_same(lambda lib: _old_then_new(lib, put))


def test_setitem_into_view_moves_retain_grad_lazily() -> None:
    """The view's grad_fn (and its retain_grad) is updated only when next used, as torch."""

    def put(t: Any) -> None:
        t[0] = 5.0

    assert_same(lambda lib: _old_then_new(lib, put, view=True))


def test_base_written_through_view() -> None:
    def fn(lib: Any) -> tuple:
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = x * 1
        b.retain_grad()
        old = (b * 2).sum()
        b[1:].mul_(3)
        old.backward(retain_graph=True)
        first = b.grad
        b.grad = None
        b.sum().backward()
        return first, b.grad

    assert_same(fn)


def test_inplace_view_op_keeps_retain_grad_on_old_node() -> None:
    """t_ records its node without rebase_history: torch leaves retain_grad where it was."""
    def fn(lib: Any) -> tuple:
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = (x * 1).reshape(3, 1)
        b.retain_grad()
        old = (b * 2).sum()
        b.t_()
        old.backward(retain_graph=True)
        first = b.grad.clone()
        (b * 4).sum().backward()
        return first, b.grad

    assert_same(fn)


def test_custom_function_mark_dirty() -> None:
    def fn(lib: Any) -> tuple:
        class Double(lib.autograd.Function):
            @staticmethod
            def forward(ctx: Any, a: Any) -> Any:
                a.mul_(2)
                ctx.mark_dirty(a)
                return a

            @staticmethod
            def backward(ctx: Any, g: Any) -> Any:
                return g * 2

        return _old_then_new(lib, Double.apply)

    assert_same(fn)
