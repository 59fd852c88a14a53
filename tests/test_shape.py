"""Shape and view ops against torch: values, dtypes, graphs, gradients, errors, view semantics."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from helpers import SETTINGS, assert_grad_matches_fd, assert_same, graph_signature
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

SHAPES = hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4)
DTYPES = st.sampled_from(["float32", "float64"])


def _seed(shape: tuple) -> np.ndarray:
    """A fixed, non-constant output gradient (so each output element's path is distinguishable)."""
    n = int(np.prod(shape)) if shape else 1
    return (np.arange(n, dtype=np.float64).reshape(shape) % 7 - 3) / 2


def run_op(t: Any, op: Any, x: np.ndarray, dtype: str, *, noncontig: bool = False) -> tuple:
    """Apply ``op`` to a leaf, backward a weighted sum of every output; return what torch exposes."""
    dt = getattr(t, dtype)
    a = t.tensor(x, dtype=dt, requires_grad=True)
    src = a.transpose(0, -1) if noncontig else a
    out = op(t, src)
    outs = out if isinstance(out, tuple) else (out,)
    graphs = tuple(graph_signature(o) for o in outs)
    loss = None
    for o in outs:
        if o.requires_grad:
            term = (o * t.tensor(_seed(tuple(o.shape)), dtype=o.dtype)).sum()
            loss = term if loss is None else loss + term
    if loss is not None:
        loss.backward()
    return outs, graphs, a.grad


def check_op(op: Any, x: np.ndarray, dtype: str = "float32", **kw: Any) -> None:
    assert_same(lambda t: run_op(t, op, x, dtype, **kw))


def arrays(shape: tuple) -> np.ndarray:
    return np.random.default_rng(len(shape)).standard_normal(shape)


# --- view / reshape / flatten / unflatten ------------------------------------------------------
@SETTINGS
@given(shape=SHAPES, dtype=DTYPES, noncontig=st.booleans(), data=st.data())
def test_reshape_view_flatten(shape: tuple, dtype: str, noncontig: bool, data: st.DataObject) -> None:
    x = arrays(shape)
    n = x.size
    k = data.draw(st.sampled_from([d for d in range(1, n + 1) if n % d == 0]))
    check_op(lambda t, a: a.reshape(k, -1), x, dtype, noncontig=noncontig)
    check_op(lambda t, a: a.view(-1, k), x, dtype, noncontig=noncontig)  # errors when not viewable
    start = data.draw(st.integers(-len(shape), len(shape) - 1))
    end = data.draw(st.integers(-len(shape), len(shape) - 1))
    check_op(lambda t, a: t.flatten(a, start, end), x, dtype, noncontig=noncontig)
    dim = data.draw(st.integers(0, len(shape) - 1))
    check_op(lambda t, a: a.unflatten(dim, (1, -1)), x, dtype)


def test_reshape_of_a_non_viewable_tensor_copies_through_clone() -> None:
    def f(t):
        a = t.arange(6.0, requires_grad=False).reshape(2, 3)
        b = a.t() if hasattr(a, "t") else a.transpose(0, 1)
        r = b.reshape(-1)
        r2 = a.reshape(3, 2)
        return r, r2._base is a, r._base is None, r2._version

    assert_same(f)


# --- squeeze / unsqueeze / expand / repeat ----------------------------------------------------
@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=2), dtype=DTYPES, data=st.data())
def test_squeeze_unsqueeze(shape: tuple, dtype: str, data: st.DataObject) -> None:
    x = arrays(shape)
    nd = len(shape)
    d = data.draw(st.integers(-nd, nd - 1))
    dims = data.draw(st.lists(st.integers(-nd, nd - 1), max_size=3))
    check_op(lambda t, a: a.squeeze(), x, dtype)
    check_op(lambda t, a: a.squeeze(d), x, dtype)
    check_op(lambda t, a: a.squeeze(tuple(dims)), x, dtype)  # repeated dims raise
    u = data.draw(st.integers(-nd - 2, nd + 1))
    check_op(lambda t, a: a.unsqueeze(u), x, dtype)  # out of range raises


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3), dtype=DTYPES, data=st.data())
def test_expand_and_repeat(shape: tuple, dtype: str, data: st.DataObject) -> None:
    x = arrays(shape)
    lead = data.draw(st.lists(st.integers(1, 3), max_size=2))
    target = tuple(lead) + tuple(data.draw(st.sampled_from([s, 2 * s, -1]) if s != 1 else st.integers(1, 3))
                                 for s in shape)
    check_op(lambda t, a: a.expand(*target), x, dtype)
    check_op(lambda t, a: a.expand_as(t.zeros(tuple(abs(s) for s in target))), x, dtype)
    reps = tuple(lead) + tuple(data.draw(st.integers(0, 3)) for _ in shape)
    check_op(lambda t, a: a.repeat(*reps), x, dtype)


