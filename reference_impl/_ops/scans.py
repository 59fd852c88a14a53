"""Scans (cumsum, cumprod) and the small differentiable helpers their backward formulas need.

``_flip``, ``_narrow``, ``_cat``, ``_scatter_zeros`` and ``_gather`` are private stand-ins
for shape/indexing ops, so that the formulas of cumsum, cumprod, prod and max stay
Tensor-op compositions (and hence support double backward).
"""

from __future__ import annotations

import contextlib
from typing import Any

from .. import _dtype as D
from .._backend import of as backend_of
from .._tensor import _GRAD_DTYPE_NAMES, Tensor
from ..autograd.graph import needs_grad, node_class, record
from ._util import wrap
from .elementwise import conj
from .shape import wrap_dim


def at_version(t: Tensor, n: int) -> Tensor:
    """A fresh backward result at the version torch's formula leaves it (its zeros are filled
    in place: ``zeros().scatter_()`` etc.), observable as ``x.grad._version`` when stolen."""
    t._vc[0] = n
    return t


# ---------------------------------------------------------------------------------------
# Private differentiable helpers.
# ---------------------------------------------------------------------------------------
FlipBackward0 = node_class("FlipBackward0", lambda g, dim: _flip(g, dim))
SliceBackward0 = node_class("SliceBackward0", lambda g, shape, dim, start: _pad(g, shape, dim, start))
CatBackward0 = node_class("CatBackward0", *(
    (lambda g, sizes, dim, i=i: _narrow(g, dim, sum(sizes[:i]), sizes[i])) for i in range(2)))
ScatterBackward0 = node_class("ScatterBackward0", lambda g, dim, idx: _gather(g, dim, idx))
GatherBackward0 = node_class("GatherBackward0", lambda g, shape, dim, idx: _scatter_zeros(g, dim, idx, shape))


def _flip(x: Tensor, dim: int) -> Tensor:
    xp = backend_of(x._data)
    out = wrap(xp.copy(xp.flip(x._data, dim)), x._dtype)
    if needs_grad(x):
        record(FlipBackward0, out, (x,), None, (dim,))
    return out


def _narrow(x: Tensor, dim: int, start: int, length: int) -> Tensor:
    index = [slice(None)] * x._data.ndim
    index[dim] = slice(start, start + length)
    out = wrap(backend_of(x._data).copy(x._data[tuple(index)]), x._dtype)
    if needs_grad(x):
        record(SliceBackward0, out, (x,), None, (x._data.shape, dim, start))
    return out


def _pad(g: Tensor, shape: tuple, dim: int, start: int) -> Tensor:
    """The gradient of a slice: ``g`` placed at ``start`` inside zeros of ``shape``."""
    before, after = list(shape), list(shape)
    before[dim] = start
    after[dim] = shape[dim] - start - g._data.shape[dim]
    xp = backend_of(g._data)
    parts = [g]
    if before[dim]:
        parts.insert(0, wrap(xp.zeros(before, g._dtype.np), g._dtype))
    if after[dim]:
        parts.append(wrap(xp.zeros(after, g._dtype.np), g._dtype))
    out = parts[0]
    for p in parts[1:]:
        out = _cat(out, p, dim)
    return out


def _cat(a: Tensor, b: Tensor, dim: int) -> Tensor:
    dt = D.promote_types(a._dtype, b._dtype)
    xp = backend_of(a._data)
    out = wrap(xp.concatenate([xp.astype(a._data, dt.np), xp.astype(b._data, dt.np)], dim), dt)
    if needs_grad(a, b):
        record(CatBackward0, out, (a, b), None, ((a._data.shape[dim], b._data.shape[dim]), dim))
    return out


def _scatter_zeros(src: Tensor, dim: int, idx: Tensor, shape: tuple) -> Tensor:
    """``zeros(shape).scatter(dim, idx, src)`` (indices are distinct along ``dim`` where it is used)."""
    xp = backend_of(src._data)
    data = xp.zeros(shape, src._dtype.np)
    xp.put_along_axis(data, idx._data, src._data, dim)
    out = wrap(data, src._dtype)
    if needs_grad(src):
        record(ScatterBackward0, out, (src,), None, (dim, idx))
    return out


def _gather(x: Tensor, dim: int, idx: Tensor) -> Tensor:
    out = wrap(backend_of(x._data).take_along_axis(x._data, idx._data, dim), x._dtype)
    if needs_grad(x):
        record(GatherBackward0, out, (x,), None, (x._data.shape, dim, idx))
    return out


# ---------------------------------------------------------------------------------------
# cumsum / cumprod
# ---------------------------------------------------------------------------------------
def _reversed_cumsum(w: Tensor, dim: int) -> Tensor:
    return _flip(cumsum(_flip(w, dim), dim), dim)


def _cumsum_grad(g: Tensor, dim: int) -> Tensor:
    shape = g._data.shape
    if g._data.size <= 1 or (shape and shape[dim] == 1):
        return g
    return _reversed_cumsum(g, dim)


