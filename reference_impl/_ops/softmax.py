"""torch.softmax / torch.log_softmax and their Tensor methods.

The kernels and SoftmaxBackward0 / LogSoftmaxBackward0 live with nn.functional; these entry
points differ only in their signature: ``dim`` is required (no implicit-dim warning) and must
be an int, with torch's argument-parser messages.
"""

from __future__ import annotations

from typing import Any

from .. import _dtype as D
from .._tensor import Tensor
from ..nn._functional_activations import _softmax

_MISSING = object()


def _check_dim(name: str, dim: Any) -> None:
    if dim is _MISSING:
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")


def softmax(input: Tensor, dim: Any = _MISSING, dtype: D.dtype | None = None) -> Tensor:
    _check_dim("softmax", dim)
    return _softmax(input, dim, dtype, False, 2)


def log_softmax(input: Tensor, dim: Any = _MISSING, dtype: D.dtype | None = None) -> Tensor:
    _check_dim("log_softmax", dim)
    return _softmax(input, dim, dtype, True, 2)


FUNCTIONS = {"softmax": softmax, "log_softmax": log_softmax}
METHODS = {"softmax": softmax, "log_softmax": log_softmax}