# --- transpose / permute -------------------------------------------------------------------------
@SETTINGS
@given(shape=SHAPES, dtype=DTYPES, data=st.data())
def test_transpose_permute(shape: tuple, dtype: str, data: st.DataObject) -> None:
    x = arrays(shape)
    nd = len(shape)
    d0, d1 = data.draw(st.integers(-nd, nd - 1)), data.draw(st.integers(-nd, nd))
    check_op(lambda t, a: a.transpose(d0, d1), x, dtype)
    check_op(lambda t, a: t.swapaxes(a, d0, d1), x, dtype)
    perm = data.draw(st.permutations(range(nd)))
    check_op(lambda t, a: a.permute(*perm), x, dtype)
    check_op(lambda t, a: t.permute(a, perm), x, dtype)
    check_op(lambda t, a: a.permute(2, 0, 1).contiguous() * 2 if nd == 3 else a.contiguous(), x, dtype)


# --- select / narrow / flip ----------------------------------------------------------------------
@SETTINGS
@given(shape=SHAPES, dtype=DTYPES, data=st.data())
def test_select_narrow_flip(shape: tuple, dtype: str, data: st.DataObject) -> None:
    x = arrays(shape)
    nd = len(shape)
    d = data.draw(st.integers(-nd, nd - 1))
    size = shape[d]
    i = data.draw(st.integers(-size - 1, size))
    check_op(lambda t, a: a.select(d, i), x, dtype)
    start, length = data.draw(st.integers(-size - 1, size)), data.draw(st.integers(-1, size))
    check_op(lambda t, a: a.narrow(d, start, length), x, dtype)
    dims = data.draw(st.lists(st.integers(-nd, nd - 1), max_size=nd))
    check_op(lambda t, a: a.flip(dims), x, dtype, noncontig=True)


# --- split / chunk / unbind ---------------------------------------------------------------------
@SETTINGS
@given(shape=SHAPES, dtype=DTYPES, data=st.data())
def test_split_chunk_unbind(shape: tuple, dtype: str, data: st.DataObject) -> None:
    x = arrays(shape)
    nd = len(shape)
    d = data.draw(st.integers(-nd, nd - 1))
    size = shape[d]
    step = data.draw(st.integers(-1, size + 1))
    check_op(lambda t, a: a.split(step, d), x, dtype)
    sizes = data.draw(st.lists(st.integers(0, size), min_size=1, max_size=3))
    check_op(lambda t, a: t.split(a, sizes, dim=d), x, dtype)  # wrong totals raise
    chunks = data.draw(st.integers(0, size + 2))
    check_op(lambda t, a: a.chunk(chunks, d), x, dtype)
    check_op(lambda t, a: a.unbind(d), x, dtype)


def test_split_outputs_only_some_used() -> None:
    def f(t):
        a = t.arange(6.0).reshape(3, 2).requires_grad_()
        p, q, r = a.split(1)
        (q * 3).sum().backward()
        return a.grad, p.grad_fn is q.grad_fn, graph_signature(r)

    assert_same(f)


