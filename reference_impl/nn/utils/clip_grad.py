"""clip_grad_norm_ / clip_grad_value_: in-place rescaling of ``.grad`` under no_grad.

Computed at array level in the gradients' dtype, in torch's order: per-tensor norms,
the norm of those norms, then every grad multiplied by min(max_norm / (total + 1e-6), 1).
``foreach`` is accepted and ignored (there is only one implementation here).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ..._ops._util import wrap
from ..._tensor import Tensor


def _params(parameters: Any) -> list:
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def _vector_norm(xp: Any, a: Any, norm_type: float) -> Any:
    if norm_type == math.inf:
        return xp.max(xp.absolute(a)) if a.size else a.dtype.type(0)
    if norm_type == -math.inf:
        return xp.min(xp.absolute(a))
    if norm_type == 0:
        return a.dtype.type(xp.sum(a != 0))
    if norm_type == 1:
        return xp.sum(xp.absolute(a))
    if norm_type == 2:
        return xp.sqrt(xp.sum(a * a))
    return xp.power(xp.sum(xp.power(xp.absolute(a), norm_type)), 1.0 / norm_type)


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Scale all grads so their joint ``norm_type`` norm is at most ``max_norm``; returns that norm."""
    params = _params(parameters)
    grads = [p._grad for p in params if p._grad is not None]
    norm_type = float(norm_type)
    if not grads:
        from ..._ops.creation import tensor

        return tensor(0.0)
    xp = grads[0]._backend
    norms = [_vector_norm(xp, g._data, norm_type) for g in grads]
    dtype = grads[0]._data.dtype
    total = _vector_norm(xp, xp.asarray(norms, dtype), norm_type)
    if error_if_nonfinite and not xp.isfinite(total):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is "
                           "non-finite, so it cannot be clipped. To disable this error and scale the "
                           "gradients "
                           "by the non-finite norm anyway, set `error_if_nonfinite=False`")
    coef = xp.minimum(dtype.type(max_norm) / (total + dtype.type(1e-6)), dtype.type(1.0))
    for g in grads:
        xp.copyto(g._data, g._data * coef.astype(g._data.dtype), casting="unsafe")
        g._vc[0] += 1
    return wrap(total, grads[0]._dtype)


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every grad elementwise into [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for p in _params(parameters):
        g = p._grad
        if g is not None:
            xp = g._backend
            xp.copyto(g._data, xp.clip(g._data, -clip_value, clip_value), casting="unsafe")
            g._vc[0] += 1
