"""The backward pass: an iterative walk of the graph in torch's order.

Nodes run when every consumer has delivered its gradient; among ready nodes the most
recently created runs first (torch's sequence-number priority), and AccumulateGrad
nodes run as soon as they are ready. No recursion anywhere, so depth is unlimited.
"""

from __future__ import annotations

import heapq
import itertools
import sys
from typing import Any

import numpy as _np

from .._quiet import loud, quiet
from .._warn import warn_once
from .grad_mode import state as _grad_state
from .graph import AccumulateGrad, CopyBackwards, Node, _tensor_make, record

_NDARRAY = _np.ndarray
_refs = sys.getrefcount


def _sum_to(grad: Any, shape: tuple) -> Any:
    """Reduce a broadcast gradient back to ``shape`` (the engine does this for every op)."""
    global _sum_to
    from .._ops.reductions import sum_to  # (imported on first use: _ops imports the engine)

    _sum_to = sum_to
    return sum_to(grad, shape)


def _is_expandable_to(shape: tuple, desired: tuple) -> bool:
    if len(shape) > len(desired):
        return False
    for s, d in zip(reversed(shape), reversed(desired)):
        if s != d and s != 1:
            return False
    return True


def _validate(node: Node, i: int, grad: Any, meta: tuple) -> Any:
    """Make ``grad`` match the shape/dtype of the input it flows to, as torch's validate_outputs."""
    shape, dtype = meta
    if grad._data.shape != shape:
        if not _is_expandable_to(shape, grad._data.shape):
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient at index {i} - got "
                f"{list(grad._data.shape)} but expected shape compatible with {list(shape)}")
        grad = _sum_to(grad, shape)
    if grad._dtype is not dtype:
        if grad._dtype.is_complex and not dtype.is_complex:
            grad = grad.real
        grad = grad.to(dtype)
    return grad


def _run_tensor_hooks(node: Node, buf: list) -> None:
    """Hooks registered with Tensor.register_hook / retain_grad, per output slot."""
    if type(node) is AccumulateGrad:
        hooks = node.variable._hooks
        if hooks:
            buf[0] = _call_hooks(hooks, buf[0])
        return
    if node._tensor_hooks:
        for nr, hooks in node._tensor_hooks.items():
            if buf[nr] is not None and hooks:
                buf[nr] = _call_hooks(hooks, buf[nr])
    if node._retain:
        for nr, ref in node._retain.items():
            t = ref()
            g = buf[nr]
            if t is not None and g is not None:
                t._grad = g.clone() if t._grad is None else t._grad + g


def _call_hooks(hooks: dict, grad: Any) -> Any:
    for hook in tuple(hooks.values()):
        new = hook(grad)
        if new is None:
            continue
        from .._tensor import Tensor

        name = getattr(hook, "__name__", type(hook).__name__)
        if not isinstance(new, Tensor):
            raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
        if new._data.shape != grad._data.shape:
            raise RuntimeError(f"hook '{name}' has changed the size of value")
        if new._dtype is not grad._dtype:
            raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                               f"torch.{grad._dtype._legacy} got torch.{new._dtype._legacy})")
        grad = new
    return grad


def accumulate_grad(t: Any, grad: Any, create_graph: bool) -> None:
    """AccumulateGrad: first gradient is stored (a private copy), later ones are added."""
    if t._grad is None:
        stolen = None if create_graph else _steal(grad, t)
        t._grad = stolen if stolen is not None else _fresh(grad)
        if create_graph and (grad._grad_fn is not None or grad._requires_grad):
            record(CopyBackwards, t._grad, (None, grad))  # torch copies into a new buffer with copy_
    elif create_graph or _grad_state.enabled:
        t._grad = t._grad + grad
    else:
        old = t._grad
        if old._zerotensor:  # torch's ``variable_grad += new_grad`` refuses
            from .._ops.inplace import ZEROTENSOR_IMMUTABLE

            raise RuntimeError(ZEROTENSOR_IMMUTABLE)
        _add_into(old._data, grad._data)  # in place, as torch: a held reference to .grad sees the update
        old._vc[0] += 1
    if t._post_hooks:
        for hook in tuple(t._post_hooks.values()):
            hook(t)


def _add_into(data: Any, other: Any) -> None:
    """``data += other`` without NumPy's floating-point warnings (inf - inf): torch warns about none."""
    token = quiet()
    try:
        data += other
    finally:
        loud(token)


# References to the incoming grad tensor that the engine itself holds when ``_steal`` looks:
# the node's input buffer, accumulate_grad's and _steal's arguments, getrefcount's argument.
_ENGINE_REFS = 4

