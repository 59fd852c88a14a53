"""Graph status: is_leaf, grad_fn names, next_functions (incl. (None, 0)), AccumulateGrad."""

from __future__ import annotations

import gc

import pytest
from helpers import SETTINGS, assert_same, assert_same_graph, run_both
from hypothesis import given
from hypothesis import strategies as st


def test_leaves_have_no_grad_fn() -> None:
    def f(t):
        a = t.ones(2, requires_grad=True)
        b = t.ones(2)
        return a.grad_fn, b.grad_fn, a.is_leaf, b.is_leaf, (a * 2).is_leaf, (b * 2).is_leaf, (b * 2).grad_fn

    assert_same(f)


@pytest.mark.parametrize("expr", [
    "a + b", "a - b", "a * b", "a / b", "a ** 2", "a ** b", "2 ** a", "-a", "a.exp()", "a.sin()",
    "a.tanh()", "a.sum()", "a.mean()", "a.view(2, 2)", "a.reshape(4)", "a.expand(3, 2, 2)",
    "a.clone()", "a + 1", "1 - a", "a.double()", "(a * b).sum()", "a.abs()", "a.sigmoid()",
])
def test_node_names_and_next_functions(expr: str) -> None:
    def build(t):
        a = t.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        b = t.tensor([[0.5, 1.5], [2.5, 3.5]])
        return eval(expr, {"a": a, "b": b, "t": t})  # noqa: S307 - fixed expressions above

    expected, actual = run_both(build)
    assert expected.exc is None and actual.exc is None, (expected.summary(), actual.summary())
    assert_same_graph(actual=actual.value, expected=expected.value, what=expr)
    assert_same(lambda t: (build(t).grad_fn.name(), type(build(t).grad_fn).__name__))


@SETTINGS
@given(a_req=st.booleans(), b_req=st.booleans(), op=st.sampled_from(["add", "sub", "mul", "div", "pow"]))
def test_none_edges_exactly_where_torch_has_them(a_req: bool, b_req: bool, op: str) -> None:
    def build(t):
        a = t.tensor([1.0, 2.0], requires_grad=a_req)
        b = t.tensor([3.0, 4.0], requires_grad=b_req)
        return getattr(a, op)(b)

    expected, actual = run_both(build)
    assert_same_graph(actual=actual.value, expected=expected.value, what=op)


def test_accumulate_grad_variable_is_the_leaf() -> None:
    def f(t):
        a = t.ones(2, requires_grad=True)
        acc = (a * 2).grad_fn.next_functions[0][0]
        return type(acc).__name__, acc.variable is a, acc.next_functions, acc.name()

    assert_same(f)


def test_one_accumulate_grad_per_leaf_while_held() -> None:
    def f(t):
        a = t.ones(2, requires_grad=True)
        y1 = a * 2
        y2 = a + 3
        acc1 = y1.grad_fn.next_functions[0][0]
        acc2 = y2.grad_fn.next_functions[0][0]
        z = a * a
        return acc1 is acc2, z.grad_fn.next_functions[0][0] is z.grad_fn.next_functions[1][0] is acc1

    assert_same(f)


def test_accumulate_grad_recreated_after_graph_dies() -> None:
    def f(t):
        a = t.ones(2, requires_grad=True)
        y = a * 2
        ident = id(y.grad_fn.next_functions[0][0])
        del y
        gc.collect()
        y = a * 3
        acc = y.grad_fn.next_functions[0][0]
        return type(acc).__name__, acc.variable is a, isinstance(ident, int)

    assert_same(f)


def test_shared_subgraph_node_identity() -> None:
    def f(t):
        a = t.ones(2, requires_grad=True)
        h = a.exp()
        y = h * h
        n0, n1 = y.grad_fn.next_functions
        return n0[0] is n1[0] is h.grad_fn, n0[1], n1[1]

    assert_same(f)


def test_deeper_graph_structure() -> None:
    def build(t):
        x = t.tensor([0.5, -1.0, 2.0], requires_grad=True)
        w = t.tensor([1.0, 2.0, 3.0], requires_grad=True)
        c = t.tensor([1.0, 1.0, 1.0])
        return ((x * w + c).tanh() * x.exp() - w / 2).sum()

    expected, actual = run_both(build)
    assert_same_graph(actual=actual.value, expected=expected.value)


def test_grad_fn_of_integer_results() -> None:
    def f(t):
        a = t.tensor([1.5, -2.0], requires_grad=True)
        return (a > 0).grad_fn, (a > 0).requires_grad, (a == a).is_leaf

    assert_same(f)


def test_node_metadata_is_a_dict() -> None:
    def f(t):
        y = t.ones(2, requires_grad=True) * 2
        y.grad_fn.metadata["k"] = 1
        return y.grad_fn.metadata

    assert_same(f)
