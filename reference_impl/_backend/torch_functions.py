"""NumPy functions on TorchArrays (NEP 18): each NumPy function the engine calls, as a torch kernel.

Signatures and result dtypes are NumPy's (``np.mean`` of ints is float64, ``np.sum`` of int8 is
int64, an empty ``axis=()`` reduces nothing...), so ops written against NumPy see no difference.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from .torch_array import _CPU, NUMPY_OF, TORCH_OF, TorchArray, cast, from_numpy, place, torch_dtype, wrap
from .torch_reductions import REDUCTIONS, _dims


def _t(x: Any) -> torch.Tensor:
    if isinstance(x, TorchArray):
        return x.t
    return x if isinstance(x, torch.Tensor) else from_numpy(x, _CPU)


def _common(*xs: Any, dtype: Any = None) -> list:
    """Operands as tensors of NumPy's result dtype (or ``dtype``), on one device."""
    if dtype is None:
        dtype = np.result_type(*(NUMPY_OF[x.t.dtype] if isinstance(x, TorchArray) else
                                 (x if type(x) in (int, float, complex, bool) else np.asarray(x).dtype)
                                 for x in xs))
    target = TORCH_OF[np.dtype(dtype)]
    tensors = [cast(_t(x), target) if type(x) not in (int, float, complex, bool) else
               torch.tensor(x, dtype=target) for x in xs]
    device = place(tensors)
    return [t if t.device == device else t.to(device) for t in tensors]


# --- shape -------------------------------------------------------------------------------
def reshape(a: Any, shape: Any = None, order: str = "C", *, newshape: Any = None, copy: Any = None) -> TorchArray:
    t = _t(a)
    shape = newshape if shape is None else shape
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if copy is False:
        try:
            return wrap(t.view(shape))
        except RuntimeError:
            raise ValueError("Unable to avoid creating a copy while reshaping.") from None
    return wrap(t.clone().reshape(shape) if copy else t.reshape(shape))


def transpose(a: Any, axes: Any = None) -> TorchArray:
    t = _t(a)
    return wrap(t.permute(tuple(reversed(range(t.dim()))) if axes is None else tuple(axes)))


def swapaxes(a: Any, axis1: int, axis2: int) -> TorchArray:
    return wrap(_t(a).transpose(axis1, axis2))


def moveaxis(a: Any, source: Any, destination: Any) -> TorchArray:
    return wrap(torch.movedim(_t(a), source, destination))


def expand_dims(a: Any, axis: Any) -> TorchArray:
    t = _t(a)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    n = t.dim() + len(axes)
    for ax in sorted(a % n for a in axes):
        t = t.unsqueeze(ax)
    return wrap(t)


def squeeze(a: Any, axis: Any = None) -> TorchArray:
    t = _t(a)
    if axis is None:
        return wrap(t.squeeze())
    dims = _dims(axis, t.dim())
    if any(t.shape[d] != 1 for d in dims):
        raise ValueError("cannot select an axis to squeeze out which has size not equal to one")
    return wrap(t.squeeze(dims))


def broadcast_to(array: Any, shape: Any, subok: bool = False) -> TorchArray:
    t = _t(array)
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    try:
        return wrap(t.expand(shape) if t.dim() <= len(shape) else _fail())
    except RuntimeError:
        _fail(t.shape, shape)


def _fail(src: Any = (), dst: Any = ()) -> Any:
    raise ValueError(f"operands could not be broadcast together with remapped shapes [original->remapped]: "
                     f"{tuple(src)} and requested shape {tuple(dst)}")


def concatenate(arrays: Any, axis: int | None = 0, out: Any = None, dtype: Any = None, **unused: Any) -> TorchArray:
    ts = _common(*arrays, dtype=dtype)
    if axis is None:
        ts, axis = [t.reshape(-1) for t in ts], 0
    return wrap(torch.cat(ts, dim=axis))


def stack(arrays: Any, axis: int = 0, out: Any = None, dtype: Any = None, **unused: Any) -> TorchArray:
    return wrap(torch.stack(_common(*arrays, dtype=dtype), dim=axis))


def flip(m: Any, axis: Any = None) -> TorchArray:
    t = _t(m)
    dims = tuple(range(t.dim())) if axis is None else _dims(axis, t.dim())
    return wrap(torch.flip(t, dims))


