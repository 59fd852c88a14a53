"""Views and shape ops. Views share data (NumPy views), version counter and ``_base``."""

from __future__ import annotations

from typing import Any

from .._backend import of as backend_of
from .._tensor import Tensor
from ..autograd.grad_mode import state as _grad_state
from ..autograd.graph import needs_grad, node_class, record


def wrap_dim(dim: int, ndim: int) -> int:
    """torch's dim normalisation and its IndexError."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n


def wrap_dims(dim: Any, ndim: int) -> tuple:
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    out = tuple(wrap_dim(d, ndim) for d in dims)
    if len(set(out)) != len(out):
        raise RuntimeError(f"dim {out[0]} appears multiple times in the list of dims")
    return out


def make_view(base: Tensor, data: Any) -> Tensor:
    """A tensor sharing ``base``'s memory and version counter."""
    t = Tensor._make(data, base._dtype)
    t._vc = base._vc
    t._base = base if base._base is None else base._base
    t._inference = base._inference
    if not _grad_state.enabled and (base._requires_grad or base._grad_fn is not None):
        # torch: a no_grad view of a grad-requiring tensor is a leaf that requires grad,
        # and it may not be modified in place with grad mode on (see inplace.check_inplace)
        t._requires_grad = True
        t.__dict__["_no_grad_view"] = True
    return t


def _sizes(size: tuple) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return tuple(int(s) for s in size)


def _infer_size(shape: tuple, numel: int) -> tuple:
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = shape[:neg[0]] + (numel // known,) + shape[neg[0] + 1:]
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


ViewBackward0 = node_class("ViewBackward0", lambda g, shape: g.reshape(shape))
UnsafeViewBackward0 = node_class("UnsafeViewBackward0", lambda g, shape: g.reshape(shape))
ExpandBackward0 = node_class("ExpandBackward0", lambda g, shape: g.sum_to_size(shape))
CloneBackward0 = node_class("CloneBackward0", lambda g: g)


def view(self: Tensor, *shape: Any) -> Tensor:
    from .. import _dtype as D

    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        raise NotImplementedError("view(dtype) is not supported")
    shape = _infer_size(_sizes(shape), self._data.size)
    data = self._data
    if not data.flags.c_contiguous and data.size > 1:
        try:
            out_data = data.view()
            out_data.shape = shape  # raises if no view is possible without a copy
        except AttributeError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one dimension "
                "spans across two contiguous subspaces). Use .reshape(...) instead.") from None
    else:
        out_data = data.reshape(shape)
    out = make_view(self, out_data)
    if needs_grad(self):
        record(ViewBackward0, out, (self,), None, (data.shape,))
    return out


def reshape(self: Tensor, *shape: Any) -> Tensor:
    shape = _infer_size(_sizes(shape), self._data.size)
    data = self._data
    if data.flags.c_contiguous or data.size <= 1:
        return view(self, shape)
    try:
        out_data = data.view()
        out_data.shape = shape
        return view(self, shape)
    except AttributeError:
        return _unsafe_view(clone(self), shape)


def _unsafe_view(self: Tensor, shape: tuple) -> Tensor:
    out = Tensor._make(self._data.reshape(shape), self._dtype)
    if needs_grad(self):
        record(UnsafeViewBackward0, out, (self,), None, (self._data.shape,))
    return out


def expand(self: Tensor, *sizes: Any) -> Tensor:
    sizes = _sizes(sizes)
    shape = self._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand(torch.FloatTensor{{{list(shape)}}}, size={list(sizes)}): the number of sizes provided "
            f"({len(sizes)}) must be greater or equal to the number of dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    target = []
    for i, s in enumerate(sizes):
        own = shape[i - lead] if i >= lead else None
        if s == -1:
            if own is None:
                raise RuntimeError(
                    f"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension {i}")
            s = own
        elif own is not None and own != s and own != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({own}) at non-singleton "
                f"dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: {list(shape)}")
        target.append(s)
    target = tuple(target)
    out = make_view(self, backend_of(self._data).broadcast_to(self._data, target))
    if needs_grad(self):
        record(ExpandBackward0, out, (self,), None, (shape,))
    return out


def sum_to_size(self: Tensor, *size: Any) -> Tensor:
    from .reductions import sum_to

    return sum_to(self, _sizes(size))


def clone(self: Tensor, *, memory_format: Any = None) -> Tensor:
    out = Tensor._make(backend_of(self._data).copy(self._data), self._dtype)
    if needs_grad(self):
        record(CloneBackward0, out, (self,))
    return out


def contiguous(self: Tensor, memory_format: Any = None) -> Tensor:
    if self._data.flags.c_contiguous:
        return self
    return clone(self)


FUNCTIONS = {"reshape": reshape, "clone": clone}
METHODS = {"view": view, "reshape": reshape, "expand": expand, "sum_to_size": sum_to_size, "clone": clone,
           "contiguous": contiguous}
