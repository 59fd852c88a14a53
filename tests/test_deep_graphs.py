"""Deep graphs run without recursion; graphs and saved buffers are freed by refcounting alone."""

from __future__ import annotations

import gc
import sys
import weakref
from collections.abc import Iterator

import pytest
from helpers import assert_same

import reference_impl as ri


@pytest.fixture
def gc_disabled() -> Iterator[None]:
    """Without the cycle collector, only reference counting can free objects."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_100k_op_chain_forward_and_backward() -> None:
    x = ri.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(50_000):
        y = y * 1.0
        y = y + 0.0
    assert sys.getrecursionlimit() < 100_000
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    del y  # dropping the root must not recurse through 100k nodes either


def test_deep_chain_gradient_matches_torch() -> None:
    def f(t):
        x = t.tensor([0.5, -0.25], dtype=t.float64, requires_grad=True)
        y = x
        for i in range(3000):
            y = (y * 1.001).sin() if i % 2 else y + 0.001
        y.sum().backward()
        return x.grad

    assert_same(f)


def _chain(n: int) -> tuple:
    x = ri.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    for _ in range(n):
        y = y.sin() * 2
    return x, y


def test_graph_freed_after_backward_without_gc(gc_disabled: None) -> None:
    x, y = _chain(50)
    node_refs = [weakref.ref(y.grad_fn)]
    n = y.grad_fn
    while n.next_functions and n.next_functions[0][0] is not None:
        n = n.next_functions[0][0]
        node_refs.append(weakref.ref(n))
    del n
    loss = y.sum()
    loss.backward()
    assert y.grad_fn.next_functions is not None  # the graph is alive while y holds it
    del y, loss
    alive = [r() for r in node_refs if r() is not None and type(r()).__name__ != "AccumulateGrad"]
    assert not alive, f"{len(alive)} nodes survived without gc: {[type(a).__name__ for a in alive[:5]]}"


def test_saved_buffers_released_after_backward(gc_disabled: None) -> None:
    x = ri.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    y = (h * h).sum()
    node = y.grad_fn.next_functions[0][0]  # MulBackward0, which saved h twice
    h_ref = weakref.ref(h)
    del h
    assert h_ref() is not None, "a saved input must be kept alive by its node until backward"
    y.backward()
    assert h_ref() is None, "saved tensors must be released after backward (no retain_graph)"
    assert type(node).__name__ == "MulBackward0"


def test_saved_buffers_kept_with_retain_graph(gc_disabled: None) -> None:
    x = ri.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    y = (h * h).sum()
    h_ref = weakref.ref(h)
    del h
    y.backward(retain_graph=True)
    assert h_ref() is not None
    y.backward()
    assert h_ref() is None
    assert x.grad.tolist() == [36.0, 72.0]


def test_no_reference_cycles_between_nodes_and_tensors(gc_disabled: None) -> None:
    x = ri.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp().tanh().sigmoid()  # all three save their result
    y.retain_grad()
    y.register_hook(lambda g: g)
    z = y.sum()
    refs = [weakref.ref(y), weakref.ref(y.grad_fn), weakref.ref(z.grad_fn)]
    del y, z
    assert all(r() is None for r in refs), "outputs saved by their own node must not form cycles"


def test_accumulate_grad_does_not_keep_leaf_alive(gc_disabled: None) -> None:
    x = ri.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    acc = weakref.ref(y.grad_fn.next_functions[0][0])
    x_ref = weakref.ref(x)
    del x
    assert x_ref() is not None  # the graph holds the leaf through AccumulateGrad.variable
    del y
    assert acc() is None and x_ref() is None


def test_unused_graph_freed_without_backward(gc_disabled: None) -> None:
    x, y = _chain(1000)
    ref = weakref.ref(y.grad_fn)
    del y
    assert ref() is None