def tile(A: Any, reps: Any) -> TorchArray:
    return wrap(torch.tile(_t(A), (reps,) if isinstance(reps, int) else tuple(reps)))


def ascontiguousarray(a: Any, dtype: Any = None, **unused: Any) -> TorchArray:
    t = _t(a)
    t = t.contiguous() if dtype is None else cast(t, torch_dtype(dtype)).contiguous()
    return wrap(t.reshape(1) if t.dim() == 0 else t)


# --- gathering and scattering ---------------------------------------------------------------
def take_along_axis(arr: Any, indices: Any, axis: int | None = -1) -> TorchArray:
    t, idx = _t(arr), _t(indices).long().to(_t(arr).device)
    if axis is None:
        t, axis = t.reshape(-1), 0
    return wrap(torch.take_along_dim(t, idx, dim=axis))


def put_along_axis(arr: TorchArray, indices: Any, values: Any, axis: int | None) -> None:
    t = arr.t
    idx = _t(indices).long().to(t.device)
    v = cast(_t(values).to(t.device), t.dtype).expand(idx.shape)
    if axis is None:
        t.view(-1).scatter_(0, idx.reshape(-1), v.reshape(-1))
    else:
        t.scatter_(axis % t.dim(), idx, v)


def take(a: Any, indices: Any, axis: int | None = None, out: Any = None, mode: str = "raise") -> TorchArray:
    t = _t(a)
    idx = _t(indices).long().to(t.device)
    if axis is None:
        return wrap(t.reshape(-1)[idx])
    return wrap(t[(slice(None),) * (axis % t.dim()) + (idx,)])


def nonzero(a: Any) -> tuple:
    t = _t(a)
    if t.dim() == 0:
        raise ValueError("Calling nonzero on 0d arrays is not allowed. Use np.atleast_1d(scalar).nonzero() "
                         "instead. If the context of this error is of the form `arr[nonzero(cond)]`, just use "
                         "`arr[cond]`.")
    return tuple(wrap(i) for i in torch.nonzero(t, as_tuple=True))


def where(condition: Any, x: Any = None, y: Any = None) -> Any:
    if x is None and y is None:
        return nonzero(condition)
    c = _t(condition)
    xt, yt = _common(x, y)
    device = place([c, xt, yt])
    return wrap(torch.where(c.to(device).bool(), xt.to(device), yt.to(device)))


def clip(a: Any, a_min: Any = None, a_max: Any = None, out: Any = None, **unused: Any) -> Any:
    r = a if a_min is None else np.maximum(a, a_min)
    return r if a_max is None else np.minimum(r, a_max)


def copyto(dst: TorchArray, src: Any, casting: str = "same_kind", where: Any = True) -> None:
    t = dst.t
    s = torch.tensor(src, dtype=t.dtype) if type(src) in (int, float, complex, bool) else cast(_t(src), t.dtype)
    s = s.to(t.device) if s.device != t.device and s.dim() == 0 else s
    place([t, s])
    if where is not True:
        s = torch.where(_t(where).to(t.device), s, t)
    s = s.expand(t.shape)
    if any(st == 0 and n > 1 for st, n in zip(t.stride(), t.shape)):
        _write_overlapping(t, s)
    else:
        t.copy_(s)


def _write_overlapping(t: torch.Tensor, values: torch.Tensor) -> None:
    """NumPy writes into self-overlapping memory element by element (torch's copy_ refuses)."""
    n = t.untyped_storage().nbytes() // t.element_size()
    storage = t.as_strided((n,), (1,), 0)
    positions = torch.arange(n, device=t.device).as_strided(t.shape, t.stride(), t.storage_offset())
    storage.index_put_((positions.reshape(-1),), values.reshape(-1))


def shares_memory(a: Any, b: Any, max_work: Any = None) -> bool:
    ta, tb = _t(a), _t(b)
    if ta.untyped_storage().data_ptr() != tb.untyped_storage().data_ptr() or not ta.numel() or not tb.numel():
        return False
    sa, sb = _extent(ta), _extent(tb)
    return sa[0] < sb[1] and sb[0] < sa[1]


def _extent(t: torch.Tensor) -> tuple:
    lo = t.storage_offset()
    hi = lo + sum((n - 1) * s for n, s in zip(t.shape, t.stride())) + 1
    return lo * t.element_size(), hi * t.element_size()


