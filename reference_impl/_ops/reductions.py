"""Reductions: sum, mean, ... Gradients broadcast back with ``expand`` of the kept dims."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as _np

from .. import _dtype as D
from .._backend import of as backend_of
from .._tensor import Tensor
from ..autograd.grad_mode import state as _grad_state
from ..autograd.graph import needs_grad, node_class, record
from . import scans
from ._util import NDARRAY, loud, quiet, quietly, wrap
from .elementwise import conj, where
from .scans import _cat, _flip, _narrow, _scatter_zeros, at_version, cumprod
from .shape import from_inference, make_view, wrap_dim, wrap_dims


def _unsqueeze_dims(g: Tensor, dims: tuple, ndim: int, keepdim: bool) -> Tensor:
    """Put reduced dims back (size 1) so ``g`` broadcasts against the input."""
    if keepdim or not dims:
        return g
    shape = list(g._data.shape)
    for d in sorted(dims):
        shape.insert(d, 1)
    return g.reshape(shape)


SumBackward0 = node_class("SumBackward0", lambda g, shape: g.expand(shape))
SumBackward1 = node_class(
    "SumBackward1",
    lambda g, shape, dims, keepdim: _unsqueeze_dims(g, dims, len(shape), keepdim).expand(shape))


def _zero_dim_dims(dim: Any) -> tuple:
    """A 0-d tensor accepts dim 0 / -1 (checked here) and reduces over nothing."""
    wrap_dims(dim, 0)
    return ()


def _reduced_dims(dim: Any, ndim: int) -> tuple:
    """Explicit dims of sum/mean; an empty list means every dim (the node stays the dim variant)."""
    if not ndim:
        return _zero_dim_dims(dim)
    if isinstance(dim, (tuple, list)) and not dim:
        return tuple(range(ndim))
    return wrap_dims(dim, ndim)


def _reduce_dtype(dt: D.dtype, dtype: D.dtype | None) -> D.dtype:
    if dtype is not None:
        return dtype
    return D.int64 if not (dt.is_floating_point or dt.is_complex) else dt


def _check_autograd_dtype(x: Tensor, dt: D.dtype) -> None:
    if not (dt.is_floating_point or dt.is_complex) and needs_grad(x):
        raise RuntimeError(f"Autograd not support dtype: {dt._short}")


def _sum_kernel(xp: Any, data: Any, dims: tuple | None, dt: D.dtype, keepdim: bool) -> Any:
    """torch sums half in float (its acc type) and rounds once; NumPy's half sum rounds per addition
    along a non-contiguous axis."""
    if dt is D.float16:
        data = xp.astype(data, dt.np) if data.dtype != dt.np else data
        return xp.astype(xp.sum(data, axis=dims, dtype=D.float32.np, keepdims=keepdim), dt.np)
    if dims is None and not keepdim:
        return xp.sum(data, dtype=dt.np)
    return xp.sum(data, axis=dims, dtype=dt.np, keepdims=keepdim)


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: D.dtype | None = None) -> Tensor:
    dt = _reduce_dtype(input._dtype, dtype)
    _check_autograd_dtype(input, dt)
    data = input._data
    xp = backend_of(data)
    if dim is None:
        token = quiet()  # inf + -inf is a silent nan in torch (np.errstate costs ~1.5 us)
        try:
            res = _sum_kernel(xp, data, None, dt, keepdim)
        finally:
            loud(token)
        out = wrap(res, dt)
        if input._inference:
            from_inference(out, 1, input)
        if needs_grad(input):
            record(SumBackward0, out, (input,), None, (data.shape,))
        return out
    dims = _reduced_dims(dim, data.ndim)
    token = quiet()
    try:
        out = wrap(_sum_kernel(xp, data, dims, dt, keepdim), dt)
    finally:
        loud(token)
    if input._inference:
        from_inference(out, 1, input)
    if needs_grad(input):
        record(SumBackward1, out, (input,), None, (data.shape, dims, keepdim))
    return out


def sum_to(grad: Tensor, shape: tuple) -> Tensor:
    """Sum ``grad`` down to ``shape`` (the inverse of broadcasting): torch's ``sum(dims, keepdim=True)``
    then ``view(shape)``."""
    data = grad._data
    lead = data.ndim - len(shape)
    dims = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape)
                                      if s == 1 and data.shape[i + lead] != 1)
    if dims:
        dt = grad._dtype
        if (not _grad_state.enabled and type(data) is NDARRAY and (dt is D.float32 or dt is D.float64)
                and not grad._inference):  # the engine's case: sum's kernel and reshape's view, without the ops
            summed = Tensor._make(quietly(_keepdim_sum, data, dims, dt.np), dt)
            return make_view(summed, summed._data.reshape(shape)) if lead else summed
        grad = sum(grad, dims, keepdim=True)
    if lead or grad._data.shape != tuple(shape):
        grad = grad.reshape(shape)
    return grad


def _keepdim_sum(data: Any, dims: tuple, np_dtype: Any) -> Any:
    """What ``np.sum(..., keepdims=True)`` runs (sum's kernel), without its argument handling."""
    return _np.add.reduce(data, axis=dims, dtype=np_dtype, keepdims=True)


def _half_mean(input: Tensor, dim: Any, keepdim: bool) -> Tensor:
    """torch's CPU mean to half sums the (uncast) input in float, divides in float and rounds once;
    NumPy's half mean rounds the sum to half first."""
    data = input._data
    xp = backend_of(data)
    dims = None if dim is None else _reduced_dims(dim, data.ndim)
    n = 1
    for d in range(data.ndim) if dims is None else dims:
        n *= data.shape[d]
    token = quiet()
    try:
        total = xp.sum(xp.astype(data, D.float32.np), axis=dims, dtype=D.float32.np, keepdims=keepdim)
        out = wrap(xp.astype(xp.true_divide(total, D.float32.np.type(n)), D.float16.np), D.float16)
    finally:
        loud(token)
    if input._inference:
        from_inference(out, 2, input)
    if needs_grad(input):
        if dims is None:
            record(MeanBackward0, out, (input,), None, (data.shape, data.size))
        else:
            record(MeanBackward1, out, (input,), None, (data.shape, dims, keepdim, n))
    return out


MeanBackward0 = node_class("MeanBackward0", lambda g, shape, n: g.expand(shape) / n)
MeanBackward1 = node_class(
    "MeanBackward1",
    lambda g, shape, dims, keepdim, n: _unsqueeze_dims(g, dims, len(shape), keepdim).expand(shape) / n)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: D.dtype | None = None) -> Tensor:
    dt = dtype or input._dtype
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex "
            f"dtype. Got: {dt._short}")
    if dt is D.float16:
        return _half_mean(input, dim, keepdim)
    data = input._data if input._dtype is dt else backend_of(input._data).astype(input._data, dt.np)
    xp = backend_of(data)
    if dim is None:
        out = wrap(xp.mean(data, keepdims=keepdim) if keepdim else xp.mean(data), dt)
        if input._inference:
            from_inference(out, 2, input)
        if needs_grad(input):
            record(MeanBackward0, out, (input,), None, (data.shape, data.size))
        return out
    dims = _reduced_dims(dim, data.ndim)
    out = wrap(xp.mean(data, axis=dims, keepdims=keepdim), dt)
    if input._inference:
        from_inference(out, 2, input)
    if needs_grad(input):
        n = 1
        for d in dims:
            n *= data.shape[d]
        record(MeanBackward1, out, (input,), None, (data.shape, dims, keepdim, n))
    return out




