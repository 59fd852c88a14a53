"""Indexing against torch: __getitem__ (basic, advanced, mixed), gather/scatter/index_select/masked_fill,
__setitem__ (CopySlices / IndexPutBackward0), zero_ / fill_ / copy_ — values, graphs, gradients, errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from helpers import SETTINGS, assert_grad_matches_fd, assert_same, graph_signature
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)
DTYPES = st.sampled_from(["float32", "float64"])


def _seed(shape: tuple) -> np.ndarray:
    n = int(np.prod(shape)) if shape else 1
    return (np.arange(n, dtype=np.float64).reshape(shape) % 7 - 3) / 2


def _x(shape: tuple) -> np.ndarray:
    return np.random.default_rng(sum(shape)).standard_normal(shape)


# --- index items as library-neutral descriptions ------------------------------------------------
def build(t: Any, item: Any) -> Any:
    """Turn a description into an index item for library ``t`` (tensors built per library)."""
    if isinstance(item, tuple) and item and item[0] == "long":
        return t.tensor(item[1], dtype=t.int64)
    if isinstance(item, tuple) and item and item[0] == "mask":
        return t.tensor(item[1], dtype=t.bool)
    if isinstance(item, tuple) and item and item[0] == "int0":
        return t.tensor(item[1])
    return item


def items(size: int) -> st.SearchStrategy:
    bound = st.none() | st.integers(-size - 2, size + 2)
    return st.one_of(
        st.integers(-size, size - 1), st.integers(-size - 1, size),
        st.builds(slice, bound, bound, st.none() | st.integers(1, 3)),
        st.none(), st.just(Ellipsis), st.booleans(),
        st.lists(st.integers(-size, size - 1), max_size=3),
        st.tuples(st.just("long"), st.lists(st.integers(-size, size - 1), min_size=1, max_size=3)),
        st.tuples(st.just("mask"), st.lists(st.booleans(), min_size=size, max_size=size)),
        st.tuples(st.just("int0"), st.integers(-size, size - 1)),
    )


@st.composite
def indices(draw: Any, shape: tuple) -> Any:
    n = draw(st.integers(1, len(shape) + 1))
    sizes = list(shape) + [1]
    out = [draw(items(sizes[min(i, len(shape) - 1)])) for i in range(n)]
    if out.count(Ellipsis) > 1:  # torch's handling of a second Ellipsis is a quirk, not a contract
        out = [i for i in out if i is not Ellipsis] + [Ellipsis]
    return tuple(out) if len(out) > 1 or draw(st.booleans()) else out[0]


def run_getitem(t: Any, x: np.ndarray, index: Any, dtype: str) -> tuple:
    a = t.tensor(x, dtype=getattr(t, dtype), requires_grad=True)
    idx = tuple(build(t, i) for i in index) if type(index) is tuple else build(t, index)
    out = a[idx]
    (out * t.tensor(_seed(tuple(out.shape)), dtype=out.dtype)).sum().backward()
    return out, graph_signature(out), a.grad, out._base is a


@SETTINGS
@given(shape=SHAPES, dtype=DTYPES, data=st.data())
def test_getitem_random_indices(shape: tuple, dtype: str, data: st.DataObject) -> None:
    index = data.draw(indices(shape))
    assert_same(lambda t: run_getitem(t, _x(shape), index, dtype))


CHAINS = ["x[0]", "x[0, 1]", "x[:, 1]", "x[0:1]", "x[:]", "x[...]", "x[:, :]", "x[None]", "x[0, None, 1:2]",
          "x[..., 1]", "x[None, :, 1]", "x[1:, ::2]", "x[:, 0:3]", "x[0:100]", "x[True]", "x[False]",
          "x[None, 0]",
          "x[[0, 1]]", "x[:, [0, 1]]", "x[0, [0, 1]]", "x[x > 0]", "x[[0, 1], [1, 2]]", "x[[0], :, 1]",
          "x[0, :, [1, 2]]", "x[[0, 1], :, [1, 2]]", "x[:, [[0, 1], [2, 0]]]", "x[[1, 1, 0]]", "x[0][1]",
          "x[t.tensor(1)]", "x[0, t.tensor(1)]", "x[t.ones(2, 3, dtype=t.bool), 1]",
          "x[1, t.ones(3, 4, dtype=t.bool)]",
          "x[None, [0, 1], None, [0, 1]]", "x[[]]", "x[:, []]", "x[(0, 1)]", "x[[0, slice(None)]]"]


@pytest.mark.parametrize("expr", CHAINS)
def test_getitem_graph_chains(expr: str) -> None:
    def f(t):
        x = t.tensor(_x((2, 3, 4)), requires_grad=True)
        out = eval(expr, {"x": x, "t": t})
        (out * t.tensor(_seed(tuple(out.shape)), dtype=out.dtype)).sum().backward()
        return out, graph_signature(out), x.grad

    assert_same(f)


GETITEM_ERRORS = ["v[5]", "v[-4]", "v[0, 0]", "v[None, 0, 0]", "v[t.tensor([5])]", "v[t.tensor([-4])]",
                  "v[[5]]",
                  "v[0.5]", "v[t.tensor([0.])]", "v['a']", "x[[0, 1], [0, 1, 2]]",
                  "x[t.ones(3, dtype=t.bool)]",
                  "x[:, t.ones(2, dtype=t.bool)]", "x[t.ones(2, 4, dtype=t.bool)]", "v[::-1]", "v[::0]",
                  "t.zeros(0)[0]", "x[0, 5]", "x[..., 5]", "x[None, 0, 5]", "x[:, [0, 3]]",
                  "x[[0, 1], :, [0, 7]]",
                  "x[t.ones(2, 3, dtype=t.bool), [7]]", "x[0, 0, 0, 0]", "x[x > 0, 5]",
                  "x[t.tensor([0, 1], dtype=t.int16)]", "s[0]", "s[1]", "s[:]", "s[(0,)]", "s[[0]]"]


@pytest.mark.parametrize("expr", GETITEM_ERRORS)
def test_getitem_errors(expr: str) -> None:
    def f(t):
        env = {"t": t, "v": t.zeros(3), "x": t.zeros(2, 3, 4), "s": t.tensor(5.0)}
        return eval(expr, env)

    assert_same(f, expect_error=True)


def test_advanced_index_accumulates_repeated_gradients() -> None:
    x = np.random.default_rng(0).standard_normal((4, 3))
    assert_grad_matches_fd(fn=lambda t, a: a[[0, 0, 3, 0]] * a[[1, 1, 2, 2]], x=x)
    assert_grad_matches_fd(fn=lambda t, a: a[a > 0] ** 2, x=x)


# --- gather / scatter / index_select / masked_fill / nonzero ---------------------------------------
def run_fn(t: Any, fn: Any, x: np.ndarray, dtype: str, other: np.ndarray | None = None) -> tuple:
    a = t.tensor(x, dtype=getattr(t, dtype), requires_grad=True)
    b = None if other is None else t.tensor(other, dtype=getattr(t, dtype), requires_grad=True)
    out = fn(t, a, b)
    if out.requires_grad:
        (out * t.tensor(_seed(tuple(out.shape)), dtype=out.dtype)).sum().backward()
    return out, graph_signature(out), a.grad, None if b is None else b.grad


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), dtype=DTYPES, data=st.data())
def test_gather_scatter_index_select(shape: tuple, dtype: str, data: st.DataObject) -> None:
    nd = len(shape)
    d = data.draw(st.integers(-nd, nd - 1))
    ishape = tuple(data.draw(st.integers(1, s)) for s in shape)
    idx = data.draw(hnp.arrays(np.int64, ishape, elements=st.integers(0, shape[d] - 1)))
    if data.draw(st.booleans()):  # one bad index (torch's kernels report whichever thread sees one first)
        idx.flat[data.draw(st.integers(0, idx.size - 1))] = data.draw(st.sampled_from([-1, shape[d]]))
    src = _x(shape) + 1
    x = _x(shape)
    assert_same(lambda t: run_fn(t, lambda t, a, b: a.gather(d, t.tensor(idx)), x, dtype))
    uniq = np.argsort(np.random.default_rng(0).random(ishape), axis=d)  # scatter with distinct targets
    assert_same(lambda t: run_fn(t, lambda t, a, b: a.scatter(d, t.tensor(uniq), b), x, dtype, src))
    assert_same(lambda t: run_fn(t, lambda t, a, b: t.scatter(a, d, t.tensor(uniq), 2.5), x, dtype))
    assert_same(lambda t: run_fn(t, lambda t, a, b: a.scatter_add(d, t.tensor(idx), b), x, dtype, src))
    sel = idx.reshape(-1)[:5]
    assert_same(lambda t: run_fn(t, lambda t, a, b: a.index_select(d, t.tensor(sel)), x, dtype))
    assert_same(lambda t: run_fn(t, lambda t, a, b: t.index_select(a, d, t.tensor(sel).int()), x, dtype))


@SETTINGS
@given(shape=SHAPES, dtype=DTYPES, data=st.data())
def test_masked_fill_and_nonzero(shape: tuple, dtype: str, data: st.DataObject) -> None:
    mshape = data.draw(st.sampled_from([shape, shape[1:], (1,) + shape, (2,)]))
    mask = data.draw(hnp.arrays(np.bool_, mshape))
    x = _x(shape)
    assert_same(lambda t: run_fn(t, lambda t, a, b: a.masked_fill(t.tensor(mask), -1.5), x, dtype))
    assert_same(lambda t: run_fn(t, lambda t, a, b: a.masked_fill(t.tensor(mask), b.sum()), x, dtype, x))
    assert_same(lambda t: (t.tensor(mask).nonzero(), t.nonzero(t.tensor(x) > 0, as_tuple=True)))


OTHER_ERRORS = ["x.gather(1, t.tensor([[5]]))", "x.gather(1, t.tensor([5]))", "x.gather(2, i)",
                "x.gather(1, t.tensor([[-1]]))", "x.gather(1, t.tensor([[0.]]))",
                "x.gather(0, t.zeros(3, 5, dtype=t.long))", "x.index_select(0, t.tensor([[0]]))",
                "x.index_select(0, t.tensor([3]))", "x.index_select(0, t.tensor([-1]))",
                "x.index_select(0, t.tensor([0.]))", "x.scatter(1, i, x.double())",
                "x.scatter(1, t.tensor([[7]]), x)",
                "x.scatter(1, t.tensor([[0.]]), 1.)", "x.masked_fill(x > 0, t.tensor([2.]))",
                "x.masked_fill(x, 0.)",
                "x.masked_fill((x > 0).long(), 0.)", "x.masked_fill(t.ones(2, dtype=t.bool), 0.)",
                "x.masked_fill(x > 0, 1 + 2j)"]


@pytest.mark.parametrize("expr", OTHER_ERRORS)
def test_gather_scatter_masked_fill_errors(expr: str) -> None:
    def f(t):
        return eval(expr, {"t": t, "x": t.ones(3, 4), "i": t.tensor([[0, 1], [2, 2], [1, 0]])})

    assert_same(f, expect_error=True)


def test_scatter_of_integer_tensors_and_index_add() -> None:
    def f(t):
        z = t.zeros(3, dtype=t.long).scatter(0, t.tensor([0]), 2.5)
        y = t.zeros(3, requires_grad=True)
        s = t.ones(2, requires_grad=True)
        w = t.index_add(y, 0, t.tensor([0, 0]), s * 3)
        w.sum().backward()
        return z, w, y.grad, s.grad, t.ones(3, 4).masked_fill(t.ones(3, 4) > 0, 2).long().masked_fill(
            t.tensor([True, False, True, False]), 1.7)

    assert_same(f)


# --- __setitem__ -------------------------------------------------------------------------------
SETITEMS = ["b[1] = 5.0", "b[1] = c[0]", "b[0:2] = c[0]", "b[[0, 2]] = c[:2]", "b[b > 0] = 0.0",
            "b[b > 0] = c[0]", "b[...] = c", "b[:] = c", "b[[0, 0, 1]] = c", "b[None] = c",
            "b[1:] = c[None, :2]", "b[...] = 1.5",
            "b[...] = c.sum()", "b[0:2] = c[None, 0:1]", "b[[0, 1]] = c[0:1]", "b[True] = c", "b[False] = c"]


@pytest.mark.parametrize("stmt", SETITEMS)
@pytest.mark.parametrize("base", ["graph", "plain"])
def test_setitem_graph_values_and_gradients(stmt: str, base: str) -> None:
    def f(t):
        a = t.tensor([0.5, -1.0, 2.0], requires_grad=True)
        c = t.tensor([3.0, 4.0, 5.0], requires_grad=True)
        b = a * 2 if base == "graph" else t.zeros(3)
        v0 = b._version
        exec(stmt, {"b": b, "c": c})
        (b * t.tensor([1.0, 2.0, 3.0])).sum().backward()
        return b, graph_signature(b), b._version - v0, a.grad, c.grad

    assert_same(f)


@SETTINGS
@given(shape=SHAPES, dtype=DTYPES, data=st.data())
def test_setitem_random_indices(shape: tuple, dtype: str, data: st.DataObject) -> None:
    index = data.draw(indices(shape))
    vshape = data.draw(st.sampled_from([(), (1,), shape[-1:], (1, 1)]))
    scalar = data.draw(st.booleans())

    def f(t):
        a = t.tensor(_x(shape), dtype=getattr(t, dtype), requires_grad=True)
        v = t.tensor(_x(vshape) + 3, dtype=getattr(t, dtype), requires_grad=True)
        b = a * 1
        idx = tuple(build(t, i) for i in index) if type(index) is tuple else build(t, index)
        b[idx] = 7.0 if scalar else v * 1
        (b * t.tensor(_seed(shape), dtype=b.dtype)).sum().backward()
        return b, graph_signature(b), b._version, a.grad, v.grad

    assert_same(f)


SETITEM_ERRORS = ["a[...] = 1", "a[:] = 1", "a[[0]] = 1", "a[a > 0] = 1", "a[0:2] = 1", "a[None] = 1",
                  "x[0] = t.ones(2)", "x[0] = t.ones(2, 3)", "x[[0, 1]] = t.ones(3, 3)",
                  "x[x > -1] = t.ones(5)",
                  "x[0] = 1 + 2j", "x[0] = 'a'", "x[0] = [1, 2, 3]", "x[[0]] = t.tensor(2)", "x[5] = 1",
                  "x[[5]] = 1", "x[0, 0, 0] = 1"]


@pytest.mark.parametrize("stmt", SETITEM_ERRORS)
def test_setitem_errors(stmt: str) -> None:
    def f(t):
        env = {"t": t, "a": t.ones(3, requires_grad=True), "x": t.zeros(2, 3), "e": t.zeros(3).expand(2, 3)}
        exec(stmt, env)

    assert_same(f, expect_error=True)


def test_setitem_in_no_grad_and_dtype_casts() -> None:
    def f(t):
        a = t.ones(3, requires_grad=True)
        with t.no_grad():
            a[0] = 5
        i = t.zeros(3, dtype=t.long)
        i[0] = 2.7
        x = t.zeros(2, 3)
        x[0] = t.ones(1, 1, 3, dtype=t.float64)
        return a, a._version, i, x

    assert_same(f)


def test_setitem_through_a_view_is_visible_in_the_base() -> None:
    def f(t):
        base = t.zeros(2, 3)
        v = base[1]
        v[0] = 4.0
        w = base.transpose(0, 1)
        w[2] = t.tensor([7.0, 8.0])
        return base, v._version, base._version, w._version

    assert_same(f)


# --- zero_ / fill_ / copy_ -----------------------------------------------------------------------
INPLACE = ["b.zero_()", "b.fill_(2.0)", "b.fill_(c.sum())", "b.fill_(t.tensor(2, dtype=t.int64))",
           "b.copy_(c)",
           "b.copy_(c[0])", "b.copy_(c.double())", "z.copy_(c)", "z.fill_(c[1])"]


@pytest.mark.parametrize("expr", INPLACE)
def test_zero_fill_copy(expr: str) -> None:
    def f(t):
        a = t.tensor([0.5, -1.0, 2.0], requires_grad=True)
        c = t.tensor([3.0, 4.0, 5.0], requires_grad=True)
        b, z = a * 2, t.zeros(3)
        out = eval(expr, {"b": b, "c": c, "z": z, "t": t})
        (out * t.tensor([1.0, 2.0, 3.0])).sum().backward()
        return out, graph_signature(out), out._version, a.grad, c.grad

    assert_same(f)


@pytest.mark.parametrize("expr", ["a.zero_()", "a.fill_(1.0)", "a.copy_(c)", "x.fill_(t.tensor([1.]))",
                                  "x.copy_(t.ones(2))", "x.copy_(t.ones(2, 3, 4))", "x.fill_(1 + 2j)",
                                  "e.copy_(t.ones(2, 3))", "e[...] = t.ones(2, 3)" if False else "e.add_(1)"])
def test_inplace_errors(expr: str) -> None:
    def f(t):
        env = {"t": t, "a": t.ones(3, requires_grad=True), "c": t.ones(3), "x": t.zeros(3, 4),
               "e": t.zeros(3).expand(2, 3)}
        return eval(expr, env)

    assert_same(f, expect_error=True)


def test_writes_into_expanded_memory() -> None:
    def f(t):
        e = t.zeros(3).expand(2, 3)
        e[0] = 1.0  # a row of an expanded tensor does not overlap itself
        e.zero_()  # fills are allowed even on overlapping memory
        f = t.zeros(1, 3).expand(2, 3)
        f[1] = t.tensor([1.0, 2.0, 3.0])
        return e, f

    assert_same(f)


def test_double_backward_through_indexing() -> None:
    x = np.random.default_rng(3).standard_normal((3, 4))

    def f(t):
        a = t.tensor(x, requires_grad=True)
        y = a[[0, 0, 2]] * a[1:, ::2].sum() + a.gather(1, t.tensor([[0], [3], [3]])).sum() * a[..., 1, None]
        (g,) = t.autograd.grad((y ** 2).sum(), a, create_graph=True)
        (g ** 2).sum().backward()
        return g, a.grad

    assert_same(f)


# --- saved index / mask tensors -----------------------------------------------------------------
SAVING_INDEX = {
    "gather": lambda t, x, i: t.gather(x, 0, i),
    "index_select": lambda t, x, i: x.index_select(0, i),
    "scatter_value": lambda t, x, i: x.scatter(0, i, 2.0),
    "scatter_src": lambda t, x, i: x.scatter(0, i, x[:2] * 3),
    "scatter_add": lambda t, x, i: x.scatter_add(0, i, x[:2] * 3),
    "index_add": lambda t, x, i: x.index_add(0, i, x[:2] * 3, alpha=2),
    "index_add_": lambda t, x, i: x.clone().index_add_(0, i, x[:2]),
    "masked_fill": lambda t, x, i: x.masked_fill(i == 0, 1.0),
    "masked_fill_tensor": lambda t, x, i: x.masked_fill(i == 0, x.sum()),
}


@pytest.mark.parametrize("name", list(SAVING_INDEX))
def test_index_is_saved_so_backward_twice_fails(name: str) -> None:
    """torch saves the index (mask): the graph is freed by the first backward."""
    def f(t):
        x = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
        s = SAVING_INDEX[name](t, x, t.tensor([0, 2])).sum()
        s.backward()
        first = x.grad.clone()
        s.backward()
        return first

    assert_same(f, expect_error=True)


@pytest.mark.parametrize("name", ["gather", "index_select", "scatter_value", "scatter_add", "index_add"])
def test_index_modified_in_place_fails_backward(name: str) -> None:
    def f(t):
        x = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
        i = t.tensor([0, 2])
        s = SAVING_INDEX[name](t, x, i).sum()
        i.add_(0)
        s.backward()

    assert_same(f, expect_error=True)


def test_gather_saves_self() -> None:
    """GatherBackward0 saves self: modifying it in place names its producer in the error."""
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=True).clone()
        s = t.gather(a, 0, t.tensor([1])).sum()
        a.mul_(2)
        s.backward()

    assert_same(f, expect_error=True)


@pytest.mark.parametrize("expr", [
    "t.zeros(1, dtype=t.bool).index_add(0, t.tensor([0]), t.zeros(1, dtype=t.uint8))",
    "t.zeros(3).index_add(0, t.tensor([0]), t.ones(1, dtype=t.float64))",
    "t.zeros(3).index_add(0, t.tensor([0.0]), t.ones(1))",
    "t.zeros(3).index_add(0, t.tensor([[0]]), t.ones(1))",
    "t.zeros(3).index_add(7, t.tensor([[0]]), t.ones(1))",
    "t.zeros(3).index_add_(0, t.tensor([0]), t.ones(1, dtype=t.int64))",
])
def test_index_add_argument_errors(expr: str) -> None:
    assert_same(lambda t: eval(expr, {"t": t}), expect_error=True)


INDEX_ADD_SHAPES = [((), [0], (1,)), ((), [0], ()), ((), [0, 0], ()), ((3,), [0], ()), ((3,), [0, 1], (1,)),
                    ((2, 3), [0], (1, 2)), ((2, 3), [0], (3,)), ((2, 3), [0], (1, 3, 1)), ((2, 3), [5], (1, 3)),
                    ((3,), [0], (1,)), ((2, 3), [0], (1, 3)), ((2, 3), [-1], (1, 3)), ((2, 3), [1, 1], (2, 3))]


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("case", INDEX_ADD_SHAPES)
def test_index_add_shape_checks(case: tuple, dim: int) -> None:
    shape, index, source = case
    assert_same(lambda t: t.zeros(shape).index_add(dim, t.tensor(index), t.ones(source)))


@pytest.mark.parametrize("expr", ["x.gather(0, t.tensor([[0, 1, 1]]))", "x.index_select(1, t.tensor([0, 2]))",
                                  "x[t.tensor([0, 0])]", "x[t.tensor([0, 0]), 1]", "x[x > 0]", "x[0, t.tensor([0])]",
                                  "x.scatter(0, t.tensor([[1]]), 0.0)"])
def test_gradient_versions_match_torch(expr: str) -> None:
    """torch builds these gradients by filling zeros in place: the stolen .grad keeps that version."""
    x = _x((2, 3))

    def f(t):
        a = t.tensor(x, requires_grad=True)
        eval(expr, {"t": t, "x": a}).sum().backward()
        return a.grad, a.grad._version

    assert_same(f)


@pytest.mark.parametrize("shape, dim", [((2,), 0), ((2, 2), 0), ((2, 2), 1), ((1, 3, 2), 2), ((4, 4), 0), ((3,), 0),
                                        ((3, 1, 3), 1), ((3, 1, 3), 0), ((2, 2, 2, 2), 2)])
@pytest.mark.parametrize("alpha", [1, 0.5])
@pytest.mark.parametrize("index_dtype", ["int64", "int32"])
def test_index_add_half_rounding_matches_torch(shape: tuple, dim: int, alpha: float, index_dtype: str) -> None:
    """Repeated indices in half: torch rounds once (scatter_add's float accumulator) along the first
    or last dim of a 2-d+ self with alpha 1 and int64 indices, and after every addition otherwise;
    the two differ by more than half's tolerance."""
    src_shape = list(shape)
    src_shape[dim] = 2
    src = np.zeros(src_shape)
    src[(0,) * len(shape)] = 1.9
    src[tuple(1 if i == dim else 0 for i in range(len(shape)))] = -1.76
    x = np.zeros(shape)
    x[(0,) * len(shape)] = 0.03

    def f(t: Any) -> Any:
        return t.tensor(x, dtype=t.float16).index_add(dim, t.tensor([0, 0], dtype=getattr(t, index_dtype)),
                                                      t.tensor(src, dtype=t.float16),
                                                      alpha=alpha)

    assert_same(f)


@pytest.mark.parametrize("key", ["x[None, [1], :0]", "x[[5], :0]", "x[:0, [7]]", "x[[5], 1:1]", "x[[5]]",
                                 "t.zeros(1, 0)[[5]]"])
def test_out_of_range_indices_are_not_checked_when_the_result_is_empty(key: str) -> None:
    """torch checks only the indices it reads, so an empty result (a zero-size slice beside the
    index) never raises for an out-of-range index; a non-empty one does."""
    def f(t: Any) -> Any:
        x = t.zeros(1, 2, requires_grad=True)
        y = eval(key)
        if y.requires_grad:
            y.sum().backward()
        x2 = t.zeros(1, 2)
        if key.startswith("x["):
            exec(key.replace("x[", "x2[", 1) + " = 1.0")
        return y, x.grad, x2

    assert_same(f)


@pytest.mark.parametrize("value", ["shape", "dtype", "bounds"])
def test_index_put_checks_shape_then_dtype_then_bounds(value: str) -> None:
    """torch's index_put_ refuses a value that cannot broadcast to the indexing result before it
    compares dtypes, and both before it reads an out-of-range index."""
    def f(t: Any) -> None:
        x = t.zeros(1, 3, 2)
        x[..., [2]] = {"shape": t.zeros(2, dtype=t.float64), "dtype": t.zeros(1, dtype=t.float64),
                       "bounds": t.zeros(1)}[value]

    assert_same(f, expect_error=True)