# --- linear algebra (booleans: or-of-ands as in NumPy, computed in int64 since torch has no bool GEMM) ---
def _products(kernel: Any, tensors: list) -> TorchArray:
    if tensors[0].dtype is torch.bool:
        return wrap(kernel(*(t.to(torch.int64) for t in tensors)) != 0)
    return wrap(kernel(*tensors))


def _dot(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    if x.dim() == 0 or y.dim() == 0:
        return x * y
    if y.dim() <= 2:
        return torch.matmul(x, y)
    return torch.tensordot(x, y, dims=([-1], [-2]))


def dot(a: Any, b: Any, out: Any = None) -> TorchArray:
    return _products(_dot, _common(a, b))


def outer(a: Any, b: Any, out: Any = None) -> TorchArray:
    return _products(lambda x, y: torch.outer(x.reshape(-1), y.reshape(-1)), _common(a, b))


def einsum(subscripts: str, *operands: Any, out: Any = None, optimize: Any = False, **unused: Any) -> TorchArray:
    return _products(lambda *ts: torch.einsum(subscripts, *ts), _common(*operands))


# --- complex, padding, windows --------------------------------------------------------------
def real(val: Any) -> TorchArray:
    t = _t(val)
    return wrap(torch.real(t) if t.is_complex() else t)


def imag(val: Any) -> TorchArray:
    t = _t(val)
    return wrap(torch.imag(t) if t.is_complex() else torch.zeros_like(t))


def angle(z: Any, deg: bool = False) -> TorchArray:
    t = _t(z)
    if not (t.is_complex() or t.is_floating_point()):
        t = t.to(torch.float64)
    return wrap(torch.angle(t) * (180 / np.pi if deg else 1))


def pad(array: Any, pad_width: Any, mode: str = "constant", **kwargs: Any) -> TorchArray:
    t = _t(array)
    if mode != "constant":
        raise TypeError(f"the torch backend has no numpy.pad mode {mode!r}")
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (t.dim(), 2))
    flat = [int(w) for pair in reversed(widths.tolist()) for w in pair]
    value = kwargs.get("constant_values", 0)
    return wrap(F.pad(t, flat, value=value) if t.dim() else t.clone())


def sliding_window_view(x: Any, window_shape: Any, axis: Any = None, *, subok: bool = False,
                        writeable: bool = False) -> TorchArray:
    t = _t(x)
    shape = (window_shape,) if isinstance(window_shape, int) else tuple(window_shape)
    axes = tuple(range(t.dim())) if axis is None else ((axis,) if isinstance(axis, int) else tuple(axis))
    for ax, w in zip(axes, shape):
        t = t.unfold(ax % t.dim() if ax < 0 else ax, w, 1)
    return wrap(t)


def copy(a: Any, order: str = "K", subok: bool = False) -> TorchArray:
    return wrap(_t(a).clone(memory_format=torch.contiguous_format))


def shape(a: Any) -> tuple:
    return tuple(_t(a).shape)


def ndim(a: Any) -> int:
    return _t(a).dim()


def isclose(a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> TorchArray:
    x, y = _common(a, b)
    return wrap(torch.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan))


def unravel_index(indices: Any, shape: Any, order: str = "C") -> tuple:
    t = _t(indices)
    return tuple(wrap(i) for i in torch.unravel_index(t.long(), tuple(shape)))


HANDLED: dict[Any, Any] = {
    **REDUCTIONS,
    np.reshape: reshape, np.transpose: transpose, np.moveaxis: moveaxis, np.swapaxes: swapaxes,
    np.expand_dims: expand_dims,
    np.squeeze: squeeze, np.broadcast_to: broadcast_to, np.concatenate: concatenate, np.stack: stack,
    np.flip: flip, np.tile: tile, np.ascontiguousarray: ascontiguousarray,
    np.take_along_axis: take_along_axis, np.put_along_axis: put_along_axis, np.take: take,
    np.nonzero: nonzero, np.where: where, np.clip: clip, np.copyto: copyto, np.shares_memory: shares_memory,
    np.dot: dot, np.outer: outer, np.einsum: einsum, np.real: real, np.imag: imag, np.angle: angle,
    np.pad: pad, np.lib.stride_tricks.sliding_window_view: sliding_window_view, np.copy: copy,
    np.shape: shape, np.ndim: ndim, np.isclose: isclose, np.unravel_index: unravel_index,
}