def _dims_or_all(dim: Any, ndim: int) -> tuple:
    """Reduced dims; None and an empty list mean every dim (torch's convention)."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    return wrap_dims(dim, ndim)


def _restore(t: Tensor, dims: tuple, keepdim: bool) -> Tensor:
    """torch's unsqueeze_multiple: reduced dims back as size 1 (a 0-d result broadcasts as is)."""
    if keepdim or not dims:
        return t
    return _unsqueeze_dims(t, dims, 0, False)


# ---------------------------------------------------------------------------------------
# prod: the division formula without zeros, exclusive cumprods (exact with zeros) otherwise.
# ---------------------------------------------------------------------------------------
def _prod_safe_zeros(g: Tensor, x: Tensor, dim: int) -> Tensor:
    """g * (product of the other entries along ``dim``), from exclusive cumprods in both directions."""
    n = x._data.shape[dim]
    if x._data.size == 0:
        return g.expand(x._data.shape)
    shape = list(x._data.shape)
    shape[dim] = 1
    ones = wrap(backend_of(x._data).ones(shape, g._dtype.np), g._dtype)
    normal = cumprod(_cat(ones, _narrow(x, dim, 0, n - 1), dim), dim)
    reverse = _flip(cumprod(_cat(ones, _flip(_narrow(x, dim, 1, n - 1), dim), dim), dim), dim)
    return g * conj(normal * reverse)


