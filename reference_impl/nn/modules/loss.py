"""Loss modules: torch's constructor arguments and buffers over nn.functional.

HuberLoss and KLDivLoss have their functional forms here (``huber_loss``, ``kl_div``)
because they are outside nn.functional's current scope; both follow torch's graphs.
"""

from __future__ import annotations

import warnings
from typing import Any

from ... import _dtype as D
from ..._backend import of as backend_of
from ..._ops._util import arr, wrap
from ..._ops.elementwise import where
from ..._tensor import Tensor
from ...autograd.graph import needs_grad, node_class, record
from .. import functional as F
from .._functional_activations import floating_only
from .module import Module


def _legacy_reduction(size_average: Any, reduce: Any) -> str:
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "none" if not reduce else ("mean" if size_average else "sum")
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                  stacklevel=3)
    return ret


class _Loss(Module):
    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight: Tensor | None = None, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class NLLLoss(_WeightedLoss):
    def __init__(self, weight: Tensor | None = None, size_average: Any = None, ignore_index: int = -100,
                 reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    def __init__(self, weight: Tensor | None = None, size_average: Any = None, ignore_index: int = -100,
                 reduce: Any = None, reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class BCELoss(_WeightedLoss):
    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    def __init__(self, weight: Tensor | None = None, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean", pos_weight: Tensor | None = None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.weight, pos_weight=self.pos_weight,
                                                  reduction=self.reduction)


class KLDivLoss(_Loss):
    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 log_target: bool = False) -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


# --- functional forms -------------------------------------------------------------------------
_REDUCTIONS = ("none", "mean", "sum")


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _huber_grad(g: Tensor, x: Tensor, t: Tensor, reduction: str, delta: float, sign: int) -> Tensor:
    """clamp(x - t) scaled; the clamped part is detached because torch's huber_loss_double_backward
    keeps the curvature only where ``|x - t| < delta`` (strict), where clamp's backward is inclusive."""
    diff = x - t
    d = where(diff.abs() < delta, diff, diff.clamp(-delta, delta).detach())
    scale = sign / d.numel() if reduction == "mean" else sign
    return g * d * scale


HuberLossBackward0 = node_class(
    "HuberLossBackward0",
    lambda g, x, t, reduction, delta: _huber_grad(g, x, t, reduction, delta, 1),
    lambda g, x, t, reduction, delta: _huber_grad(g, x, t, reduction, delta, -1))


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """0.5 d^2 where |d| < delta, else delta (|d| - delta/2); one HuberLossBackward0 node."""
    _check_reduction(reduction)
    result = D.result_dtype(input, target)
    if not D.can_cast(result, input._dtype):
        raise RuntimeError(f"result type {result._short} can't be cast to the desired output type "
                           f"{input._dtype._short}")
    floating_only("huber_cpu", result)
    x, t = input._data, target._data
    xp = input._backend
    d = x - t
    ad = xp.absolute(d)
    loss = xp.where(ad < delta, 0.5 * d * d, delta * (ad - 0.5 * delta)).astype(x.dtype)
    if reduction == "mean":
        loss = xp.mean(loss)
    elif reduction == "sum":
        loss = xp.sum(loss)
    out = wrap(loss, input._dtype)
    if needs_grad(input, target):
        record(HuberLossBackward0, out, (input, target), (input, target), (reduction, delta))
    return out


_KL_MEAN_WARNING = (
    "reduction: 'mean' divides the total loss by both the batch size and the support size.'batchmean' "
    "divides only by the batch size, and aligns with the KL div math definition.'mean' will be changed to "
    "behave the same as 'batchmean' in the next major release.")


def kl_div(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """torch's decomposition: exp(t) * (t - x) for log targets, xlogy(t, t) - t * x otherwise."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    elif reduction == "mean":
        warnings.warn(_KL_MEAN_WARNING, stacklevel=2)
    if input._dtype.is_complex or target._dtype.is_complex:
        raise RuntimeError("kl_div: Complex inputs not supported.")
    if not (input._dtype.is_floating_point and target._dtype.is_floating_point):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    # ATen's C++ evaluates the right operand first, which fixes the backward order of the nodes
    if log_target:
        diff = target - input
        loss = target.exp() * diff
    else:
        prod = target * input
        loss = xlogy(target, target) - prod
    if reduction == "mean":
        return loss.mean()
    if reduction in ("sum", "batchmean"):
        loss = loss.sum()
        return loss / input.shape[0] if reduction == "batchmean" and input.dim() != 0 else loss
    return loss


XlogyBackward0 = node_class(
    "XlogyBackward0",
    lambda g, x, y: g * xlogy(x != 0, y),
    lambda g, x, y: g * x / y)


def xlogy(x: Tensor, y: Tensor) -> Tensor:
    """x * log(y), 0 where x == 0 (unless y is NaN): kl_div's XlogyBackward0 node."""
    dt = D.result_dtype(x, y)
    if not dt.is_floating_point:
        dt = D.get_default_dtype()
    a, b = arr(x, dt), arr(y, dt)
    xp = backend_of(a)
    with xp.errstate(all="ignore"):
        data = xp.where((a == 0) & ~xp.isnan(b), 0, a * xp.log(b))
    out = wrap(data, dt)
    if needs_grad(x, y):
        record(XlogyBackward0, out, (x, y), (x, y))
    return out
