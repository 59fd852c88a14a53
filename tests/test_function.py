"""autograd.Function against torch: node names, edges, saved tensors, ctx features, validation errors."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import assert_same, graph_signature


def _fn_cls(t: Any, name: str, forward: Any, backward: Any, **extra: Any) -> type:
    """A Function subclass called ``name`` for library ``t`` (torch names the node ``<name>Backward``)."""
    body = {"forward": staticmethod(forward), "backward": staticmethod(backward)}
    body.update({k: staticmethod(v) for k, v in extra.items()})
    return type(name, (t.autograd.Function,), body)


def _scale(t: Any) -> type:
    def forward(ctx, x, k, y):
        ctx.save_for_backward(x, y)
        ctx.k = k
        ctx.seen = (t.is_grad_enabled(), ctx.needs_input_grad)
        return x * y * k

    def backward(ctx, g):
        x, y = ctx.saved_tensors
        return g * y * ctx.k, None, g * x * ctx.k

    return _fn_cls(t, "MyFn", forward, backward)


def test_basic_forward_backward_node_and_edges() -> None:
    def f(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        y = t.tensor([3.0, 4.0])
        out = _scale(t).apply(x, 2, y)
        sig = graph_signature(out)
        seen = out.grad_fn.seen
        out.sum().backward()
        return out, sig, seen, x.grad, out.grad_fn.name()

    torch_out = assert_same(f)
    assert torch_out.value[1][0] == "MyFnBackward"
    assert torch_out.value[1][1][1] is None  # y: (None, 0); the int argument has no edge at all


def test_second_backward_raises_after_saved_tensors_are_freed() -> None:
    def f(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        out = _scale(t).apply(x, 2, t.tensor([3.0, 4.0]))
        out.sum().backward()
        out.sum().backward()

    assert_same(f, expect_error=True)


def test_retain_graph_allows_second_backward_and_saved_tensors_access() -> None:
    def f(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        out = _scale(t).apply(x, 3, t.tensor([3.0, 4.0]))
        out.sum().backward(retain_graph=True)
        out.sum().backward()
        return x.grad

    assert_same(f)


def test_saved_tensors_are_version_checked_inputs_and_outputs() -> None:
    def square(t):
        def forward(ctx, a):
            out = a * a
            ctx.save_for_backward(a, out)
            return out

        def backward(ctx, g):
            a, _ = ctx.saved_tensors
            return 2 * a * g

        return _fn_cls(t, "Sq", forward, backward)

    def modified_input(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        b = a * 1
        o = square(t).apply(b)
        b.add_(1)
        o.sum().backward()

    def modified_output(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        o = square(t).apply(a * 1)
        o.add_(1)
        o.sum().backward()

    assert_same(modified_input, expect_error=True)
    assert_same(modified_output, expect_error=True)


@pytest.mark.parametrize("case", ["too_few", "wrong_shape", "float", "list", "grad_for_int", "extra_nones",
                                  "grad_for_const_tensor", "one_tuple"])
def test_backward_result_validation(case: str) -> None:
    def f(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        y = t.tensor([3.0, 4.0])
        results = {
            "too_few": lambda g: g, "wrong_shape": lambda g: t.ones(3), "float": lambda g: 1.0,
            "list": lambda g: [g, None], "grad_for_int": lambda g: (g, g),
            "extra_nones": lambda g: (g, None, None),
            "grad_for_const_tensor": lambda g: (g, g), "one_tuple": lambda g: (g, None),
        }
        second = y if case in ("too_few", "grad_for_const_tensor") else 2
        cls = _fn_cls(t, "Bad", lambda ctx, a, b: a.clone(), lambda ctx, g: results[case](g))
        cls.apply(x, second).sum().backward()
        return x.grad

    assert_same(f)


def test_multiple_outputs_integer_output_and_materialized_grads() -> None:
    def f(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        y = t.tensor([3.0, 4.0], requires_grad=True)
        seen = []

        def forward(ctx, k, a, b):
            ctx.save_for_backward(a)
            return a * b, (a + b).long(), a - b

        def backward(ctx, g1, g2, g3):
            seen.append((g1, g2, g3, ctx.needs_input_grad))
            return None, g1 + g3, g1 - g3

        o1, o2, o3 = _fn_cls(t, "F", forward, backward).apply(3, x, y)
        o1.sum().backward(retain_graph=True)
        return (o1, o2, o3, o1.grad_fn is o3.grad_fn, graph_signature(o1), seen, x.grad, y.grad,
                o1.grad_fn.saved_tensors)

    assert_same(f)


def test_mark_non_differentiable_and_set_materialize_grads() -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        seen = []

        def nd_forward(ctx, x):
            r = x * 2
            ctx.mark_non_differentiable(r)
            return r, x * 3

        def nm_forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        def backward(ctx, g1, g2):
            seen.append((g1, g2))
            return g2 * 3

        r, s = _fn_cls(t, "ND", nd_forward, backward).apply(a)
        s.sum().backward()
        r2, s2 = _fn_cls(t, "NM", nm_forward, backward).apply(a)
        s2.sum().backward()
        return r, s, r2, seen, a.grad

    assert_same(f)


def test_mark_dirty_in_place_forward() -> None:
    def dirty(t):
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        return _fn_cls(t, "Dirty", forward, lambda ctx, g: g * 2)

    def ok(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        c = a.clone()
        d = dirty(t).apply(c)
        d.sum().backward()
        return d is c, c._version, graph_signature(c), a.grad

    def leaf(t):
        dirty(t).apply(t.tensor([1.0, 2.0], requires_grad=True))

    def not_returned(t):
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x * 2

        _fn_cls(t, "Dirty2", forward, lambda ctx, g: g).apply(t.tensor([1.0], requires_grad=True).clone())

    assert_same(ok)
    assert_same(leaf, expect_error=True)
    assert_same(not_returned, expect_error=True)


def test_input_returned_unchanged_is_a_view() -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        ident = _fn_cls(t, "Ident", lambda ctx, x: x, lambda ctx, g: g)
        i = ident.apply(a)
        with t.no_grad():
            j = ident.apply(a)
        return i is a, i._is_view(), i._base is a, i, j is a, j._is_view(), j

    assert_same(f)


def test_setup_context_style_with_default_arguments() -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        seen = []

        def forward(x, k=5):
            return x * k

        def setup_context(ctx, inputs, output):
            x, k = inputs
            ctx.k = k
            ctx.save_for_backward(x)
            seen.append((len(inputs), k, t.is_grad_enabled(), ctx.needs_input_grad))

        cls = _fn_cls(t, "New", forward, lambda ctx, g: (g * ctx.k, None), setup_context=setup_context)
        n = cls.apply(a)
        n.sum().backward()
        m = cls.apply(a, k=2)
        return n, m, seen, a.grad

    assert_same(f)


def test_no_node_without_grad_mode_or_grad_requiring_inputs() -> None:
    def f(t):
        cls = _fn_cls(t, "Sq", lambda ctx, x: x * x, lambda ctx, g: g)
        a = t.tensor([1.0, 2.0], requires_grad=True)
        with t.no_grad():
            o1 = cls.apply(a)
        return o1, cls.apply(t.tensor([1.0, 2.0]))

    assert_same(f)


def test_double_backward_through_differentiable_backward() -> None:
    def f(t):
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x * x * g

        a = t.tensor([1.0, 2.0], requires_grad=True)
        (gx,) = t.autograd.grad(_fn_cls(t, "Cube", forward, backward).apply(a).sum(), a, create_graph=True)
        gx.sum().backward()
        return gx, a.grad

    assert_same(f)


def test_once_differentiable() -> None:
    def cls(t):
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @t.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

        return _fn_cls(t, "Once", forward, backward)

    def plain(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        (gx,) = t.autograd.grad(cls(t).apply(a).sum(), a, create_graph=True)
        return gx

    def twice(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        g0 = t.ones(2, requires_grad=True)
        (gx,) = t.autograd.grad(cls(t).apply(a), a, g0, create_graph=True)
        sig = graph_signature(gx)
        try:
            gx.sum().backward()
        except RuntimeError as e:
            return gx, sig, str(e)

    out = assert_same(plain)
    assert out.value.grad_fn is None
    assert assert_same(twice).value[1][0] == "Error"


def test_save_for_backward_rejects_non_tensors_and_missing_backward() -> None:
    def bad_save(t):
        def forward(ctx, x):
            ctx.save_for_backward(x, 3)
            return x * 2

        _fn_cls(t, "S", forward, lambda ctx, g: g).apply(t.ones(1, requires_grad=True))

    def no_backward(t):
        cls = type("G", (t.autograd.Function,), {"forward": staticmethod(lambda ctx, x: x * 2)})
        cls.apply(t.ones(1, requires_grad=True)).sum().backward()

    assert_same(bad_save, expect_error=True)
    assert_same(no_backward, expect_error=True)


def test_non_tensor_outputs_and_dtype_cast_of_returned_grad() -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        seen = []

        def backward(ctx, g, *rest):
            seen.append((g, rest))
            return g

        o = _fn_cls(t, "L", lambda ctx, x: (x * 2, 5, None), backward).apply(a)
        o[0].sum().backward()
        k = _fn_cls(t, "K", lambda ctx, x: x.double(), lambda ctx, g: g).apply(a)
        k.sum().backward()
        return o, seen, k, a.grad

    assert_same(f)
