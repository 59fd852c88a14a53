"""Division, remainders and powers: the binary ops whose derivative depends on an overload.

torch picks node names by overload: ``div`` with an explicit ``rounding_mode`` is
``DivBackward2`` (None included), ``remainder``/``fmod`` by a Python scalar are
``RemainderBackward0``/``FmodBackward0`` and by a tensor ``...Backward1``; ``floor_divide``
and ``remainder(Scalar, Tensor)`` have no derivative (a ``NotImplemented`` node that raises).
"""

from __future__ import annotations

import cmath
import math
import operator
from typing import Any

from .. import _dtype as D
from .._backend import default as _xp
from .._tensor import Tensor
from ..autograd.graph import needs_grad, node_class, record, wants_grad
from ._util import SCALARS, wrap
from .elementwise import _compute, _fast_arith, _float_dtype, _inplace, _swap, conj, half_by_scalar, mul, where
from .shape import from_inference

DivBackward0 = node_class("DivBackward0", lambda g, a, b: g / conj(b),
                          lambda g, a, b: -g * conj(a / b / b))
# div with an explicit rounding_mode (None included): torch's div.Tensor_mode, scalars wrapped.
DivBackward2 = node_class("DivBackward2", lambda g, a, b, mode: g * 0 if mode else g / conj(b),
                          lambda g, a, b, mode: g * 0 if mode else -g * conj(a / b / b))
PowBackward0 = node_class("PowBackward0", lambda g, x, e: g * 0 if e == 0 else g * conj(e * x.pow(e - 1)))
PowBackward1 = node_class(
    "PowBackward1",
    lambda g, x, e, y: where(e == 0, 0.0, g * conj(e * x.pow(e - 1))),
    lambda g, x, e, y: g * conj(where((x == 0) & (e.real >= 0 if e.is_complex() else e >= 0), 0.0,
                                      y * x.log())))
PowBackward2 = node_class("PowBackward2", lambda g, e, y, base: g * conj(_pow_scalar_base_grad(e, y, base)))
RemainderBackward0 = node_class("RemainderBackward0", lambda g: g)  # Python-scalar divisor
RemainderBackward1 = node_class("RemainderBackward1", lambda g, a, b: g,
                                lambda g, a, b: -g * div(a, b, rounding_mode="floor"))
FmodBackward0 = node_class("FmodBackward0", lambda g: g)
FmodBackward1 = node_class("FmodBackward1", lambda g, a, b: g,
                           lambda g, a, b: -g * div(a, b, rounding_mode="trunc"))
Atan2Backward0 = node_class("Atan2Backward0", lambda g, a, b: g * b / (a * a + b * b),
                            lambda g, a, b: g * -a / (a * a + b * b))


def _not_implemented(g: Tensor, name: str) -> Tensor:
    raise RuntimeError(f"derivative for aten::{name} is not implemented")


# torch's node for ops without a derivative: edges only to the inputs that require grad.
NotImplementedBackward = node_class("NotImplemented", _not_implemented, _not_implemented)


def _record_not_implemented(out: Tensor, inputs: tuple, name: str) -> None:
    record(NotImplementedBackward, out, tuple(t for t in inputs if wants_grad(t)), None, (name,))


def _no_bool(dt: D.dtype, kernel: str) -> None:
    if dt is D.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _pow_scalar_base_grad(e: Tensor, y: Tensor, base: Any) -> Tensor:
    """d(base ** e)/de = base ** e * log(base); torch defines it as 0 where base == 0 and e >= 0."""
    if base == 0:
        return where(e >= 0, 0.0, y * -math.inf)
    log_base = complex(base) if type(base) is complex else base
    return y * (math.log(log_base) if type(log_base) is not complex else cmath.log(log_base))


_NO_MODE = object()  # div(a, b) without rounding_mode: DivBackward0; any explicit mode: DivBackward2


