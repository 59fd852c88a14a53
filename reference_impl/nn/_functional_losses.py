"""nn.functional losses, following torch's split between fused kernels and compositions.

mse / smooth_l1 / nll / binary_cross_entropy(_with_logits) are single ATen kernels with
their own backward nodes; l1_loss and cross_entropy are compositions (their graphs show
Sub/Abs/Mean, or LogSoftmax under NllLoss), and are written here as the same composition.
Backward formulas are torch's ``*_backward`` kernels written with Tensor ops, so they are
differentiable again (create_graph) in the gradient and in the saved inputs.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import _dtype as D
from .._backend import of as backend_of
from .._ops._util import arr, broadcast_error, wrap
from .._ops.elementwise import where
from .._tensor import Size, Tensor
from ..autograd.graph import needs_grad, node_class, record
from ._functional_activations import _compute_dtype, floating_only

_REDUCTIONS = ("none", "mean", "sum")


# ---------------------------------------------------------------------------------------
# Argument handling shared by the losses
# ---------------------------------------------------------------------------------------
def _check_reduction(reduction: str) -> str:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _legacy_reduction(size_average: bool | None, reduce: bool | None, stacklevel: int) -> str:
    """torch's _Reduction.legacy_get_string, with its deprecation warning."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return ret


def _reduction(reduction: str, size_average: bool | None, reduce: bool | None, stacklevel: int = 4) -> str:
    """``reduction``, or the one the legacy ``size_average`` / ``reduce`` arguments ask for (``stacklevel``
    of the warning counts from ``_legacy_reduction``: 4 is the loss function's caller)."""
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce, stacklevel)
    return reduction


def _size_warning(input: Tensor, target: Tensor) -> None:
    if input._data.shape != target._data.shape:
        warnings.warn(
            f"Using a target size ({Size(target._data.shape)}) that is different to the input size "
            f"({Size(input._data.shape)}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=4,
        )


def _broadcast_tensors(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """torch.broadcast_tensors: an ExpandBackward0 view for each tensor whose shape changes."""
    sa, sb = a._data.shape, b._data.shape
    if sa == sb:
        return a, b
    try:
        shape = np.broadcast_shapes(sa, sb)
    except ValueError:
        raise broadcast_error(sa, sb) from None
    return (a if sa == shape else a.expand(shape)), (b if sb == shape else b.expand(shape))


def _paired_inputs(
    input: Tensor, target: Tensor, reduction: str, size_average: bool | None, reduce: bool | None
) -> tuple[Tensor, Tensor, str]:
    """What mse/l1/smooth_l1 do first, in torch's order: the size warning, the legacy reduction
    arguments, broadcasting. Returns the broadcast pair and the reduction (not yet checked)."""
    _size_warning(input, target)
    reduction = _reduction(reduction, size_average, reduce, stacklevel=5)
    a, b = _broadcast_tensors(input, target)
    return a, b, reduction


def _not_differentiable(fn: str, name: str, t: Tensor | None) -> None:
    if t is not None and needs_grad(t):
        raise RuntimeError(
            f"The function '{fn}' is not differentiable with respect to argument '{name}'. This "
            "input cannot have requires_grad True."
        )


def _reduce_data(xp: Any, loss: Any, reduction: str) -> Any:
    if reduction == "none":
        return loss
    with xp.errstate(all="ignore"):
        return xp.sum(loss) if reduction == "sum" else xp.mean(loss) if loss.size else xp.sum(loss) * np.nan


def _scale(grad: Tensor, reduction: str, numel: int) -> Tensor:
    """The 1/numel factor of a 'mean' reduction."""
    return grad / numel if reduction == "mean" else grad


# ---------------------------------------------------------------------------------------
# Pointwise losses with fused kernels: mse_loss, smooth_l1_loss
# ---------------------------------------------------------------------------------------
def _mse_grad(g: Tensor, a: Tensor, b: Tensor, reduction: str) -> Tensor:
    return _scale((a - b) * 2 * g, reduction, a._data.size)


def _smooth_l1_grad(g: Tensor, a: Tensor, b: Tensor, reduction: str, beta: float) -> Tensor:
    d = a - b
    return _scale(where(d < -beta, -g, where(d > beta, g, d * g / beta)), reduction, a._data.size)


MseLossBackward0 = node_class("MseLossBackward0", _mse_grad, lambda g, a, b, red: _mse_grad(g, b, a, red))
SmoothL1LossBackward0 = node_class(
    "SmoothL1LossBackward0", _smooth_l1_grad, lambda g, a, b, red, beta: _smooth_l1_grad(g, b, a, red, beta)
)


def _mse_kernel(xp: Any, d: Any) -> Any:
    return d * d


def _smooth_l1_kernel(xp: Any, d: Any, beta: float) -> Any:
    z = xp.absolute(d)
    return xp.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta)