def _zero_count(x: Tensor) -> int:
    xp = backend_of(x._data)
    return int(xp.sum(xp.equal(x._data, 0)))


def _prod_grad_all(g: Tensor, x: Tensor, y: Tensor) -> Tensor:
    if x._data.ndim == 0:
        return g
    zeros = _zero_count(x)
    if zeros == 0:
        return g * conj(y / x)
    if zeros > 1 and not _grad_state.enabled:
        return wrap(backend_of(x._data).zeros(x._data.shape, g._dtype.np), g._dtype)
    return _prod_safe_zeros(g, x.reshape(-1), 0).reshape(x._data.shape)


def _prod_grad_dim(g: Tensor, x: Tensor, y: Tensor, dim: int, keepdim: bool) -> Tensor:
    if x._data.ndim == 0:
        return g
    g, y = _restore(g, (dim,), keepdim), _restore(y, (dim,), keepdim)
    if _zero_count(x) == 0:
        return g * conj(y / x)
    return _prod_safe_zeros(g, x, dim)


ProdBackward0 = node_class("ProdBackward0", _prod_grad_all)
ProdBackward1 = node_class("ProdBackward1", _prod_grad_dim)


def prod(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: D.dtype | None = None) -> Tensor:
    if dim is not None and not isinstance(dim, int):
        raise TypeError(
            f"prod() received an invalid combination of arguments - got ({type(dim).__name__}), but expected "
            "one of:\n * (*, torch.dtype dtype = None)\n"
            " * (int dim, bool keepdim = False, *, torch.dtype dtype = None)\n")
    dt = _reduce_dtype(input._dtype, dtype)
    _check_autograd_dtype(input, dt)
    data = input._data
    xp = backend_of(data)
    with xp.errstate(all="ignore"):
        if dim is None:
            out = wrap(xp.prod(data, dtype=dt.np), dt)
            if input._inference:
                from_inference(out, 1, input)
            if needs_grad(input):
                record(ProdBackward0, out, (input,), (input, out))
            return out
        dim = wrap_dim(dim, data.ndim)
        out = wrap(xp.prod(data, axis=dim, dtype=dt.np, keepdims=keepdim) if data.ndim else
                   xp.astype(data, dt.np), dt)
    if input._inference:
        from_inference(out, 1, input)
    if needs_grad(input):
        record(ProdBackward1, out, (input,), (input, out), (dim, keepdim))
    return out


# ---------------------------------------------------------------------------------------
# max / min / amax / amin / argmax / argmin
# ---------------------------------------------------------------------------------------
class _ReturnType(tuple):
    """torch.return_types.max and friends: a (values, indices) tuple with named fields."""

    __slots__ = ()
    _name = ""

    @property
    def values(self) -> Tensor:
        return self[0]

    @property
    def indices(self) -> Tensor:
        return self[1]

    def __repr__(self) -> str:
        return f"torch.return_types.{self._name}(\nvalues={self[0]!r},\nindices={self[1]!r})"


class _MaxResult(_ReturnType):
    __slots__ = ()
    _name = "max"


class _MinResult(_ReturnType):
    __slots__ = ()
    _name = "min"


_MaxResult.__name__ = _MaxResult.__qualname__ = "max"
_MinResult.__name__ = _MinResult.__qualname__ = "min"


def _evenly_distribute(g: Tensor, x: Tensor, y: Tensor) -> Tensor:
    """Full max/min: ties share the gradient equally (NaN results pick the NaNs)."""
    mask = x.isnan() if y.isnan().item() else x == y
    return at_version((g / mask.sum()) * mask, 1)


def _select_grad(gs: tuple, idx: Tensor, dim: int, keepdim: bool, shape: tuple) -> Tensor:
    g = gs[0]
    if not shape:
        from .shape import clone

        return at_version(clone(g), 2)
    if not keepdim:
        g, idx = _restore(g, (dim,), False), _restore(idx, (dim,), False)
    return at_version(_scatter_zeros(g, dim, idx, shape), 2)  # torch: zeros, then scatter_


