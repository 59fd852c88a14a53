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
from ..autograd.graph import _RELEASED, Node, needs_grad, node_class, record, record_from, wants_grad
from . import inplace
from ._util import (
    NDARRAY,
    SCALARS,
    arr,
    broadcast_error,
    loud,
    np_asarray,
    quiet,
    quiet_call,
    quietly,
    shape_of,
    wrap,
    zero_unless,
)


def conj(x: Any) -> Any:
    if type(x) is complex:
        return x.conjugate()
    if type(x) in SCALARS or not x._dtype.is_complex:
        return x
    return _conj(x)


def _compute(kernel: Any, *operands: Any, dt: D.dtype, out_dt: D.dtype | None = None) -> Tensor:
    """Run ``kernel`` on the operands cast to ``dt``; a shape mismatch raises torch's message."""
    token = quiet()  # also for the casts: a scalar beyond ``dt`` becomes inf silently, as in torch
    try:
        arrays = [arr(x, dt) for x in operands]
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
    ``a``'s (torch's promotion agrees). NumPy 2 treats a Python scalar as weak (NEP 50) and casts
    it to ``a``'s dtype; a 0-d array of that dtype gives the same values and skips the ~0.3 us
    the weak-scalar promotion costs (tests/test_elementwise checks the equivalence)."""
    da = getattr(a, "_dtype", None)
    if da is None or not da.is_floating_point:
        return None
    x = a._data
    if type(x) is not NDARRAY:
        return None
    tb = type(b)
    if tb is float or (tb is int and -_EXACT_INT <= b <= _EXACT_INT):
        cache = _SCALAR_ARRAYS.get(da)
        if cache is None:  # half (torch computes half by a Python scalar in float: half_by_scalar)
            return None
        y = cache.get(b)
        if y is None:
            y = _scalar_array(b, x.dtype, cache)
    elif tb not in _SCALAR_TYPES and getattr(b, "_dtype", None) is da and type(b._data) is NDARRAY:
        y = b._data
    else:
        return None
    try:
        data = quiet_call(fast, x, y)
    except ValueError:
        raise broadcast_error(shape_of(a), shape_of(b)) from None
    except RuntimeError as e:
        data = quietly(fast, x, y, busy=e)
    if type(data) is NDARRAY:
        return _make(data, da)
    return wrap(data, da)


# The 0-d arrays of recently used Python scalars, per dtype: a chain like ``y * 1.0001`` casts its
# scalar once. Read-only; zeros (0.0 and -0.0 are one key) and NaNs (never equal) are not kept.
_SCALAR_ARRAYS: dict = {D.float32: {}, D.float64: {}}  # float16 has none: see half_by_scalar
_make = Tensor._make


def _scalar_array(b: float | int, np_dtype: Any, cache: dict) -> Any:
    """The Python scalar ``b`` as a 0-d array of ``np_dtype``, cast quietly (a scalar beyond the
    dtype becomes inf, as in torch), and remembered in ``cache``."""
    s = quietly(np_asarray, b, np_dtype)
    if b != 0 and b == b:
        s.flags.writeable = False
        if len(cache) >= 64:
            cache.clear()
        cache[b] = s
    return s


def half_by_scalar(fn: Any, a: Any, b: Any) -> Tensor | None:
    """``fn(a, b)`` for a half tensor ``a`` and a real Python scalar ``b``, else None. torch's mul and
    div kernels (true, floor and trunc division) read such a scalar as a float
    (``original_scalar_value<opmath_t>``) and compute in float, rounding once; NumPy would round the
    scalar to half first. (remainder and fmod compute in half.)"""
    if type(b) not in (float, int) or getattr(a, "_dtype", None) is not D.float16:
        return None
    x = a._data
    xp = backend_of(x)
    token = quiet()
    try:
        return wrap(xp.astype(fn(xp.astype(x, D.float32.np), b), D.float16.np), D.float16)
    finally:
        loud(token)


def _float_dtype(dt: D.dtype) -> D.dtype:
    """Integer and bool inputs of floating ops compute in the default dtype."""
    return dt if dt.is_floating_point or dt.is_complex else D.get_default_dtype()


# ---------------------------------------------------------------------------------------
# Array-level backward for the hottest nodes. The formula tables below define every gradient;
# these ``apply`` overrides only skip their Tensor plumbing (saved-tensor unpacking, formula
# lambdas, conj, dtype promotion) in the common case: no create_graph (grad mode is off while
# the engine runs them), a real floating NumPy gradient and operands of its dtype. They run the
# same kernels as the formulas, so the values are identical; every other case (and a released
# graph, which must raise) goes through ``Node.apply``.
# ---------------------------------------------------------------------------------------
class _AddArrayBackward(Node):
    """AddBackward0 with alpha == 1 into a single tensor: the gradient passes through."""

    __slots__ = ()

    def apply(self, grads: list) -> tuple:
        alpha = self._args[0]
        nexts = self._next
        if type(alpha) is int and alpha == 1 and len(nexts) == 4 and nexts[2] is None:
            return (None if nexts[0] is None else grads[0], None)
        return Node.apply(self, grads)


class _MulArrayBackward(Node):
    """MulBackward0: ``g * other`` and ``g * self`` through ``_fast_arith``, as the formulas."""

    __slots__ = ()

    def apply(self, grads: list) -> tuple:
        g = grads[0]
        saved = self._saved
        if _grad_state.enabled or saved is _RELEASED or not g._dtype.is_floating_point:
            return Node.apply(self, grads)
        na, _, nb, _ = self._next
        ga = gb = None
        if na is not None:
            other = saved[1]  # a Python float (tensor * scalar) needs no unpacking
            ga = _fast_arith(operator.mul, g, other if type(other) is float else _unpack_real(other, self))
            if ga is None:
                return Node.apply(self, grads)
        if nb is not None:
            gb = _fast_arith(operator.mul, g, _unpack_real(saved[0], self))
            if gb is None:
                return Node.apply(self, grads)
        return (ga, gb)


def _unpack_real(s: Any, node: Node) -> Any:
    """A saved operand for the array path: real scalars as they are, tensors unpacked (with the
    version check), a complex one as None so that ``_fast_arith`` declines (conj is not free)."""
    if type(s) is float or type(s) is int:
        return s
    if type(s) in _SCALAR_TYPES:
        return None
    return s.unpack(node)


class _OutputArrayBackward(Node):
    """A unary node whose formula is one kernel of the gradient and the saved output (``kernel``, run
    on the saved output's buffer without a Tensor for it): TanhBackward0, ReluBackward0."""

    __slots__ = ()
    kernel: Any = None  # staticmethod(kernel(g, y) -> array)

    def apply(self, grads: list) -> tuple:
        g = grads[0]
        saved = self._saved
        if not _grad_state.enabled and saved is not _RELEASED and self._next[0] is not None:
            s = saved[0]
            dt = g._dtype
            if (s.vc[0] == s.version and s.dtype is dt and dt.is_floating_point and type(g._data) is NDARRAY
                    and type(s.data) is NDARRAY):
                try:
                    data = quiet_call(self.kernel, g._data, s.data)
                except RuntimeError as e:
                    data = quietly(self.kernel, g._data, s.data, busy=e)
                return (Tensor._make(data, dt) if type(data) is NDARRAY else wrap(data, dt),)
        return Node.apply(self, grads)


def _tanh_backward_real(g: Any, y: Any) -> Any:
    """g * (1 - y * y) on real NumPy arrays: three kernels, the last two writing in place (run it
    through ``quietly``)."""
    d = y * y
    if type(d) is NDARRAY and g.shape == d.shape:
        return _xp.multiply(g, _xp.subtract(1, d, out=d), out=d)
    return g * (1 - d)  # 0-d (NumPy returns scalars) or a broadcasting grad


def _relu_backward_real(g: Any, y: Any) -> Any:
    """``threshold_backward(g, y, 0)``'s kernel."""
    return zero_unless(~(y <= 0), g)


class _TanhArrayBackward(_OutputArrayBackward):
    __slots__ = ()
    kernel = staticmethod(_tanh_backward_real)


class _ReluArrayBackward(_OutputArrayBackward):
    __slots__ = ()
    kernel = staticmethod(_relu_backward_real)


_ARRAY_BACKWARD = {"TanhBackward0": _TanhArrayBackward, "ReluBackward0": _ReluArrayBackward}


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
    "sgn": ("sgn", "SgnBackward0", "both", lambda g, x, y: _sgn_backward(g, x, y), False),
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
    "relu": lambda xp, x: xp.maximum(x, 0) if x.dtype.kind not in "bc" else _relu_unsupported(x),
    "sgn": lambda xp, x: xp.where(x == 0, 0, x / xp.where(x == 0, 1, xp.absolute(x))) if x.dtype.kind == "c"
    else _sign(xp, x),
    "sign": lambda xp, x: _sign(xp, x),
}


