"""Elementwise ops: each row pairs a forward kernel with torch's derivative formula.

Formulas follow ``tools/autograd/derivatives.yaml`` including its conjugate-Wirtinger
convention for complex inputs (``conj`` is free on real tensors). A formula gets the
output gradient, the saved values and the op's extra arguments.
"""

from __future__ import annotations

import math
import operator
from typing import Any

from .. import _dtype as D
from .._backend import default as _xp
from .._backend import of as backend_of
from .._tensor import Tensor
from ..autograd.grad_mode import state as _grad_state
from ..autograd.graph import needs_grad, node_class, record, wants_grad
from . import inplace
from ._util import NDARRAY, SCALARS, arr, broadcast_error, loud, quiet, shape_of, wrap


def conj(x: Any) -> Any:
    if type(x) is complex:
        return x.conjugate()
    if type(x) in SCALARS or not x._dtype.is_complex:
        return x
    return _conj(x)


def _compute(kernel: Any, *operands: Any, dt: D.dtype, out_dt: D.dtype | None = None) -> Tensor:
    """Run ``kernel`` on the operands cast to ``dt``; a shape mismatch raises torch's message."""
    arrays = [arr(x, dt) for x in operands]
    token = quiet()
    try:
        data = kernel(*arrays)
    except ValueError:
        raise broadcast_error(*(shape_of(x) for x in operands)) from None
    finally:
        loud(token)
    return wrap(data, out_dt or dt)


_SCALAR_TYPES = frozenset(SCALARS)
_EXACT_INT = 1 << 24  # Python ints a float16..float64 operand represents the same either way


def _fast_arith(fast: Any, a: Any, b: Any) -> Tensor | None:
    """``fast(a, b)`` (a plain operator) for a floating NumPy tensor ``a`` and an operand of its
    dtype or a real Python scalar; None when the general path must decide. The result dtype is
    ``a``'s (torch's promotion agrees), and NumPy 2 treats a Python scalar as weak (NEP 50),
    casting it to that dtype exactly as ``arr`` would, without building a 0-d array."""
    da = getattr(a, "_dtype", None)
    if da is None or not da.is_floating_point:
        return None
    x = a._data
    tb = type(b)
    if tb is float or (tb is int and -_EXACT_INT <= b <= _EXACT_INT):
        y = b
    elif tb not in _SCALAR_TYPES and getattr(b, "_dtype", None) is da:
        y = b._data
        if type(y) is not NDARRAY:
            return None
    else:
        return None
    if type(x) is not NDARRAY:
        return None
    token = quiet()
    try:
        data = fast(x, y)
    except ValueError:
        raise broadcast_error(shape_of(a), shape_of(b)) from None
    finally:
        loud(token)
    if type(data) is NDARRAY:
        return Tensor._make(data, da)
    return wrap(data, da)


def _float_dtype(dt: D.dtype) -> D.dtype:
    """Integer and bool inputs of floating ops compute in the default dtype."""
    return dt if dt.is_floating_point or dt.is_complex else D.get_default_dtype()


# ---------------------------------------------------------------------------------------
# Unary ops: name -> (kernel, node, saves "self"/"result"/None, formula(g, saved), to_float)
# ---------------------------------------------------------------------------------------
LN2, LN10 = math.log(2.0), math.log(10.0)