def _cumprod_grad(g: Tensor, x: Tensor, y: Tensor, dim: int) -> Tensor:
    """torch's cumprod_backward: the division formula without zeros, an exact O(n^2) sum otherwise."""
    if x._data.size <= 1 or x._data.shape[dim] == 1:
        return g
    xp = backend_of(x._data)
    if not xp.any(xp.equal(x._data, 0)):
        return _reversed_cumsum(conj(y) * g, dim) / conj(x)
    xc, n = conj(x), x._data.shape[dim]
    cols = []
    for k in range(n):  # d y_i / d x_k = prod(x[:k]) * prod(x[k+1:i+1]) for i >= k
        after = cumprod(_narrow(xc, dim, k + 1, n - k - 1), dim) if k < n - 1 else None
        if k == 0:
            omitted = _cat(_ones_slice(x, g._dtype, dim), after, dim)
        else:
            before = prod_keepdim(_narrow(xc, dim, 0, k), dim)
            omitted = before if after is None else _cat(before, before * after, dim)
        cols.append((_narrow(g, dim, k, n - k) * omitted).sum(dim, keepdim=True))
    out = cols[0]
    for c in cols[1:]:
        out = _cat(out, c, dim)
    return out


def _ones_slice(x: Tensor, dt: D.dtype, dim: int) -> Tensor:
    shape = list(x._data.shape)
    shape[dim] = 1
    return wrap(backend_of(x._data).ones(shape, dt.np), dt)


def prod_keepdim(x: Tensor, dim: int) -> Tensor:
    from .reductions import prod

    return prod(x, dim, keepdim=True)


CumsumBackward0 = node_class("CumsumBackward0", lambda g, dim: _cumsum_grad(g, dim))
CumprodBackward0 = node_class("CumprodBackward0", lambda g, x, y, dim: _cumprod_grad(g, x, y, dim))


def _scan_dtype(x: Tensor, dtype: D.dtype | None) -> D.dtype:
    if dtype is not None:
        return dtype
    return x._dtype if x._dtype.is_floating_point or x._dtype.is_complex else D.int64


def _check_kernel(x: Tensor, dt: D.dtype, kernel: str) -> None:
    """torch has no Bool scan kernel (a 0-dim input is only copied, so it passes)."""
    if dt is D.bool_ and x._data.ndim:
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def _check_autograd_dtype(x: Tensor, dt: D.dtype) -> None:
    if needs_grad(x) and not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f"Autograd not support dtype: {dt._short}")


def _scan(input: Tensor, dim: int, dtype: D.dtype | None, name: str, quiet: bool = False) -> tuple[Tensor, int]:
    """``input`` scanned along ``dim`` by the backend's ``name`` (cumsum or cumprod) after torch's
    dtype checks (a 0-dim input is only cast); returns the result and the wrapped ``dim``.
    ``quiet`` silences NumPy's floating-point warnings (torch never warns)."""
    dt = _scan_dtype(input, dtype)
    _check_autograd_dtype(input, dt)
    _check_kernel(input, dt, f"{name}_out_cpu")
    data = input._data
    dim = wrap_dim(dim, data.ndim)
    xp = backend_of(data)
    with xp.errstate(all="ignore") if quiet else contextlib.nullcontext():
        if not data.ndim:
            res = xp.astype(data, dt.np)
        elif dt is D.float16:  # torch scans half in float (its acc type) and rounds each output once
            res = xp.astype(getattr(xp, name)(xp.astype(data, dt.np), axis=dim, dtype=D.float32.np), dt.np)
        else:
            res = getattr(xp, name)(data, axis=dim, dtype=dt.np)
    return wrap(res, dt), dim


def cumsum(input: Tensor, dim: int, *, dtype: D.dtype | None = None) -> Tensor:
    out, dim = _scan(input, dim, dtype, "cumsum")
    if needs_grad(input):
        record(CumsumBackward0, out, (input,), None, (dim,))
    return out


def cumprod(input: Tensor, dim: int, *, dtype: D.dtype | None = None) -> Tensor:
    out, dim = _scan(input, dim, dtype, "cumprod", quiet=True)
    if needs_grad(input):
        record(CumprodBackward0, out, (input,), (input, out), (dim,))
    return out


_CPP_NAMES = {**_GRAD_DTYPE_NAMES, "bfloat16": "c10::BFloat16"}


def _scan_(fn: Any):
    """In-place scan: accumulates in ``self``'s own dtype (cumsum_ of int32 stays int32)."""
    def op(self: Tensor, dim: int, *, dtype: D.dtype | None = None) -> Tensor:
        from .inplace import check_inplace, commit

        check_inplace(self)
        if dtype is not None and dtype is not self._dtype:
            raise RuntimeError(f"Bad in-place call: input tensor dtype {_CPP_NAMES[self._dtype.name]} and output "
                               f"tensor dtype {_CPP_NAMES[dtype.name]} should match")
        return commit(self, fn(self, dim, dtype=self._dtype))

    op.__name__ = op.__qualname__ = f"{fn.__name__}_"
    return op


FUNCTIONS = {"cumsum": cumsum, "cumprod": cumprod}
METHODS: dict[str, Any] = {**FUNCTIONS, "cumsum_": _scan_(cumsum),
                           "cumprod_": _scan_(cumprod)}
