"""The backward graph: nodes, their edges, saved tensors, and how ops record themselves.

A node's backward is data: ``formulas[i](grad, *saved, *args)`` is the gradient for its
i-th input (see ``_ops/formulas``). Nodes never hold their own outputs strongly
(saved outputs keep only the buffer), so graphs are free of reference cycles and are
freed by reference counting alone.
"""

from __future__ import annotations

import itertools
import re
import weakref
from collections.abc import Callable
from typing import Any

from .grad_mode import state as _grad_state

_seq = itertools.count()
_next_seq = _seq.__next__
_RELEASED = ("released",)
_NO_EDGE = (None, 0)


class RemovableHandle:
    """Returned by every register_*hook; ``remove()`` unregisters."""

    _ids = itertools.count()

    def __init__(self, hooks: dict) -> None:
        self.id = next(RemovableHandle._ids)
        self._hooks = weakref.ref(hooks) if hasattr(hooks, "__weakref__") else (lambda: hooks)

    def remove(self) -> None:
        hooks = self._hooks()
        if hooks is not None:
            hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class _HookDict(dict):
    """A dict that a handle can reference weakly."""


class Node:
    """Base of all backward nodes; subclasses are named after torch's (``MulBackward0``)."""

    # Hooks, retain_grad and metadata are rare: they default to the class-level None and live
    # in the instance ``__dict__`` only once set, so a plain node stores five slots.
    __slots__ = ("_next", "_saved", "_args", "_meta", "_seq", "__dict__", "__weakref__")
    formulas: tuple[Callable, ...] = ()
    n_outputs = 1
    _pre_hooks = _hooks = _tensor_hooks = _retain = _metadata = None
    _hooked = False  # set once any hook or retain_grad is registered: the engine checks one flag

    def __init__(self, next_edges: tuple, saved: tuple | None, args: tuple, meta: tuple) -> None:
        self._next = next_edges  # flat: (node0, nr0, node1, nr1, ...), one GC-tracked tuple per node
        self._saved = saved
        self._args = args
        self._meta = meta  # (shape, dtype) of each forward output: validates incoming grads
        self._seq = _next_seq()

    # --- torch's public node API -------------------------------------------------
    def name(self) -> str:
        return type(self).__name__

    @property
    def next_functions(self) -> tuple:
        n = self._next
        return tuple(zip(n[::2], n[1::2]))

    @property
    def metadata(self) -> dict:
        if self._metadata is None:
            self._metadata = {}
        return self._metadata

    def register_hook(self, fn: Callable) -> RemovableHandle:
        """fn(grad_inputs, grad_outputs) runs after this node; may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = _HookDict()
            self._hooked = True
        h = RemovableHandle(self._hooks)
        self._hooks[h.id] = fn
        return h

    def register_prehook(self, fn: Callable) -> RemovableHandle:
        """fn(grad_outputs) runs before this node; may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = _HookDict()
            self._hooked = True
        h = RemovableHandle(self._pre_hooks)
        self._pre_hooks[h.id] = fn
        return h

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    # --- used by the engine -------------------------------------------------------
    def unpack_saved(self) -> tuple:
        saved = self._saved
        if not saved:  # None or ()
            return ()
        if saved is _RELEASED:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved tensors "
                "after they have already been freed). Saved intermediate values of the graph are freed "
                "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
                "backward through the graph a second time or if you need to access saved tensors after "
                "calling backward.")
        if len(saved) == 1:
            s = saved[0]
            return (s if type(s) in _NOT_TENSORS else s.unpack(self),)
        return tuple([s if type(s) in _NOT_TENSORS else s.unpack(self) for s in saved])

    def release(self) -> None:
        """Free the saved values: a later unpack raises. A node whose entries are all None saved
        nothing (torch populates no SavedVariable when no input that needs one requires grad, e.g.
        fmod's ``other`` without grad), and a second backward through it is allowed."""
        saved = self._saved
        if saved is None or saved is _RELEASED:
            return
        for s in saved:
            if s is not None:
                break
        else:
            if saved:  # (an empty tuple stands for values saved outside it, e.g. IndexBackward0's indices)
                return
        self._saved = _RELEASED

    def apply(self, grads: list) -> tuple:
        """Gradients for each next edge; ``grads`` holds one entry per forward output."""
        saved = self.unpack_saved() if self._saved else ()
        g = grads[0] if self.n_outputs == 1 else tuple(grads)
        args = self._args
        nexts = self._next
        formulas = self.formulas
        n = len(nexts)
        if n == 2 and formulas:  # unrolled for one and two inputs (comprehensions cost a frame)
            return (None if nexts[0] is None else formulas[0](g, *saved, *args),)
        if n == 4 and len(formulas) > 1:
            return (None if nexts[0] is None else formulas[0](g, *saved, *args),
                    None if nexts[2] is None else formulas[1](g, *saved, *args))
        return tuple([None if nxt is None else f(g, *saved, *args) for f, nxt in zip(formulas, nexts[::2])])

    def apply_needed(self, grads: list, needed: tuple) -> tuple:
        """``apply`` computing only the gradients ``needed`` says the pass uses (torch's
        task_should_compute_output under autograd.grad / backward(inputs=)), so the formula of an
        unused input cannot raise. Nodes with their own ``apply`` compute what it computes."""
        if type(self).apply is not _node_apply:
            return self.apply(grads)
        saved = self.unpack_saved() if self._saved else ()
        g = grads[0] if self.n_outputs == 1 else tuple(grads)
        args = self._args
        return tuple([f(g, *saved, *args) if need else None for f, need in zip(self.formulas, needed)])