def _sign(xp: Any, x: Any) -> Any:
    return x.copy() if x.dtype.kind == "b" else xp.sign(x)  # sign of a bool is itself


# torch has no integer or bool kernel for these (frac: no integer kernel at all).
_NO_BOOL_KERNEL = {"abs": "abs_cpu", "floor": "floor_vml_cpu", "ceil": "ceil_vml_cpu", "round": "round_vml_cpu",
                   "trunc": "trunc_vml_cpu", "frac": "frac_cpu"}


def _check_integral(name: str, dt: D.dtype) -> None:
    """torch's errors for a unary op on an integer or bool tensor."""
    if name == "frac" or (dt is D.bool_ and name in _NO_BOOL_KERNEL):
        raise NotImplementedError(f"\"{_NO_BOOL_KERNEL[name]}\" not implemented for '{dt._short}'")
    if dt is D.bool_ and name == "neg":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                               "invert a mask, use the `~` or `logical_not()` operator instead.")


def _relu_unsupported(x: Any) -> Any:
    if x.dtype.kind == "c":
        raise NotImplementedError("clamp is not supported for complex types")
    raise RuntimeError("Boolean inputs not supported for relu")


# relu's derivative is torch's threshold_backward op, so double backward names its node and keeps
# the result as an input (with zero derivative): the gradient requires grad under create_graph.
ThresholdBackwardBackward0 = node_class(
    "ThresholdBackwardBackward0",
    lambda gg, y, threshold: threshold_backward(gg, y, threshold),
    lambda gg, y, threshold: wrap(backend_of(gg._data).zeros(gg._data.shape, gg._data.dtype), gg._dtype))


