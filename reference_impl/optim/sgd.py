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


def _add_scaled(p: Any, g: Any, alpha: float) -> None:
    """p += alpha * g (torch's ``param.add_(grad, alpha=-lr)``): one temporary, then in place
    on a NumPy parameter; the same values as ``write(p, p + alpha * g)``."""
    data = p._data
    step = alpha * g
    if type(data) is np.ndarray and type(step) is np.ndarray and data.flags.writeable and step.dtype == data.dtype:
        np.add(data, step, out=data)
        p._vc[0] += 1
    else:
        write(p, data + step)