# --- cat / stack ---------------------------------------------------------------------------------
@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3), data=st.data())
def test_cat_stack(shape: tuple, data: st.DataObject) -> None:
    nd = len(shape)
    d = data.draw(st.integers(-nd, nd - 1))
    other = list(shape)
    other[d] = data.draw(st.integers(0, 3))
    kinds = st.sampled_from(["float32", "float64", "int64", "bool"])
    dts = data.draw(st.lists(kinds, min_size=2, max_size=2))
    grads = data.draw(st.lists(st.booleans(), min_size=2, max_size=2))

    def f(t, op, shapes):
        ts = []
        for s, dt, g in zip(shapes, dts, grads):
            a = t.tensor(arrays(s)).to(getattr(t, dt))
            ts.append(a.requires_grad_() if g and dt.startswith("float") else a)
        out = op(t, ts)
        if out.requires_grad:
            (out * t.tensor(_seed(tuple(out.shape)), dtype=out.dtype)).sum().backward()
        return out, graph_signature(out), [a.grad for a in ts]

    assert_same(lambda t: f(t, lambda t, ts: t.cat(ts, d), [shape, tuple(other)]))
    assert_same(lambda t: f(t, lambda t, ts: t.stack(ts, d), [shape, shape]))
    assert_same(lambda t: f(t, lambda t, ts: t.cat(ts, dim=d), [shape, (0,)]))  # legacy empty skip


# --- errors, verbatim -------------------------------------------------------------------------
ERRORS = [
    "x.view(5)", "x.view(-1, -1)", "x.view(-1, 5)", "x.view(-2)", "x.transpose(0, 1).view(-1)",
    "t.zeros(0, 3).view(-1, 0)", "x.flatten(2, 0)", "x.flatten(5)", "x.unflatten(1, (2, 2))",
    "x.unflatten(1, ())", "x.unflatten(1, (4, -1))", "x.squeeze(3)", "x.squeeze((0, 0))", "x.unsqueeze(4)",
    "x.repeat(2)", "x.repeat(2, -1, 1)", "x.transpose(0, 3)", "x.permute(0, 1)", "x.permute(0, 1, 1)",
    "x.permute(0, 1, 3)", "t.cat([x, t.zeros(2, 2, 4)])", "t.cat([x, t.zeros(2, 3, 5)], 1)", "t.cat([])",
    "t.cat([x, t.zeros(2, 3)])", "t.cat([x, x], 3)", "t.cat([x, 1])", "t.stack([x, t.zeros(2, 3, 5)])",
    "t.stack([])", "t.stack([x, x], 4)", "x.split(0)", "x.split([1, 2])", "x.split(-1)", "x.chunk(0)",
    "x.narrow(0, 1, 2)", "x.narrow(0, 3, 1)", "x.narrow(0, 0, -1)", "x.select(0, 2)", "x.select(1, -4)",
    "x.flip(0, 0)", "x.flip(3)", "t.zeros(()).unbind(0)", "x.expand(3, 3, 4)", "x.expand(2, 3)",
    "x.double().expand(2, 3)", "x.expand(-1, 2, 3, 4)", "t.zeros(()).select(0, 0)",
    "t.zeros(()).narrow(0, 0, 1)",
    "t.zeros(()).split(1)", "t.zeros(()).chunk(2)", "x.unbind(3)",
]


@pytest.mark.parametrize("expr", ERRORS)
def test_errors_match_torch(expr: str) -> None:
    assert_same(lambda t: eval(expr, {"t": t, "x": t.zeros(2, 3, 4)}), expect_error=True)


ZERO_DIM = ["a.flatten()", "a.squeeze(0)", "a.unsqueeze(0)", "a.unsqueeze(-1)", "a.transpose(0, -1)",
            "a.flip(0)", "a.repeat(2, 3)", "a.view(1, 1)", "a.flatten(0, 0)", "a.squeeze()", "a.expand(2, 3)"]


