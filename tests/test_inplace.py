"""In-place ops and version counters: add_/sub_/mul_/div_/clamp_, saved-tensor checks, rebasing."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from helpers import SETTINGS, assert_same, graph_signature
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

INPLACE = ["add_(2.0)", "sub_(0.5)", "mul_(3.0)", "div_(4.0)", "clamp_(-0.5, 0.5)", "clamp_(min=0.0)",
           "clamp_(max=0.0)", "add_(o, alpha=2)", "mul_(o)", "div_(o)", "sub_(o)"]


@pytest.mark.parametrize("op", INPLACE)
def test_values_version_and_identity(op: str) -> None:
    def f(t):
        x = t.tensor([-1.0, 0.25, 2.0])
        o = t.tensor([2.0, 3.0, 4.0])
        r = eval(f"x.{op}", {"x": x, "o": o})  # noqa: S307 - fixed expressions above
        return r is x, x, x._version

    assert_same(f)


@pytest.mark.parametrize("op", INPLACE)
def test_leaf_requiring_grad_raises(op: str) -> None:
    def f(t):
        x = t.tensor([-1.0, 0.25, 2.0], requires_grad=True)
        o = t.tensor([2.0, 3.0, 4.0])
        eval(f"x.{op}", {"x": x, "o": o})  # noqa: S307 - fixed expressions above

    assert_same(f, expect_error=True)


@pytest.mark.parametrize("op", INPLACE)
def test_leaf_allowed_under_no_grad(op: str) -> None:
    def f(t):
        x = t.tensor([-1.0, 0.25, 2.0], requires_grad=True)
        o = t.tensor([2.0, 3.0, 4.0])
        with t.no_grad():
            eval(f"x.{op}", {"x": x, "o": o})  # noqa: S307 - fixed expressions above
        return x, x._version, x.requires_grad, x.is_leaf

    assert_same(f)


@pytest.mark.parametrize("op", INPLACE)
def test_non_leaf_rebases_grad_fn_and_gradients(op: str) -> None:
    def f(t):
        a = t.tensor([-1.0, 0.25, 2.0], requires_grad=True)
        o = t.tensor([2.0, 3.0, 4.0], requires_grad=True)
        y = a * 1.5
        eval(f"y.{op}", {"x": y, "y": y, "o": o})  # noqa: S307 - fixed expressions above
        fn = y.grad_fn
        (y * y).sum().backward()
        return y, fn, fn.next_functions[0][0].name(), a.grad, o.grad, y._version

    assert_same(f)


@pytest.mark.parametrize("build,modify,raises", [
    ("y = x.exp()", "y.add_(1)", True),              # exp saves its result
    ("y = x + 1; z = y * 2", "y.add_(1)", False),    # mul by a scalar saves only the scalar
    ("y = x + 1; z = y * y", "y.add_(1)", True),     # y saved as both operands
    ("y = x + 1; z = y * x", "y.add_(1)", False),    # x's grad needs y? no: d/dx = y saved
    ("y = x + 1; z = y.sin()", "y.mul_(2)", True),
    ("y = x + 1; z = y + 3", "y.mul_(2)", False),
    ("y = x + 1; z = y.tanh()", "z.add_(1)", True),  # tanh saves its result
    ("y = x + 1; z = y / 2", "y.mul_(2)", False),
    ("y = x + 1; z = 2 / y", "y.mul_(2)", True),
    ("y = x * 1; z = y.sigmoid()", "y.add_(1)", False),
    ("y = x * 1; z = y.view(3)", "y.add_(1)", False),
])
def test_modified_saved_tensor(build: str, modify: str, raises: bool) -> None:
    def f(t):
        x = t.tensor([0.5, 1.0, 1.5], requires_grad=True)
        env = {"x": x, "t": t}
        exec(build, env)  # noqa: S102 - fixed programs above
        exec(modify, env)  # noqa: S102
        out = env.get("z", env["y"])
        out.sum().backward()
        return x.grad

    assert_same(f)


def test_version_counter_shared_with_detach_and_views() -> None:
    def f(t):
        a = t.ones(2, 2)
        d = a.detach()
        v = a.view(4)
        d.mul_(2)
        v.add_(1)
        a.sub_(1)
        return a._version, d._version, v._version, a

    assert_same(f)


def test_modifying_detached_tensor_breaks_backward() -> None:
    def f(t):
        x = t.tensor([0.5, 1.0], requires_grad=True)
        y = x.exp()
        y.detach().zero_() if hasattr(y, "zero_") else y.detach().mul_(0)
        y.sum().backward()

    assert_same(f, expect_error=True)


def test_inplace_result_is_never_upcast() -> None:
    def f(t):
        x = t.tensor([1, 2, 3])
        x.mul_(1.5)

    def g(t):
        x = t.tensor([1, 2, 3], dtype=t.int32)
        x.add_(t.tensor([1, 2, 3]))
        return x

    def h(t):
        x = t.tensor([1.0, 2.0])
        x.add_(t.tensor([1.0, 2.0], dtype=t.float64))
        x.mul_(t.tensor(2, dtype=t.int64))
        return x

    def b(t):
        x = t.tensor([True, False])
        x.add_(1)

    def c(t):
        x = t.tensor([1.0, 2.0])
        x.mul_(1j)

    def i(t):
        x = t.tensor([1, 2])
        x.div_(2)

    assert_same(f, expect_error=True)
    assert_same(g, expect_error=False)
    assert_same(h, expect_error=False)
    assert_same(b, expect_error=True)
    assert_same(c, expect_error=True)
    assert_same(i, expect_error=True)


def test_inplace_broadcast_output_shape_error() -> None:
    def f(t):
        x = t.ones(3)
        x.add_(t.ones(2, 3))

    assert_same(f, expect_error=True)


def test_augmented_assignment_operators() -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True)
        y = a * 1
        y2 = y
        y += 1
        y *= 3
        y -= a
        y /= 2
        same = y is y2
        y.sum().backward()
        return same, y, y.grad_fn, a.grad, y._version

    assert_same(f)


@SETTINGS
@given(x=hnp.arrays(np.float64, (4,), elements=st.floats(-3, 3, allow_nan=False)),
       lo=st.floats(-2, 0), hi=st.floats(0, 2))
def test_clamp_inplace_gradient(x: np.ndarray, lo: float, hi: float) -> None:
    def f(t):
        a = t.tensor(x, requires_grad=True)
        y = a * 1
        y.clamp_(lo, hi)
        y.sum().backward()
        return y, a.grad

    assert_same(f)


def test_inplace_on_view_of_non_leaf() -> None:
    def f(t):
        a = t.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = a * 1
        v = y.view(4)
        v.mul_(2)
        y.sum().backward()
        return y, v._version, y._version, a.grad, type(v.grad_fn).__name__

    assert_same(f)


@pytest.mark.parametrize("view,op", [
    ("y.view(4)", "add_(1)"), ("y[0]", "mul_(w)"), ("y.t()", "exp_()"), ("y[:, 1]", "clamp_(0, 2.5)"),
    ("y[1]", "div_(w)"), ("y.reshape(4)", "sub_(w.sum())"), ("y[0:1]", "mul_(y2)"),
])
def test_inplace_through_view_rebases_base(view: str, op: str) -> None:
    def f(t):
        a = t.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        w = t.tensor([5.0, 6.0], requires_grad=True)
        y = a * 1
        y2 = (a * 2)[0:1]
        v = eval(view, {"y": y})  # noqa: S307 - fixed expressions above
        eval(f"v.{op}", {"v": v, "w": w, "y2": y2})  # noqa: S307
        graph = (y.grad_fn.name(), [type(n).__name__ if n else None for n, _ in y.grad_fn.next_functions],
                 type(v.grad_fn).__name__, v.grad_fn.next_functions[0][0] is y.grad_fn)
        (y * y).sum().backward()
        return graph, y, a.grad, w.grad

    assert_same(f)


def test_inplace_through_view_of_plain_tensor_makes_base_non_leaf() -> None:
    def f(t):
        x = t.zeros(2, 2)
        w = t.tensor([1.0, 2.0], requires_grad=True)
        v = x[0]
        v.add_(w)
        is_leaf = x.is_leaf
        (x * 3).sum().backward()
        return is_leaf, x.requires_grad, x.grad_fn.name(), w.grad

    assert_same(f)


def test_inplace_on_view_of_leaf_requiring_grad_raises() -> None:
    def f(t):
        a = t.ones(2, 2, requires_grad=True)
        a.view(4).mul_(2)

    assert_same(f, expect_error=True)


def test_inplace_through_view_double_backward() -> None:
    def f(t):
        a = t.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=t.float64, requires_grad=True)
        y = a * a
        y[0].mul_(a[1])
        (g,) = t.autograd.grad(y.sum(), a, create_graph=True)
        return g, t.autograd.grad(g.sum(), a)

    assert_same(f)


def test_inplace_through_view_frees_its_saved_values_after_backward() -> None:
    """CopySlices releases the wrapped op's saved values, so a second backward raises."""
    def f(t):
        a = t.ones(3, requires_grad=True)
        w = t.ones(2, requires_grad=True)
        b = a.clone()
        b[0:2].mul_(w)
        s = b.sum()
        s.backward()
        s.backward()

    assert_same(f, expect_error=True)


