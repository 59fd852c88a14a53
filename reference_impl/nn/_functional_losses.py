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
from .._ops.elementwise import add, neg, where
from .._tensor import Size, Tensor
from ..autograd.graph import needs_grad, node_class, record
from ._functional_activations import log_softmax

_REDUCTIONS = ("none", "mean", "sum")


# ---------------------------------------------------------------------------------------
# Argument handling shared by the losses
# ---------------------------------------------------------------------------------------
def _check_reduction(reduction: str) -> str:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _legacy_reduction(size_average: bool | None, reduce: bool | None) -> str:
    """torch's _Reduction.legacy_get_string, with its deprecation warning."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
        UserWarning,
        stacklevel=4,
    )
    return ret


def _reduction(reduction: str, size_average: bool | None, reduce: bool | None) -> str:
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce)
    return reduction


def _size_warning(input: Tensor, target: Tensor) -> None:
    if input._data.shape != target._data.shape:
        warnings.warn(
            f"Using a target size ({Size(target._data.shape)}) that is different to the input size "
            f"({Size(input._data.shape)}). This will likely lead to incorrect results due to "
            "broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
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
    x, y = arr(a, dt), arr(b, dt)
    xp = backend_of(x)
    with xp.errstate(all="ignore"):
        out = wrap(_reduce_data(xp, kernel(xp, x - y, *args), reduction), dt)
    if needs_grad(a, b):
        record(cls, out, (a, b), (a, b), (reduction, *args))
    return out


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    _size_warning(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    a, b = _broadcast_tensors(input, target)
    if weight is not None:
        if weight._data.shape != input._data.shape:
            raise ValueError("Weights and input must have the same size.")
        weighted = (a - b).pow(2) * weight
        if reduction == "none":
            return weighted
        if reduction == "sum":
            return weighted.sum()
        if reduction == "mean":
            return weighted.sum() / weight.sum()
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
    return _pointwise_loss(MseLossBackward0, _mse_kernel, a, b, _check_reduction(reduction))


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    _size_warning(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    a, b = _broadcast_tensors(input, target)
    if weight is not None:
        if weight._data.shape != input._data.shape:
            raise ValueError("Weights and input must have the same size.")
        weighted = (a - b).abs() * weight
        if reduction == "none":
            return weighted
        if reduction == "sum":
            return weighted.sum()
        if reduction == "mean":
            return weighted.sum() / weight.sum()
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
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
    _size_warning(input, target)
    reduction = _reduction(reduction, size_average, reduce)
    a, b = _broadcast_tensors(input, target)
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
    dt = D.result_dtype(input, target)
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
    dt = D.result_dtype(input, target)
    x, t = arr(input, dt), arr(target, dt)
    xp = backend_of(x)
    with xp.errstate(all="ignore"):
        log_sigmoid = xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.absolute(x)))
        if pos_weight is not None:
            log_sigmoid = log_sigmoid * ((arr(pos_weight, dt) - 1) * t + 1)
        loss = (1 - t) * x - log_sigmoid
        if weight is not None:
            loss = loss * arr(weight, dt)
        out = wrap(_reduce_data(xp, loss, reduction), dt)
    if needs_grad(input, target):
        record(
            BinaryCrossEntropyWithLogitsBackward0,
            out,
            (input, target),
            (input, target, weight, pos_weight),
            (reduction,),
        )
    return out


# ---------------------------------------------------------------------------------------
# nll_loss: one kernel for 1-D/2-D (NllLossBackward0) and 4-D (NllLoss2DBackward0) inputs;
# other ranks are viewed to 4-D as torch's nll_loss_nd does.
# The gradient is linear in g: g * M with M = -weight[target] one-hot (/ total_weight).
# ---------------------------------------------------------------------------------------
def _nll_grad(g: Tensor, x: Tensor, m: Tensor, gshape: tuple | None) -> Tensor:
    return (g if gshape is None else g.reshape(gshape)) * m


NllLossBackward0 = node_class("NllLossBackward0", _nll_grad)
NllLoss2DBackward0 = node_class("NllLoss2DBackward0", _nll_grad)


def _check_target_dtype(target: Tensor) -> None:
    if target._dtype not in (D.int64, D.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {target._dtype._short}")


def _nll_kernel(
    cls: type, input: Tensor, target: Tensor, weight: Tensor | None, reduction: str, ignore_index: int
) -> Tensor:
    """Forward and node for class dim 1 (dim 0 for a 1-D input); ``target`` has the other dims."""
    _check_target_dtype(target)
    _not_differentiable(
        "nll_loss_forward" if cls is NllLossBackward0 else "nll_loss2d_forward", "weight", weight
    )
    x = input._data
    xp = backend_of(x)
    one_d = x.ndim == 1
    xm = xp.moveaxis(x[None] if one_d else x, 1, -1)  # classes last: (N, *spatial, C)
    n_classes = xm.shape[-1]
    tg = target._data.reshape(xm.shape[:-1]).astype(np.int64)
    valid = tg != ignore_index
    bad = valid & ((tg < 0) | (tg >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(tg[bad][0])} is out of bounds.")
    safe = xp.where(valid, tg, 0)
    w = xp.ones(n_classes, x.dtype) if weight is None else xp.astype(weight._data, x.dtype)
    wt = xp.where(valid, w[safe], 0).astype(x.dtype)
    picked = xp.take_along_axis(xm, safe[..., None], -1)[..., 0]
    losses = -picked * wt
    total = wt.sum()
    with xp.errstate(all="ignore"):
        if reduction == "none":
            data = losses[0] if one_d else losses
        else:
            data = losses.sum() if reduction == "sum" else losses.sum() / total
    out = wrap(data, input._dtype)
    if needs_grad(input):
        m = xp.zeros(xm.shape, x.dtype)
        coef = -wt / total if reduction == "mean" else -wt
        xp.put_along_axis(m, safe[..., None], coef[..., None].astype(x.dtype), -1)
        m = xp.moveaxis(m, -1, 1)
        gshape = None if one_d or reduction != "none" else (tg.shape[0], 1, *tg.shape[1:])
        record(cls, out, (input,), (input, wrap(m[0] if one_d else m, input._dtype)), (gshape,))
    return out


def _nll_1d_2d(
    input: Tensor, target: Tensor, weight: Tensor | None, reduction: str, ignore_index: int
) -> Tensor:
    if target._data.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input._data.ndim == 1 and target._data.ndim == 1 and target._data.shape[0] != 1:
        raise ValueError(
            f"For 1D input, 1D target must have size 1, but got target size: {target._data.shape[0]}"
        )
    if input._data.ndim == 2 and input._data.shape[0] != (target._data.shape[0] if target._data.ndim else 1):
        raise RuntimeError(
            f"size mismatch (got input: {list(input._data.shape)}, target: {list(target._data.shape)})"
        )
    n_classes = input._data.shape[-1]
    if weight is not None and (weight._data.ndim != 1 or weight._data.size != n_classes):
        raise RuntimeError(
            f"weight tensor should be defined either for all {n_classes} classes or no classes but "
            f"got weight tensor of shape: {list(weight._data.shape)}"
        )
    return _nll_kernel(NllLossBackward0, input, target, weight, reduction, ignore_index)


def _nll_2d(
    input: Tensor, target: Tensor, weight: Tensor | None, reduction: str, ignore_index: int
) -> Tensor:
    if target._data.ndim != 3:
        raise RuntimeError(
            "only batches of spatial targets supported (3D tensors) but got targets of dimension: "
            f"{target._data.ndim}"
        )
    if weight is not None and weight._data.size != input._data.shape[1]:
        raise RuntimeError("weight tensor should be defined either for all or no classes")
    si, st = input._data.shape, target._data.shape
    if (si[0], si[2], si[3]) != st:
        raise RuntimeError(f"size mismatch (got input: {list(si)} , target: {list(st)}")
    return _nll_kernel(NllLoss2DBackward0, input, target, weight, reduction, ignore_index)


def _nll_loss_nd(
    input: Tensor, target: Tensor, weight: Tensor | None, reduction: str, ignore_index: int
) -> Tensor:
    ndim = input._data.ndim
    if ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {ndim})")
    target_batch = target._data.shape[0] if target._data.ndim else 0
    if ndim != 1 and input._data.shape[0] != target_batch:
        raise ValueError(
            f"Expected input batch_size ({input._data.shape[0]}) to match target batch_size ({target_batch})."
        )
    if ndim <= 2:
        return _nll_1d_2d(input, target, weight, reduction, ignore_index)
    if ndim == 4:
        return _nll_2d(input, target, weight, reduction, ignore_index)
    n, c = input._data.shape[:2]
    out_size = [n, *input._data.shape[2:]]
    if list(target._data.shape[1:]) != out_size[1:]:
        raise RuntimeError(f"Expected target size {out_size}, got {list(target._data.shape)}")
    if input._data.size > 0:
        input4, target3 = input.reshape(n, c, 1, -1), target.reshape(n, 1, -1)
    else:
        input4, target3 = input.reshape(n, c, 0, 0), target.reshape(n, 0, 0)
    out = _nll_2d(input4, target3, weight, reduction, ignore_index)
    return out.reshape(out_size) if reduction == "none" else out


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    reduction = _check_reduction(_reduction(reduction, size_average, reduce))
    return _nll_loss_nd(input, target, weight, reduction, ignore_index)


# ---------------------------------------------------------------------------------------
# cross_entropy: log_softmax + nll_loss, or the label-smoothing / class-probability
# compositions of ATen's cross_entropy_loss (with its scalar-operand node names).
# ---------------------------------------------------------------------------------------
MulBackward1 = node_class("MulBackward1", lambda g, s: g * s)
DivBackward1 = node_class("DivBackward1", lambda g, s: g / s)
MaskedFillBackward0 = node_class("MaskedFillBackward0", lambda g, mask: where(mask, 0.0, g))


def _mul_scalar(x: Tensor, s: float) -> Tensor:
    """``x * s`` with a C++ Scalar operand (MulBackward1)."""
    out = wrap(x._data * x._dtype.np.type(s), x._dtype)
    if needs_grad(x):
        record(MulBackward1, out, (x,), None, (s,))
    return out


def _div_scalar(x: Tensor, s: float) -> Tensor:
    with np.errstate(all="ignore"):
        out = wrap(x._data / x._dtype.np.type(s), x._dtype)
    if needs_grad(x):
        record(DivBackward1, out, (x,), None, (s,))
    return out


def _masked_fill_zero(x: Tensor, mask: Tensor) -> Tensor:
    out = wrap(backend_of(x._data).where(mask._data, 0, x._data), x._dtype)
    if needs_grad(x):
        record(MaskedFillBackward0, out, (x,), None, (mask,))
    return out


def _class_weight_view(weight: Tensor, ndim: int, class_dim: int) -> Tensor:
    if ndim <= 1:
        return weight
    shape = [1] * ndim
    shape[class_dim] = weight._data.shape[0]
    return weight.reshape(shape)


def _cross_entropy_probs(
    input: Tensor, target: Tensor, weight: Tensor | None, reduction: str, label_smoothing: float
) -> Tensor:
    class_dim = 0 if input._data.ndim == 1 else 1
    n_classes = input._data.shape[class_dim]
    if weight is not None and (weight._data.ndim != 1 or weight._data.size != n_classes):
        raise RuntimeError(
            f"cross_entropy: weight tensor should be defined either for all {n_classes} classes or "
            f"no classes but got weight tensor of shape: {list(weight._data.shape)}"
        )
    logp = log_softmax(input, class_dim)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}")
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    prod = logp * target
    if weight is not None:
        prod = prod * _class_weight_view(weight, logp._data.ndim, class_dim)
    if reduction == "none":
        return neg(prod.sum(class_dim))
    total = neg(prod.sum())
    if reduction == "sum":
        return total
    if logp._data.size == 0:
        return total * float("nan")
    return _div_scalar(total, logp._data.size // n_classes)


def _cross_entropy_smoothed(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None,
    reduction: str,
    ignore_index: int,
    label_smoothing: float,
) -> Tensor:
    class_dim = 0 if input._data.ndim == 1 else 1
    logp = log_softmax(input, class_dim)
    nll = _nll_loss_nd(logp, target, weight, reduction, ignore_index)
    n_classes = logp._data.shape[class_dim]
    if weight is not None:
        smooth = neg((logp * _class_weight_view(weight, logp._data.ndim, class_dim)).sum(class_dim))
    else:
        smooth = neg(logp.sum(class_dim))
    ignore = target._data == ignore_index
    smooth = _masked_fill_zero(smooth, wrap(ignore, D.bool_))
    if reduction == "mean":
        if weight is not None:
            denom = wrap(weight._data[target._data[~ignore]].sum(), weight._dtype)
        else:
            denom = wrap((~ignore).sum(), D.int64)
        ret = smooth.sum() / denom
    else:
        ret = smooth.sum() if reduction == "sum" else smooth
    return add(_mul_scalar(nll, 1 - label_smoothing), _mul_scalar(ret, label_smoothing / n_classes))


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    reduction = _check_reduction(_reduction(reduction, size_average, reduce))
    if input._data.shape == target._data.shape:
        if not target._dtype.is_floating_point:
            raise RuntimeError(
                "Expected floating point type for target with class probabilities, got "
                f"{target._dtype._short}"
            )
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}")
        return _cross_entropy_smoothed(input, target, weight, reduction, ignore_index, label_smoothing)
    class_dim = 0 if input._data.ndim == 1 else 1
    return _nll_loss_nd(log_softmax(input, class_dim), target, weight, reduction, ignore_index)