# ids of the seeds of running backward passes that only the engine references (the implicit
# ones() of ``y.backward()``). torch takes any unreferenced view as ``.grad``, so a view of such a
# seed keeps the seed's version counter; the seed itself, which torch's caller still holds, is copied.
_SEEDS: set = set()


def _base_refs(base: Any) -> int:
    """References a view's unshared base may have: grad._base, ``base``, the argument, and the
    engine's list of seeds for a private seed."""
    return 4 if id(base) in _SEEDS else 3


def _steal(grad: Any, variable: Any) -> Any:
    """torch's AccumulateGrad takes an unshared gradient instead of copying it (when it is not
    referenced elsewhere and has the variable's layout). Here "unshared" is checked on the
    tensor and on the NumPy buffer (and the base tensor a view formula left behind), so no
    live object can see the memory that becomes ``.grad``; anything else is copied."""
    data = grad._data
    if data.strides != variable._data.strides or not data.flags.writeable:
        return None
    if _refs(grad) > _ENGINE_REFS or _refs(data) > 3:  # grad._data, ``data``, the argument
        return None
    if type(data) is not _NDARRAY:  # a torch-backend buffer answers for its own storage
        unshared = getattr(data, "unshared", None)
        base = grad._base
        if unshared is None or (base is not None and _refs(base) > _base_refs(base)):
            return None
        return _adopt(data, grad) if unshared(None if base is None else base._data) else None
    owner = data.base
    if owner is not None:
        if type(owner) is not _NDARRAY or owner.base is not None:
            return None
        expected = 3  # data.base, ``owner``, the argument
        base = grad._base
        if base is not None:
            if base._data is not owner or _refs(base) > _base_refs(base):
                return None
            expected += 1  # base._data
        if _refs(owner) > expected:
            return None
    return _adopt(data, grad)


def _adopt(data: Any, grad: Any) -> Any:
    t = _tensor_make()(data, grad._dtype)
    t._vc = grad._vc  # new_grad.detach() shares the version counter
    if grad._zerotensor:  # and stays a ZeroTensor
        t._zerotensor = True
    return t


def _fresh(grad: Any) -> Any:
    """torch's clone_obey_contract: new_empty_strided(...).copy_(grad), so the copy is at version 1."""
    t = _tensor_make()(grad._data.copy(), grad._dtype)
    t._vc[0] = 1
    return t


def _discover(roots: list) -> tuple[dict, list]:
    """Dependency counts of every node reachable from ``roots``, and a post-order of them."""
    deps: dict = {}
    order: list = []
    seen = set()
    stack = [(n, False) for n, _ in roots]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        stack.append((node, True))
        for nxt in node._next[::2]:
            if nxt is not None:
                deps[nxt] = deps.get(nxt, 0) + 1
                if nxt not in seen:
                    stack.append((nxt, False))
    return deps, order


def _dependencies(roots: list) -> dict:
    """``_discover`` without the post-order (only ``_plan`` needs it): one dict, one stack."""
    deps = {node: 0 for node, _ in roots}
    stack = list(deps)
    pop, push = stack.pop, stack.append
    while stack:
        for nxt in pop()._next[::2]:
            if nxt is not None:
                if nxt in deps:
                    deps[nxt] += 1
                else:
                    deps[nxt] = 1
                    push(nxt)
    return deps


_ACC_PRIORITY = -(1 << 62)  # AccumulateGrad runs as soon as it is ready


def _priority(node: Node) -> tuple:
    # ties (AccumulateGrad nodes) pop in the order they became ready, as in torch's ready queue;
    # id(node) made that order depend on memory addresses
    return (_ACC_PRIORITY if type(node) is AccumulateGrad else -node._seq, _ready_order(), node)


_ready_order = itertools.count().__next__


_CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the parameter and its "
    "gradient which can cause a memory leak. We recommend using autograd.grad when creating the graph to "
    "avoid this. If you have to use this function, make sure to reset the .grad fields of your parameters "
    "to None after use to break the cycle and avoid the leak. (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/autograd/engine.cpp:1307.)")


def _plan(order: list, targets: list, accumulate: bool) -> tuple[set, dict]:
    """torch's exec_info: which nodes execute, and where target gradients are captured.

    A node executes when one of its next nodes executes or is a target; with
    ``accumulate`` (backward(inputs=...)) the targets themselves execute too. With
    ``grad()`` the targets are only captured (unless they lead to another target).
    """
    target_nodes = {n for n, _ in targets}
    execute = set(target_nodes) if accumulate else set()
    for node in order:  # post-order: children are decided before parents
        if node not in execute and any(n is not None and (n in execute or n in target_nodes)
                                       for n in node._next[::2]):
            execute.add(node)
    captures: dict = {}
    if not accumulate:
        for i, (n, nr) in enumerate(targets):
            captures.setdefault(n, []).append((nr, i))
    return execute, captures