def _amax_grad(g: Tensor, x: Tensor, y: Tensor, dims: tuple, keepdim: bool) -> Tensor:
    g, y = _restore(g, dims, keepdim), _restore(y, dims, keepdim)
    mask = y == x
    return (g / mask.sum(dims, keepdim=True)) * mask


MaxBackward1 = node_class("MaxBackward1", _evenly_distribute)
MinBackward1 = node_class("MinBackward1", _evenly_distribute)
MaxBackward0 = node_class("MaxBackward0", _select_grad, n_outputs=2)
MinBackward0 = node_class("MinBackward0", _select_grad, n_outputs=2)
AmaxBackward0 = node_class("AmaxBackward0", _amax_grad)
AminBackward0 = node_class("AminBackward0", _amax_grad)

_EXTREMA = {  # name -> (kernel, arg kernel, full node, dim node, result type, values kernel name)
    "max": ("max", "argmax", MaxBackward1, MaxBackward0, _MaxResult, "max_values_cpu"),
    "min": ("min", "argmin", MinBackward1, MinBackward0, _MinResult, "min_values_cpu"),
}


def _empty_error(name: str, x: Tensor, dims: tuple, index_error: bool = False) -> None:
    if x._data.size:
        return
    if not dims or x._data.ndim == 0:
        msg = f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
        if index_error:
            raise IndexError(msg)
        raise RuntimeError(msg + " Specify the reduction dim with the 'dim' argument.")
    for d in dims:
        if x._data.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def _extremum(name: str, input: Tensor, dim: Any, keepdim: bool, other: Any) -> Any:
    kernel, arg_kernel, full_node, dim_node, result, values_name = _EXTREMA[name]
    if isinstance(dim, Tensor) and other is None:
        dim, other = None, dim
    if other is not None:
        from .elementwise import maximum, minimum

        return (maximum if name == "max" else minimum)(input, other)
    if dim is not None and not isinstance(dim, int):
        raise _overload_error(name, dim)
    data = input._data
    xp = backend_of(data)
    if dim is None:
        if input._dtype.is_complex:
            raise NotImplementedError(f"\"{name}_all\" not implemented for '{input._dtype._short}'")
        _empty_error(name, input, ())
        out = wrap(getattr(xp, kernel)(data), input._dtype)
        if input._inference:
            from_inference(out, 1, input)
        if needs_grad(input):
            record(full_node, out, (input,), (input, out))
        return out
    dim = wrap_dim(dim, data.ndim)
    if input._dtype.is_complex:
        raise RuntimeError(f"{name}(): does not support complex input")
    _empty_error(name, input, (dim,))
    if data.ndim == 0:
        values, indices = wrap(xp.copy(data), input._dtype), wrap(xp.zeros((), D.int64.np), D.int64)
    else:
        idx = getattr(xp, arg_kernel)(data, axis=dim, keepdims=True)
        vals = xp.take_along_axis(data, idx, dim)
        if not keepdim:
            vals, idx = xp.squeeze(vals, dim), xp.squeeze(idx, dim)
        values, indices = wrap(vals, input._dtype), wrap(idx, D.int64)
    if input._inference:
        from_inference(values, 2, input), from_inference(indices, 2, input)
    if needs_grad(input):
        record(dim_node, (values, indices), (input,), (indices,), (dim, keepdim, data.shape))
    return result((values, indices))


def _overload_error(name: str, dim: Any) -> TypeError:
    """torch's argument-parser message for a non-int ``dim`` given positionally."""
    kind = type(dim).__name__
    if isinstance(dim, (tuple, list)):
        kind = f"{kind} of ({', '.join(type(d).__name__ for d in dim)})"
    why = f"      didn't match because some of the arguments have invalid types: (!{kind}!)\n"
    return TypeError(f"{name}() received an invalid combination of arguments - got ({type(dim).__name__}), "
                     f"but expected one of:\n * ()\n{why} * (Tensor other)\n{why}"
                     " * (int dim, bool keepdim = False)\n")


def max(input: Tensor, dim: Any = None, keepdim: bool = False, *, other: Any = None) -> Any:
    return _extremum("max", input, dim, keepdim, other)


