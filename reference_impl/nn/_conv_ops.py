"""conv1d / conv2d on NumPy: im2col through a sliding-window view, then one einsum per group.

ConvolutionBackward0 takes (input, weight, bias) like torch's node. Its gradients are
computed at array level (einsum + col2im); under create_graph each is recorded as a
ConvolutionBackwardBackward0 node (inputs grad_output, input, weight, like torch's) whose
formulas are convolutions again, so double and triple backward work.
"""

from __future__ import annotations

import warnings
from typing import Any

from .._backend import of as backend_of
from .._ops._util import wrap
from .._tensor import _GRAD_DTYPE_NAMES, Tensor
from ..autograd.graph import needs_grad, node_class, record
from ._functional_activations import no_bool

_SAME_WARNING = ("Using padding='same' with even kernel lengths and odd dilation may require a zero-padded "
                 "copy of the input be created (Triggered internally at "
                 "/__w/pytorch/pytorch/aten/src/ATen/native/Convolution.cpp:1101.)")
_OUT = "hwd"  # output spatial letters
_KER = "ijk"  # kernel spatial letters


def _spec(nd: int) -> tuple[str, str]:
    return _OUT[:nd], _KER[:nd]


def _windows(x: Any, nd: int, ksize: tuple, stride: tuple, padding: tuple, dilation: tuple) -> Any:
    """(N, C, *spatial) -> (N, C, *out, *kernel) view of the zero-padded input."""
    xp = backend_of(x)
    if any(lo or hi for lo, hi in padding):
        x = xp.pad(x, [(0, 0), (0, 0), *padding])
    eff = tuple(d * (k - 1) + 1 for k, d in zip(ksize, dilation))
    w = xp.sliding_window_view(x, eff, axis=tuple(range(2, 2 + nd)))
    index = (slice(None), slice(None)) + tuple(slice(None, None, s) for s in stride) + \
        tuple(slice(None, None, d) for d in dilation)
    return w[index]


