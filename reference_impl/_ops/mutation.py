"""Writes into existing tensors: ``x[idx] = v``, zero_, fill_, copy_ and in-place index ops.

Each write bumps the shared version counter and rebases the written tensor onto a new
node whose first edge is the tensor's previous history (as torch's CopySlices,
IndexPutBackward0, CopyBackwards, FillBackward2/3, ZeroBackward0). A write into a view
rebases the view's base onto CopySlices and the view onto AsStridedBackward0, as
``inplace.commit`` does (torch's rebase_history).
"""

from __future__ import annotations

from typing import Any

from .. import _dtype as D
from .._backend import of as backend_of
from .._tensor import Tensor
from ..autograd.grad_mode import state as _grad_state
from ..autograd.graph import needs_grad, node_class, record
from . import indexing as ix
from . import inplace
from .creation import zeros_like
from .elementwise import _inplace
from .reductions import sum_to

_VIEW_OF_LEAF = "a view of a leaf Variable that requires grad is being used in an in-place operation."
_OVERLAP = ("unsupported operation: more than one element of the written-to tensor refers to a single memory "
            "location. Please clone() the tensor before performing the operation.")


# ---------------------------------------------------------------------------------------
# __setitem__
# ---------------------------------------------------------------------------------------
def _zero_region(g: Tensor, bkey: tuple, akey: tuple | None) -> Tensor:
    """``g`` with the written region set to zero (the old values there no longer matter)."""
    xp = backend_of(g._data)
    mask = xp.zeros(g._data.shape, D.bool_.np)
    region = mask[bkey + (Ellipsis,)]
    if akey is None:
        region[...] = True
    else:
        region[akey] = True
    return g.masked_fill(Tensor._make(mask, D.bool_), 0)


def _value_grad(g: Tensor, bkey: tuple, akey: tuple | None, vshape: tuple) -> Tensor:
    """The written region of ``g``, summed back to the value's shape (index_put broadcasts)."""
    r = ix.getitem(g, bkey)
    return sum_to(r if akey is None else ix._index(r, akey), vshape)


CopySlices = node_class("CopySlices", lambda g, b, a, v: _zero_region(g, b, a),
                        lambda g, b, a, v: _value_grad(g, b, a, v))
IndexPutBackward0 = node_class("IndexPutBackward0", lambda g, b, a, v: _zero_region(g, b, a),
                               lambda g, b, a, v: _value_grad(g, b, a, v))
CopyBackwards = node_class("CopyBackwards", lambda g: zeros_like(g), lambda g: g)


def _strip_ones(shape: tuple) -> tuple:
    i = 0
    while i < len(shape) and shape[i] == 1:
        i += 1
    return shape[i:]


def _check_writable(self: Tensor, steps: list, value: Tensor | None = None, fill: bool = False) -> None:
    """torch's check_inplace on ``self`` (or on its view ``self[steps]``, whose base ``self`` is a root).

    Writes that read their source refuse overlapping memory (fills don't).
    """
    if steps and _grad_state.enabled and self._grad_fn is None and self._requires_grad:
        raise RuntimeError(_VIEW_OF_LEAF)
    inplace.check_inplace(self, value)
    if not fill and not steps and _overlaps(self._data):
        raise RuntimeError(_OVERLAP)


def _record_write(self: Tensor, cls: type, inputs: tuple, args: tuple = (), viewed: bool = False) -> Tensor:
    """Bump the version and record the write; a write into a view rebases its base (CopySlices).
    ``viewed``: the write went through basic-indexing steps (a view in torch)."""
    if self._inference:
        inplace.check_inference_write(self, viewed)
    self._vc[0] += 1
    if needs_grad(*inputs):
        record(cls, self, inputs, None, args)
        node = self._grad_fn
        if self._base is not None and (self._dtype.is_floating_point or self._dtype.is_complex):
            inplace._rebase_view(self, node)
        if self._retains_grad:  # the node's first edge is self's previous history
            inplace.move_retain(self, node._next[0], node._next[1])
    return self


def setitem(self: Tensor, index: Any, value: Any) -> None:
    """torch's set_item: ``copy_to`` the basic-indexed region, or ``index_put_`` for tensor indices.

    copy_to copies equal shapes, fills from a 0-dim value, and otherwise views the value
    without its leading size-1 dims and expands it to the region (recorded ops, as torch).
    Into a view, the region is a real (recorded) view of it, as torch's applySlicing, and
    the view's history then follows its rebased base.
    """
    is_tensor = isinstance(value, Tensor)
    if not is_tensor and type(value) not in (int, float, bool, complex):
        raise TypeError(f"can't assign a {type(value).__name__} to a torch.{self._dtype._legacy}")
    if index is False:
        return
    steps, adv, cur = ix.plan(self._data.shape, None if index is True else index)
    src = value if is_tensor else None
    if not is_tensor:
        value = _scalar_tensor(value, self._dtype)
    if steps and self._base is not None:  # the view's own history follows lazily (inplace.refresh_view)
        _setitem_region(ix.apply_steps(self, steps), [], adv, cur, value, src)
        return
    _setitem_region(self, steps, adv, cur, value, src)