def div(input: Any, other: Any, *, rounding_mode: Any = _NO_MODE) -> Tensor:
    if rounding_mode is _NO_MODE:
        out = _fast_arith(operator.truediv, input, other)
        if out is None:
            out = half_by_scalar(operator.truediv, input, other)
        if out is None:
            out = _compute(_xp.true_divide, input, other, dt=_float_dtype(D.result_dtype(input, other)))
        if needs_grad(input, other):
            record(DivBackward0, out, (input, other),
                   (input if wants_grad(other) else None, other))
        return out
    dt = D.result_dtype(input, other)
    if rounding_mode is None:
        out = _compute(_xp.true_divide, input, other, dt=_float_dtype(dt))
    else:
        if rounding_mode not in ("trunc", "floor"):
            raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                               f"'{rounding_mode}'")
        fn = _floor_div if rounding_mode == "floor" else _trunc_div
        out = half_by_scalar(fn, input, other)  # torch divides half by a Python scalar in float
        if out is None:
            out = _rounding_compute(fn, input, other, dt, f"div_{rounding_mode}_cpu")
    if needs_grad(input, other):
        record(DivBackward2, out, (input, other), (input if wants_grad(other) else None, other), (rounding_mode,))
    return out


def _check_int_zero(other: Any) -> None:
    values = other if type(other) in SCALARS else other._data
    if (values == 0).any() if hasattr(values, "any") else values == 0:
        raise RuntimeError("ZeroDivisionError")


def _rounding_compute(fn: Any, input: Any, other: Any, dt: D.dtype, kernel: str) -> Tensor:
    """``fn`` in ``dt`` after the checks torch's rounding kernels make: no Bool kernel, and an
    integer division by zero raises."""
    _no_bool(dt, kernel)
    if not (dt.is_floating_point or dt.is_complex):
        _check_int_zero(other)
    return _compute(fn, input, other, dt=dt)


def _floor_div(a: Any, b: Any) -> Any:
    """torch's div_floor: integers as Python; floats via fmod so that e.g. tiny / -2 gives -1."""
    if a.dtype.kind in "iub":
        return _xp.floor_divide(a, b)
    if a.dtype.kind == "c":
        return _xp.floor(a / b)
    mod = _xp.fmod(a, b)
    div = (a - mod) / b
    div = div - ((mod != 0) & ((b < 0) != (mod < 0)))
    floored = _xp.floor(div)
    floored = floored + (div - floored > 0.5)
    out = _xp.where(div != 0, floored, _xp.copysign(0.0 * div, a / b))
    return _xp.where(b == 0, a / b, out)


def _trunc_div(a: Any, b: Any) -> Any:
    if a.dtype.kind in "iu":
        q = _xp.floor_divide(a, b)
        return q + ((q < 0) & (q * b != a))
    return _xp.trunc(a / b)


def floor_divide(input: Any, other: Any) -> Tensor:
    """torch has no derivative for floor_divide: its node raises at backward."""
    return _floor_divide(input, other, "floor_divide")


def _floor_divide(input: Any, other: Any, name: str) -> Tensor:
    out = half_by_scalar(_floor_div, input, other)  # torch divides half by a Python scalar in float
    if out is None:
        out = _rounding_compute(_floor_div, input, other, D.result_dtype(input, other), "div_floor_cpu")
    if needs_grad(input, other):
        _record_not_implemented(out, (input, other), name)
    return out


def remainder(input: Any, other: Any) -> Tensor:
    out = _rounding_compute(_xp.remainder, input, other, D.result_dtype(input, other), "remainder_cpu")
    if needs_grad(input, other):
        if type(input) in SCALARS:  # remainder(Scalar, Tensor) has no derivative
            _record_not_implemented(out, (input, other), "remainder")
        elif type(other) in SCALARS:
            record(RemainderBackward0, out, (input,))
        else:
            saved = (input, other) if wants_grad(other) else (None, None)
            record(RemainderBackward1, out, (input, other), saved)
    return out