def threshold_backward(grad_output: Tensor, self: Tensor, threshold: float) -> Tensor:
    """torch's ``self <= threshold ? 0 : grad_output``: a NaN ``self`` passes the gradient."""
    g = grad_output._data
    out = wrap(zero_unless(~(self._data <= threshold), g), grad_output._dtype)
    if needs_grad(grad_output, self):
        record(ThresholdBackwardBackward0, out, (grad_output, self), (self,), (threshold,))
    return out


def _sgn_backward(g: Tensor, x: Tensor, s: Tensor) -> Tensor:
    """torch's sgn_backward (saves self and result): for real x an (immutable) ZeroTensor of x's
    shape, without history; else (g - sgn * Re(g * conj(sgn))) / |x|."""
    if not x._dtype.is_complex:
        z = Tensor._make(backend_of(x._data).zeros(x._data.shape, x._dtype.np), x._dtype)
        z._zerotensor = True
        return z
    a = x.abs()
    return where(a == 0, 0.0, (g - s * (g * conj(s)).real) / a)


def _sigmoid(xp: Any, x: Any) -> Any:
    if x.dtype.kind == "c":
        return 1 / (1 + xp.exp(-x))
    e = xp.exp(-xp.absolute(x))  # stable for large |x|
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _make_unary(name: str, kernel: str, node: str, saves: str | None, formula: Any, to_float: bool):
    cls = node_class(node, formula, base=_ARRAY_BACKWARD.get(node, Node))
    special = _EXTRA_KERNELS.get(name)
    out_dt = D.dtype.to_real if name == "abs" else _same  # |complex| is real

    np_kernel = None if special else getattr(_xp, kernel)
    save = None if saves is None else _SAVES[saves]

    def op(input: Tensor) -> Tensor:
        dt = input._dtype
        data = input._data
        if np_kernel is not None and dt.is_floating_point and type(data) is NDARRAY:  # fast path
            try:
                res = quiet_call(np_kernel, data)
            except RuntimeError as e:
                res = quietly(np_kernel, data, busy=e)
            out = Tensor._make(res, dt) if type(res) is NDARRAY and res.dtype is data.dtype else wrap(res, dt)
        else:
            if not (dt.is_floating_point or dt.is_complex):
                if to_float:
                    dt = D.get_default_dtype()
                else:
                    _check_integral(name, dt)
            data = arr(input, dt)
            xp = backend_of(data)
            token = quiet()
            try:
                out = wrap(special(xp, data) if special else getattr(xp, kernel)(data), out_dt(dt))
            finally:
                loud(token)
        if _grad_state.enabled and (input._grad_fn is not None or input._requires_grad) and (
                dt.is_floating_point or dt.is_complex):
            record_from(cls, out, input, None if save is None else save(input, out))
        return out

    op.__name__ = op.__qualname__ = name
    return op


