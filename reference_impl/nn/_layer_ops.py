"""Kernels with torch's fused nodes: layer_norm, batch_norm, embedding, bilinear.

Forwards run on backend arrays. Norm gradients are Tensor expressions (so they can be
differentiated again); embedding and bilinear gradients are computed at array level.
"""

from __future__ import annotations

from typing import Any

from .. import _dtype as D
from .._backend import of as backend_of
from .._ops._util import wrap
from .._tensor import _GRAD_DTYPE_NAMES, Tensor
from ..autograd.grad_mode import state as _grad_state
from ..autograd.graph import needs_grad, node_class, record
from ._functional_activations import _compute_dtype, floating_only, no_bool
from ._functional_losses import _not_differentiable


# --- helpers for create_graph ---------------------------------------------------------------
def _grad_mode_and(*inputs: Any) -> bool:
    """create_graph is on and a tensor the gradient is a function of requires grad."""
    return _grad_state.enabled and any(t is not None and t.requires_grad for t in inputs)


def _joint_output(grad: Tensor, cls: type, *inputs: Any) -> Tensor:
    """torch computes all of a fused op's gradients in one differentiable node, so under create_graph
    even a gradient that does not depend on the inputs (a bias gradient) requires grad; its own
    derivative is undefined (None), which this node reproduces."""
    if not grad.requires_grad and needs_grad(*inputs):
        grad = grad.clone() if grad is inputs[0] else grad  # never the incoming gradient itself
        record(cls, grad, inputs)
    return grad


_NONE = (lambda gg: None,) * 3
NativeLayerNormBackwardBackward0 = node_class("NativeLayerNormBackwardBackward0", *_NONE)
NativeBatchNormBackwardBackward0 = node_class("NativeBatchNormBackwardBackward0", *_NONE)


def _acc(dt: D.dtype) -> D.dtype:
    """torch's CPU norms compute a half input in float (its accumulate type)."""
    return D.float32 if dt is D.float16 else dt


def _up(t: Any) -> Any:
    """A half tensor as float, for backward formulas that mirror the float kernels."""
    return t.to(D.float32) if t is not None and t._dtype is D.float16 else t


def _check_mixed_dtype(input: Tensor, *params: Tensor | None) -> bool:
    """torch's CPU norms accept float parameters for a half input, and otherwise one dtype."""
    given = [p for p in params if p is not None]
    if not any(p._dtype is not input._dtype for p in given):
        return False
    if any(p._dtype is not D.float32 for p in given):
        raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float")
    if input._dtype is not D.float16:
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")
    return True


# --- layer_norm ---------------------------------------------------------------------------
def _stats(x: Tensor, mean: Tensor, rstd: Tensor, axes: tuple, eps: float) -> tuple[Tensor, Tensor]:
    """The saved statistics, or under create_graph the same values as functions of ``x`` (so
    that double backward differentiates through the mean and variance, as torch's does)."""
    if not (_grad_state.enabled and x.requires_grad):
        return mean, rstd
    mean = x.mean(axes, keepdim=True)
    centered = x - mean
    return mean, ((centered * centered).mean(axes, keepdim=True) + eps).rsqrt()


def _ln_xhat(x: Tensor, mean: Tensor, rstd: Tensor) -> Tensor:
    return (x - mean) * rstd


def _ln_grad_input(g: Tensor, x: Tensor, w: Any, b: Any, mean: Tensor, rstd: Tensor, axes: tuple,
                   eps: float) -> Tensor:
    mean, rstd = _stats(x, mean, rstd, axes, eps)
    g, x, w = _up(g), _up(x), _up(w)
    gw = g if w is None else g * w
    xhat = _ln_xhat(x, mean, rstd)
    return rstd * (gw - gw.mean(axes, keepdim=True) - xhat * (gw * xhat).mean(axes, keepdim=True))


def _ln_grad_weight(g: Tensor, x: Tensor, w: Any, b: Any, mean: Tensor, rstd: Tensor, axes: tuple,
                    eps: float) -> Tensor:
    g, x = _up(g), _up(x)
    mean, rstd = _stats(x, mean, rstd, axes, eps)
    batch = tuple(range(x.dim() - len(axes)))
    return (g * _ln_xhat(x, mean, rstd)).sum(batch) if batch else g * _ln_xhat(x, mean, rstd)