# ------------------------------------------------------------------------------------------
# Writes through views with zero_ / fill_ / copy_ / __setitem__ (torch's CopySlices rebase)
# ------------------------------------------------------------------------------------------
WRITES = ["v.zero_()", "v.fill_(1.5)", "v.fill_(c)", "v.copy_(w)", "v[1] = c", "v[1:] = w[:2]", "v[1:] = 2.0",
          "v[[0, 2]] = w[:2]", "v[...] = c", "v[None] = w", "v[None, [0, 2]] = c"]
VIEWS = ["b[0]", "b[:, 1]", "b.t()[2]", "b.view(6)[1:4]", "b[1, ...]"]


def _write_env(t: Any) -> dict:
    return {"c": t.tensor(2.5, requires_grad=True), "w": t.tensor([7.0, 8.0, 9.0], requires_grad=True)}


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("write", WRITES)
def test_write_through_view_rebases_base(view: str, write: str) -> None:
    def f(t):
        a = t.arange(6.0).reshape(2, 3).requires_grad_()
        b = a * 1
        env = {"b": b, **_write_env(t)}
        env["v"] = v = eval(view, env)  # noqa: S307 - fixed expressions above
        exec(write, env)  # noqa: S102 - fixed statements above
        graph = graph_signature(b), graph_signature(v), v.grad_fn.next_functions[0][0] is b.grad_fn
        (b * t.arange(1.0, 7.0).reshape(2, 3)).sum().backward()
        return b, graph, a.grad, env["c"].grad, env["w"].grad, b._version

    assert_same(f)