_SAVES = {"self": lambda x, y: (x,), "result": lambda x, y: (y,), "both": lambda x, y: (x, y)}


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
        out = wrap(quietly(_tanh_backward_real, g, y), dt)
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
    return input.pow(2)  # torch: PowBackward0


# ---------------------------------------------------------------------------------------
# Binary arithmetic
# ---------------------------------------------------------------------------------------
def _maybe_multiply(g: Tensor, s: Any) -> Tensor:
    """torch's maybe_multiply: the gradient itself (not a copy) for a real scalar equal to 1."""
    return g if type(s) is not complex and s == 1 else g * s


AddBackward0 = node_class("AddBackward0", lambda g, alpha: g, lambda g, alpha: _maybe_multiply(g, conj(alpha)),
                         base=_AddArrayBackward)
SubBackward0 = node_class("SubBackward0", lambda g, alpha: g, lambda g, alpha: -g * conj(alpha))
RsubBackward0 = node_class("RsubBackward0", lambda g, alpha: -g * conj(alpha), lambda g, alpha: g)
RsubBackward1 = node_class("RsubBackward1", lambda g, alpha: -g * conj(alpha))
MulBackward0 = node_class("MulBackward0", lambda g, a, b: g * conj(b), lambda g, a, b: g * conj(a),
                         base=_MulArrayBackward)
def _alpha_check(dt: D.dtype, alpha: Any) -> Any:
    """torch's alpha_check; returns alpha as the kernel uses it (a bool for bool results)."""
    if type(alpha) is bool and dt is not D.bool_:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if not (dt.is_floating_point or dt.is_complex) and isinstance(alpha, (float, complex)):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    if type(alpha) is complex and not dt.is_complex:
        raise RuntimeError("For non-complex input tensors, argument alpha must not be a complex number.")
    return bool(alpha) if dt is D.bool_ else alpha


def _scaled_add(alpha: Any) -> Any:
    return lambda a, b: a | (b & alpha) if a.dtype.kind == "b" else a + b * alpha