def min(input: Tensor, dim: Any = None, keepdim: bool = False, *, other: Any = None) -> Any:
    return _extremum("min", input, dim, keepdim, other)


def _amax_amin(name: str, kernel: str, node: type, input: Tensor, dim: Any, keepdim: bool) -> Tensor:
    data = input._data
    if input._dtype.is_complex:
        raise NotImplementedError(f"\"{kernel}_values_cpu\" not implemented for '{input._dtype._short}'")
    dims = _dims_or_all(dim, data.ndim)
    _empty_error(name, input, () if dim is None or dim == () or dim == [] else dims)
    xp = backend_of(data)
    out = wrap(getattr(xp, kernel)(data, axis=dims, keepdims=keepdim) if data.ndim else xp.copy(data),
               input._dtype)
    if input._inference:
        from_inference(out, 1, input)
    if needs_grad(input):
        record(node, out, (input,), (input, out), (dims if data.ndim else (), keepdim))
    return out


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    return _amax_amin("amax", "max", AmaxBackward0, input, dim, keepdim)


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    return _amax_amin("amin", "min", AminBackward0, input, dim, keepdim)


def _arg_extremum(name: str, input: Tensor, dim: Any, keepdim: bool) -> Tensor:
    if dim is not None and not isinstance(dim, int):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    if input._dtype is D.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    if input._dtype.is_complex:
        raise RuntimeError(f"{name}(): does not support complex input")
    data = input._data
    xp = backend_of(data)
    if dim is None:
        _empty_error(name, input, (), index_error=True)
        idx = getattr(xp, name)(data)
        return wrap(xp.reshape(idx, (1,) * data.ndim) if keepdim else idx, D.int64)
    dim = wrap_dim(dim, data.ndim)
    _empty_error(name, input, (dim,))
    if data.ndim == 0:
        return wrap(xp.zeros((), D.int64.np), D.int64)
    return wrap(getattr(xp, name)(data, axis=dim, keepdims=keepdim), D.int64)


def argmax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _arg_extremum("argmax", input, dim, keepdim)


def argmin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _arg_extremum("argmin", input, dim, keepdim)


# ---------------------------------------------------------------------------------------
# var / std
# ---------------------------------------------------------------------------------------
_DOF_WARNING = ("{}(): degrees of freedom is <= 0. Correction should be strictly less than the reduction "
                "factor (input numel divided by output numel). (Triggered internally at "
                "/__w/pytorch/pytorch/aten/src/ATen/native/ReduceOps.cpp:1861.)")


def _var_grad(g: Tensor, x: Tensor, dims: tuple | None, correction: float, keepdim: bool) -> Tensor:
    """torch's var_backward, including its inf/nan gradient when the degrees of freedom are <= 0."""
    if x._data.ndim == 0 or dims is None:
        dof = x._data.size - correction
        if dof <= 0:
            return g * where(x == x.mean(), math.nan, math.inf)
        return (2.0 / dof) * g * (x - x.mean())
    if not keepdim and x._data.ndim > 1:
        g = _unsqueeze_dims(g, dims, x._data.ndim, False)
    n = 1
    for d in dims:
        n *= x._data.shape[d]
    dof = n - correction
    scale = 2.0 / dof if dof else math.inf
    return scale * g * (x - x.mean(dims, keepdim=True))


def _std_grad(g: Tensor, x: Tensor, y: Tensor, dims: tuple | None, correction: float,
              keepdim: bool) -> Tensor:
    return _var_grad(where(y == 0, 0.0, g / (y * 2)), x, dims, correction, keepdim)


VarBackward0 = node_class("VarBackward0", _var_grad)
StdBackward0 = node_class("StdBackward0", _std_grad)


def _var_args(dim: Any, unbiased: Any, correction: Any) -> tuple:
    if isinstance(dim, bool):  # var(x, False): the legacy positional `unbiased`
        dim, unbiased = None, dim
    if correction is None:
        correction = 0 if unbiased is False else 1
    return dim, correction


