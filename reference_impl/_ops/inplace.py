"""In-place ops as torch does them: compute out of place, then write into ``self``.

Writing bumps the shared version counter and rebases ``self`` onto the new node. Where
the node saved ``self`` as an input, it gets a snapshot of the old value instead (torch
clones ``original_self`` in that case), and a saved output becomes ``self``'s new version.
"""

from __future__ import annotations

from typing import Any

from .. import _dtype as D
from .._backend import of as backend_of
from .._tensor import Tensor
from ..autograd import graph as _graph
from ..autograd.grad_mode import state as _grad_state
from ..autograd.graph import Node, _SavedInput, _SavedOutput, edge, move_retain, node_class

ZEROTENSOR_IMMUTABLE = ("ZeroTensors are immutable. Please use the materialized zero tensor obtained using .clone() "
                        "if you want a mutable tensor.")


def check_inplace(self: Tensor, *others: Any) -> None:
    """torch's check_inplace: refuse writes autograd could not record (``others``: the op's other inputs).

    The view checks run only when the write will be recorded (grad mode, something requires
    grad); ``commit`` repeats them for ops that pass no ``others`` and turn out to record.
    """
    if self._zerotensor:
        raise RuntimeError(ZEROTENSOR_IMMUTABLE)
    if _grad_state.enabled and (self._requires_grad or self._grad_fn is not None
                                or any(type(o) is Tensor and o.requires_grad for o in others)):
        if self._base is not None:
            check_view_write(self)
        if self._grad_fn is None and self._requires_grad:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")


def bump_refused(self: Tensor) -> bool:
    """An inference tensor has no version counter (unless a detach outside inference mode gave
    it one), so outside inference mode torch's VariableVersion::bump refuses a write to it."""
    return self._inference and not _grad_state.inference and "_counted" not in self.__dict__


def unrecorded(fn: Any, self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """``fn(self, ...)`` without recording, for an in-place op whose bump will refuse: torch saves
    a clone of ``self`` (not the inference tensor) for backward, so only the bump's error shows."""
    prev = _grad_state.enabled
    _grad_state.enabled = False
    try:
        return fn(self, *args, **kwargs)
    finally:
        _grad_state.enabled = prev


def check_inference_write(self: Tensor, viewed: bool = False) -> None:
    """torch's VariableVersion::bump, run after the kernel wrote: it refuses for an inference
    tensor without a counter outside inference mode (``bump_refused``), and the write stays done.
    ``viewed``: the write went through a view made outside inference mode, which has no counter."""
    if bump_refused(self) or (viewed and self._inference and not _grad_state.inference):
        raise RuntimeError("Inplace update to inference tensor outside InferenceMode is not allowed.You can "
                           "make a clone to get a normal tensor before doing inplace update.See "
                           "https://github.com/pytorch/rfcs/pull/17 for more details.")


def check_view_write(view: Tensor) -> None:
    """torch's handle_view_on_rebase plus its view-of-a-leaf check, for a recorded write to ``view``."""
    meta = view.__dict__.get("_view_meta")  # set by shape.make_view / shape._views
    if meta is not None:
        raise RuntimeError(_view_meta_message(view, meta))
    if (view._requires_grad or view._grad_fn is not None) and view._base._grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place "
                           "operation.")


def _view_meta_message(view: Tensor, meta: str) -> str:
    fn = view._grad_fn
    name = type(fn).__name__.replace("Backward", "") if fn is not None else ""
    name = name[:-1] if name.endswith("0") else name  # SplitBackward0 -> Split, SqueezeBackward1 -> Squeeze1
    head = f"Output {view._out_nr} of {name} is a view" if fn is not None else "A view"
    if meta == "multi":  # without a node: the views of an input that needed no grad
        head = (f"{head} and is being modified inplace." if fn is not None else
                f"{head} was created in no_grad mode and is being modified inplace with grad mode enabled.")
        return (f"{head} This view is the output of a function that returns multiple views. Such functions do "
                "not allow the output views to be modified inplace. You should replace the inplace operation "
                "by an out-of-place one.")
    head = f"{head} of a view which was created in" if fn is not None else f"{head} was created in"
    if meta == "inference":
        return (f"{head} inference mode and is being modified inplace in normal mode. Given that this use "
                "case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both "
                "the view and the inplace either both inside the inference_mode block (if you don't want the "
                "inplace to be tracked) or both outside (if you want the inplace to be tracked).")
    return (f"{head} no_grad mode and is being modified inplace with grad mode enabled. Given that this use "
            "case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the "
            "view and the inplace either both inside the no_grad block (if you don't want the inplace to be "
            "tracked) or both outside (if you want the inplace to be tracked).")


def check_cast(result: D.dtype, self: Tensor) -> None:
    if result is not self._dtype and not D.can_cast(result, self._dtype):
        raise RuntimeError(f"result type {result._short} can't be cast to the desired output type "
                           f"{self._dtype._short}")