_node_apply = Node.apply
_classes: dict[str, type] = {}


def node_class(name: str, *formulas: Callable, n_outputs: int = 1, base: type = Node) -> type:
    """The Node subclass torch calls ``name``; ``formulas[i]`` gives input i's gradient."""
    cls = type(name, (base,), {"__slots__": (), "formulas": formulas, "n_outputs": n_outputs})
    if cls.__init__ is not Node.__init__:  # record() builds its nodes without calling __init__
        raise TypeError(f"{name}: a recorded node class must keep Node.__init__")
    _classes.setdefault(name, cls)
    return cls


class AccumulateGrad(Node):
    """The sink for a leaf: adds incoming gradients into ``variable.grad``."""

    __slots__ = ("variable",)

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"  # hand-written C++ nodes carry their namespace

    def __init__(self, variable: Any) -> None:
        super().__init__((), None, (), ((variable._data.shape, variable._dtype),))
        self.variable = variable


class _CppNode(Node):
    """Base of torch's hand-written (non-generated) nodes, whose name() has a namespace."""

    __slots__ = ()

    def name(self) -> str:
        return f"torch::autograd::{type(self).__name__}"


# AccumulateGrad's first create_graph gradient is copy_()-ed into a new buffer: (None, 0), grad's edge.
CopyBackwards = node_class("CopyBackwards", lambda g: None, lambda g: g, base=_CppNode)


def grad_accumulator(t: Any) -> AccumulateGrad:
    """The one AccumulateGrad of leaf ``t`` (kept alive by the graphs that use it)."""
    ref = t._acc
    acc = ref() if ref is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._acc = weakref.ref(acc)
    return acc


_NOT_TENSORS = frozenset({type(None), int, float, bool, complex})


# ``_ops.inplace.refresh_view`` (set when that module loads): torch's lazy view-history update.
refresh_view: Callable | None = None


def edges_of(tensors: Any) -> tuple:
    """The flat ``_next`` of a node over ``tensors``: each one's edge, concatenated."""
    flat: list = []
    for t in tensors:
        flat.extend(edge(t))
    return tuple(flat)


def edge(t: Any) -> tuple:
    """The (node, output_nr) pair through which gradient reaches tensor ``t``."""
    if type(t) in _NOT_TENSORS:
        return _NO_EDGE
    if t._base is not None and t._vc[0] != t._attr_v:
        refresh_view(t)
    fn = t._grad_fn
    if fn is not None:
        return (fn, t._out_nr)
    if t._requires_grad:
        return (grad_accumulator(t), 0)
    return _NO_EDGE


def move_retain(t: Any, old: Node | None, old_nr: int) -> None:
    """torch's update_tensor_hooks_on_new_gradfn: once an in-place op gave ``t`` a new grad_fn, its
    retain_grad hook moves there (hooks from register_hook stay with the old node and its graph)."""
    new = t._grad_fn
    if old is None or new is old or not old._retain:
        return
    ref = old._retain.get(old_nr)
    if ref is None or ref() is not t:
        return
    del old._retain[old_nr]
    if new is not None:
        if new._retain is None:
            new._retain = {}
            new._hooked = True
        new._retain[t._out_nr] = ref