@pytest.mark.parametrize("expr", ZERO_DIM)
def test_zero_dim_inputs(expr: str) -> None:
    def f(t):
        a = t.tensor(1.5, requires_grad=True)
        out = eval(expr, {"a": a})
        out.sum().backward()
        return out, graph_signature(out), a.grad

    assert_same(f)


# --- view semantics ---------------------------------------------------------------------------
VIEWS = ["a.view(6)", "a.reshape(3, 2)", "a.flatten()", "a.unflatten(1, (3, 1))", "a.squeeze()",
         "a.unsqueeze(0)",
         "a.expand(2, 2, 3)[0]", "a.transpose(0, 1)", "a.permute(1, 0)", "a.narrow(1, 1, 2)",
         "a.select(1, 2)",
         "a.split(1)[1]", "a.chunk(3, 1)[2]", "a.unbind(1)[0]", "a.movedim(0, 1)", "a.swapdims(0, 1)"]


@pytest.mark.parametrize("expr", VIEWS)
def test_views_share_memory_and_version(expr: str) -> None:
    def f(t):
        a = t.arange(6.0).reshape(2, 3)
        v = eval(expr, {"a": a})
        before = (a._version, v._version, v._base is a)
        v.mul_(10)
        return before, a, v, a._version, v._version

    assert_same(f)


@pytest.mark.parametrize("expr", ["a.clone()", "a.flip(0)", "a.repeat(1, 1)", "t.cat([a])", "t.stack([a])[0]",
                                  "a.contiguous()", "a.transpose(0, 1).contiguous()"])
def test_copies_do_not_share(expr: str) -> None:
    def f(t):
        a = t.arange(6.0).reshape(2, 3)
        c = eval(expr, {"a": a, "t": t})
        c.add_(1)
        return a, c, a._version, c._base is None

    assert_same(f)


# --- gradients: finite differences and double backward ----------------------------------------
FD_OPS = {
    "repeat": lambda t, a: a.repeat(2, 1, 3) * a.repeat(2, 1, 3).sin(),
    "cat": lambda t, a: t.cat([a, a * a], 1),
    "stack": lambda t, a: t.stack([a, a.exp()], 2),
    "flip": lambda t, a: a.flip(0, 1) * a,
    "split": lambda t, a: a.split([1, 2], 1)[1] ** 2,
    "unbind": lambda t, a: a.unbind(1)[2] * a.unbind(1)[0],
    "permute_reshape": lambda t, a: (a.permute(1, 0).reshape(-1) ** 2),
    "select_narrow": lambda t, a: a.select(0, 1) * a.narrow(0, 0, 1).squeeze(0),
}


@pytest.mark.parametrize("name", list(FD_OPS))
def test_gradients_match_finite_differences(name: str) -> None:
    x = np.random.default_rng(1).standard_normal((2, 3))
    assert_grad_matches_fd(fn=FD_OPS[name], x=x)


@pytest.mark.parametrize("name", list(FD_OPS))
def test_double_backward(name: str) -> None:
    x = np.random.default_rng(2).standard_normal((2, 3))

    def f(t):
        a = t.tensor(x, requires_grad=True)
        (g,) = t.autograd.grad((FD_OPS[name](t, a) ** 2).sum(), a, create_graph=True)
        (g * g).sum().backward()
        return g, a.grad

    assert_same(f)


# --- in-place view ops (t_, squeeze_, unsqueeze_, transpose_) ---------------------------------
INPLACE_VIEWS = ["a.t_()", "a.squeeze_()", "a.squeeze_(1)", "a.squeeze_(0)", "a.squeeze_((1, 0))",
                 "a.unsqueeze_(0)", "a.unsqueeze_(-1)", "a.transpose_(0, 2)", "a.swapaxes_(1, 2)",
                 "a.t_() if a.dim() <= 2 else a.squeeze_(1).t_()", "a.unsqueeze_(1).squeeze_()"]


