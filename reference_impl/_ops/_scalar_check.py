"""torch's checked scalar conversion (c10::checked_convert): a Python number written into a tensor
by fill_, full or masked_fill must fit the tensor's dtype, else "value cannot be converted to type
uint8_t without overflow". The rules are c10's ``overflows``: floating targets accept inf and NaN;
integer targets refuse NaN, inf and anything out of range, except that an unsigned target lets a
negative *integer* wrap (``-1`` fills a uint8 tensor with 255) down to ``-max``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _dtype as D

# The C++ type names torch's message uses.
_CPP_TYPE = {"uint8": "uint8_t", "int8": "int8_t", "int16": "int16_t", "int32": "int", "int64": "int64_t",
             "float16": "c10::Half", "float32": "float", "float64": "double",
             "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


def _overflows(value: Any, dt: D.dtype) -> bool:
    if dt is D.bool_ or isinstance(value, bool):
        return False
    if isinstance(value, complex):
        if not dt.is_complex:
            return True
        return _overflows(value.real, dt) or _overflows(value.imag, dt)
    if dt.is_floating_point or dt.is_complex:
        if isinstance(value, float) and not math.isfinite(value):
            return False
        largest = float(np.finfo(dt.np).max)
        return value < -largest or value > largest
    info = np.iinfo(dt.np)
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, int) and info.min == 0 and value < 0:
        return -value > info.max
    return value < info.min or value > info.max


def check_fits(value: Any, dt: D.dtype, fill: bool = False) -> None:
    """Raise torch's RuntimeError when the Python scalar ``value`` does not fit ``dt``. torch's fill
    kernel (``fill_``, ``full``) converts a half value through double, so with ``fill`` float16 is
    checked (and named) as float64: 1e5 then fills inf."""
    target = D.float64 if fill and dt is D.float16 else dt
    if _overflows(value, target):
        raise RuntimeError(f"value cannot be converted to type {_CPP_TYPE[target.np.name]} without overflow")


def checked_scalar(value: Any, dt: D.dtype, fill: bool = False) -> np.ndarray:
    """``value`` as a 0-d NumPy array of ``dt`` after ``check_fits``: integers wrap into unsigned
    types and half may overflow to inf, silently, as in torch."""
    check_fits(value, dt, fill)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(value).astype(dt.np)


_INT64 = np.iinfo(np.int64)


def check_data_fits(data: Any, dt: D.dtype) -> None:
    """torch.tensor(data, dtype=...): the Python numbers in the (nested) sequence are unpacked for
    ``dt``: complex into a real type is a TypeError, an int beyond int64 into an integer type a
    ValueError, and an integer type refuses what overflows it (named by the dtype's short name)."""
    if dt.is_complex:
        return
    integer = not (dt.is_floating_point or dt is D.bool_)
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(reversed(item))  # in order: the first bad value is the one reported
        elif isinstance(item, complex):
            if integer:
                raise TypeError("'complex' object cannot be interpreted as an integer")
            if dt is not D.bool_:
                raise TypeError("must be real number, not complex")
        elif integer and isinstance(item, (int, float)):
            if isinstance(item, int) and not _INT64.min <= item <= _INT64.max:
                raise ValueError("Overflow when unpacking long long")
            if _overflows(item, dt):
                raise RuntimeError(f"value cannot be converted to type {dt.np.name} without overflow")
