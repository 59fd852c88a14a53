"""Writes into existing tensors: ``x[idx] = v``, zero_, fill_, copy_ and in-place index ops.

Each write bumps the shared version counter and rebases the written tensor onto a new
node whose first edge is the tensor's previous history (as torch's CopySlices,
IndexPutBackward0, CopyBackwards, FillBackward2/3, ZeroBackward0).

Not done (torch does it): writing through a *view* does not rebase the view's base onto
CopySlices, so the base's own grad_fn is unchanged by such a write.
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


def _check_writable(self: Tensor, steps: list, fill: bool = False) -> None:
    """Leaf / inference checks; writes that read their source refuse overlapping memory (fills don't)."""
    if _grad_state.enabled and self._grad_fn is None and self._requires_grad and steps:
        raise RuntimeError(_VIEW_OF_LEAF)
    inplace.check_inplace(self)
    if not fill and not steps and _overlaps(self._data):
        raise RuntimeError(_OVERLAP)


def setitem(self: Tensor, index: Any, value: Any) -> None:
    """torch's set_item: ``copy_to`` the basic-indexed region, or ``index_put_`` for tensor indices.

    copy_to copies equal shapes, fills from a 0-dim value, and otherwise views the value
    without its leading size-1 dims and expands it to the region (recorded ops, as torch).
    """
    is_tensor = isinstance(value, Tensor)
    if not is_tensor and type(value) not in (int, float, bool, complex):
        raise TypeError(f"can't assign a {type(value).__name__} to a torch.{self._dtype._legacy}")
    if index is False:
        return
    steps, adv, cur = ix.plan(self._data.shape, None if index is True else index)
    if not is_tensor:
        value = _scalar_tensor(value, self._dtype)
    if adv:
        _index_put(self, steps, adv, cur, value, is_tensor)
        return
    region = tuple(cur)
    if value._data.shape != region and value._data.ndim:
        from .shape import expand

        value = value.view(_strip_ones(value._data.shape))
        if value._data.shape != region:
            value = expand(value, region)
    if not steps:
        if value._data.ndim:
            copy_(self, value)
        else:
            fill_(self, value)
        return
    _check_writable(self, steps)
    bkey = ix.basic_key(steps)
    target = self._data[bkey + (Ellipsis,)]
    if value._data.ndim and _overlaps(target):
        raise RuntimeError(_OVERLAP)
    _write(target, value._data)
    self._vc[0] += 1
    src = value if is_tensor else None
    if needs_grad(self, src):
        record(CopySlices, self, (self, src), None, (bkey, None, value._data.shape))


def _index_put(self: Tensor, steps: list, adv: list, cur: list, value: Tensor, is_tensor: bool) -> None:
    if value._data.ndim and value._data.shape[0] == 1:
        value = value.view(_strip_ones(value._data.shape))
    _check_writable(self, steps)
    bkey = ix.basic_key(steps)
    target = self._data[bkey + (Ellipsis,)]
    akey = ix.advanced_key(cur, adv)
    if is_tensor and value._dtype is not self._dtype:
        raise RuntimeError("Index put requires the source and destination dtypes match, got "
                           f"{self._dtype._short} for the destination and {value._dtype._short} for the "
                           "source.")
    xp = backend_of(self._data)
    result_shape = target[akey].shape
    try:
        if xp.broadcast_shapes(value._data.shape, result_shape) != result_shape:
            raise ValueError
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(value._data.shape)} cannot be "
                           f"broadcast to indexing result of shape {list(result_shape)}") from None
    target[akey] = value._data
    self._vc[0] += 1
    src = value if is_tensor else None
    if needs_grad(self, src):
        record(CopySlices if steps else IndexPutBackward0, self, (self, src), None,
               (bkey, akey, value._data.shape))


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
    self._vc[0] += 1
    if needs_grad(self):
        record(ZeroBackward0, self, (self,))
    return self


def fill_(self: Tensor, value: Any) -> Tensor:
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value._data.ndim} dimensions.")
        _check_writable(self, [], fill=True)
        _write(self._data, value._data)
        self._vc[0] += 1
        if needs_grad(self, value):
            record(FillBackward3, self, (self, value))
        return self
    data = ix._scalar_value(value, self._dtype)
    _check_writable(self, [], fill=True)
    _write(self._data, data)
    self._vc[0] += 1
    if needs_grad(self):
        record(FillBackward2, self, (self,))
    return self


def copy_(self: Tensor, src: Tensor, non_blocking: bool = False) -> Tensor:
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
    _check_writable(self, [])
    _write(self._data, src._data)
    self._vc[0] += 1
    if needs_grad(self, src):
        record(CopyBackwards, self, (self, src))
    return self


# ---------------------------------------------------------------------------------------
# In-place forms of the indexing ops: compute out of place, then commit into self
# ---------------------------------------------------------------------------------------
def _inplace(fn: Any, name: str):
    def op(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        inplace.check_inplace(self)
        return inplace.commit(self, fn(self, *args, **kwargs))

    op.__name__ = op.__qualname__ = name
    return op


FUNCTIONS = {"zero_": zero_, "fill_": fill_}
METHODS = {"__setitem__": setitem, "zero_": zero_, "fill_": fill_, "copy_": copy_,
           **{f"{fn.__name__}_": _inplace(fn, f"{fn.__name__}_")
              for fn in (ix.masked_fill, ix.scatter, ix.scatter_add, ix.index_add)}}