UNARY: dict[str, tuple] = {
    "exp": ("exp", "ExpBackward0", "result", lambda g, y: g * conj(y), True),
    "exp2": ("exp2", "Exp2Backward0", "result", lambda g, y: g * conj(y) * LN2, True),
    "expm1": ("expm1", "Expm1Backward0", "result", lambda g, y: g * conj(y + 1), True),
    "log": ("log", "LogBackward0", "self", lambda g, x: g / conj(x), True),
    "log2": ("log2", "Log2Backward0", "self", lambda g, x: g / (conj(x) * LN2), True),
    "log10": ("log10", "Log10Backward0", "self", lambda g, x: g / (conj(x) * LN10), True),
    "log1p": ("log1p", "Log1PBackward0", "self", lambda g, x: g / conj(x + 1), True),
    "sin": ("sin", "SinBackward0", "self", lambda g, x: g * conj(x.cos()), True),
    "cos": ("cos", "CosBackward0", "self", lambda g, x: g * -conj(x.sin()), True),
    "tan": ("tan", "TanBackward0", "result", lambda g, y: g * conj(1 + y * y), True),
    "asin": ("arcsin", "AsinBackward0", "self", lambda g, x: g * conj((-x * x + 1).rsqrt()), True),
    "acos": ("arccos", "AcosBackward0", "self", lambda g, x: g * -conj((-x * x + 1).rsqrt()), True),
    "atan": ("arctan", "AtanBackward0", "self", lambda g, x: g / conj(x * x + 1), True),
    "sinh": ("sinh", "SinhBackward0", "self", lambda g, x: g * conj(x.cosh()), True),
    "cosh": ("cosh", "CoshBackward0", "self", lambda g, x: g * conj(x.sinh()), True),
    "tanh": ("tanh", "TanhBackward0", "result", lambda g, y: tanh_backward(g, y), True),
    "sigmoid": ("sigmoid", "SigmoidBackward0", "result", lambda g, y: sigmoid_backward(g, y), True),
    "sqrt": ("sqrt", "SqrtBackward0", "result", lambda g, y: g / (2 * conj(y)), True),
    "rsqrt": ("rsqrt", "RsqrtBackward0", "result", lambda g, y: g * conj(y.pow(3) * -0.5), True),
    "reciprocal": ("reciprocal", "ReciprocalBackward0", "result", lambda g, y: g * -conj(y * y), True),
    "neg": ("negative", "NegBackward0", None, lambda g: -g, False),
    "abs": ("absolute", "AbsBackward0", "self", lambda g, x: g * x.sgn(), False),
    "sign": ("sign", "SignBackward0", None, lambda g: g * 0, False),
    "sgn": ("sgn", "SgnBackward0", "self", lambda g, x: _sgn_backward(g, x), False),
    "floor": ("floor", "FloorBackward0", None, lambda g: g * 0, False),
    "ceil": ("ceil", "CeilBackward0", None, lambda g: g * 0, False),
    "trunc": ("trunc", "TruncBackward0", None, lambda g: g * 0, False),
    "round": ("rint", "RoundBackward0", None, lambda g: g * 0, False),
    "frac": ("frac", "FracBackward0", None, lambda g: g, False),
    "relu": ("relu", "ReluBackward0", "result", lambda g, y: threshold_backward(g, y, 0), False),
}

_EXTRA_KERNELS = {
    "sigmoid": lambda xp, x: _sigmoid(xp, x),
    "rsqrt": lambda xp, x: 1 / xp.sqrt(x),
    "reciprocal": lambda xp, x: 1 / x,
    "frac": lambda xp, x: x - xp.trunc(x),
    "relu": lambda xp, x: xp.maximum(x, 0) if x.dtype.kind != "b" else _relu_bool(),
    "sgn": lambda xp, x: xp.where(x == 0, 0, x / xp.where(x == 0, 1, xp.absolute(x))) if x.dtype.kind == "c"
    else xp.sign(x),
}


def _relu_bool() -> Any:
    raise RuntimeError("Boolean inputs not supported for relu")


# relu's derivative is torch's threshold_backward op, so double backward names its node and keeps
# the result as an input (with zero derivative): the gradient requires grad under create_graph.
ThresholdBackwardBackward0 = node_class(
    "ThresholdBackwardBackward0",
    lambda gg, y, threshold: threshold_backward(gg, y, threshold),
    lambda gg, y, threshold: wrap(backend_of(gg._data).zeros(gg._data.shape, gg._data.dtype), gg._dtype))