def run_backward(roots: list, grads: list, keep_graph: bool, create_graph: bool,
                 targets: list | None = None, accumulate: bool = True) -> list:
    """Run the graph from ``roots`` (edges) seeded with ``grads``; returns captured target grads.

    Without ``targets`` every reachable node runs and leaves accumulate ``.grad``. With
    ``targets`` only what leads to them runs: ``accumulate`` runs the targets too (their
    AccumulateGrad / retain_grad store ``.grad``), otherwise their gradients are captured.
    """
    if create_graph and accumulate:
        warn_once(_CREATE_GRAPH_WARNING, stacklevel=4)
    execute = reached = None
    captures: dict = {}
    captured: list = []
    if targets is not None:
        deps, order = _discover(roots)
        execute, captures = _plan(order, targets, accumulate)
        reached = execute | captures.keys()
        captured = [None] * len(targets)
    else:
        deps = _dependencies(roots)
    private = {id(s) for s in grads if _refs(s) == 3}  # ``grads``, ``s``, the argument: backward()'s own ones()
    buffers: dict = {}
    ready: list = []
    for (node, nr), g in zip(roots, grads):
        if reached is not None and node not in reached:
            continue
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node.n_outputs
            if not deps.get(node):
                heapq.heappush(ready, _priority(node))
        buf[nr] = g if buf[nr] is None else buf[nr] + g
    g = buf = None  # ``grads`` alone keeps the seeds, as torch's Python tuple does
    if private:
        _SEEDS.update(private)
    prev_mode = _grad_state.enabled
    _grad_state.enabled = create_graph
    try:
        _loop(ready, buffers, deps, execute, captures, captured, reached, keep_graph, create_graph)
    finally:
        _grad_state.enabled = prev_mode
        if private:
            _SEEDS.difference_update(private)
    return captured


def _loop(ready: list, buffers: dict, deps: dict, execute: set | None, captures: dict, captured: list,
          reached: set | None, keep_graph: bool, create_graph: bool) -> None:
    """Run ready nodes in priority order and route each one's gradients to the nodes it feeds.

    ``single`` holds the next node when it is the only ready one (a chain, the common case):
    it would be the heap's minimum anyway, so the heap is skipped.
    """
    heappop = heapq.heappop
    single = None
    while True:
        if single is not None:
            node, single = single, None
        elif ready:
            node = heappop(ready)[2]
        else:
            return
        buf = buffers.pop(node)
        if execute is not None and node not in execute:  # capture only: its tensor hooks still run
            _run_tensor_hooks(node, buf)
            for nr, i in captures[node]:
                captured[i] = buf[nr]
            continue
        if captures and node in captures:  # torch captures before the tensor hooks of a node that executes
            for nr, i in captures[node]:
                captured[i] = buf[nr]
        if type(node) is AccumulateGrad:
            _run_tensor_hooks(node, buf)
            if node._hooked:
                buf = _run_pre_hooks(node, buf)
            out = g = None  # drop the previous node's references: _steal counts them
            if buf[0] is not None:
                accumulate_grad(node.variable, buf[0], create_graph)
            continue
        if node._hooked:  # any tensor hook, retain_grad or pre hook was ever registered on it
            if node._tensor_hooks or node._retain:
                _run_tensor_hooks(node, buf)
            buf = _run_pre_hooks(node, buf)
        if node.n_outputs > 1 and not getattr(node, "_fills_own_grads", False):  # custom Functions decide
            like = next((g for g in buf if g is not None), None)  # outputs of one op share a device
            buf = [g if g is not None else zeros_for(meta, like) for g, meta in zip(buf, node._meta)]
        nexts = node._next
        if reached is not None and len(nexts) > 2 and not all(n is None or n in reached for n in nexts[::2]):
            out = node.apply_needed(buf, tuple([n is not None and n in reached for n in nexts[::2]]))
        else:  # without targets every edge is used
            out = node.apply(buf)
        if not keep_graph and node._saved is not None:
            node.release()
        if node._hooked and node._hooks:  # torch validates (reduces, casts) the outputs before the post hooks see them
            out = tuple([g if nxt is None or g is None else _validate(node, i, g, nxt._meta[nr])
                         for i, (nxt, nr, g) in enumerate(zip(nexts[::2], nexts[1::2], out))])
            for hook in tuple(node._hooks.values()):
                new = hook(out, tuple(buf))
                if new is not None:
                    out = tuple(new)
        n_next = len(nexts)
        if reached is None and (n_next == 2 or (n_next == 4 and nexts[2] is None)):
            # one live edge (a unary op, tensor-op-scalar: a chain's nodes), without the loop
            nxt = nexts[0]
            nr = nexts[1]
            if nxt is None:
                continue
            g = out[0]
            if g is not None:
                shape, dtype = nxt._meta[nr]
                if g._dtype is not dtype or g._data.shape != shape:
                    g = _validate(node, 0, g, (shape, dtype))
                if nxt.n_outputs == 1 and nxt not in buffers:
                    buffers[nxt] = [g]
                else:
                    _store(buffers, nxt, nr, g, out, 0)
            left = deps[nxt] - 1
            deps[nxt] = left
            if left == 0:
                if single is None and not ready and g is not None:
                    single = nxt
                else:
                    single = _make_ready(nxt, single, ready, deps, buffers)
            continue
        i = -1
        for nxt, nr, g in zip(nexts[::2], nexts[1::2], out):
            i += 1
            if nxt is None:
                continue
            if g is not None and (reached is None or nxt in reached):
                shape, dtype = nxt._meta[nr]
                if g._dtype is not dtype or g._data.shape != shape:
                    g = _validate(node, i, g, (shape, dtype))
                _store(buffers, nxt, nr, g, out, i)
            left = deps[nxt] - 1
            deps[nxt] = left
            if left == 0:
                single = _make_ready(nxt, single, ready, deps, buffers)


