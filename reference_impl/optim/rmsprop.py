"""RMSprop and Adagrad: torch's single-tensor update arithmetic."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..autograd.grad_mode import no_grad
from .adam import lerp
from .optimizer import Optimizer, check_non_negative, params_with_grad, step_tensor, write, zeros_like


class RMSprop(Optimizer):
    def __init__(self, params: Any, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_non_negative(("learning rate", lr), ("epsilon value", eps), ("momentum value", momentum),
                           ("weight_decay value", weight_decay), ("alpha value", alpha))
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def step(self, closure: Callable | None = None) -> Any:
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
                wd, momentum, centered = group["weight_decay"], group["momentum"], group["centered"]
                for p in params_with_grad(group):
                    state = self.state[p]
                    if len(state) == 0:
                        state["step"] = step_tensor()
                        state["square_avg"] = zeros_like(p)
                        if momentum > 0:
                            state["momentum_buffer"] = zeros_like(p)
                        if centered:
                            state["grad_avg"] = zeros_like(p)
                    xp = p._backend
                    g = p._grad._data
                    g = -g if group["maximize"] else g
                    write(state["step"], state["step"]._data + 1)
                    if wd != 0:
                        g = g + wd * p._data
                    square_avg = state["square_avg"]
                    write(square_avg, square_avg._data * alpha + (1 - alpha) * g * g)
                    if centered:
                        grad_avg = state["grad_avg"]
                        write(grad_avg, lerp(grad_avg._data, g, 1 - alpha))
                        avg = xp.sqrt(square_avg._data + (-1) * grad_avg._data * grad_avg._data)
                    else:
                        avg = xp.sqrt(square_avg._data)
                    avg = avg + eps
                    if momentum > 0:
                        buf = state["momentum_buffer"]
                        write(buf, buf._data * momentum + g / avg)
                        write(p, p._data + (-lr) * buf._data)
                    else:
                        write(p, p._data + (-lr) * g / avg)
        return loss


class Adagrad(Optimizer):
    def __init__(self, params: Any, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False, fused: bool | None = None) -> None:
        check_non_negative(("learning rate", lr), ("lr_decay value", lr_decay), ("weight_decay value", weight_decay),
                           ("initial_accumulator_value value", initial_accumulator_value), ("epsilon value", eps))
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = step_tensor()
                state["sum"] = zeros_like(p, group["initial_accumulator_value"])

    def step(self, closure: Callable | None = None) -> Any:
        loss = self._closure_loss(closure)
        with no_grad():
            for group in self.param_groups:
                lr, lr_decay, eps, wd = group["lr"], group["lr_decay"], group["eps"], group["weight_decay"]
                for p in params_with_grad(group):
                    state = self.state[p]
                    step_t = state["step"]
                    write(step_t, step_t._data + 1)
                    step = step_t.item()
                    g = p._grad._data
                    g = -g if group["maximize"] else g
                    if wd != 0:
                        g = g + wd * p._data
                    clr = lr / (1 + (step - 1) * lr_decay)
                    state_sum = state["sum"]
                    write(state_sum, state_sum._data + 1 * g * g)
                    std = p._backend.sqrt(state_sum._data) + eps
                    write(p, p._data + (-clr) * g / std)
        return loss