def threshold_backward(grad_output: Tensor, self: Tensor, threshold: float) -> Tensor:
    """grad_output where self > threshold, else 0."""
    g = grad_output._data
    out = wrap(backend_of(g).where(self._data > threshold, g, 0), grad_output._dtype)
    if needs_grad(grad_output, self):
        record(ThresholdBackwardBackward0, out, (grad_output, self), (self,), (threshold,))
    return out


def _sgn_backward(g: Tensor, x: Tensor) -> Tensor:
    """torch's sgn_backward: zero for real x; (g - sgn * Re(g * conj(sgn))) / |x| for complex x."""
    if not x._dtype.is_complex:
        return g * 0
    s, a = x.sgn(), x.abs()
    return where(a == 0, 0.0, (g - s * (g * conj(s)).real) / a)


def _sigmoid(xp: Any, x: Any) -> Any:
    if x.dtype.kind == "c":
        return 1 / (1 + xp.exp(-x))
    e = xp.exp(-xp.absolute(x))  # stable for large |x|
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _make_unary(name: str, kernel: str, node: str, saves: str | None, formula: Any, to_float: bool):
    cls = node_class(node, formula)
    special = _EXTRA_KERNELS.get(name)
    out_dt = D.dtype.to_real if name == "abs" else _same  # |complex| is real

    np_kernel = None if special else getattr(_xp, kernel)

    def op(input: Tensor) -> Tensor:
        dt = input._dtype
        data = input._data
        if np_kernel is not None and dt.is_floating_point and type(data) is NDARRAY:  # fast path
            token = quiet()
            try:
                res = np_kernel(data)
            finally:
                loud(token)
            out = Tensor._make(res, dt) if type(res) is NDARRAY and res.dtype is data.dtype else wrap(res, dt)
        else:
            if to_float and not (dt.is_floating_point or dt.is_complex):
                dt = D.get_default_dtype()
            data = arr(input, dt)
            xp = backend_of(data)
            token = quiet()
            try:
                out = wrap(special(xp, data) if special else getattr(xp, kernel)(data), out_dt(dt))
            finally:
                loud(token)
        if _grad_state.enabled and (input._grad_fn is not None or input._requires_grad) and (
                dt.is_floating_point or dt.is_complex):
            record(cls, out, (input,), None if saves is None else ((input,) if saves == "self" else (out,)))
        return out

    op.__name__ = op.__qualname__ = name
    return op


def _same(dt: D.dtype) -> D.dtype:
    return dt


_unary = {name: _make_unary(name, *row) for name, row in UNARY.items()}
exp, log, tanh, sigmoid, neg, abs_ = _unary["exp"], _unary["log"], _unary["tanh"], _unary["sigmoid"], \
    _unary["neg"], _unary["abs"]


# torch's tanh/sigmoid derivatives are ops of their own, so double backward names their nodes.
TanhBackwardBackward0 = node_class(
    "TanhBackwardBackward0",
    lambda gg, g, y: tanh_backward(gg, conj(y)),
    lambda gg, g, y: conj(gg * (-2 * conj(y) * g)))
SigmoidBackwardBackward0 = node_class(
    "SigmoidBackwardBackward0",
    lambda gg, g, y: sigmoid_backward(gg, conj(y)),
    lambda gg, g, y: conj(gg) * g * (-2 * conj(y) + 1))


def tanh_backward(grad_output: Tensor, output: Tensor) -> Tensor:
    """grad_output * (1 - output ** 2)."""
    dt = grad_output._dtype
    g, y = grad_output._data, output._data
    if dt is output._dtype and dt.is_floating_point and type(g) is NDARRAY and type(y) is NDARRAY:
        token = quiet()  # fast path: the same three kernels, the last two writing in place
        try:
            d = y * y
            if type(d) is NDARRAY and g.shape == d.shape:
                data = _xp.multiply(g, _xp.subtract(1, d, out=d), out=d)
            else:  # 0-d (NumPy returns scalars) or a broadcasting grad
                data = g * (1 - d)
        finally:
            loud(token)
        out = wrap(data, dt)
    else:
        out = _compute(_tanh_backward_kernel, grad_output, output, dt=D.result_dtype(grad_output, output))
    if _grad_state.enabled and needs_grad(grad_output, output):
        record(TanhBackwardBackward0, out, (grad_output, output), (grad_output, output))
    return out


