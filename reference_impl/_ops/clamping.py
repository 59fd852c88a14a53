"""clamp (scalar and tensor bounds), clamp_min/clamp_max and lerp, with torch's backward masks.

torch's clamp backward builds its masks with in-place ``logical_and_``/``logical_or_``, so a
bound that broadcasts wider than ``self >= min`` raises its shape error at backward; the
masks here are built the same way.
"""

from __future__ import annotations

from typing import Any

import numpy as _np

from .. import _dtype as D
from .._backend import default as _xp
from .._backend import of as backend_of
from .._tensor import Tensor
from ..autograd.graph import needs_grad, node_class, record
from ._util import arr, wrap
from .elementwise import _compute, _inplace, where

ClampBackward1 = node_class("ClampBackward1", lambda g, x, lo, hi: where(_in_range(x, lo, hi), g, 0.0))
ClampBackward0 = node_class(
    "ClampBackward0",
    lambda g, x, lo, hi: where(_in_range(x, lo, hi), g, 0.0),
    lambda g, x, lo, hi: where(x < lo if hi is None else (x < lo).logical_and_(lo < hi), g, 0.0),
    lambda g, x, lo, hi: where(x > hi if lo is None else (x > hi).logical_or_(hi < lo), g, 0.0))
ClampMinBackward0 = node_class("ClampMinBackward0", lambda g, x, lo: g * (x >= lo))
ClampMaxBackward0 = node_class("ClampMaxBackward0", lambda g, x, hi: g * (x <= hi))
ClampMinBackward1 = node_class("ClampMinBackward1", lambda g, x, lo: where(x >= lo, g, 0.0),
                               lambda g, x, lo: where(x < lo, g, 0.0))
ClampMaxBackward1 = node_class("ClampMaxBackward1", lambda g, x, hi: where(x <= hi, g, 0.0),
                               lambda g, x, hi: where(x > hi, g, 0.0))
LerpBackward0 = node_class("LerpBackward0", lambda g, w: g * (1 - w), lambda g, w: g * w)
LerpBackward1 = node_class("LerpBackward1", lambda g, a, b, w: g * (1 - w), lambda g, a, b, w: g * w,
                           lambda g, a, b, w: g * (b - a))


def _in_range(x: Tensor, lo: Any, hi: Any) -> Tensor:
    """torch's clamp_backward mask; ``logical_and_`` in place, so (x >= lo) must hold the broadcast shape."""
    if lo is None:
        return x <= hi
    if hi is None:
        return x >= lo
    return (x >= lo).logical_and_(x <= hi)


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        dt = D.result_dtype(*(v for v in (input, min, max) if v is not None))
        if dt is D.bool_ and min is not None and max is not None:
            raise NotImplementedError("\"clamp_cpu\" not implemented for 'Bool'")
        lo = arr(min, dt) if min is not None else None
        hi = arr(max, dt) if max is not None else None
        x = arr(input, dt)
        data = x if lo is None else _xp.where(x < lo, lo, x)  # NaN propagates from x
        data = data if hi is None else _xp.where(data > hi, hi, data)
        if lo is not None:
            data = _xp.where(_xp.isnan(lo) if dt.is_floating_point else False, lo, data)
        if hi is not None:
            data = _xp.where(_xp.isnan(hi) if dt.is_floating_point else False, hi, data)
        out = wrap(data, dt)
        if needs_grad(input, min, max):
            record(ClampBackward0, out, (input, min, max), (input, min, max))
        return out
    dt = D.result_dtype(input, *(v for v in (min, max) if v is not None))
    x = arr(input, dt)
    data = x
    if min is not None:
        data = _xp.where(data < min, _xp.asarray(min, dt.np), data)
    if max is not None:
        data = _xp.where(data > max, _xp.asarray(max, dt.np), data)
    if min is not None and max is not None and min > max:
        data = _xp.full(x.shape, max, dt.np)
    out = wrap(data, dt)
    if needs_grad(input):
        record(ClampBackward1, out, (input,), (input,), (min, max))
    return out


def clamp_min(input: Tensor, min: Any) -> Tensor:
    out = clamp(input, min=min)
    if out._grad_fn is not None:
        if isinstance(min, Tensor):
            record(ClampMinBackward1, out, (input, min), (input, min))
        else:
            record(ClampMinBackward0, out, (input,), (input,), (min,))
    return out


def clamp_max(input: Tensor, max: Any) -> Tensor:
    out = clamp(input, max=max)
    if out._grad_fn is not None:
        if isinstance(max, Tensor):
            record(ClampMaxBackward1, out, (input, max), (input, max))
        else:
            record(ClampMaxBackward0, out, (input,), (input,), (max,))
    return out


