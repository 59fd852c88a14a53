"""Reductions: sum, mean, ... Gradients broadcast back with ``expand`` of the kept dims."""

from __future__ import annotations

from typing import Any

from .. import _dtype as D
from .._backend import of as backend_of
from .._tensor import Tensor
from ..autograd.graph import needs_grad, node_class, record
from .shape import wrap_dims
from ._util import wrap


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
    "SumBackward1", lambda g, shape, dims, keepdim: _unsqueeze_dims(g, dims, len(shape), keepdim).expand(shape))


def _reduce_dtype(dt: D.dtype, dtype: D.dtype | None) -> D.dtype:
    if dtype is not None:
        return dtype
    return D.int64 if not (dt.is_floating_point or dt.is_complex) else dt


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: D.dtype | None = None) -> Tensor:
    dt = _reduce_dtype(input._dtype, dtype)
    data = input._data
    xp = backend_of(data)
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        out = wrap(xp.sum(data, dtype=dt.np, keepdims=keepdim) if keepdim else xp.sum(data, dtype=dt.np), dt)
        if needs_grad(input):
            record(SumBackward0, out, (input,), None, (data.shape,))
        return out
    dims = wrap_dims(dim, data.ndim)
    out = wrap(xp.sum(data, axis=dims, dtype=dt.np, keepdims=keepdim), dt)
    if needs_grad(input):
        record(SumBackward1, out, (input,), None, (data.shape, dims, keepdim))
    return out


def sum_to(grad: Tensor, shape: tuple) -> Tensor:
    """Sum ``grad`` down to ``shape`` (the inverse of broadcasting)."""
    lead = grad._data.ndim - len(shape)
    dims = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape)
                                      if s == 1 and grad._data.shape[i + lead] != 1)
    if dims:
        grad = sum(grad, dims, keepdim=True)
    if lead or grad._data.shape != tuple(shape):
        grad = grad.reshape(shape)
    return grad


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
    data = input._data if input._dtype is dt else backend_of(input._data).astype(input._data, dt.np)
    xp = backend_of(data)
    if dim is None:
        out = wrap(xp.mean(data, keepdims=keepdim) if keepdim else xp.mean(data), dt)
        if needs_grad(input):
            record(MeanBackward0, out, (input,), None, (data.shape, data.size))
        return out
    dims = wrap_dims(dim, data.ndim)
    out = wrap(xp.mean(data, axis=dims, keepdims=keepdim), dt)
    if needs_grad(input):
        n = 1
        for d in dims:
            n *= data.shape[d]
        record(MeanBackward1, out, (input,), None, (data.shape, dims, keepdim, n))
    return out


FUNCTIONS = {"sum": sum, "mean": mean}
METHODS = dict(FUNCTIONS)
