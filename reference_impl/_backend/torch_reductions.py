"""NumPy reductions and scans on TorchArrays, with NumPy's signatures and result dtypes.

``np.mean`` of ints is float64, ``np.sum`` of int8 is int64 (uint8: uint64), an empty
``axis=()`` reduces nothing, and empty max/argmax raise NumPy's ValueError.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from .torch_array import _CPU, TorchArray, cast, from_numpy, torch_dtype, wrap


def _t(x: Any) -> torch.Tensor:
    if isinstance(x, TorchArray):
        return x.t
    return x if isinstance(x, torch.Tensor) else from_numpy(x, _CPU)


def _dims(axis: Any, ndim: int) -> tuple | None:
    """NumPy's ``axis`` as a tuple of dims (None: all)."""
    if axis is None:
        return None
    axes = axis if isinstance(axis, tuple) else (axis,)
    for a in axes:
        if not -ndim <= a < max(ndim, 1):
            raise np.exceptions.AxisError(a, ndim)
    return tuple(a % max(ndim, 1) for a in axes)


def _reduce(kernel: Any, a: Any, axis: Any, keepdims: bool) -> torch.Tensor:
    """Run ``kernel(t, dims, keepdim)``; ``axis=()`` reduces nothing, as in NumPy."""
    t = _t(a)
    dims = _dims(axis, t.dim())
    if dims == ():
        return t.clone()
    if dims is None:
        dims = tuple(range(t.dim()))
        if not dims:
            return kernel(t.reshape(1), (0,), False).reshape(())
    return kernel(t, dims, keepdims)


def _accumulator(t: torch.Tensor, dtype: Any) -> torch.dtype:
    """NumPy's sum/prod dtype: small ints and bools accumulate in (u)int64."""
    if dtype is not None:
        return torch_dtype(dtype)
    if t.dtype is torch.bool or t.dtype in (torch.int8, torch.int16, torch.int32):
        return torch.int64
    if t.dtype in (torch.uint8, torch.uint16, torch.uint32):
        return torch.uint64
    return t.dtype


def _sumlike(torch_fn: Any) -> Any:
    def fn(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False,
           **unused: Any) -> TorchArray:
        t = _t(a)
        acc = _accumulator(t, dtype)
        work = torch.int64 if acc is torch.uint64 else acc  # torch's uint64 has no reductions
        result = _reduce(lambda x, d, k: _reduce_dims(torch_fn, cast(x, work), d, k), a, axis, keepdims)
        return wrap(cast(result, acc))

    return fn


def _reduce_dims(torch_fn: Any, t: torch.Tensor, dims: tuple, keepdim: bool) -> torch.Tensor:
    """prod reduces one dim at a time (torch.prod takes a single dim)."""
    if torch_fn is torch.sum:
        return torch.sum(t, dim=dims, keepdim=keepdim)
    for d in sorted(dims, reverse=True):
        t = torch_fn(t, dim=d, keepdim=keepdim)
    return t


def _extreme(torch_fn: Any, name: str) -> Any:
    def fn(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False, **unused: Any) -> TorchArray:
        t = _t(a)
        if t.numel() == 0:
            raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
        return wrap(_reduce(lambda x, d, k: torch_fn(x, dim=d, keepdim=k), t, axis, keepdims))

    return fn


def _arg(torch_fn: Any, name: str) -> Any:
    def fn(a: Any, axis: Any = None, out: Any = None, *, keepdims: bool = False) -> TorchArray:
        t = _t(a)
        if t.numel() == 0:
            raise ValueError(f"attempt to get {name} of an empty sequence")
        if t.dtype is torch.bool:
            t = t.to(torch.uint8)
        if axis is None:
            r = torch_fn(t.reshape(-1))
            return wrap(r.reshape((1,) * t.dim()) if keepdims else r)
        return wrap(torch_fn(t, dim=axis, keepdim=keepdims))

    return fn


def _logical(torch_fn: Any) -> Any:
    def fn(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False, **unused: Any) -> TorchArray:
        return wrap(_reduce(lambda x, d, k: torch_fn(x, dim=d, keepdim=k), a, axis, keepdims).bool())

    return fn


def mean(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, keepdims: bool = False,
         **unused: Any) -> TorchArray:
    t = _t(a)
    out_dt = torch_dtype(dtype) if dtype is not None else (
        t.dtype if t.is_floating_point() or t.is_complex() else torch.float64)
    work = torch.float32 if out_dt is torch.float16 else out_dt  # NumPy's float16 mean is float32 inside
    r = _reduce(lambda x, d, k: torch.mean(cast(x, work), dim=d, keepdim=k), t, axis, keepdims)
    return wrap(cast(r, out_dt))


def var(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: float = 0, keepdims: bool = False,
        **unused: Any) -> TorchArray:
    t = _t(a)
    if not (t.is_floating_point() or t.is_complex()):
        t = t.to(torch.float64)
    work = torch.float32 if t.dtype is torch.float16 else t.dtype
    r = _reduce(lambda x, d, k: torch.var(cast(x, work), dim=d, correction=ddof, keepdim=k), t, axis, keepdims)
    if _dims(axis, t.dim()) == ():  # variance of single elements
        r = torch.zeros_like(r.real if r.is_complex() else r) / (1 - ddof)
    return wrap(cast(r, t.dtype.to_real() if t.is_complex() else t.dtype))


def _scan(torch_fn: Any) -> Any:
    def fn(a: Any, axis: Any = None, dtype: Any = None, out: Any = None) -> TorchArray:
        t = _t(a)
        acc = _accumulator(t, dtype)
        work = torch.int64 if acc is torch.uint64 else acc
        if axis is None:
            t, axis = t.reshape(-1), 0
        return wrap(cast(torch_fn(cast(t, work), dim=axis), acc))

    return fn


REDUCTIONS: dict[Any, Any] = {
    np.sum: _sumlike(torch.sum), np.prod: _sumlike(torch.prod),
    np.max: _extreme(torch.amax, "maximum"), np.amax: _extreme(torch.amax, "maximum"),
    np.min: _extreme(torch.amin, "minimum"), np.amin: _extreme(torch.amin, "minimum"),
    np.argmax: _arg(torch.argmax, "argmax"), np.argmin: _arg(torch.argmin, "argmin"),
    np.all: _logical(torch.all), np.any: _logical(torch.any), np.mean: mean, np.var: var,
    np.cumsum: _scan(torch.cumsum), np.cumprod: _scan(torch.cumprod),
}
