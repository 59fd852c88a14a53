"""Adam and AdamW (decoupled weight decay), with amsgrad and maximize: torch's single-tensor path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..autograd.grad_mode import no_grad
from .optimizer import Optimizer, check_non_negative, params_with_grad, step_tensor, write, zeros_like


def lerp(a: Any, b: Any, weight: float) -> Any:
    """torch's scalar-weight lerp kernel (two formulas, chosen by |weight| < 0.5)."""
    w = a.dtype.type(weight)
    if abs(w) < 0.5:
        return a + w * (b - a)
    return b - (b - a) * (a.dtype.type(1) - w)


class Adam(Optimizer):
    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        check_non_negative(("learning rate", lr), ("epsilon value", eps))
        for i in (0, 1):
            if not 0.0 <= betas[i] < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")
        check_non_negative(("weight_decay value", weight_decay))
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _state(self, p: Any, amsgrad: bool) -> dict:
        state = self.state[p]
        if len(state) == 0:
            state["step"] = step_tensor()
            state["exp_avg"] = zeros_like(p)
            state["exp_avg_sq"] = zeros_like(p)
            if amsgrad:
                state["max_exp_avg_sq"] = zeros_like(p)
        return state

    def step(self, closure: Callable | None = None) -> Any:
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
                wd, amsgrad = group["weight_decay"], group["amsgrad"]
                for p in params_with_grad(group):
                    state = self._state(p, amsgrad)
                    g = p._grad._data
                    g = -g if group["maximize"] else g
                    step_t = state["step"]
                    write(step_t, step_t._data + 1)
                    if wd != 0:
                        if group["decoupled_weight_decay"]:
                            write(p, p._data * (1 - lr * wd))
                        else:
                            g = g + wd * p._data
                    exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
                    write(exp_avg, lerp(exp_avg._data, g, 1 - beta1))
                    write(exp_avg_sq, exp_avg_sq._data * beta2 + (1 - beta2) * g * g)
                    step = step_t.item()
                    bias_correction1 = 1 - beta1**step
                    bias_correction2 = 1 - beta2**step
                    step_size = lr / bias_correction1
                    bias_correction2_sqrt = bias_correction2**0.5
                    xp = p._backend
                    if amsgrad:
                        max_sq = state["max_exp_avg_sq"]
                        write(max_sq, xp.maximum(max_sq._data, exp_avg_sq._data))
                        denom = xp.sqrt(max_sq._data) / bias_correction2_sqrt + eps
                    else:
                        denom = xp.sqrt(exp_avg_sq._data) / bias_correction2_sqrt + eps
                    write(p, p._data + (-step_size) * exp_avg._data / denom)
        return loss


class AdamW(Adam):
    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
