"""The NumPy backend: plain NumPy arrays hold every tensor's data.

Everything here is a NumPy function or a small wrapper that pins down a behaviour torch
and NumPy disagree on (integer overflow wraps, no implicit upcasts). The engine only
calls names listed in ``__all__``.
"""

from __future__ import annotations

import numpy as np

name = "numpy"
ndarray = np.ndarray

# Elementwise kernels that behave the same in NumPy and torch once inputs share a dtype.
add, subtract, multiply, true_divide, negative = np.add, np.subtract, np.multiply, np.true_divide, np.negative
exp, exp2, log, log2, log10, log1p, expm1 = np.exp, np.exp2, np.log, np.log2, np.log10, np.log1p, np.expm1
sin, cos, tan, arcsin, arccos, arctan, arctan2 = np.sin, np.cos, np.tan, np.arcsin, np.arccos, np.arctan, np.arctan2
sinh, cosh, tanh, sqrt, absolute, sign = np.sinh, np.cosh, np.tanh, np.sqrt, np.absolute, np.sign
floor, ceil, trunc, rint, power, square = np.floor, np.ceil, np.trunc, np.rint, np.power, np.square
maximum, minimum, fmax, fmin, where, clip = np.maximum, np.minimum, np.fmax, np.fmin, np.where, np.clip
equal, not_equal, less, less_equal, greater, greater_equal = (
    np.equal, np.not_equal, np.less, np.less_equal, np.greater, np.greater_equal)
logical_and, logical_or, logical_xor, logical_not = np.logical_and, np.logical_or, np.logical_xor, np.logical_not
bitwise_and, bitwise_or, bitwise_xor, invert = np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.invert
isnan, isinf, isfinite, conj, real, imag = np.isnan, np.isinf, np.isfinite, np.conj, np.real, np.imag
floor_divide, fmod, remainder = np.floor_divide, np.fmod, np.remainder

# Reductions and scans.
sum, prod, max, min, argmax, argmin, all, any = np.sum, np.prod, np.max, np.min, np.argmax, np.argmin, np.all, np.any
mean, var, cumsum, cumprod = np.mean, np.var, np.cumsum, np.cumprod

# Linear algebra and shape.
matmul, dot, outer, einsum = np.matmul, np.dot, np.outer, np.einsum
reshape, transpose, moveaxis, expand_dims, squeeze = np.reshape, np.transpose, np.moveaxis, np.expand_dims, np.squeeze
broadcast_to, concatenate, stack, flip, tile, take_along_axis = (
    np.broadcast_to, np.concatenate, np.stack, np.flip, np.tile, np.take_along_axis)
put_along_axis, take, nonzero, zeros, ones, full, empty, arange, linspace, eye = (
    np.put_along_axis, np.take, np.nonzero, np.zeros, np.ones, np.full, np.empty, np.arange, np.linspace, np.eye)
add_at = np.add.at
copyto, shares_memory, ascontiguousarray = np.copyto, np.shares_memory, np.ascontiguousarray
errstate = np.errstate


def asarray(value: object, dtype: np.dtype | None = None) -> np.ndarray:
    """An array of exactly ``dtype``; Python ints wrap like C casts instead of raising."""
    try:
        return np.asarray(value, dtype=dtype)
    except OverflowError:
        return np.asarray(value).astype(dtype)


def astype(a: np.ndarray, dtype: np.dtype, copy: bool = True) -> np.ndarray:
    with np.errstate(invalid="ignore", over="ignore"):
        return a.astype(dtype, copy=copy)


def copy(a: np.ndarray) -> np.ndarray:
    return a.copy()


def to_numpy(a: np.ndarray) -> np.ndarray:
    return a


def tolist(a: np.ndarray) -> object:
    return a.tolist()


def item(a: np.ndarray) -> object:
    return a.item()


angle = np.angle  # complex argument (phase)

# Convolution windows (nn.Conv*): zero padding and strided sliding-window views.
pad = np.pad
sliding_window_view = np.lib.stride_tricks.sliding_window_view

# Error function (GELU): NumPy has none, so math.erf runs per element (exact to the last ulp).
_erf_ufunc = np.frompyfunc(__import__("math").erf, 1, 1)


def erf(a: np.ndarray) -> np.ndarray:
    return np.asarray(_erf_ufunc(a), dtype=a.dtype)  # a 0-d input gives a Python float

# Indexing helpers (shape checks of advanced indices).
broadcast_shapes = np.broadcast_shapes
copysign = np.copysign  # floor division of floats signs its zeros like torch
unravel_index = np.unravel_index


def view_positions(base: np.ndarray, view: np.ndarray) -> np.ndarray | None:
    """Flat (C-order) index into ``base`` of every element of ``view``, a NumPy view of it.

    None when the layout cannot be mapped (non-contiguous base, different item size).
    """
    item = base.itemsize
    if not base.flags.c_contiguous or view.itemsize != item:
        return None
    offset = view.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    if offset % item or [s for s in view.strides if s % item]:  # (this module shadows any/all)
        return None
    flat = np.arange(base.size, dtype=np.int64)
    strides = tuple(s // item * flat.itemsize for s in view.strides)
    return np.lib.stride_tricks.as_strided(flat[offset // item:], view.shape, strides).copy()
device_name = "cpu"  # NumPy arrays live in host memory (Tensor.device reads this)