def commit(self: Tensor, result: Tensor) -> Tensor:
    """Write ``result`` (an out-of-place result computed from ``self``) into ``self``."""
    check_cast(result._dtype, self)
    if result._data.shape != self._data.shape:
        raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
                           f"{list(result._data.shape)}")
    node = result._grad_fn
    old, old_nr = self._grad_fn, self._out_nr  # current: computing ``result`` refreshed a stale view
    if node is not None and self._base is not None and not (self._requires_grad or self._grad_fn is not None):
        check_view_write(self)  # recorded only because another input requires grad
    if node is not None and node._saved:
        node._saved = tuple(_snapshot(s, self) for s in node._saved)
    xp = backend_of(self._data)
    if not self._data.flags.writeable:
        raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to "
                           "a single memory location. Please clone() the tensor before performing the "
                           "operation.")
    with xp.errstate(all="ignore"):
        xp.copyto(self._data, result._data, casting="unsafe")
    if self._inference:
        check_inference_write(self)
    self._vc[0] += 1
    if node is not None:
        self._grad_fn, self._out_nr = node, 0
        if node._saved:
            for s in node._saved:
                if type(s) is _SavedOutput:
                    s.data, s.vc, s.version, s.base = self._data, self._vc, self._vc[0], self._base
        if self._base is not None:
            _rebase_view(self, node)
            self._attr_v = self._vc[0]
        if self._retains_grad:
            move_retain(self, old, old_nr)
    return self


class CopySlices(Node):
    """torch's CopySlices: the base's history after an in-place op ``fn`` wrote through a view.

    Backward: ``fn`` differentiates the view's region of the base's gradient; the rest of
    the base's gradient flows to the base's previous history unchanged.
    """

    __slots__ = ("fn", "key", "mask")

    def name(self) -> str:
        return "torch::autograd::CopySlices"

    def apply(self, grads: list) -> tuple:
        from .indexing import _index, index_put_acc

        g = grads[0]
        res = self.fn.apply([_index(g, self.key)])
        base_grad = g * self.mask
        if res[0] is not None:
            base_grad = base_grad + index_put_acc(res[0], g._data.shape, self.key)
        return (base_grad, *res[1:])

    def release(self) -> None:
        self.fn.release()


def _as_strided_backward(g: Tensor, shape: tuple, key: tuple) -> Tensor:
    from .indexing import index_put_acc

    if not shape:  # every element of a view of a 0-dim base is that one element
        return g.sum()
    return index_put_acc(g, shape, key)


AsStridedBackward0 = node_class("AsStridedBackward0", _as_strided_backward)


def _rebase_view(view: Tensor, fn: Node) -> None:
    """In-place through a view: the base gets CopySlices(fn), the view AsStridedBackward0 of it."""
    base = view._base
    key = _positions(view)
    if key is None:  # unmappable layout: keep fn on the view only (base history not rebased)
        return
    shape = base._data.shape
    mask = backend_of(base._data).ones(shape, D.bool_.np)
    mask[key] = False
    # saved=(): not None, so that the engine calls release() after it ran, which frees fn's saved values
    cs = CopySlices(edge(base) + fn._next[2:], (), (), ((shape, base._dtype),))
    cs.fn, cs.key, cs.mask = fn, key, Tensor._make(mask, D.bool_)
    old, old_nr = base._grad_fn, base._out_nr
    base._grad_fn, base._out_nr = cs, 0
    if base._retains_grad:
        move_retain(base, old, old_nr)
    restride(view, key)


def restride(view: Tensor, key: tuple | None = None) -> None:
    """``view``'s history after a write through it or a sibling: AsStridedBackward0 of its base's node."""
    base = view._base
    key = _positions(view) if key is None else key
    if key is None or type(base._grad_fn) is not CopySlices:
        return
    view._grad_fn = AsStridedBackward0((base._grad_fn, 0), None, (base._data.shape, key),
                                       ((view._data.shape, view._dtype),))
    view._out_nr = 0
    view._attr_v = view._vc[0]


def refresh_view(view: Tensor) -> None:
    """torch's VariableHooks::grad_fn: the base or another view of it was written in place
    since ``view``'s history was set, so the view now differentiates as
    AsStridedBackward0 of its base's current history (views made in no_grad / inference
    mode or by multi-output ops refuse, as torch's handle_view_on_rebase)."""
    base = view._base
    old = view._grad_fn
    if old is None and not (base._requires_grad or base._grad_fn is not None):
        return
    meta = view.__dict__.get("_view_meta")
    if meta is not None:  # raised on every use, as torch
        raise RuntimeError(_view_meta_message(view, meta).replace(
            "and is being modified inplace", "and its base or another view of its base has been modified inplace"))
    view._attr_v = view._vc[0]
    key = _positions(view)
    if key is None:  # unmappable layout (a dtype view): keep the old history
        return
    old_nr = view._out_nr
    view._grad_fn = AsStridedBackward0(edge(base), None, (base._data.shape, key),
                                       ((view._data.shape, view._dtype),))
    view._out_nr = 0
    if view._retains_grad:
        move_retain(view, old, old_nr)


def _positions(view: Tensor) -> tuple | None:
    """The index arrays of ``view``'s elements in its base, or None where they cannot be mapped."""
    base = view._base
    if base._dtype is not view._dtype:
        return None
    if not base._data.ndim:
        return ()
    xp = backend_of(base._data)
    pos = xp.view_positions(base._data, view._data)
    return None if pos is None else xp.unravel_index(pos, base._data.shape)


def _snapshot(saved: Any, self: Tensor) -> Any:
    if type(saved) is _SavedInput and saved.tensor is self:
        old = Tensor._make(backend_of(self._data).copy(self._data), self._dtype)
        old._grad_fn, old._out_nr, old._requires_grad = self._grad_fn, self._out_nr, self._requires_grad
        return _SavedInput(old)
    return saved


_graph.refresh_view = refresh_view
