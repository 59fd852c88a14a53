"""SGD with momentum, dampening, Nesterov, weight decay and maximize (torch's single-tensor path)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._ops._util import wrap
from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer, params_with_grad, write


class SGD(Optimizer):
    def __init__(self, params: Any, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def step(self, closure: Callable | None = None) -> Any:
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
                wd, nesterov = group["weight_decay"], group["nesterov"]
                for p in params_with_grad(group):
                    g = p._grad._data
                    g = -g if group["maximize"] else g
                    if wd != 0:
                        g = g + wd * p._data
                    if momentum != 0:
                        state = self.state[p]
                        buf = state.get("momentum_buffer")
                        if buf is None:
                            buf = wrap(p._backend.copy(g), p._grad._dtype)
                            state["momentum_buffer"] = buf
                        else:
                            write(buf, buf._data * momentum + (1 - dampening) * g)
                        g = g + momentum * buf._data if nesterov else buf._data
                    _add_scaled(p, g, -lr)
        return loss


# Elements per block of the in-place update: the block's temporary stays in cache.
_BLOCK = 1 << 14


def _add_scaled(p: Any, g: Any, alpha: float) -> None:
    """p += alpha * g (torch's ``param.add_(grad, alpha=-lr)``), the same values as
    ``write(p, p + alpha * g)``. torch's kernel is fused; NumPy needs a temporary for
    ``alpha * g``, and a fresh one the size of a large weight costs a page fault per 4 KB
    (about 0.2 ms a step for a 784x256 layer), so large parameters go in cache-sized blocks."""
    data = p._data
    if (type(data) is not np.ndarray or type(g) is not np.ndarray or type(alpha) not in (float, int)
            or not data.flags.writeable or g.dtype != data.dtype):
        write(p, data + alpha * g)
        return
    if data.size <= _BLOCK or g.shape != data.shape or not (data.flags.c_contiguous and g.flags.c_contiguous) \
            or np.may_share_memory(data, g):
        np.add(data, alpha * g, out=data)
    else:
        flat, gflat = data.reshape(-1), g.reshape(-1)
        tmp = np.empty(_BLOCK, data.dtype)
        for i in range(0, flat.size, _BLOCK):
            rows = flat[i:i + _BLOCK]
            step = tmp[:rows.size]
            np.multiply(gflat[i:i + _BLOCK], alpha, out=step)
            np.add(rows, step, out=rows)
    p._vc[0] += 1