def _ln_grad_bias(g: Tensor, x: Tensor, w: Any, b: Any, mean: Tensor, rstd: Tensor, axes: tuple,
                  eps: float) -> Tensor:
    batch = tuple(range(x.dim() - len(axes)))
    grad = g.sum(batch) if batch else g
    return _joint_output(grad, NativeLayerNormBackwardBackward0, g, x, w)


NativeLayerNormBackward0 = node_class("NativeLayerNormBackward0", _ln_grad_input, _ln_grad_weight,
                                      _ln_grad_bias)


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if tuple(input.shape[input.dim() - k:]) != shape or input.dim() < k:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape [*, "
                           f"{', '.join(str(s) for s in shape)}], but got input of size{list(input.shape)}")
    _check_mixed_dtype(input, weight, bias)
    floating_only("LayerNormKernelImpl", input._dtype)
    cdt = _compute_dtype(input._dtype)
    x = input._data
    xp = backend_of(x)
    x = xp.astype(x, cdt, copy=False)
    axes = tuple(range(x.ndim - k, x.ndim))
    mean = xp.mean(x, axis=axes, keepdims=True)
    centered = x - mean
    rstd = 1 / xp.sqrt(xp.mean(centered * centered, axis=axes, keepdims=True) + eps)
    out = centered * rstd
    if weight is not None:
        out = out * xp.astype(weight._data, cdt, copy=False)
    if bias is not None:
        out = out + xp.astype(bias._data, cdt, copy=False)
    result = wrap(xp.astype(out, input._dtype.np, copy=False), input._dtype)
    if needs_grad(input, weight, bias):
        mean_t, rstd_t = wrap(mean, _acc(input._dtype)), wrap(rstd, _acc(input._dtype))
        record(NativeLayerNormBackward0, result, (input, weight, bias), (input, weight, bias, mean_t, rstd_t),
               (axes, eps))
    return result


# --- batch_norm ---------------------------------------------------------------------------
def _bn_shape(x: Tensor) -> tuple:
    return (1, -1) + (1,) * (x.dim() - 2)


def _bn_grad_input(g: Tensor, x: Tensor, w: Any, b: Any, mean: Tensor, rstd: Tensor,
                   training: bool, eps: float) -> Tensor:
    axes = (0, *range(2, x.dim()))
    g, x, w = _up(g), _up(x), _up(w)
    if training:
        mean, rstd = _stats(x, mean, rstd, axes, eps)
    scale = rstd if w is None else rstd * w.reshape(_bn_shape(x))
    if not training:
        return g * scale
    xhat = (x - mean) * rstd
    return scale * (g - g.mean(axes, keepdim=True) - xhat * (g * xhat).mean(axes, keepdim=True))


def _bn_grad_weight(g: Tensor, x: Tensor, w: Any, b: Any, mean: Tensor, rstd: Tensor,
                    training: bool, eps: float) -> Tensor:
    g, x = _up(g), _up(x)
    if training:
        mean, rstd = _stats(x, mean, rstd, (0, *range(2, x.dim())), eps)
    return (g * ((x - mean) * rstd)).sum((0, *range(2, x.dim())))


def _bn_grad_bias(g: Tensor, x: Tensor, w: Any, b: Any, mean: Tensor, rstd: Tensor, training: bool,
                  eps: float) -> Tensor:
    return _joint_output(g.sum((0, *range(2, x.dim()))), NativeBatchNormBackwardBackward0, g, x, w)