# C++ type names torch prints in dtype-mismatch messages.
_CPP_NAMES = {"bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short int", "int32": "int",
              "int64": "long int", "float16": "c10::Half", "float32": "float", "float64": "double",
              "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


def _lerp_dtype_check(input: Tensor, other: Tensor, name: str) -> None:
    """lerp takes no type promotion: ``end`` (and a non-0-d ``weight``) must have ``input``'s dtype."""
    if other._dtype is not input._dtype:
        raise RuntimeError(f"expected dtype {_CPP_NAMES[input._dtype.np.name]} for `{name}` but got dtype "
                           f"{_CPP_NAMES[other._dtype.np.name]}")


def _lerp_kernel(a: Any, b: Any, w: Any) -> Any:
    """torch's vectorized lerp: ``fmadd(coeff, end - self, base)`` with (coeff, base) = (w, self) for
    |w| < 0.5 and (w - 1, end) otherwise (so that weight 1 gives ``end`` exactly), rounded once by
    the fused multiply-add. Half computes in float (its opmath type); complex is not fused."""
    half = a.dtype == _np.float16
    if half:
        a, b = a.astype(_np.float32), b.astype(_np.float32)
        w = w.astype(_np.float32) if hasattr(w, "astype") else w
    if a.dtype.kind == "c":
        if isinstance(w, (int, float, complex)):
            out = a + w * (b - a) if abs(w) < 0.5 else b - (b - a) * (1 - w)
        else:
            out = _xp.where(abs(w) < 0.5, a + w * (b - a), b - (b - a) * (1 - w))
        return out
    xp = backend_of(a)
    if isinstance(w, (int, float)):
        w = xp.asarray(w, a.dtype)  # the scalar weight in the computation type, as torch reads it
    small = abs(w) < 0.5
    out = _fma(xp.where(small, w, w - 1), b - a, xp.where(small, a, b))
    return out.astype(_np.float16) if half else out


def _fma(x: Any, y: Any, z: Any) -> Any:
    """``x * y + z`` rounded once (C's fma), on real float arrays. float32: the product is exact in
    float64, so only the sum rounds before the final rounding to float32. float64: Dekker's exact
    product and Knuth's two-sum give the result to within the last bit of the fused one."""
    if x.dtype == _np.float32:  # the three operands share a dtype
        f = _np.float64
        return (x.astype(f) * y.astype(f) + z.astype(f)).astype(_np.float32)
    # Splitting overflows beyond 2**996: such operands are scaled by powers of two (exact) first
    xp = backend_of(z)
    sx = xp.where(abs(x) > _BIG, _SHRINK, 1.0)
    sy = xp.where(abs(y) > _BIG, _SHRINK, 1.0)
    x, y, z = x * sx, y * sy, z * (sx * sy)
    p = x * y
    e = _two_product_error(x, y, p)
    s = p + z
    bb = s - p
    t = (p - (s - bb)) + (z - bb)  # s + t == p + z exactly
    # an infinite or NaN operand or sum: the plain sum is IEEE's fma result (the corrections are NaN)
    return xp.where(_np.isfinite(s), s + (t + e), s) / (sx * sy)


_BIG, _SHRINK = 2.0 ** 900, 2.0 ** -128


def _two_product_error(x: Any, y: Any, p: Any) -> Any:
    """``x * y - p`` exactly for ``p = x * y`` in float64 (Veltkamp splitting)."""
    def split(v: Any) -> tuple:
        c = v * 134217729.0  # 2**27 + 1
        hi = c - (c - v)
        return hi, v - hi

    xh, xl = split(x)
    yh, yl = split(y)
    return ((xh * yh - p) + xh * yl + xl * yh) + xl * yl


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    _lerp_dtype_check(input, end, "end")
    if isinstance(weight, Tensor) and weight._data.ndim:
        _lerp_dtype_check(input, weight, "weight")
    dt = D.result_dtype(input, end)
    if not (dt.is_floating_point or dt.is_complex):
        kernel = "lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{dt._short}'")
    if isinstance(weight, Tensor):
        out = _compute(_lerp_kernel, input, end, weight, dt=dt)
        if needs_grad(input, end, weight):
            record(LerpBackward1, out, (input, end, weight), (input, end, weight))
        return out
    out = _compute(lambda a, b: _lerp_kernel(a, b, weight), input, end, dt=dt)
    if needs_grad(input, end):
        record(LerpBackward0, out, (input, end), None, (weight,))
    return out


FUNCTIONS = {"clamp": clamp, "clip": clamp, "clamp_min": clamp_min, "clamp_max": clamp_max, "lerp": lerp}
METHODS = {**FUNCTIONS, **{f"{k}_": _inplace(FUNCTIONS[k], f"{k}_") for k in ("clamp", "clamp_min", "clamp_max",
                                                                                  "lerp")}}