def _store(buffers: dict, nxt: Node, nr: int, g: Any, out: tuple, i: int) -> None:
    """Put gradient ``g`` (output ``i`` of the running node) into input slot ``nr`` of ``nxt``."""
    nbuf = buffers.get(nxt)
    if nbuf is None:
        nbuf = buffers[nxt] = [None] * nxt.n_outputs
        nbuf[nr] = g
    elif nbuf[nr] is None:
        nbuf[nr] = g
    else:
        _accumulate(nbuf, nr, g, out, i)


def _make_ready(nxt: Node, single: Node | None, ready: list, deps: dict, buffers: dict) -> Node | None:
    """``nxt`` got its last gradient: it becomes the loop's ``single`` when nothing else is ready,
    else it goes on the heap (with the old ``single``); a node that got no gradient at all releases
    its dependants instead. Returns the new ``single``."""
    if nxt in buffers and single is None and not ready:
        return nxt
    if single is not None:
        heapq.heappush(ready, _priority(single))
    if nxt in buffers:
        heapq.heappush(ready, _priority(nxt))
    else:
        _skip_chain(nxt, deps, buffers, ready)
    return None


def _run_pre_hooks(node: Node, buf: list) -> list:
    """Node pre hooks (register_prehook) see the output gradients and may replace them."""
    if node._pre_hooks:
        for hook in tuple(node._pre_hooks.values()):
            new = hook(tuple(buf))
            if new is not None:
                buf = list(new)
    return buf


def _accumulate(buf: list, nr: int, g: Any, out: tuple, i: int) -> None:
    """A second gradient for one input slot: torch's InputBuffer::accumulate adds it in place
    (bumping the version) when grad mode is off and nothing else holds the buffered gradient or
    its memory (not a view, dense, writeable), and out of place otherwise. torch moves each output
    of a node into its buffer, so ``out[:i]`` (this node's outputs already routed) holds nothing."""
    old = buf[nr]
    if not _grad_state.enabled and old._base is None and not old._zerotensor:
        held = 3  # ``buf``, ``old``, getrefcount's argument
        for k in range(i):
            if out[k] is old:
                held += 1
        data = old._data
        if _refs(old) == held and _refs(data) == 3:  # old._data, ``data``, the argument
            if type(data) is _NDARRAY:
                sole = data.base is None and data.flags.writeable
            else:  # a torch-backend buffer answers for its own storage
                sole = getattr(data, "accumulable", None) is not None and data.accumulable()
            if sole:
                _add_into(data, g._data)
                old._vc[0] += 1
                return
    buf[nr] = old + g


def _skip_chain(node: Node, deps: dict, buffers: dict, ready: list) -> None:
    """A node that got no gradient at all: release its dependants' counts without running it."""
    stack = [node]
    while stack:
        n = stack.pop()
        for nxt in n._next[::2]:
            if nxt is None:
                continue
            deps[nxt] -= 1
            if deps[nxt] == 0:
                if nxt in buffers:
                    heapq.heappush(ready, _priority(nxt))
                else:
                    stack.append(nxt)


def zeros_for(meta: tuple, like: Any) -> Any:
    """Zeros for an output that got no gradient, on the device of ``like`` (a gradient of a
    sibling output: one op's outputs share a device), or the default one when none came."""
    from .._backend import default
    from .._tensor import Tensor

    shape, dtype = meta
    xp = default if like is None else like._backend
    return Tensor._make(xp.full(shape, 0, dtype=dtype.np), dtype)