def _setitem_region(self: Tensor, steps: list, adv: list, cur: list, value: Tensor, src: Tensor | None) -> None:
    if adv:
        _index_put(self, steps, adv, cur, value, src)
        return
    region = tuple(cur)
    if value._data.shape != region and value._data.ndim:
        from .shape import expand

        value = value.view(_strip_ones(value._data.shape))
        if value._data.shape != region:
            value = expand(value, region)
        src = value if src is not None else None
    if not steps:
        if value._data.ndim or not region:
            copy_(self, value)
        else:
            fill_(self, value)
        return
    _check_writable(self, steps, src)
    bkey = ix.basic_key(steps)
    target = self._data[bkey + (Ellipsis,)]
    if value._data.ndim and _overlaps(target):
        raise RuntimeError(_OVERLAP)
    _write(target, value._data)
    _record_write(self, CopySlices, (self, src), (bkey, None, value._data.shape), True)


def _index_put(self: Tensor, steps: list, adv: list, cur: list, value: Tensor, src: Tensor | None) -> None:
    if value._data.ndim and value._data.shape[0] == 1:
        value = value.view(_strip_ones(value._data.shape))
        src = value if src is not None else None
    _check_writable(self, steps, src)
    bkey = ix.basic_key(steps)
    target = self._data[bkey + (Ellipsis,)]
    xp = backend_of(self._data)
    result_shape = target[ix.advanced_key(cur, adv, shape_only=True)].shape  # torch: shape, dtype, bounds
    try:
        if xp.broadcast_shapes(value._data.shape, result_shape) != result_shape:
            raise ValueError
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(value._data.shape)} cannot be "
                           f"broadcast to indexing result of shape {list(result_shape)}") from None
    if src is not None and value._dtype is not self._dtype:
        raise RuntimeError("Index put requires the source and destination dtypes match, got "
                           f"{self._dtype._short} for the destination and {value._dtype._short} for the "
                           "source.")
    akey = ix.advanced_key(cur, adv)
    target[akey] = value._data
    _record_write(self, CopySlices if steps else IndexPutBackward0, (self, src), (bkey, akey, value._data.shape),
                  bool(steps))


def _overlaps(data: Any) -> bool:
    """torch's internal-overlap test: some dim of size > 1 with stride 0."""
    return any(st == 0 and n > 1 for st, n in zip(data.strides, data.shape))


def _scalar_tensor(value: Any, dt: D.dtype) -> Tensor:
    return Tensor._make(ix._scalar_value(value, dt), dt)


# ---------------------------------------------------------------------------------------
# zero_ / fill_ / copy_
# ---------------------------------------------------------------------------------------
ZeroBackward0 = node_class("ZeroBackward0", lambda g: zeros_like(g))
FillBackward2 = node_class("FillBackward2", lambda g: zeros_like(g))
FillBackward3 = node_class("FillBackward3", lambda g: zeros_like(g), lambda g: g.sum())


def _write(dst: Any, data: Any) -> None:
    """Copy ``data`` into array ``dst`` (read-only broadcast memory is written through an alias)."""
    xp = backend_of(dst)
    if not dst.flags.writeable:
        dst = dst.view()
        dst.flags.writeable = True
    with xp.errstate(all="ignore"):
        xp.copyto(dst, data, casting="unsafe")


def zero_(self: Tensor) -> Tensor:
    _check_writable(self, [], fill=True)
    _write(self._data, 0)
    return _record_write(self, ZeroBackward0, (self,))


def fill_(self: Tensor, value: Any) -> Tensor:
    if not isinstance(value, Tensor):
        data = ix._scalar_value(value, self._dtype, fill=True)
        _check_writable(self, [], fill=True)
        _write(self._data, data)
        return _record_write(self, FillBackward2, (self,))
    _check_writable(self, [], value, fill=True)
    if value._data.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value._data.ndim} dimensions.")
    _write(self._data, value._data)
    return _record_write(self, FillBackward3, (self, value))


def copy_(self: Tensor, src: Tensor, non_blocking: bool = False) -> Tensor:
    inplace.check_inplace(self, src)
    shape, sshape = self._data.shape, src._data.shape
    if sshape != shape:
        from ._util import broadcast_error

        try:
            full = backend_of(None).broadcast_shapes(shape, sshape)
        except ValueError:
            raise broadcast_error(shape, sshape) from None
        if full != shape:
            raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape "
                               f"{list(full)}")
    if _overlaps(self._data):
        raise RuntimeError(_OVERLAP)
    _write(self._data, src._data)
    return _record_write(self, CopyBackwards, (self, src))


# ---------------------------------------------------------------------------------------
# In-place forms of the indexing ops: compute out of place, then commit into self
# ---------------------------------------------------------------------------------------
FUNCTIONS = {"zero_": zero_, "fill_": fill_}
METHODS = {"__setitem__": setitem, "zero_": zero_, "fill_": fill_, "copy_": copy_,
           **{f"{fn.__name__}_": _inplace(fn, f"{fn.__name__}_")
              for fn in (ix.masked_fill, ix.scatter, ix.scatter_add, ix.index_add)}}