def add(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    if type(alpha) is int and alpha == 1:
        out = _fast_arith(operator.add, input, other)
        if out is None:
            out = _compute(_xp_add, input, other, dt=D.result_dtype(input, other))
        if _grad_state.enabled:
            if type(other) in _SCALAR_TYPES:
                # a tensor with history or requiring grad, tested inline first (cheap and common);
                # wants_grad also sees stale views
                if (input.__class__ is Tensor and (input._grad_fn is not None or input._requires_grad)
                        or wants_grad(input)):
                    record_from(AddBackward0, out, input, None, _ALPHA_ONE, scalar=True)
            elif needs_grad(input, other):
                record(AddBackward0, out, (input, other), None, _ALPHA_ONE)
        return out
    dt = D.result_dtype(input, other)
    alpha = _alpha_check(dt, alpha)
    out = _compute(_xp_add if alpha == 1 else _scaled_add(alpha), input, other, dt=dt)
    if needs_grad(input, other):
        record(AddBackward0, out, (input, other), None, (alpha,))
    return out


_ALPHA_ONE = (1,)  # AddBackward0's args for the default alpha (one tuple less per add)


def _xp_add(a: Any, b: Any) -> Any:
    return a + b if a.dtype.kind != "b" else a | b


def _sub_check(input: Any, other: Any, dt: D.dtype) -> None:
    """torch's sub_check: no subtraction with a bool operand (tensor or Python bool)."""
    if dt is D.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
                           "`^` or `logical_xor()` operator instead.")
    if (type(input) is bool or type(other) is bool or getattr(input, "_dtype", None) is D.bool_
            or getattr(other, "_dtype", None) is D.bool_):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    out = _fast_arith(operator.sub, input, other) if type(alpha) is int and alpha == 1 else None
    if out is None:  # the fast path never sees a bool operand
        dt = D.result_dtype(input, other)
        _sub_check(input, other, dt)
        if type(alpha) is int and alpha == 1:
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
    _sub_check(input, other, dt)
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
        out = half_by_scalar(operator.mul, input, other)
    if out is None:
        out = _compute(_mul_kernel, input, other, dt=D.result_dtype(input, other))
    if _grad_state.enabled:
        grad_a = (input.__class__ is Tensor and (input._grad_fn is not None or input._requires_grad)
                  or wants_grad(input))  # the cheap common case inline, as in add
        if type(other) in _SCALAR_TYPES:
            if grad_a:
                record_from(MulBackward0, out, input, (None, other), scalar=True)
        elif grad_a or wants_grad(other):
            grad_b = wants_grad(other)
            record(MulBackward0, out, (input, other), (input if grad_b else None, other if grad_a else None))
    return out


def _mul_kernel(a: Any, b: Any) -> Any:
    return a * b if a.dtype.kind != "b" else a & b


# ---------------------------------------------------------------------------------------
# Selection: where, maximum, minimum (clamp and lerp: clamping.py)
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


# ---------------------------------------------------------------------------------------
# In-place forms: out-of-place op, then inplace.commit
# ---------------------------------------------------------------------------------------
def _inplace(fn: Any, name: str):
    def op(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        inplace.check_inplace(self)
        if self._inference and inplace.bump_refused(self):
            return inplace.commit(self, inplace.unrecorded(fn, self, *args, **kwargs))
        return inplace.commit(self, fn(self, *args, **kwargs))

    op.__name__ = op.__qualname__ = name
    return op


def _swap(fn: Any):
    """Reflected operator: ``2 * x`` calls ``x.__rmul__(2)``."""
    return lambda self, other: fn(other, self)


_UNARY_FUNCS = {name: _unary[name] for name in UNARY}
_BINARY_FUNCS = {
    "add": add, "sub": sub, "subtract": sub, "rsub": rsub, "mul": mul, "multiply": mul, "maximum": maximum,
    "minimum": minimum, "where": where,
    "square": square, "conj": conj,
    "arcsin": _unary["asin"], "arccos": _unary["acos"], "arctan": _unary["atan"], "negative": neg,
    "absolute": abs_,
}

FUNCTIONS = {**_UNARY_FUNCS, **_BINARY_FUNCS}
_INPLACE = ("add", "sub", "mul", "square",
            *UNARY)  # torch has no maximum_ / minimum_
METHODS = {
    **{k: v for k, v in FUNCTIONS.items() if k not in ("where", "rsub")},  # torch.Tensor has no rsub
    "where": lambda self, condition, other: where(condition, self, other),
    **{f"{k}_": _inplace(FUNCTIONS[k], f"{k}_") for k in _INPLACE if k in FUNCTIONS},
    "__add__": add, "__radd__": add, "__iadd__": _inplace(add, "__iadd__"),
    "__sub__": sub, "__rsub__": lambda self, other: rsub(self, other), "__isub__": _inplace(sub, "__isub__"),
    "__mul__": mul, "__rmul__": mul, "__imul__": _inplace(mul, "__imul__"),
    "__neg__": neg, "__abs__": abs_, "__pos__": lambda self: self,
}
