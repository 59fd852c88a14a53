"""nn.functional activations, softmaxes, dropout and linear.

torch implements these as fused kernels with their own backward nodes (GeluBackward0,
SoftmaxBackward0, ...), so each forward here is one backend computation plus one node.
The backward formulas (torch's ``*_backward`` kernels) are written with Tensor ops so that
create_graph / double backward works; the double-backward graph therefore uses
elementary nodes where torch has e.g. ``GeluBackwardBackward0`` (same values).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import _dtype as D
from .._backend import of as backend_of
from .._ops import inplace
from .._ops._util import NDARRAY, loud, quiet, wrap
from .._ops.elementwise import FUNCTIONS as _ELEMENTWISE
from .._ops.elementwise import mul, where
from .._ops.linalg import column_major, matmul, mm_mat1_backward, mm_mat2_backward, t
from .._ops.random import _rng
from .._ops.shape import reshape, wrap_dim
from .._tensor import Tensor
from ..autograd.grad_mode import state as _grad_state
from ..autograd.graph import _RELEASED, Node, needs_grad, node_class, record, wants_grad

_SQRT1_2 = math.sqrt(0.5)
_SQRT_2_PI = math.sqrt(2.0 / math.pi)  # tanh-GELU's kBeta
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_KAPPA = 0.044715


def _compute_dtype(dt: D.dtype) -> Any:
    """Half computes in float (torch's CPU kernels accumulate in float), then rounds."""
    return D.float32.np if dt is D.float16 else dt.np


def _run(input: Tensor, kernel: Any, *args: Any) -> Tensor:
    x = input._data
    xp = backend_of(x)
    if input._dtype is D.float16:
        x = xp.astype(x, _compute_dtype(input._dtype))
    token = quiet()  # NumPy's floating-point error state (np.errstate costs ~1.5 us)
    try:
        return wrap(kernel(xp, x, *args), input._dtype)
    finally:
        loud(token)


def not_implemented(kernel_name: str, dt: D.dtype) -> NotImplementedError:
    """torch's dispatch error for a dtype a CPU kernel is not compiled for."""
    return NotImplementedError(f"\"{kernel_name}\" not implemented for '{dt._short}'")


def floating_only(kernel_name: str, dt: D.dtype) -> None:
    if not dt.is_floating_point:
        raise not_implemented(kernel_name, dt)


def no_bool(kernel_name: str, dt: D.dtype) -> None:
    """Matmul-like kernels (addmm, bmm, conv) take every dtype but Bool."""
    if dt is D.bool_:
        raise not_implemented(kernel_name, dt)


def _floating_only(input: Tensor, kernel_name: str) -> None:
    floating_only(kernel_name, input._dtype)


# ---------------------------------------------------------------------------------------
# erf (private until elementwise has it): GELU's backward differentiates through it.
# ---------------------------------------------------------------------------------------
ErfBackward0 = node_class("ErfBackward0", lambda g, x: g * ((-x * x).exp() * (2.0 / math.sqrt(math.pi))))


def _erf(input: Tensor) -> Tensor:
    out = _run(input, lambda xp, x: xp.erf(x))
    if needs_grad(input):
        record(ErfBackward0, out, (input,), (input,))
    return out


# ---------------------------------------------------------------------------------------
# Pointwise activations: forward kernel and torch's *_backward formula side by side
# ---------------------------------------------------------------------------------------
def _gelu_kernel(xp: Any, x: Any, approximate: str) -> Any:
    if approximate == "tanh":
        return 0.5 * x * (1 + xp.tanh(_SQRT_2_PI * (x + _KAPPA * x * x * x)))
    return x * 0.5 * (1 + xp.erf(x * _SQRT1_2))


def _gelu_backward(g: Tensor, x: Tensor, approximate: str) -> Tensor:
    if approximate == "tanh":
        inner = (x + x * x * x * _KAPPA) * _SQRT_2_PI
        tanh_inner = inner.tanh()
        left_derivative = (tanh_inner + 1) * 0.5
        right_derivative = x * 0.5 * (1 - tanh_inner * tanh_inner)
        inner_derivative = (x * x * (3 * _KAPPA) + 1) * _SQRT_2_PI
        return g * (left_derivative + right_derivative * inner_derivative)
    cdf = (_erf(x * _SQRT1_2) + 1) * 0.5
    pdf = (x * x * -0.5).exp() * _INV_SQRT_2PI
    return g * (cdf + x * pdf)


def _silu_kernel(xp: Any, x: Any) -> Any:
    return x / (1 + xp.exp(-x))


def _silu_backward(g: Tensor, x: Tensor) -> Tensor:
    s = x.sigmoid()
    return g * (s * (1 + x * (1 - s)))


def _elu_kernel(xp: Any, x: Any, alpha: float) -> Any:
    return xp.where(x <= 0, xp.expm1(x) * alpha, x)


def _elu_backward(g: Tensor, x: Tensor, alpha: float) -> Tensor:
    return where(x <= 0, g * (x.exp() * alpha), g)


def _leaky_relu_kernel(xp: Any, x: Any, slope: float) -> Any:
    return xp.where(x > 0, x, x * slope)


def _leaky_relu_backward(g: Tensor, x: Tensor, slope: float) -> Tensor:
    """torch's leaky_relu_backward op: its own node, so create_graph results depend on ``x``."""
    gd = g._data
    out = wrap(backend_of(gd).where(x._data > 0, gd, gd * gd.dtype.type(slope)), g._dtype)
    if needs_grad(g, x):
        record(LeakyReluBackwardBackward0, out, (g, x), (x,), (slope,))
    return out


def _zeros_like(t: Tensor) -> Tensor:
    return wrap(backend_of(t._data).zeros(t._data.shape, t._data.dtype), t._dtype)


LeakyReluBackwardBackward0 = node_class(
    "LeakyReluBackwardBackward0",
    lambda gg, x, slope: _leaky_relu_backward(gg, x, slope),
    lambda gg, x, slope: _zeros_like(gg),
)


def _softplus_kernel(xp: Any, x: Any, beta: float, threshold: float) -> Any:
    return xp.where(x * beta > threshold, x, xp.log1p(xp.exp(x * beta)) / beta)


def _softplus_backward(g: Tensor, x: Tensor, beta: float, threshold: float) -> Tensor:
    """The first derivative is linear where ``x * beta > threshold``; torch's softplus_double_backward
    keeps the curvature only where ``x * beta < threshold`` (strict), so at equality it is 0."""
    bx = x * beta
    z = where(bx < threshold, bx, bx.detach()).exp()
    return where(bx > threshold, g, g * z / (z + 1))


def _elu_result_backward(g: Tensor, y: Tensor, alpha: float) -> Tensor:
    return where(y <= 0, g * (y + alpha), g)


def _leaky_relu_result_backward(g: Tensor, y: Tensor, slope: float) -> Tensor:
    return _leaky_relu_backward(g, y, slope)


GeluBackward0 = node_class("GeluBackward0", _gelu_backward)
SiluBackward0 = node_class("SiluBackward0", _silu_backward)
EluBackward0 = node_class("EluBackward0", _elu_backward)
LeakyReluBackward0 = node_class("LeakyReluBackward0", _leaky_relu_backward)
SoftplusBackward0 = node_class("SoftplusBackward0", _softplus_backward)
EluBackward1 = node_class("EluBackward1", _elu_result_backward)  # in place: saves the result
LeakyReluBackward1 = node_class("LeakyReluBackward1", _leaky_relu_result_backward)


def _activation(
    input: Tensor, kernel_name: str, kernel: Any, cls: type, *args: Any, saves_result: bool = False
) -> Tensor:
    _floating_only(input, kernel_name)
    out = _run(input, kernel, *args)
    if needs_grad(input):
        record(cls, out, (input,), (out if saves_result else input,), args)
    return out


def _maybe_inplace(input: Tensor, inplace_flag: bool, fn: Any) -> Tensor:
    """``fn(input)``; in place, torch's leaf check and a version bump (``fn(input, True)``)."""
    if not inplace_flag:
        return fn(input, False)
    inplace.check_inplace(input)
    return inplace.commit(input, fn(input, True))


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    return input.relu_() if inplace else _ELEMENTWISE["relu"](input)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _activation(input, "GeluKernelImpl", _gelu_kernel, GeluBackward0, approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    return _maybe_inplace(
        input, inplace, lambda x, _: _activation(x, "silu_cpu", _silu_kernel, SiluBackward0)
    )


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    return _maybe_inplace(
        input,
        inplace,
        lambda x, ip: _activation(
            x, "elu_cpu", _elu_kernel, EluBackward1 if ip else EluBackward0, alpha, saves_result=ip
        ),
    )


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    return _maybe_inplace(
        input,
        inplace,
        lambda x, ip: _activation(
            x,
            "leaky_relu_cpu",
            _leaky_relu_kernel,
            LeakyReluBackward1 if ip else LeakyReluBackward0,
            negative_slope,
            saves_result=ip,
        ),
    )


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    return _activation(input, "softplus_cpu", _softplus_kernel, SoftplusBackward0, beta, threshold)


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


def sigmoid(input: Tensor) -> Tensor:
    return input.sigmoid()


# ---------------------------------------------------------------------------------------
# softmax / log_softmax: max-shifted kernels; backward as _softmax_backward_data
# ---------------------------------------------------------------------------------------
def _sum_keep(x: Tensor, dim: int | None) -> Tensor:
    return x.sum() if dim is None else x.sum(dim, keepdim=True)


SoftmaxBackward0 = node_class("SoftmaxBackward0", lambda g, y, dim: y * (g - _sum_keep(g * y, dim)))
_ARRAY_DTYPES = (D.float32, D.float64)


class _LogSoftmaxArrayBackward(Node):
    """The formula below on arrays (``g - exp(y) * g.sum(dim, keepdim=True)``, the same kernels) when
    there is no create_graph and the gradient and saved output are float32/float64 NumPy data of one
    dtype (half sums in float through ``sum``); anything else (and a released graph or modified
    output, which must raise) takes the formula."""

    __slots__ = ()

    def apply(self, grads: list) -> tuple:
        g = grads[0]
        saved, dim = self._saved, self._args[0]
        if not _grad_state.enabled and saved is not _RELEASED and dim is not None and self._next[0] is not None:
            y = saved[0]
            gd, dt = g._data, g._dtype
            if (y.vc[0] == y.version and y.dtype is dt and dt in _ARRAY_DTYPES and type(gd) is NDARRAY
                    and type(y.data) is NDARRAY and y.data.shape == gd.shape):
                token = quiet()
                try:
                    data = gd - np.exp(y.data) * np.add.reduce(gd, axis=(dim,), dtype=dt.np, keepdims=True)  # np.sum
                finally:
                    loud(token)
                return (wrap(data, dt),)
        return Node.apply(self, grads)


LogSoftmaxBackward0 = node_class("LogSoftmaxBackward0", lambda g, y, dim: g - y.exp() * _sum_keep(g, dim),
                                 base=_LogSoftmaxArrayBackward)


def _softmax_kernel(xp: Any, x: Any, dim: int, log: bool, half: bool = False) -> Any:
    """``half``: ``x`` is a float16 input cast to float. torch's log_softmax kernel along the last dim
    keeps the row's sum and its log in the input's type (``tmp_sum_scalar``), so both round to half."""
    if x.ndim == 0:
        return x * 0 if log else x * 0 + 1
    if x.size == 0:
        return x.copy()
    if type(x) is np.ndarray:  # np.max and np.sum run these reductions, after ~1.5 us of argument handling
        shifted = x - np.maximum.reduce(x, axis=dim, keepdims=True)
        total = np.add.reduce(np.exp(shifted), axis=dim, keepdims=True)
    else:
        shifted = x - xp.max(x, axis=dim, keepdims=True)
        total = xp.sum(xp.exp(shifted), axis=dim, keepdims=True)
    if log and half and dim == x.ndim - 1:
        log_total = xp.astype(xp.log(xp.astype(xp.astype(total, D.float16.np), x.dtype)), D.float16.np)
        return shifted - xp.astype(log_total, x.dtype)
    return shifted - xp.log(total) if log else xp.exp(shifted) / total


def _implicit_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        UserWarning,
        stacklevel=stacklevel + 1,
    )
    return 0 if ndim in (0, 1, 3) else 1


def _softmax(input: Tensor, dim: int | None, dtype: D.dtype | None, log: bool, stacklevel: int) -> Tensor:
    name = "log_softmax" if log else "softmax"
    if dim is None:
        dim = _implicit_dim(name, input._data.ndim, stacklevel + 1)
    if dtype is not None:
        input = input.to(dtype)
    ndim = input._data.ndim
    d = wrap_dim(dim, ndim)
    if not input._dtype.is_floating_point:
        where_ = "lastdim_kernel_impl" if d == max(ndim, 1) - 1 else "kernel_impl"
        raise NotImplementedError(f"\"{name}_{where_}\" not implemented for '{input._dtype._short}'")
    out = _run(input, _softmax_kernel, d, log, input._dtype is D.float16)
    if needs_grad(input):
        record(
            LogSoftmaxBackward0 if log else SoftmaxBackward0, out, (input,), (out,), (d if ndim else None,)
        )
    return out


def softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: D.dtype | None = None
) -> Tensor:
    return _softmax(input, dim, dtype, False, _stacklevel)