def fmod(input: Any, other: Any) -> Tensor:
    out = _rounding_compute(_xp.fmod, input, other, D.result_dtype(input, other), "fmod_cpu")
    if needs_grad(input, other):
        if type(other) in SCALARS:
            record(FmodBackward0, out, (input,))
        else:
            record(FmodBackward1, out, (input, other), (input, other) if wants_grad(other) else (None, None))
    return out


def pow(input: Any, exponent: Any) -> Tensor:
    dt = D.result_dtype(input, exponent)
    if dt is D.bool_:
        if type(exponent) is not bool:  # only pow(bool tensor, bool scalar) has a kernel
            raise NotImplementedError("\"pow\" not implemented for 'Bool'")
        out = wrap(input._data.copy() if exponent else _xp.ones(input._data.shape, D.bool_.np), dt)
        return from_inference(out, 1, input) if input._inference else out
    kernel = _xp.power if dt.is_floating_point or dt.is_complex else _int_power
    if type(input) in SCALARS:  # scalar ** tensor
        out = _compute(kernel, input, exponent, dt=dt)
        if exponent._inference:  # torch fills 1 ** x in place, else redispatches as pow_out: one bump
            from_inference(out, 1, exponent)
        if needs_grad(exponent):
            record(PowBackward2, out, (exponent,), (exponent, out), (input,))
        return out
    if type(exponent) in SCALARS:
        if not (dt.is_floating_point or dt.is_complex) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        out = _compute(kernel, input, exponent, dt=dt)
        if input._inference and exponent in (0, 1):  # torch: fill_(1) / copy_(self) into the output
            from_inference(out, 1, input)
        if needs_grad(input):
            record(PowBackward0, out, (input,), (input,), (exponent,))
        return out
    out = _compute(kernel, input, exponent, dt=dt)
    if needs_grad(input, exponent):
        record(PowBackward1, out, (input, exponent), (input, exponent, out if wants_grad(exponent) else None))
    return out


def _int_power(a: Any, e: Any) -> Any:
    """Integer power; a negative exponent gives 1 / a**-e truncated (0 unless a is 1 or -1), as torch."""
    neg = e < 0
    if not neg.any():
        return _xp.power(a, e)
    pos = _xp.power(a, _xp.where(neg, 0, e))
    odd = (e % 2) != 0
    return _xp.where(neg, _xp.where(a == 1, 1, _xp.where(a == -1, _xp.where(odd, -1, 1), 0)), pos)


def atan2(input: Tensor, other: Tensor) -> Tensor:
    dt = _float_dtype(D.result_dtype(input, other))
    out = _compute(_xp.arctan2, input, other, dt=dt)
    if needs_grad(input, other):
        record(Atan2Backward0, out, (input, other), (input, other))
    return out


def _rtruediv(self: Tensor, other: Any) -> Tensor:
    return mul(self.reciprocal(), other)  # torch computes 2 / x as reciprocal(x) * 2


def _rpow(self: Tensor, other: Any) -> Tensor:
    return pow(other, self)


_DIV = {"div": div, "divide": div, "true_divide": div}
FUNCTIONS = {**_DIV, "floor_divide": floor_divide, "remainder": remainder, "fmod": fmod, "pow": pow,
             "atan2": atan2, "arctan2": atan2}
METHODS = {
    **FUNCTIONS,
    **{f"{k}_": _inplace(FUNCTIONS[k], f"{k}_") for k in ("div", "remainder", "fmod", "pow", "atan2")},
    "floor_divide_": _inplace(lambda self, other: _floor_divide(self, other, "floor_divide_"), "floor_divide_"),
    "__truediv__": div, "__rtruediv__": _rtruediv, "__itruediv__": _inplace(div, "__itruediv__"),
    "__floordiv__": floor_divide, "__rfloordiv__": _swap(floor_divide),
    "__ifloordiv__": _inplace(floor_divide, "__ifloordiv__"),
    "__mod__": remainder, "__rmod__": _swap(remainder), "__imod__": _inplace(remainder, "__imod__"),
    "__pow__": pow, "__rpow__": _rpow, "__ipow__": _inplace(pow, "__ipow__"),
}