@pytest.mark.parametrize("expr", INPLACE_VIEWS)
def test_inplace_view_ops_restride_self_and_record(expr: str) -> None:
    """torch changes self's shape, bumps its version and rebases it (TBackward1, SqueezeBackward3..5, ...)."""
    x = np.arange(6.0).reshape(2, 1, 3)

    def f(t):
        leaf = t.tensor(x, requires_grad=True)
        a = leaf.clone()
        out = eval(expr, {"a": a, "t": t})
        graph = graph_signature(a)
        (a * t.tensor(_seed(tuple(a.shape)))).sum().backward()
        return out is a, tuple(a.shape), a._version, graph, leaf.grad

    assert_same(f)


@pytest.mark.parametrize("expr", ["x.t_()", "x.squeeze_()", "x.unsqueeze_(0)", "x.transpose_(0, 1)",
                                  "t.zeros(2, 2, 2).t_()", "x.detach().unsqueeze_(5)",
                                  "x.detach().squeeze_((0, 0))", "x.detach().transpose_(0, 3)",
                                  "x[0].unsqueeze_(0)", "x.clone().split(1)[0].unsqueeze_(0)"])
def test_inplace_view_op_errors(expr: str) -> None:
    assert_same(lambda t: eval(expr, {"t": t, "x": t.ones(2, 3, requires_grad=True)}), expect_error=True)


def test_inplace_view_op_without_grad_mode_or_grad() -> None:
    def f(t):
        x = t.ones(2, 3, requires_grad=True)
        with t.no_grad():
            x.t_()
        i = t.ones(2, 3, dtype=t.int64)
        i.unsqueeze_(0)
        return tuple(x.shape), x._version, x.requires_grad, x.grad_fn, tuple(i.shape), i._version

    assert_same(f)


@pytest.mark.parametrize("expr", ["t.movedim(a, 0, 0)", "t.movedim(a, -1, 0)", "a.movedim((0,), (-1,))",
                                  "t.movedim(a, 1, 0)", "t.movedim(b, (0, 1), (0,))",
                                  "t.movedim(b, (0, 0), (0, 1))", "t.movedim(b, (0, 1), (1, 1))",
                                  "t.movedim(b, (0, 1), (1, 0))"])
def test_movedim_checks_and_zero_dim_alias(expr: str) -> None:
    def f(t):
        a, b = t.tensor(1.5, requires_grad=True), t.ones(2, 3, requires_grad=True)
        out = eval(expr, {"t": t, "a": a, "b": b})
        return out, graph_signature(out)

    assert_same(f)


@pytest.mark.parametrize("case", [((), "float32"), ((), "bool"), ((2, 3), "float32"), ((1, 3), "int32"),
                                  ((3,), "float32"), ((2, 1), "bool"), ((4,), "float32"), ((1, 1, 2, 3), "float32")])
def test_sum_to_size_follows_torchs_sum_to(case: tuple) -> None:
    """() is a full sum (SumBackward0, int64 for ints); a matching shape returns self itself."""
    size, dtype = case

    def f(t):
        x = t.ones(2, 3, dtype=getattr(t, dtype), requires_grad=dtype == "float32")
        y = x.sum_to_size(size)
        return y, y is x, graph_signature(y)

    assert_same(f)


@pytest.mark.parametrize("dim", [0, -1, 1, -2])
def test_unbind_of_zero_dim_reports_the_wrapped_dim(dim: int) -> None:
    assert_same(lambda t: t.tensor(1.0).unbind(dim), expect_error=True)


def test_clone_and_repeat_of_inference_tensors_are_at_version_1() -> None:
    """torch quirk: outside inference mode the copy kernels' in-place steps count on the output."""
    def f(t):
        with t.inference_mode():
            v = t.ones(2, 3)
        return v.clone()._version, v.repeat(2, 1)._version, v.t().contiguous()._version, v.flip(0)._version

    assert_same(f)