def log_softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: D.dtype | None = None
) -> Tensor:
    return _softmax(input, dim, dtype, True, _stacklevel)


# ---------------------------------------------------------------------------------------
# dropout: input * (bernoulli(1 - p) / (1 - p)), a MulBackward0 whose mask needs no grad
# ---------------------------------------------------------------------------------------
def dropout(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, *, generator: Any = None
) -> Tensor:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not training or input._data.size == 0:
        return input
    dt = input._dtype
    if p == 1:
        mask = wrap(backend_of(input._data).zeros((), dt.np), dt)
    else:
        keep = _rng(generator).random(input._data.shape) >= p
        mask = wrap(keep.astype(dt.np) * dt.np.type(1.0 / (1.0 - p)), dt)
    return input.mul_(mask) if inplace else mul(input, mask)


# ---------------------------------------------------------------------------------------
# linear: torch's at::linear dispatch (addmm for 2-D, flatten + addmm, or matmul + add_)
# ---------------------------------------------------------------------------------------
class _AddmmArrayBackward(Node):
    """The formulas below on arrays when there is no create_graph and everything is float32/64
    NumPy data: the matmuls of ``mm_mat1_backward``/``mm_mat2_backward`` with the same operands and
    layouts (so the same values, and a column-major input's gradient is again a ``t()`` view), without
    their Tensor-level conj/t/argument checks. Anything else takes the formulas."""

    __slots__ = ()

    def apply(self, grads: list) -> tuple:
        g = grads[0]
        saved, dt = self._saved, g._dtype
        if _grad_state.enabled or saved is _RELEASED or (dt is not D.float32 and dt is not D.float64) \
                or type(g._data) is not NDARRAY:
            return Node.apply(self, grads)
        sa, sb = saved  # unpacked like Node.apply: a modified saved tensor raises
        a = None if sa is None else sa.unpack(self)
        b = None if sb is None else sb.unpack(self)
        n_bias, _, n_a, _, n_b, _ = self._next
        col_a, col_b = self._args
        if (n_a is not None and (b is None or b._dtype is not dt or type(b._data) is not NDARRAY)) or (
                n_b is not None and (a is None or a._dtype is not dt or type(a._data) is not NDARRAY)):
            return Node.apply(self, grads)
        gd = g._data
        grad_a = grad_b = None
        token = quiet()
        try:
            if n_a is not None:  # mm_mat1_backward
                grad_a = t(wrap(np.matmul(b._data, gd.T), dt)) if col_a else wrap(np.matmul(gd, b._data.T), dt)
            if n_b is not None:  # mm_mat2_backward
                grad_b = t(wrap(np.matmul(gd.T, a._data), dt)) if col_b else wrap(np.matmul(a._data.T, gd), dt)
        finally:
            loud(token)
        return (None if n_bias is None else g, grad_a, grad_b)