@pytest.mark.parametrize("write", WRITES)
def test_write_through_view_of_plain_tensor(write: str) -> None:
    def f(t):
        x = t.zeros(2, 3)
        env = {"v": x[1], **_write_env(t)}
        exec(write, env)  # noqa: S102 - fixed statements above
        graph = x.requires_grad, x.is_leaf, graph_signature(x)
        if x.requires_grad:
            (x * 2).sum().backward()
        return x, graph, env["c"].grad, env["w"].grad

    assert_same(f)


def test_write_through_view_double_backward() -> None:
    def f(t):
        a = t.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=t.float64, requires_grad=True)
        y = a * a
        y[0][1] = a[1, 0] * a[1, 1]
        y[1].copy_(a[0] ** 3)
        (g,) = t.autograd.grad(y.sum(), a, create_graph=True)
        return g, t.autograd.grad(g.sum(), a)

    assert_same(f)


@pytest.mark.parametrize("write", WRITES + ["v.mul_(2)", "v.add_(c)", "v.masked_fill_(v > 0, 0.0)"])
@pytest.mark.parametrize("view", ["a[0]", "a[:, 1:]", "a.view(6)", "r.t()", "a.unsqueeze(0)[0]"])
def test_write_into_view_of_leaf_requiring_grad_raises(view: str, write: str) -> None:
    def f(t):
        a = t.zeros(2, 3, requires_grad=True)
        r = t.arange(6.0).reshape(2, 3).requires_grad_()  # a view of a leaf that does not require grad
        env = {"a": a, "r": r, **_write_env(t)}
        env["v"] = eval(view, env)  # noqa: S307 - fixed expressions above
        exec(write, env)  # noqa: S102 - fixed statements above

    assert_same(f, expect_error=True)