def _pointwise_loss(cls: type, kernel: Any, a: Tensor, b: Tensor, reduction: str, *args: Any) -> Tensor:
    dt = D.result_dtype(a, b)
    floating_only("mse_cpu" if cls is MseLossBackward0 else "smooth_l1_cpu", dt)
    x, y = arr(a, dt), arr(b, dt)
    xp = backend_of(x)
    with xp.errstate(all="ignore"):
        out = wrap(_reduce_data(xp, kernel(xp, x - y, *args), reduction), dt)
    if needs_grad(a, b):
        record(cls, out, (a, b), (a, b), (reduction, *args))
    return out


def _weighted_loss(loss: Tensor, input: Tensor, weight: Tensor, reduction: str) -> Tensor:
    """mse/l1 with ``weight``: torch composes them from ordinary ops (a weighted mean divides by weight.sum())."""
    if weight._data.shape != input._data.shape:
        raise ValueError("Weights and input must have the same size.")
    weighted = loss * weight
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return weighted.sum()
    if reduction == "mean":
        return weighted.sum() / weight.sum()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    a, b, reduction = _paired_inputs(input, target, reduction, size_average, reduce)
    if weight is not None:
        return _weighted_loss((a - b).pow(2), input, weight, reduction)
    return _pointwise_loss(MseLossBackward0, _mse_kernel, a, b, _check_reduction(reduction))


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    a, b, reduction = _paired_inputs(input, target, reduction, size_average, reduce)
    if weight is not None:
        return _weighted_loss((a - b).abs(), input, weight, reduction)
    return _l1(a, b, _check_reduction(reduction))


def _l1(a: Tensor, b: Tensor, reduction: str) -> Tensor:
    """at::l1_loss is composite: (a - b).abs() then mean / sum."""
    loss = (a - b).abs()
    return loss if reduction == "none" else loss.sum() if reduction == "sum" else loss.mean()


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    a, b, reduction = _paired_inputs(input, target, reduction, size_average, reduce)
    if beta == 0.0:
        return _l1(a, b, _check_reduction(reduction))
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return _pointwise_loss(SmoothL1LossBackward0, _smooth_l1_kernel, a, b, reduction, float(beta))


# ---------------------------------------------------------------------------------------
# Binary cross entropy (probabilities, and logits with weight / pos_weight)
# ---------------------------------------------------------------------------------------
def _weighted(x: Tensor, w: Tensor | None) -> Tensor:
    return x if w is None else x * w


def _bce_grad(g: Tensor, x: Tensor, t: Tensor, w: Tensor | None, reduction: str) -> Tensor:
    return _scale(_weighted(g * (x - t) / ((1 - x) * x).clamp_min(1e-12), w), reduction, x._data.size)


def _bce_target_grad(g: Tensor, x: Tensor, t: Tensor, w: Tensor | None, reduction: str) -> Tensor:
    return _scale(_weighted(g * ((-x).log1p() - x.log()), w), reduction, t._data.size)