def needs_grad(*inputs: Any) -> bool:
    """Whether an op on ``inputs`` records a node: grad mode on and some input requires grad."""
    if not _grad_state.enabled:
        return False
    for t in inputs:
        if type(t) in _NOT_TENSORS:
            continue
        if getattr(t, "_grad_fn", None) is not None or getattr(t, "_requires_grad", False):
            return True
        if _stale_view(t):
            return True
    return False


def wants_grad(t: Any) -> bool:
    """Whether input ``t`` of a recording op needs a gradient (decides what gets saved)."""
    if type(t) in _NOT_TENSORS:
        return False
    return getattr(t, "_grad_fn", None) is not None or getattr(t, "_requires_grad", False) or _stale_view(t)


def _stale_view(t: Any) -> bool:
    """A view whose base was written in place since its history was set, and that now
    requires grad through it (torch: a view requires grad when its base does)."""
    base = getattr(t, "_base", None)
    return (base is not None and t._vc[0] != t._attr_v
            and (base._requires_grad or base._grad_fn is not None))


def record(cls: type, out: Any, inputs: tuple, saved: tuple | None = None, args: tuple = ()) -> Any:
    """Attach a new ``cls`` node as ``out``'s grad_fn (``out`` may be a tuple of outputs).

    ``saved`` entries are tensors (inputs, or ``out`` itself) or None; they are checked
    against in-place modification when the node runs.
    """
    if type(out) is not tuple:  # the common single-output case, without the loops
        if saved is not None:
            n = len(saved)
            if n == 1:
                saved = (_save1(saved[0], out),)
            elif n == 2:  # scalars and None (a side that needs no grad) are stored as they are
                s0, s1 = saved
                saved = (s0 if type(s0) in _NOT_TENSORS else _save1(s0, out),
                         s1 if type(s1) in _NOT_TENSORS else _save1(s1, out))
            else:
                saved = tuple([_save1(s, out) for s in saved])
        n = len(inputs)
        if n == 1:
            edges = edge(inputs[0])
        elif n == 2:  # tensor op scalar: the scalar has no edge
            a, b = inputs
            edges = edge(a) + (_NO_EDGE if type(b) in _NOT_TENSORS else edge(b))
        else:
            edges = edges_of(inputs)
        return _attach(cls, out, edges, saved, args)
    outs = out
    if saved is not None:
        saved = tuple([_save(s, outs) for s in saved])
    node = cls(edges_of(inputs), saved, args,
               tuple([(o._data.shape, o._dtype) if o is not None else None for o in outs]))
    for i, o in enumerate(outs):
        if o is not None and (o._dtype.is_floating_point or o._dtype.is_complex):
            o._grad_fn = node
            o._out_nr = i
    return out


def _attach(cls: type, out: Any, edges: tuple, saved: tuple | None, args: tuple) -> Any:
    """Make the ``cls`` node and set it as the single output ``out``'s grad_fn."""
    dt = out._dtype
    shape = out._data.shape
    meta = None
    fn = edges[0] if edges else None
    if fn is not None:  # an output like the first input's producer's shares its (immutable) record:
        m = fn._meta  # two GC-tracked tuples less per node, which long graphs pay for at every collection
        if len(m) == 1:
            m0 = m[0]
            if m0 is not None and m0[1] is dt and m0[0] == shape:
                meta = m
    if meta is None:
        meta = ((shape, dt),)
    node = _new(cls)  # Node.__init__ inlined (node_class makes sure that it is cls's)
    node._next = edges
    node._saved = saved
    node._args = args
    node._meta = meta
    node._seq = _next_seq()
    if dt._differentiable:
        out._grad_fn = node
        if out._out_nr:  # (an in-place op on a multi-output op's result; 0 is the class default)
            out._out_nr = 0
    return out