@pytest.mark.parametrize("write", WRITES + ["v.mul_(2)", "v.add_(c)", "v.exp_()"])
@pytest.mark.parametrize("views", ["b.split(1)[0]", "b.split(2, 1)[1]", "b.unbind()[1]", "b.unbind(1)[2]",
                                   "b.chunk(2)[1]", "b.split([1, 2], 1)[1]", "b.split(1)[1].view(3)",
                                   "b.unbind(1)[0].unsqueeze(1)", "b.split(1)[0].t()", "b.chunk(3, 1)[0][1]"])
def test_write_into_multi_output_view_raises(views: str, write: str) -> None:
    def f(t):
        a = t.arange(6.0).reshape(2, 3).requires_grad_()
        b = a * 1
        env = {"b": b, **_write_env(t)}
        env["v"] = eval(views, env)  # noqa: S307 - fixed expressions above
        exec(write, env)  # noqa: S102 - fixed statements above

    assert_same(f, expect_error=True)


@pytest.mark.parametrize("setup,write,raises", [
    ("v = z.split(1)[0]", "v.zero_()", False),              # nothing to record: allowed
    ("v = z.split(1)[0]", "v.fill_(c)", True),              # multi-output view of a no-grad input
    ("v = z.unbind()[0]", "v[0] = c", True),
    ("v = z.split(1)[0][0]", "v.mul_(c)", True),            # the mark propagates to views of views
    ("with t.no_grad():\n    v = b.split(1)[0]", "v.zero_()", True),
    ("with t.no_grad():\n    v = b.split(1)[0]\nv = v[0]", "v.zero_()", True),
    ("with t.no_grad():\n    v = b[0]\nv = v.split(1)[0]", "v.zero_()", True),
    ("with t.no_grad():\n    v = z[0]", "v.fill_(c)", True),
    ("with t.no_grad():\n    v = z[0]", "v.fill_(1.0)", False),
    ("with t.no_grad():\n    v = z[0]\nv = v[1:]", "v.copy_(w[:2])", True),
    ("with t.no_grad():\n    v = b[0]\nv = v.t()", "v[0] = 1.0", True),
    ("with t.inference_mode():\n    v = z[0]", "v.fill_(c)", True),
    ("with t.inference_mode():\n    v = z[0]", "v.zero_()", False),
])
def test_view_creation_marks(setup: str, write: str, raises: bool) -> None:
    def f(t):
        a = t.arange(6.0).reshape(2, 3).requires_grad_()
        env = {"t": t, "b": a * 1, "z": t.zeros(2, 3), **_write_env(t)}
        exec(setup, env)  # noqa: S102 - fixed programs above
        exec(write, env)  # noqa: S102
        return env["v"], env["z"], env["b"]

    assert_same(f, expect_error=raises)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
@pytest.mark.parametrize("write", ["x[1] = c", "x[1:] = c", "x[[0, 2]] = c", "x.copy_(c)", "x.fill_(c)",
                                   "x[...] = c", "x[None] = c"])
def test_grad_requiring_value_into_plain_tensor(dtype: str, write: str) -> None:
    if dtype == "int64" and write in ("x[1:] = c", "x.fill_(c)", "x[...] = c", "x[None] = c"):
        pytest.skip("known divergence: torch attaches FillBackward3/CopySlices to the int tensor")

    def f(t):
        x = t.zeros(3, dtype=getattr(t, dtype))
        c = t.tensor(2.0, requires_grad=True)
        exec(write, {"x": x, "c": c})  # noqa: S102 - fixed statements above
        graph = x.requires_grad, graph_signature(x)
        if x.requires_grad:
            (x * t.tensor([1.0, 2.0, 3.0], dtype=x.dtype)).sum().backward()
        return x, graph, c.grad

    assert_same(f)


