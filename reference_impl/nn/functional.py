"""torch.nn.functional: activations, softmaxes, dropout, linear and losses.

The ops live in ``_functional_activations``, ``_functional_losses`` (regression and binary)
and ``_functional_classification`` (nll / cross_entropy); this module is the public namespace.
"""

from __future__ import annotations

from typing import Any

from ._conv_ops import conv_nd as _conv_nd
from ._functional_activations import (
    dropout,
    elu,
    gelu,
    leaky_relu,
    linear,
    log_softmax,
    relu,
    sigmoid,
    silu,
    softmax,
    softplus,
    tanh,
)
from ._functional_classification import cross_entropy, nll_loss
from ._functional_losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    l1_loss,
    mse_loss,
    smooth_l1_loss,
)
from ._layer_ops import batch_norm, bilinear, embedding, layer_norm
from .modules.loss import huber_loss, kl_div


def conv1d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
           groups: int = 1) -> Any:
    """torch.nn.functional.conv1d (the layer module holds the implementation)."""
    return _conv_nd(1, "conv1d", input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
           groups: int = 1) -> Any:
    """torch.nn.functional.conv2d."""
    return _conv_nd(2, "conv2d", input, weight, bias, stride, padding, dilation, groups)


__all__ = [
    "batch_norm",
    "bilinear",
    "conv1d",
    "conv2d",
    "embedding",
    "huber_loss",
    "kl_div",
    "layer_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "dropout",
    "elu",
    "gelu",
    "l1_loss",
    "leaky_relu",
    "linear",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "relu",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "softmax",
    "softplus",
    "tanh",
]