BinaryCrossEntropyBackward0 = node_class("BinaryCrossEntropyBackward0", _bce_grad, _bce_target_grad)


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    reduction = _check_reduction(_reduction(reduction, size_average, reduce))
    if target._data.shape != input._data.shape:
        raise ValueError(
            f"Using a target size ({Size(target._data.shape)}) that is different to the input size "
            f"({Size(input._data.shape)}) is deprecated. Please ensure they have the same size."
        )
    if weight is not None:
        shape = _broadcast_weight_shape(target._data.shape, weight._data.shape)
        weight = weight if weight._data.shape == shape else weight.expand(shape)
    _not_differentiable("binary_cross_entropy", "weight", weight)
    if target._dtype is not input._dtype:
        raise RuntimeError(f"Found dtype {target._dtype._short} but expected {input._dtype._short}")
    dt = input._dtype
    floating_only("binary_cross_entropy", dt)
    x, t = arr(input, dt), arr(target, dt)
    xp = backend_of(x)
    if ((x < 0) | (x > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    with xp.errstate(all="ignore"):
        loss = (t - 1) * xp.maximum(xp.log1p(-x), -100) - t * xp.maximum(xp.log(x), -100)
        if weight is not None:
            loss = loss * arr(weight, dt)
        out = wrap(_reduce_data(xp, loss, reduction), dt)
    if needs_grad(input, target):
        record(BinaryCrossEntropyBackward0, out, (input, target), (input, target, weight), (reduction,))
    return out


def _broadcast_weight_shape(target: tuple, weight: tuple) -> tuple:
    try:
        return np.broadcast_shapes(target, weight)
    except ValueError:
        raise RuntimeError(
            f"shape mismatch: objects cannot be broadcast to a single shape.  Mismatch is "
            f"between arg 0 with shape {Size(target)} and arg 1 with shape {Size(weight)}."
        ) from None


def _bce_logits_dtype(input: Tensor, target: Tensor) -> D.dtype:
    """ATen computes log_sigmoid(input), then (1 - target).mul_(input): the loss has target's
    dtype, with the errors of each of those steps."""
    floating_only("log_sigmoid_cpu", input._dtype)
    out = target._dtype
    if out is D.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
                           "or `logical_xor()` operator instead.")
    result = D.result_dtype(input, target)
    if not D.can_cast(result, out):
        raise RuntimeError(f"result type {result._short} can't be cast to the desired output type {out._short}")
    return out


def _log_sigmoid_kernel(xp: Any, x: Any, in_dt: D.dtype, dt: D.dtype) -> Any:
    """log_sigmoid(input) in the input's dtype (half computes in float, then rounds), cast to ``dt``."""
    cx = xp.astype(x, _compute_dtype(in_dt), copy=False)
    ls = xp.minimum(cx, 0) - xp.log1p(xp.exp(-xp.absolute(cx)))
    return xp.astype(xp.astype(ls, in_dt.np, copy=False), dt.np, copy=False)


def _log_sigmoid(x: Tensor) -> Tensor:
    return x.clamp_max(0) - (-x.abs()).exp().log1p()


def _bce_logits_grad(
    g: Tensor, x: Tensor, t: Tensor, w: Tensor | None, pw: Tensor | None, reduction: str
) -> Tensor:
    if pw is not None:
        tp = pw * t
        grad = (tp + 1 - t) * x.sigmoid() - tp
    else:
        grad = x.sigmoid() - t
    return _scale(_weighted(grad * g, w), reduction, x._data.size)


def _bce_logits_target_grad(
    g: Tensor, x: Tensor, t: Tensor, w: Tensor | None, pw: Tensor | None, reduction: str
) -> Tensor:
    grad = _log_sigmoid(-x) - _log_sigmoid(x) * pw if pw is not None else -x
    return _scale(_weighted(grad * g, w), reduction, x._data.size)


BinaryCrossEntropyWithLogitsBackward0 = node_class(
    "BinaryCrossEntropyWithLogitsBackward0", _bce_logits_grad, _bce_logits_target_grad
)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    reduction = _check_reduction(_reduction(reduction, size_average, reduce))
    if target._data.shape != input._data.shape:
        raise ValueError(
            f"Target size ({Size(target._data.shape)}) must be the same as input size "
            f"({Size(input._data.shape)})"
        )
    _not_differentiable("binary_cross_entropy_with_logits", "weight", weight)
    _not_differentiable("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    out_dt = _bce_logits_dtype(input, target)
    dt = D.result_dtype(input, target)
    x, t = arr(input, dt), arr(target, dt)
    xp = backend_of(x)
    with xp.errstate(all="ignore"):
        log_sigmoid = _log_sigmoid_kernel(xp, input._data, input._dtype, dt)
        if pos_weight is not None:
            log_sigmoid = log_sigmoid * ((arr(pos_weight, dt) - 1) * t + 1)
        loss = (1 - t) * x - log_sigmoid
        if weight is not None:
            loss = loss * arr(weight, dt)
        out = wrap(_reduce_data(xp, xp.astype(loss, out_dt.np, copy=False), reduction), out_dt)
    if needs_grad(input, target):
        record(
            BinaryCrossEntropyWithLogitsBackward0,
            out,
            (input, target),
            (input, target, weight, pos_weight),
            (reduction,),
        )
    return out