def sigmoid_backward(grad_output: Tensor, output: Tensor) -> Tensor:
    """grad_output * output * (1 - output)."""
    out = _compute(_sigmoid_backward_kernel, grad_output, output, dt=D.result_dtype(grad_output, output))
    if needs_grad(grad_output, output):
        record(SigmoidBackwardBackward0, out, (grad_output, output), (grad_output, output))
    return out


def _tanh_backward_kernel(g: Any, y: Any) -> Any:
    d = 1 - y * y
    return g * (d.conj() if d.dtype.kind == "c" else d)  # conj of a real array would copy it


def _sigmoid_backward_kernel(g: Any, y: Any) -> Any:
    d = y * (1 - y)
    return g * (d.conj() if d.dtype.kind == "c" else d)


def _conj(x: Tensor) -> Tensor:
    out = wrap(backend_of(x._data).conj(x._data), x._dtype)
    if needs_grad(x):
        record(_ConjBackward, out, (x,))
    return out


_ConjBackward = node_class("ConjBackward0", lambda g: conj(g))


def square(input: Tensor) -> Tensor:
    return pow(input, 2)


# ---------------------------------------------------------------------------------------
# Binary arithmetic
# ---------------------------------------------------------------------------------------
AddBackward0 = node_class("AddBackward0", lambda g, alpha: g, lambda g, alpha: g * conj(alpha))
SubBackward0 = node_class("SubBackward0", lambda g, alpha: g, lambda g, alpha: -g * conj(alpha))
RsubBackward0 = node_class("RsubBackward0", lambda g, alpha: -g * conj(alpha), lambda g, alpha: g)
RsubBackward1 = node_class("RsubBackward1", lambda g, alpha: -g * conj(alpha))
MulBackward0 = node_class("MulBackward0", lambda g, a, b: g * conj(b), lambda g, a, b: g * conj(a))
DivBackward0 = node_class("DivBackward0", lambda g, a, b: g / conj(b),
                          lambda g, a, b: -g * conj(a / b / b))
DivBackward2 = node_class("DivBackward2", lambda g, a, b: g * 0, lambda g, a, b: g * 0)
DivBackward3 = node_class("DivBackward3", lambda g, a, b: g * 0)
PowBackward0 = node_class("PowBackward0", lambda g, x, e: g * 0 if e == 0 else g * conj(e * x.pow(e - 1)))
PowBackward1 = node_class(
    "PowBackward1",
    lambda g, x, e, y: where(e == 0, 0.0, g * conj(e * x.pow(e - 1))),
    lambda g, x, e, y: g * conj(where((x == 0) & (e.real >= 0 if e.is_complex() else e >= 0), 0.0,
                                      y * x.log())))
PowBackward2 = node_class("PowBackward2", lambda g, e, y, base: g * conj(_pow_scalar_base_grad(e, y, base)))
RemainderBackward0 = node_class("RemainderBackward0", lambda g, a, b: g,
                                lambda g, a, b: -g * (a / b).floor())
RemainderBackward1 = node_class("RemainderBackward1", lambda g, a, b: g)
Atan2Backward0 = node_class("Atan2Backward0", lambda g, a, b: g * b / (a * a + b * b),
                            lambda g, a, b: g * -a / (a * a + b * b))


