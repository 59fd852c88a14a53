"""nn.functional classification losses: nll_loss and cross_entropy.

nll_loss is one ATen kernel (NllLossBackward0 / NllLoss2DBackward0); cross_entropy is a
composition (log_softmax under nll_loss, or the label-smoothing and class-probability
graphs of ATen's cross_entropy_loss) and is written here as the same composition.
"""

from __future__ import annotations

import operator

import numpy as np

from .. import _dtype as D
from .._backend import of as backend_of
from .._ops._util import loud, quiet, wrap
from .._ops.elementwise import add, half_by_scalar, neg, where
from .._tensor import Tensor
from ..autograd.grad_mode import state as _grad_state
from ..autograd.graph import needs_grad, node_class, record, record_from
from ._functional_activations import floating_only, log_softmax
from ._functional_losses import _check_reduction, _not_differentiable, _reduction


# ---------------------------------------------------------------------------------------
# nll_loss: one kernel for 1-D/2-D (NllLossBackward0) and 4-D (NllLoss2DBackward0) inputs;
# other ranks are viewed to 4-D as torch's nll_loss_nd does.
# The gradient is linear in g: g * M with M = -weight[target] one-hot (/ total_weight).
# ---------------------------------------------------------------------------------------
def _nll_grad(g: Tensor, x: Tensor, m: Tensor, gshape: tuple | None) -> Tensor:
    grad = (g if gshape is None else g.reshape(gshape)) * m
    if x.requires_grad and not grad.requires_grad and _grad_state.enabled:
        grad = grad + x * 0  # torch's create_graph result depends on self (with zero derivative)
    return grad


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
    floating_only("nll_loss_out_frame" if cls is NllLossBackward0 else "nll_loss2d_forward_out_frame", input._dtype)
    _not_differentiable(
        "nll_loss_forward" if cls is NllLossBackward0 else "nll_loss2d_forward", "weight", weight
    )
    x = input._data
    xp = backend_of(x)
    one_d = x.ndim == 1
    two_d = x.ndim == 2  # (N, C): classes are last already, rows are picked by fancy indexing
    xm = x if two_d else xp.moveaxis(x[None] if one_d else x, 1, -1)  # classes last: (N, *spatial, C)
    n_classes = xm.shape[-1]
    tg = target._data.reshape(xm.shape[:-1]).astype(np.int64, copy=False)
    if (two_d and weight is None and reduction != "none" and type(x) is np.ndarray and x.dtype.kind == "f"
            and not 0 <= ignore_index < n_classes):
        fast = _nll_rows(x, tg, reduction == "mean", needs_grad(input))
        if fast is not None:  # else a target is out of range: the general path raises
            data, m = fast
            out = Tensor._make(data, input._dtype)
            if m is not None:
                record_from(cls, out, input, (input, Tensor._make(m, input._dtype)), (None,))
            return out
    valid = tg != ignore_index
    bad = valid & ((tg < 0) | (tg >= n_classes))
    if bad.any():
        raise IndexError(f"Target {int(tg[bad][0])} is out of bounds.")
    safe = xp.where(valid, tg, 0)
    if weight is None:  # every counted row weighs 1
        wt = valid.astype(x.dtype)
    else:
        wt = xp.where(valid, xp.astype(weight._data, x.dtype)[safe], 0).astype(x.dtype)
    rows = xp.arange(xm.shape[0]) if two_d else None
    picked = xm[rows, safe] if two_d else xp.take_along_axis(xm, safe[..., None], -1)[..., 0]
    losses = -picked * wt
    total = wt.sum()
    token = quiet()
    try:
        if reduction == "none":
            data = losses[0] if one_d else losses
        else:
            data = losses.sum() if reduction == "sum" else losses.sum() / total
    finally:
        loud(token)
    out = wrap(data, input._dtype)
    if needs_grad(input):
        m = xp.zeros(xm.shape, x.dtype)
        coef = -wt / total if reduction == "mean" else -wt
        if two_d:
            m[rows, safe] = coef.astype(x.dtype)
        else:
            xp.put_along_axis(m, safe[..., None], coef[..., None].astype(x.dtype), -1)
            m = xp.moveaxis(m, -1, 1)
        gshape = None if one_d or reduction != "none" else (tg.shape[0], 1, *tg.shape[1:])
        record(cls, out, (input,), (input, wrap(m[0] if one_d else m, input._dtype)), (gshape,))
    return out


def _nll_rows(x: np.ndarray, tg: np.ndarray, mean: bool, grad: bool) -> tuple | None:
    """``_nll_kernel`` for (N, C) NumPy input without class weights, a reduction, and an
    ignore_index no target can equal: every row counts with weight 1, so the general path's masks
    and weights drop out (the same sums: ``-x[i, t_i] * 1``, divided by ``N`` for the mean).
    Returns (loss, M for the gradient or None); None when a target is out of range."""
    n, n_classes = x.shape
    if n and np.maximum.reduce(tg.view(np.uint64)) >= n_classes:  # a negative target wraps to a huge one
        return None
    rows = np.arange(n)
    token = quiet()
    try:
        losses = -x[rows, tg]
        total = x.dtype.type(n)
        data = np.add.reduce(losses)  # losses.sum() without its argument handling
        if mean:
            data = data / total
        m = None
        if grad:
            m = np.zeros(x.shape, x.dtype)
            m[rows, tg] = -1 / total if mean else -1
    finally:
        loud(token)
    return np.asarray(data, x.dtype), m


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
    """``x * s`` with a C++ Scalar operand (MulBackward1); half computes in float."""
    out = half_by_scalar(operator.mul, x, s)
    if out is None:
        out = wrap(x._data * x._dtype.np.type(s), x._dtype)
    if needs_grad(x):
        record(MulBackward1, out, (x,), None, (s,))
    return out


def _div_scalar(x: Tensor, s: float) -> Tensor:
    out = half_by_scalar(operator.truediv, x, s)
    if out is None:
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