AddmmBackward0 = node_class(
    "AddmmBackward0",
    lambda g, a, b, col_a, col_b: g,
    lambda g, a, b, col_a, col_b: mm_mat1_backward(g, b, col_a),
    lambda g, a, b, col_a, col_b: mm_mat2_backward(g, a, col_b),
    base=_AddmmArrayBackward,
)


def _addmm(bias: Tensor, mat1: Tensor, mat2: Tensor) -> Tensor:
    """bias + mat1 @ mat2 (mat2 is ``weight.t()``), torch's argument checks first."""
    sa, sb = mat1._data.shape, mat2._data.shape
    if sa[1] != sb[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})")
    if bias._dtype is not mat2._dtype:
        raise RuntimeError(
            f"self and mat2 must have the same dtype, but got {bias._dtype._short} and {mat2._dtype._short}"
        )
    if mat1._dtype is not mat2._dtype:
        raise RuntimeError(
            f"mat1 and mat2 must have the same dtype, but got {mat1._dtype._short} and {mat2._dtype._short}"
        )
    no_bool("addmm_impl_cpu_", mat1._dtype)
    out_shape = (sa[0], sb[1])
    xp = backend_of(mat1._data)
    b = bias._data
    if b.shape != out_shape[1:] and b.shape != out_shape:  # linear's bias broadcasts as it is
        try:
            b = xp.broadcast_to(b, out_shape)
        except ValueError:
            raise RuntimeError(_expand_error(bias._data.shape, out_shape)) from None
    x, w = mat1._data, mat2._data
    if mat1._dtype is D.float16:  # computed in float
        cdt = _compute_dtype(mat1._dtype)
        x, w = xp.astype(x, cdt, copy=False), xp.astype(w, cdt, copy=False)
    token = quiet()
    try:
        data = xp.matmul(x, w) + b
    finally:
        loud(token)
    out = wrap(data, mat1._dtype)
    if needs_grad(bias, mat1, mat2):
        record(
            AddmmBackward0,
            out,
            (bias, mat1, mat2),
            (mat1 if wants_grad(mat2) else None, mat2 if wants_grad(mat1) else None),
            (column_major(mat1._data), column_major(mat2._data)),
        )
    return out


def _expand_error(shape: tuple, target: tuple) -> str:
    for i in range(1, len(shape) + 1):
        if shape[-i] != 1 and shape[-i] != target[-i]:
            return (
                f"The expanded size of the tensor ({target[-i]}) must match the existing size "
                f"({shape[-i]}) at non-singleton dimension {len(target) - i}.  Target sizes: "
                f"{list(target)}.  Tensor sizes: {list(shape)}"
            )
    return f"expand: cannot expand {list(shape)} to {list(target)}"


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    ndim = input._data.ndim
    if bias is not None and ndim == 2:
        return _addmm(bias, input, t(weight))
    if bias is not None and input._data.flags.c_contiguous and (ndim == 3 or bias._data.ndim == 1):
        shape = input._data.shape
        flat = math.prod(shape[:-1])
        result = _addmm(bias, reshape(input, (flat, shape[-1])), t(weight))
        return reshape(result, (*shape[:-1], result._data.shape[1]))
    output = matmul(input, t(weight))
    if bias is not None:
        output.add_(bias)
    return output