def _pow_scalar_base_grad(e: Tensor, y: Tensor, base: Any) -> Tensor:
    """d(base ** e)/de = base ** e * log(base); torch defines it as 0 where base == 0 and e >= 0."""
    if base == 0:
        return where(e >= 0, 0.0, y * -math.inf)
    log_base = complex(base) if type(base) is complex else base
    return y * (math.log(log_base) if type(log_base) is not complex else __import__("cmath").log(log_base))


def _alpha_check(dt: D.dtype, alpha: Any) -> None:
    if not (dt.is_floating_point or dt.is_complex) and isinstance(alpha, float):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    if dt is D.bool_ and alpha is not True and alpha != 1 and not isinstance(alpha, bool):
        raise RuntimeError("Boolean alpha only supported for Boolean results.")


def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    if type(alpha) is int and alpha == 1:
        out = _fast_arith(operator.add, input, other)
        if out is None:
            out = _compute(_xp_add, input, other, dt=D.result_dtype(input, other))
        if _grad_state.enabled and needs_grad(input, other):
            record(AddBackward0, out, (input, other), None, (alpha,))
        return out
    dt = D.result_dtype(input, other)
    if alpha == 1:
        _alpha_check(dt, alpha)
        out = _compute(_xp_add, input, other, dt=dt)
    else:
        _alpha_check(dt, alpha)
        out = _compute(lambda a, b: a + b * alpha, input, other, dt=dt)
    if needs_grad(input, other):
        record(AddBackward0, out, (input, other), None, (alpha,))
    return out


def _xp_add(a: Any, b: Any) -> Any:
    return a + b if a.dtype.kind != "b" else a | b


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    dt = D.result_dtype(input, other)
    if dt is D.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
                           "`^` or `logical_xor()` operator instead.")
    if type(alpha) is int and alpha == 1:
        out = _fast_arith(operator.sub, input, other)
        if out is None:
            out = _compute(operator.sub, input, other, dt=dt)
    else:
        _alpha_check(dt, alpha)
        out = _compute(lambda a, b: a - b * alpha if alpha != 1 else a - b, input, other, dt=dt)
    if needs_grad(input, other):
        record(SubBackward0, out, (input, other), None, (alpha,))
    return out


def rsub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """other - alpha * input."""
    dt = D.result_dtype(input, other)
    out = _compute(lambda a, b: b - a * alpha if alpha != 1 else b - a, input, other, dt=dt)
    if needs_grad(input, other):
        if type(other) in SCALARS:
            record(RsubBackward1, out, (input,), None, (alpha,))
        else:
            record(RsubBackward0, out, (input, other), None, (alpha,))
    return out


def mul(input: Any, other: Any) -> Tensor:
    out = _fast_arith(operator.mul, input, other)
    if out is None:
        out = _compute(_mul_kernel, input, other, dt=D.result_dtype(input, other))
    if _grad_state.enabled:
        grad_a, grad_b = wants_grad(input), wants_grad(other)
        if grad_a or grad_b:
            record(MulBackward0, out, (input, other), (input if grad_b else None, other if grad_a else None))
    return out


def _mul_kernel(a: Any, b: Any) -> Any:
    return a * b if a.dtype.kind != "b" else a & b


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:
    dt = D.result_dtype(input, other)
    if rounding_mode is None:
        dt = _float_dtype(dt)
        out = _fast_arith(operator.truediv, input, other)
        if out is None:
            out = _compute(_xp.true_divide, input, other, dt=dt)
        if needs_grad(input, other):
            record(DivBackward0, out, (input, other),
                   (input if wants_grad(other) else None, other))
        return out
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")
    if not (dt.is_floating_point or dt.is_complex):
        _check_int_zero(other)
    kernel = _floor_div if rounding_mode == "floor" else _trunc_div
    out = _compute(kernel, input, other, dt=dt)
    if needs_grad(input, other):
        if type(other) in SCALARS:
            record(DivBackward3, out, (input,), (None, None))
        else:
            record(DivBackward2, out, (input, other), (None, None))
    return out