def record_from(cls: type, out: Any, input: Any, saved: tuple | None = None, args: tuple = (),
                scalar: bool = False) -> Any:
    """``record`` for the hottest case, without its loops over inputs: ``input`` is the op's only
    tensor operand (a unary op, or tensor-op-scalar with ``scalar``: the scalar's edge is empty)
    and ``saved`` holds at most one tensor. The same node as ``record(cls, out, (input[, scalar]),
    saved, args)``."""
    fn = input._grad_fn
    if fn is None or input._base is not None:  # a leaf or a view: edge() decides
        e = edge(input)
        if scalar:
            e += _NO_EDGE
    else:
        e = (fn, input._out_nr, None, 0) if scalar else (fn, input._out_nr)
    if saved is not None:
        if len(saved) == 1:
            s = saved[0]
            saved = (_SavedOutput(out, 0) if s is out else _save1(s, out),)
        else:  # (None, scalar) of tensor * scalar
            s0, s1 = saved
            saved = (_save1(s0, out), _save1(s1, out))
    return _attach(cls, out, e, saved, args)


def _save1(t: Any, out: Any) -> Any:
    """``_save`` for a single-output node."""
    if type(t) in _NOT_TENSORS:  # None and Python scalars are stored as they are
        return t
    if t is out:
        return _SavedOutput(t, 0)
    return _SavedInput(t)


def _save(t: Any, outs: tuple) -> Any:
    if type(t) in _NOT_TENSORS:
        return t
    for i, o in enumerate(outs):
        if t is o:
            return _SavedOutput(t, i)
    return _SavedInput(t)


_new = object.__new__


class _SavedInput:
    """A saved input: the tensor itself plus the version it had when saved."""

    __slots__ = ("tensor", "version", "producer")

    def __init__(self, t: Any) -> None:
        if t._inference and not _grad_state.inference:
            raise RuntimeError(
                "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
                "inference mode in computation tracked by autograd. To work around this, you can make a "
                "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead of "
                "`torch.inference_mode()`.")
        self.tensor = t
        self.version = t._vc[0]
        self.producer = t._grad_fn

    def unpack(self, node: Node) -> Any:
        t = self.tensor
        if t._vc[0] != self.version:
            # torch names the current producer, via grad_fn(): a stale view's is rebuilt (AsStrided) first
            raise _modified_error(t, self.version, t.grad_fn, t._out_nr)
        return t


class _SavedOutput:
    """A saved output: only its buffer, so that node and output form no cycle."""

    __slots__ = ("data", "dtype", "vc", "version", "out_nr", "base")

    def __init__(self, t: Any, out_nr: int) -> None:
        self.data, self.dtype, self.vc, self.version, self.out_nr = t._data, t._dtype, t._vc, t._vc[0], out_nr
        self.base = t._base

    def unpack(self, node: Node) -> Any:
        make = _make_tensor or _tensor_make()
        if self.vc[0] != self.version:
            shape_owner = make(self.data, self.dtype)
            raise _modified_error(shape_owner, self.version, node, self.out_nr, self.vc[0])
        t = make(self.data, self.dtype)
        t._vc, t._base, t._attr_v = self.vc, self.base, self.vc[0]
        if _grad_state.enabled:  # double backward differentiates through the saved output
            t._grad_fn, t._out_nr = node, self.out_nr
        return t


def tensor_class() -> type:
    """``Tensor``, imported on first use (_tensor imports the autograd package); a function-level
    import costs about 1 us per call, this a global lookup."""
    global _tensor_cls
    if _tensor_cls is None:
        from .._tensor import Tensor

        _tensor_cls = Tensor
    return _tensor_cls


def _tensor_make() -> Callable:
    """``Tensor._make`` (see ``tensor_class``)."""
    global _make_tensor
    if _make_tensor is None:
        _make_tensor = tensor_class()._make
    return _make_tensor


_make_tensor: Callable | None = None
_tensor_cls: type | None = None

_SUFFIX = re.compile(r"Backward0?$|Backward(?=\d+$)")  # PowBackward0 -> Pow, PowBackward1 -> Pow1 (torch)


def _modified_error(t: Any, expected: int, producer: Node | None, out_nr: int, now: int | None = None):
    now = t._vc[0] if now is None else now
    shape = ", ".join(str(s) for s in t._data.shape)
    where = ""
    if producer is not None:
        where = f", which is output {out_nr} of {_SUFFIX.sub('', producer.name())},"
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"[torch.{t._dtype._legacy} [{shape}]]{where} is at version {now}; expected version {expected} "
        "instead. Hint: enable anomaly detection to find the operation that failed to compute its "
        "gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).")