def _var_std(name: str, input: Tensor, dim: Any, unbiased: Any, keepdim: bool, correction: Any) -> Tensor:
    dt = input._dtype
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError("std and var only support floating point and complex dtypes")
    dim, correction = _var_args(dim, unbiased, correction)
    data = input._data
    dims = None if dim is None or (isinstance(dim, (tuple, list)) and not dim) else wrap_dims(dim, data.ndim)
    if data.ndim == 0:
        dims = None
    axes = tuple(range(data.ndim)) if dims is None else dims
    n = 1
    for d in axes:
        n *= data.shape[d]
    if n - correction <= 0:
        warnings.warn(_DOF_WARNING.format(name), UserWarning, stacklevel=3)
    xp = backend_of(data)
    real = dt.to_real()
    # torch's half kernel (Welford) accumulates in double and casts the result through float to half
    work = xp.astype(data, D.float64.np) if dt is D.float16 else data
    with xp.errstate(all="ignore"):
        dev = xp.absolute(work - xp.mean(work, axis=axes, keepdims=True)) if data.size else work
        sq = xp.sum(xp.square(dev), axis=axes, keepdims=keepdim)
        dof = n - correction if n - correction > 0 else 0
        out = sq / (D.float64 if dt is D.float16 else real).np.type(dof)
        if name == "std":
            out = xp.sqrt(out)
        if dt is D.float16:
            out = xp.astype(xp.astype(out, D.float32.np), D.float16.np)
    out = wrap(out, real)
    if input._inference and name == "std":  # std is var, then sqrt_
        from_inference(out, 1, input)
    if needs_grad(input):
        if name == "var":
            record(VarBackward0, out, (input,), (input,), (dims, correction, keepdim))
        else:
            record(StdBackward0, out, (input,), (input, out), (dims, correction, keepdim))
    return out


def var(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    return _var_std("var", input, dim, unbiased, keepdim, correction)


def std(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None) -> Tensor:
    return _var_std("std", input, dim, unbiased, keepdim, correction)


# ---------------------------------------------------------------------------------------
# logsumexp, all, any
# ---------------------------------------------------------------------------------------
LogsumexpBackward0 = node_class(
    "LogsumexpBackward0",
    lambda g, x, y, dims, keepdim: _restore(g, dims, keepdim) * conj((x - _restore(y, dims, keepdim)).exp()))


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    dt = input._dtype if input._dtype.is_floating_point or input._dtype.is_complex else D.get_default_dtype()
    data = backend_of(input._data).astype(input._data, dt.np) if dt is not input._dtype else input._data
    xp = backend_of(data)
    dims = _dims_or_all(dim, data.ndim)
    axes = dims if data.ndim else None
    with xp.errstate(all="ignore"):
        if data.size:
            m = xp.max(xp.real(data) if dt.is_complex else data, axis=axes, keepdims=True)
            m = xp.where(xp.isinf(m), 0, m)
        else:
            m = xp.zeros((1,) * data.ndim, dt.np)
        # torch: exp(x - max) in x's type, summed by sum (a half sum accumulates in float), then log, + max
        res = xp.log(_sum_kernel(xp, xp.exp(data - m), axes, dt, True)) + m
    out = wrap(res if keepdim or not data.ndim else xp.squeeze(res, axis=dims), dt)
    if input._inference:
        from_inference(out, 1, input)
    if needs_grad(input):
        record(LogsumexpBackward0, out, (input,), (input, out), (dims if data.ndim else (), keepdim))
    return out


def _all_any(kernel: str, input: Tensor, dim: Any, keepdim: bool) -> Tensor:
    data = input._data
    xp = backend_of(data)
    dt = D.uint8 if input._dtype is D.uint8 else D.bool_
    if dim is None:
        res = getattr(xp, kernel)(data, keepdims=keepdim)
    else:
        dims = wrap_dims(dim, data.ndim)
        res = getattr(xp, kernel)(data, axis=dims if data.ndim else None, keepdims=keepdim)
    out = wrap(res, dt)
    return from_inference(out, 1, input) if input._inference else out


def all(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _all_any("all", input, dim, keepdim)


def any(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    return _all_any("any", input, dim, keepdim)


FUNCTIONS = {**scans.FUNCTIONS, "sum": sum, "mean": mean, "prod": prod, "max": max, "min": min, "amax": amax,
             "amin": amin,
             "argmax": argmax, "argmin": argmin, "var": var, "std": std, "logsumexp": logsumexp, "all": all,
             "any": any}
METHODS = {**scans.METHODS, **FUNCTIONS}