def _check_int_zero(other: Any) -> None:
    values = other if type(other) in SCALARS else other._data
    if (values == 0).any() if hasattr(values, "any") else values == 0:
        raise RuntimeError("ZeroDivisionError")


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
    return div(input, other, rounding_mode="floor")


def remainder(input: Any, other: Any) -> Tensor:
    dt = D.result_dtype(input, other)
    if not (dt.is_floating_point or dt.is_complex):
        _check_int_zero(other)
    out = _compute(_xp.remainder, input, other, dt=dt)
    if needs_grad(input, other):
        if type(other) in SCALARS:
            record(RemainderBackward1, out, (input,), (None, None))
        else:
            record(RemainderBackward0, out, (input, other), (input, other))
    return out


def fmod(input: Any, other: Any) -> Tensor:
    dt = D.result_dtype(input, other)
    return _compute(_xp.fmod, input, other, dt=dt)


def pow(input: Any, exponent: Any) -> Tensor:
    if type(input) in SCALARS:  # scalar ** tensor
        dt = D.result_dtype(input, exponent)
        out = _compute(_xp.power, input, exponent, dt=dt)
        if needs_grad(exponent):
            record(PowBackward2, out, (exponent,), (exponent, out), (input,))
        return out
    dt = D.result_dtype(input, exponent)
    if type(exponent) in SCALARS:
        if not (dt.is_floating_point or dt.is_complex) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        out = _compute(_xp.power, input, exponent, dt=dt)
        if needs_grad(input):
            record(PowBackward0, out, (input,), (input,), (exponent,))
        return out
    out = _compute(_xp.power, input, exponent, dt=dt)
    if needs_grad(input, exponent):
        record(PowBackward1, out, (input, exponent), (input, exponent, out if wants_grad(exponent) else None))
    return out


def atan2(input: Tensor, other: Tensor) -> Tensor:
    dt = _float_dtype(D.result_dtype(input, other))
    out = _compute(_xp.arctan2, input, other, dt=dt)
    if needs_grad(input, other):
        record(Atan2Backward0, out, (input, other), (input, other))
    return out


# ---------------------------------------------------------------------------------------
# Selection and clamping
# ---------------------------------------------------------------------------------------
WhereBackward0 = node_class("WhereBackward0", lambda g, c: where(c, g, 0.0), lambda g, c: where(c, 0.0, g))
MaximumBackward0 = node_class(
    "MaximumBackward0",
    lambda g, a, b: where(a == b, g / 2, g).masked_fill(a < b, 0),
    lambda g, a, b: where(a == b, g / 2, g).masked_fill(a > b, 0))
MinimumBackward0 = node_class(
    "MinimumBackward0",
    lambda g, a, b: where(a == b, g / 2, g).masked_fill(a > b, 0),
    lambda g, a, b: where(a == b, g / 2, g).masked_fill(a < b, 0))
ClampBackward1 = node_class("ClampBackward1", lambda g, x, lo, hi: g * _in_range(x, lo, hi))
ClampBackward0 = node_class(
    "ClampBackward0",
    lambda g, x, lo, hi: g * _in_range(x, lo, hi),
    lambda g, x, lo, hi: where(x < lo, g, 0.0),
    lambda g, x, lo, hi: where(x > hi, g, 0.0))
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
    mask = None
    if lo is not None:
        mask = x >= lo
    if hi is not None:
        mask = (x <= hi) if mask is None else mask & (x <= hi)
    return mask


def where(condition: Tensor, input: Any, other: Any) -> Tensor:
    if condition._dtype is not D.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{condition._dtype._short}")
    dt = D.result_dtype(input, other)
    out = _compute(lambda a, b: _xp.where(condition._data, a, b), input, other, dt=dt)
    if needs_grad(input, other):
        record(WhereBackward0, out, (input, other), (condition,))
    return out


