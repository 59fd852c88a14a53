"""torch.nn.functional: activations, softmaxes, dropout, linear and losses.

The ops live in ``_functional_activations``, ``_functional_losses`` (regression and binary)
and ``_functional_classification`` (nll / cross_entropy); this module is the public namespace.
"""

from __future__ import annotations

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

__all__ = [
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