def _forward(x: Any, w: Any, groups: int, nd: int, stride: tuple, padding: tuple, dilation: tuple) -> Any:
    xp = backend_of(x)
    cols = _windows(x, nd, w.shape[2:], stride, padding, dilation)
    n, c = cols.shape[:2]
    out_sp = cols.shape[2:2 + nd]
    cols = cols.reshape((n, groups, c // groups) + cols.shape[2:])
    wg = w.reshape((groups, w.shape[0] // groups) + w.shape[1:])
    o, k = _spec(nd)
    out = xp.einsum(f"ngc{o}{k},goc{k}->ngo{o}", cols, wg, optimize=True)
    return out.reshape((n, w.shape[0]) + out_sp)


def _grad_input(g: Tensor, x: Tensor, w: Tensor, b: Any, groups: int, nd: int, stride: tuple,
                padding: tuple, dilation: tuple) -> Tensor:
    xp = backend_of(x._data)
    gd, wd = g._data, w._data
    n, oc = gd.shape[:2]
    out_sp = gd.shape[2:]
    ksize = wd.shape[2:]
    gg = gd.reshape((n, groups, oc // groups) + out_sp)
    wg = wd.reshape((groups, oc // groups) + wd.shape[1:])
    o, k = _spec(nd)
    dcols = xp.einsum(f"ngo{o},goc{k}->ngc{o}{k}", gg, wg, optimize=True)
    dcols = dcols.reshape((n, x._data.shape[1]) + out_sp + ksize)
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(x._data.shape[2:], padding))
    dx = xp.zeros(x._data.shape[:2] + padded, dtype=gd.dtype)
    for kidx in _ndindex(ksize):
        target = (slice(None), slice(None)) + tuple(slice(ki * d, ki * d + s * (os - 1) + 1, s)
                                                    for ki, d, s, os in zip(kidx, dilation, stride, out_sp))
        dx[target] += dcols[(Ellipsis,) + kidx]
    spatial = x._data.shape[2:]
    crop = (slice(None), slice(None)) + tuple(slice(lo, lo + s) for (lo, _), s in zip(padding, spatial))
    return wrap(xp.ascontiguousarray(dx[crop]), x._dtype)


def _grad_weight(g: Tensor, x: Tensor, w: Tensor, b: Any, groups: int, nd: int, stride: tuple,
                 padding: tuple, dilation: tuple) -> Tensor:
    xp = backend_of(x._data)
    wd = w._data
    cols = _windows(x._data, nd, wd.shape[2:], stride, padding, dilation)
    n, c = cols.shape[:2]
    cols = cols.reshape((n, groups, c // groups) + cols.shape[2:])
    gd = g._data
    gg = gd.reshape((n, groups, gd.shape[1] // groups) + gd.shape[2:])
    o, k = _spec(nd)
    dw = xp.einsum(f"ngo{o},ngc{o}{k}->goc{k}", gg, cols, optimize=True)
    return wrap(dw.reshape(wd.shape), w._dtype)


def _grad_bias(g: Tensor, x: Tensor, w: Tensor, b: Any, *args: Any) -> Tensor:
    grad = g.sum((0, *range(2, g.dim())))
    if not grad.requires_grad and needs_grad(g, x, w):  # one joint node in torch: requires grad
        record(_BiasGradNode, grad, (g, x, w))
    return grad


# Under create_graph: dx = T_in(g, w) and dw = T_w(g, x) are bilinear, with
# <gg, T_in(g, w)> = <g, conv(gg, w)> = <T_w(g, gg), w> and
# <gg, T_w(g, x)> = <g, conv(x, gg)> = <T_in(g, gg), x>.
def _input_grad_op(g: Tensor, x: Tensor, w: Tensor, *args: Any) -> Tensor:
    out = _grad_input(g, x, w, None, *args)
    if needs_grad(g, x, w):
        record(_InputGradNode, out, (g, x, w), (g, x, w), args)
    return out


def _weight_grad_op(g: Tensor, x: Tensor, w: Tensor, *args: Any) -> Tensor:
    out = _grad_weight(g, x, w, None, *args)
    if needs_grad(g, x, w):
        record(_WeightGradNode, out, (g, x, w), (g, x, w), args)
    return out


def _conv(x: Tensor, w: Tensor, groups: int, nd: int, stride: tuple, padding: tuple, dilation: tuple) -> Tensor:
    return convolution(x, w, None, stride, padding, dilation, groups)


_InputGradNode = node_class(
    "ConvolutionBackwardBackward0",
    lambda gg, g, x, w, *args: _conv(gg, w, *args),
    lambda gg, g, x, w, *args: None,
    lambda gg, g, x, w, *args: _weight_grad_op(g, gg, w, *args),
)
_WeightGradNode = node_class(
    "ConvolutionBackwardBackward0",
    lambda gg, g, x, w, *args: _conv(x, gg, *args),
    lambda gg, g, x, w, *args: _input_grad_op(g, x, gg, *args),
    lambda gg, g, x, w, *args: None,
)
_BiasGradNode = node_class("ConvolutionBackwardBackward0", *((lambda gg: None,) * 3))


def _ndindex(shape: tuple) -> list:
    out = [()]
    for s in shape:
        out = [t + (i,) for t in out for i in range(s)]
    return out


ConvolutionBackward0 = node_class(
    "ConvolutionBackward0",
    lambda g, x, w, b, *args: _input_grad_op(g, x, w, *args),
    lambda g, x, w, b, *args: _weight_grad_op(g, x, w, *args),
    _grad_bias,
)


def convolution(input: Tensor, weight: Tensor, bias: Tensor | None, stride: tuple, padding: tuple,
                dilation: tuple, groups: int) -> Tensor:
    """Batched N-d convolution; ``padding`` holds (low, high) pairs per spatial dim."""
    nd = weight.dim() - 2
    dt = input._dtype
    data = _forward(input._data, weight._data, groups, nd, stride, padding, dilation)
    if bias is not None:
        data = data + bias._data.reshape((1, -1) + (1,) * nd)
    out = wrap(data, dt)
    if needs_grad(input, weight, bias):
        record(ConvolutionBackward0, out, (input, weight, bias), (input, weight, None),
               (groups, nd, stride, padding, dilation))
    return out


def _crop_grad(g: Tensor, spatial: tuple) -> Tensor:
    return g[(slice(None), slice(None)) + tuple(slice(0, n) for n in spatial)]


ConstantPadNdBackward0 = node_class("ConstantPadNdBackward0", _crop_grad)


def _pad_end(x: Tensor, extra: tuple) -> Tensor:
    """constant_pad_nd with zeros appended at the end of each spatial dim."""
    data = backend_of(x._data).pad(x._data, [(0, 0), (0, 0), *((0, e) for e in extra)])
    out = wrap(data, x._dtype)
    if needs_grad(x):
        record(ConstantPadNdBackward0, out, (x,), None, (tuple(x.shape[2:]),))
    return out


def _check_dtypes(input: Tensor, weight: Tensor, bias: Tensor | None) -> None:
    dt = input._dtype
    if bias is not None and bias._dtype is not dt:
        raise RuntimeError(f"Input type ({_GRAD_DTYPE_NAMES[dt.name]}) and bias type "
                           f"({_GRAD_DTYPE_NAMES[bias._dtype.name]}) should be the same")
    no_bool("slow_conv2d_cpu", dt)
    if weight._dtype is not dt:
        raise RuntimeError(f"expected scalar type {dt._short} but found {weight._dtype._short}")


def _tuple(v: Any, nd: int) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * nd


def conv_nd(nd: int, name: str, input: Tensor, weight: Tensor, bias: Tensor | None, stride: Any,
            padding: Any, dilation: Any, groups: int) -> Tensor:
    """F.conv1d / F.conv2d: argument checks with torch's messages, then ``convolution``."""
    stride, dilation = _tuple(stride, nd), _tuple(dilation, nd)
    batched = input.dim() == nd + 2
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got "
                           f"input of size: {list(input.shape)}")
    x = input if batched else input.unsqueeze(0)
    channels = x.shape[1]
    if channels != weight.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
                           f"{list(x.shape)} to have {weight.shape[1] * groups} channels, but got {channels} "
                           "channels instead")
    ksize = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        else:
            total = [d * (k - 1) for d, k in zip(dilation, ksize)]
            if any(t % 2 for t in total):  # torch pads the odd extra at the end first (ConstantPadNd)
                warnings.warn(_SAME_WARNING, UserWarning, stacklevel=3)
                x = _pad_end(x, tuple(t % 2 for t in total))
            pads = tuple((t // 2, t // 2) for t in total)
    else:
        pads = tuple((p, p) for p in _tuple(padding, nd))
    _check_dtypes(input, weight, bias)
    out = convolution(x, weight, bias, stride, pads, dilation, groups)
    return out if batched else out.squeeze(0)