@pytest.mark.parametrize("write", ["l.copy_(t.ones(4))", "l[1:].copy_(t.ones(4))", "l.fill_(t.ones(2))",
                                   "l[1:] = t.ones(4)", "l[[0, 1]] = t.ones(4)",
                                   "l[[0, 1]] = t.ones(2, dtype=t.float64)", "s[0] = t.ones(4)"])
def test_write_error_precedence(write: str) -> None:
    def f(t):
        env = {"t": t, "l": t.zeros(3, requires_grad=True), "s": (t.zeros(2, 3, requires_grad=True) * 1).split(1)[0]}
        exec(write, env)  # noqa: S102 - fixed statements above

    assert_same(f, expect_error=True)


def test_zero_dim_select_is_a_view() -> None:
    def f(t):
        x = t.zeros(3)
        x[1].fill_(4.0)
        x.unbind()[2].add_(1.0)
        with t.no_grad():
            y = t.zeros(3, requires_grad=True)
            y[0].zero_()
            y[1] = 2.0
        return x, x._version, y
    assert_same(f)


def test_write_through_temporary_view_regenerates_sibling_grad_fn() -> None:
    def f(t):
        b = t.zeros(2, 3, requires_grad=True) * 1
        v = b[0]
        v[0:1][0] = t.tensor(2.0, requires_grad=True)
        return graph_signature(v)

    assert_same(f)


@pytest.mark.parametrize("make", ["expand_as", "view", "mT", "select", "permute", "slice"])
def test_view_history_follows_base_written_in_place(make: str) -> None:
    """A view made before its base is written in place differentiates through the write
    (torch rebuilds its grad_fn as AsStridedBackward0 of the base's new history)."""
    def f(t):
        x = t.zeros((2, 2) if make not in ("expand_as", "view") else (), requires_grad=True)
        a = x.clone()
        y = {"expand_as": lambda: a.expand_as(t.zeros(3)), "view": lambda: a.view(1),
             "mT": lambda: a.mT, "select": lambda: a[0], "permute": lambda: a.permute(1, 0),
             "slice": lambda: a[1:]}[make]()
        before = graph_signature(y)
        a.mul_(3)
        after = graph_signature(y)
        (y * t.arange(1.0, 1.0 + y.numel()).reshape(y.shape)).sum().backward()
        return before, after, y.requires_grad, y.is_leaf, x.grad
    assert_same(f)


@pytest.mark.parametrize("case", ["no_grad_view", "no_grad_write", "leaf_no_grad_write", "base_gains_grad",
                                  "multi_output", "multi_output_no_grad", "detached_write"])
def test_stale_view_history_rules_and_errors(case: str) -> None:
    """torch's handle_view_on_rebase for views made in no_grad mode / by multi-output ops, and
    when a view only starts to require grad after its base was written in place."""
    def f(t):
        x = t.ones(3, requires_grad=True)
        out = []
        if case == "no_grad_view":
            a = x.clone()
            with t.no_grad():
                v = a[0:2]
            a.mul_(2)
            out.append(v.requires_grad)
            out.append(graph_signature(v * 2))
        elif case == "no_grad_write":
            a = x.clone()
            v = a[0:2]
            with t.no_grad():
                a.mul_(2)
            out.append(graph_signature(v))
        elif case == "leaf_no_grad_write":
            v = x[0:2]
            with t.no_grad():
                x.add_(1)
            out.append(graph_signature(v))
        elif case == "base_gains_grad":
            b = t.ones(3)
            u = b[1:]
            out.append(u.requires_grad)
            b.mul_(x)
            out += [u.requires_grad, u.is_leaf, graph_signature(u)]
            (u * 1).sum().backward()
            out.append(x.grad)
        elif case == "multi_output":
            a = x.clone()
            s = a.unbind(0)
            a.mul_(2)
            out.append(graph_signature(s[0]))
        elif case == "multi_output_no_grad":
            b = t.ones(3)
            s = b.unbind(0)
            b.mul_(x)
            out.append(graph_signature(s[1]))
        else:
            a = x.clone()
            v = a[0:2]
            a.detach().mul_(2)
            out.append(graph_signature(v))
        return out
    assert_same(f)