def maximum(input: Tensor, other: Tensor) -> Tensor:
    return _min_max(_xp.maximum, MaximumBackward0, input, other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    return _min_max(_xp.minimum, MinimumBackward0, input, other)


def _min_max(kernel: Any, cls: type, input: Tensor, other: Tensor) -> Tensor:
    if not isinstance(other, Tensor):
        raise TypeError(f"{kernel.__name__}(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    dt = D.result_dtype(input, other)
    if dt.is_complex:
        raise RuntimeError(f"{kernel.__name__}() not implemented for complex tensors.")
    out = _compute(kernel, input, other, dt=dt)
    if needs_grad(input, other):
        record(cls, out, (input, other), (input, other))
    return out


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        dt = D.result_dtype(*(v for v in (input, min, max) if v is not None))
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
    if isinstance(min, Tensor):
        out = maximum(input, min) if False else clamp(input, min=min)
        return out
    out = clamp(input, min=min)
    if out._grad_fn is not None:
        record(ClampMinBackward0, out, (input,), (input,), (min,))
    return out


def clamp_max(input: Tensor, max: Any) -> Tensor:
    out = clamp(input, max=max)
    if out._grad_fn is not None and not isinstance(max, Tensor):
        record(ClampMaxBackward0, out, (input,), (input,), (max,))
    return out


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    dt = D.result_dtype(input, end)
    if isinstance(weight, Tensor):
        out = _compute(lambda a, b, w: a + w * (b - a), input, end, weight, dt=dt)
        if needs_grad(input, end, weight):
            record(LerpBackward1, out, (input, end, weight), (input, end, weight))
        return out
    out = _compute(lambda a, b: a + weight * (b - a), input, end, dt=dt)
    if needs_grad(input, end):
        record(LerpBackward0, out, (input, end), None, (weight,))
    return out


# ---------------------------------------------------------------------------------------
# Comparisons, logical and bitwise ops, predicates: never differentiable
# ---------------------------------------------------------------------------------------
def _compare(kernel: Any):
    def op(input: Any, other: Any) -> Tensor:
        return _compute(kernel, input, other, dt=D.result_dtype(input, other), out_dt=D.bool_)

    return op


eq, ne, lt, le, gt, ge = (_compare(k) for k in (_xp.equal, _xp.not_equal, _xp.less, _xp.less_equal,
                                                 _xp.greater, _xp.greater_equal))
logical_and, logical_or, logical_xor = (_compare(k) for k in (_xp.logical_and, _xp.logical_or,
                                                              _xp.logical_xor))
for _op, _name in zip((eq, ne, lt, le, gt, ge, logical_and, logical_or, logical_xor),
                      ("eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor")):
    _op.__name__ = _op.__qualname__ = _name


def logical_not(input: Tensor) -> Tensor:
    return wrap(_xp.logical_not(input._data), D.bool_)


def _bitwise(kernel: Any, name: str):
    def op(input: Any, other: Any) -> Tensor:
        dt = D.result_dtype(input, other)
        if dt.is_floating_point or dt.is_complex:
            raise RuntimeError(f"\"{name}_cpu\" not implemented for '{dt._short}'")
        return _compute(kernel, input, other, dt=dt)

    op.__name__ = op.__qualname__ = name
    return op


bitwise_and = _bitwise(_xp.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(_xp.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(_xp.bitwise_xor, "bitwise_xor")


def bitwise_not(input: Tensor) -> Tensor:
    if input._dtype.is_floating_point or input._dtype.is_complex:
        raise RuntimeError(f"\"bitwise_not_cpu\" not implemented for '{input._dtype._short}'")
    return wrap(_xp.invert(input._data), input._dtype)


def isnan(input: Tensor) -> Tensor:
    return wrap(_xp.isnan(input._data), D.bool_)


def isinf(input: Tensor) -> Tensor:
    return wrap(_xp.isinf(input._data), D.bool_)


def isfinite(input: Tensor) -> Tensor:
    return wrap(_xp.isfinite(input._data), D.bool_)


# ---------------------------------------------------------------------------------------
# In-place forms: out-of-place op, then inplace.commit
# ---------------------------------------------------------------------------------------
def _inplace(fn: Any, name: str):
    def op(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        inplace.check_inplace(self)
        return inplace.commit(self, fn(self, *args, **kwargs))

    op.__name__ = op.__qualname__ = name
    return op


def _swap(fn: Any):
    """Reflected operator: ``2 * x`` calls ``x.__rmul__(2)``."""
    return lambda self, other: fn(other, self)


def _rtruediv(self: Tensor, other: Any) -> Tensor:
    return mul(self.reciprocal(), other)  # torch computes 2 / x as reciprocal(x) * 2


def _rpow(self: Tensor, other: Any) -> Tensor:
    return pow(other, self)


_UNARY_FUNCS = {name: _unary[name] for name in UNARY}
_BINARY_FUNCS = {
    "add": add, "sub": sub, "subtract": sub, "rsub": rsub, "mul": mul, "multiply": mul, "div": div,
    "divide": div, "true_divide": div, "floor_divide": floor_divide, "remainder": remainder, "fmod": fmod,
    "pow": pow, "atan2": atan2, "arctan2": atan2, "maximum": maximum, "minimum": minimum, "clamp": clamp,
    "clip": clamp, "clamp_min": clamp_min, "clamp_max": clamp_max, "lerp": lerp, "where": where,
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge, "greater": gt, "less": lt,
    "greater_equal": ge, "less_equal": le, "not_equal": ne,
    "logical_and": logical_and, "logical_or": logical_or, "logical_xor": logical_xor,
    "logical_not": logical_not, "bitwise_and": bitwise_and, "bitwise_or": bitwise_or,
    "bitwise_xor": bitwise_xor, "bitwise_not": bitwise_not, "isnan": isnan, "isinf": isinf,
    "isfinite": isfinite, "square": square, "conj": conj,
    "arcsin": _unary["asin"], "arccos": _unary["acos"], "arctan": _unary["atan"], "negative": neg,
    "absolute": abs_,
}

FUNCTIONS = {**_UNARY_FUNCS, **_BINARY_FUNCS}
_INPLACE = ("add", "sub", "mul", "div", "pow", "clamp", "clamp_min", "clamp_max", "remainder", "lerp",
            "floor_divide", "atan2", "maximum", "minimum", "square", *UNARY)
METHODS = {
    **{k: v for k, v in FUNCTIONS.items() if k not in ("where",)},
    "where": lambda self, condition, other: where(condition, self, other),
    **{f"{k}_": _inplace(FUNCTIONS[k], f"{k}_") for k in _INPLACE if k in FUNCTIONS},
    "__add__": add, "__radd__": add, "__iadd__": _inplace(add, "__iadd__"),
    "__sub__": sub, "__rsub__": lambda self, other: rsub(self, other), "__isub__": _inplace(sub, "__isub__"),
    "__mul__": mul, "__rmul__": mul, "__imul__": _inplace(mul, "__imul__"),
    "__truediv__": div, "__rtruediv__": _rtruediv, "__itruediv__": _inplace(div, "__itruediv__"),
    "__floordiv__": floor_divide, "__rfloordiv__": _swap(floor_divide),
    "__mod__": remainder, "__rmod__": _swap(remainder),
    "__pow__": pow, "__rpow__": _rpow, "__ipow__": _inplace(pow, "__ipow__"),
    "__neg__": neg, "__abs__": abs_, "__pos__": lambda self: self,
    "__eq__": eq, "__ne__": ne, "__lt__": lt, "__le__": le, "__gt__": gt, "__ge__": ge,
    "__and__": bitwise_and, "__or__": bitwise_or, "__xor__": bitwise_xor, "__invert__": bitwise_not,
    "__rand__": _swap(bitwise_and), "__ror__": _swap(bitwise_or), "__rxor__": _swap(bitwise_xor),
}