NativeBatchNormBackward0 = node_class("NativeBatchNormBackward0", _bn_grad_input, _bn_grad_weight,
                                      _bn_grad_bias)


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise over every dim but 1; in training, update running stats in place (unbiased var)."""
    x = input._data
    xp = backend_of(x)
    axes = (0, *range(2, x.ndim))
    bshape = (1, -1) + (1,) * (x.ndim - 2)
    count = x.size // x.shape[1]
    if training and count <= 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
    _not_differentiable("native_batch_norm", "running_mean", running_mean)
    _not_differentiable("native_batch_norm", "running_var", running_var)
    floating_only("batch_norm", input._dtype)
    mixed = _check_mixed_dtype(input, weight, bias, running_mean, running_var)
    # torch's kernel: statistics accumulate in float for half and, in training, are stored in the
    # parameters' dtype (half unless mixed); then out = x * alpha + beta with alpha, beta in float
    cdt = _compute_dtype(input._dtype)
    param_np = cdt if mixed else input._dtype.np
    x = xp.astype(x, cdt, copy=False)
    with xp.errstate(all="ignore"):  # a negative running_var gives NaN silently, as in torch
        if training:
            mean = xp.mean(x, axis=axes, keepdims=True)
            centered = x - mean
            var_sum = xp.sum(centered * centered, axis=axes, keepdims=True)
            var = var_sum / count  # (np.mean's own division)
            if running_mean is not None:
                _blend(running_mean, mean.reshape(-1), momentum)
            if running_var is not None:
                _blend(running_var, var_sum.reshape(-1) / (count - 1), momentum)
        else:
            mean = xp.astype(running_mean._data, cdt, copy=False).reshape(bshape)
            var = xp.astype(running_var._data, cdt, copy=False).reshape(bshape)
        rstd = 1 / xp.sqrt(var + eps)
        if training:  # save_mean / save_invstd are stored in the parameters' dtype; eval uses them unrounded
            mean = xp.astype(xp.astype(mean, param_np, copy=False), cdt, copy=False)
            rstd = xp.astype(xp.astype(rstd, param_np, copy=False), cdt, copy=False)
        alpha = rstd if weight is None else rstd * xp.astype(weight._data, cdt, copy=False).reshape(bshape)
        beta = -mean * alpha
        if bias is not None:
            beta = beta + xp.astype(bias._data, cdt, copy=False).reshape(bshape)
        out = x * alpha + beta
    result = wrap(xp.astype(out, input._dtype.np, copy=False), input._dtype)
    if needs_grad(input, weight, bias):
        acc = _acc(input._dtype)
        mean_t, rstd_t = wrap(mean, acc), wrap(rstd, acc)
        record(NativeBatchNormBackward0, result, (input, weight, bias), (input, weight, bias, mean_t, rstd_t),
               (training, eps))
    return result


def _blend(stat: Tensor, batch_value: Any, momentum: float) -> None:
    """stat = momentum * batch_value + (1 - momentum) * stat, in place, computed in the batch
    statistics' (float) type and rounded once, as torch's kernel; it leaves the version counter alone."""
    xp = backend_of(stat._data)
    m = batch_value.dtype.type(momentum)
    new = m * batch_value + (m.dtype.type(1) - m) * xp.astype(stat._data, batch_value.dtype, copy=False)
    xp.copyto(stat._data, new, casting="unsafe")


# --- embedding ----------------------------------------------------------------------------
def _embedding_grad(g: Tensor, indices: Tensor, num_weights: int, padding_idx: int) -> Tensor:
    xp = backend_of(g._data)
    gd = g._data
    dim = gd.shape[-1]
    gw = xp.zeros((num_weights, dim), dtype=gd.dtype)
    idx = indices._data.reshape(-1)
    xp.add_at(gw, idx, gd.reshape(-1, dim))
    if padding_idx >= 0:
        gw[padding_idx] = 0
    return wrap(gw, g._dtype)


EmbeddingBackward0 = node_class("EmbeddingBackward0", _embedding_grad)


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None) -> Tensor:
    if input._dtype not in (D.int64, D.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar "
                           f"types: Long, Int; but got torch.{input._dtype._legacy} instead (while checking "
                           "arguments for embedding)")
    idx = input._data
    n = weight.shape[0]
    if idx.size and (idx.min() < -n or idx.max() >= n or idx.min() < 0):
        raise IndexError("index out of range in self")
    if padding_idx is None:
        padding_idx = -1
    elif padding_idx < 0:
        padding_idx += n
    out = wrap(backend_of(idx).take(weight._data, idx, axis=0), weight._dtype)
    if needs_grad(weight):
        record(EmbeddingBackward0, out, (weight,), (input,), (n, padding_idx))
    return out


# --- bilinear -----------------------------------------------------------------------------
def _tri_x1(g: Tensor, x1: Tensor, w: Tensor, x2: Tensor) -> Tensor:
    if _grad_mode_and(g, w, x2):  # create_graph: the same contraction with Tensor ops
        return (_g_w(g, w) * x2.unsqueeze(1)).sum(-1)
    xp = backend_of(g._data)
    return wrap(xp.einsum("...o,oij,...j->...i", g._data, w._data, x2._data, optimize=True), x1._dtype)


def _tri_w(g: Tensor, x1: Tensor, w: Tensor, x2: Tensor) -> Tensor:
    if _grad_mode_and(g, x1, x2):
        outer = (x1.unsqueeze(2) * x2.unsqueeze(1)).reshape(x1.shape[0], -1)
        return g.t().matmul(outer).reshape(w.shape)
    xp = backend_of(g._data)
    return wrap(xp.einsum("...o,...i,...j->oij", g._data, x1._data, x2._data, optimize=True), w._dtype)


def _tri_x2(g: Tensor, x1: Tensor, w: Tensor, x2: Tensor) -> Tensor:
    if _grad_mode_and(g, w, x1):
        return (_g_w(g, w) * x1.unsqueeze(2)).sum(1)
    xp = backend_of(g._data)
    return wrap(xp.einsum("...o,oij,...i->...j", g._data, w._data, x1._data, optimize=True), x2._dtype)


def _g_w(g: Tensor, w: Tensor) -> Tensor:
    """sum_o g[b, o] w[o, i, j] as a (B, I, J) tensor."""
    return g.matmul(w.reshape(w.shape[0], -1)).reshape(g.shape[0], w.shape[1], w.shape[2])


TrilinearBackward0 = node_class("TrilinearBackward0", _tri_x1, _tri_w, _tri_x2)


def _check_bilinear_shapes(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None) -> None:
    s1, s2, sw = input1._data.shape, input2._data.shape, weight._data.shape
    if len(s1) != len(s2):
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {len(s1)} and {len(s2)}")
    for i in range(len(s1) - 1):
        if s1[i] != s2[i]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {i}: got {s1[i]} and {s2[i]}")
    if s1[-1] != sw[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {s1[-1]} but expected {sw[1]}")
    if s2[-1] != sw[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {s2[-1]} but expected {sw[2]}")
    if bias is not None and bias._data.shape[0] != sw[0]:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {bias._data.shape[0]} but "
                           f"expected {sw[0]}")


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x1^T W x2 (+ b): TrilinearBackward0, then a view, then the bias add, like torch."""
    named = (("input1", input1), ("input2", input2), ("weight", weight), ("bias", bias))
    if any(t._dtype is not input1._dtype for _, t in named if t is not None):
        raise RuntimeError("All tensors must have the same dtype, got " + ", ".join(
            f"{name}: {_GRAD_DTYPE_NAMES[t._dtype.name]}" for name, t in named if t is not None))
    _check_bilinear_shapes(input1, input2, weight, bias)
    no_bool("bmm", input1._dtype)
    out_shape = tuple(input1.shape[:-1]) + (weight.shape[0],)
    x1 = input1.reshape(-1, input1.shape[-1])
    x2 = input2.reshape(-1, input2.shape[-1])
    xp = backend_of(x1._data)
    dt = input1._dtype
    cdt = _compute_dtype(dt)
    # ATen's _trilinear: sum_i x1 w first (rounded to the dtype), then the sum over j with x2
    first = xp.einsum("bi,oij->boj", xp.astype(x1._data, cdt, copy=False), xp.astype(weight._data, cdt, copy=False))
    first = xp.astype(xp.astype(first, dt.np, copy=False), cdt, copy=False)
    data = xp.einsum("boj,bj->bo", first, xp.astype(x2._data, cdt, copy=False))
    out = wrap(xp.astype(data, dt.np, copy=False), dt)
    if needs_grad(x1, weight, x2):
        record(TrilinearBackward0, out, (x1, weight, x2), (x1, weight, x2))
    out = out.view(out_shape)
    return out if bias is None else out + bias

