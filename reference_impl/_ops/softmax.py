"""torch.softmax / torch.log_softmax and their Tensor methods.

The kernels and SoftmaxBackward0 / LogSoftmaxBackward0 live with nn.functional; these entry
points differ only in their signature: ``dim`` is required (no implicit-dim warning) and must
be an int, with torch's argument-parser messages (which name a positional argument's position).
"""

from __future__ import annotations

from typing import Any

from .. import _dtype as D
from .._tensor import Tensor
from ..nn._functional_activations import _softmax

_MISSING = object()


def _parse(name: str, args: tuple, dim: Any, dtype: D.dtype | None, first: int) -> tuple[int, D.dtype | None]:
    """(dim, dtype) from ``args`` (positions ``first``, ``first + 1``) or the keywords."""
    if len(args) > 2:
        raise TypeError(f"{name}() takes from {first} to {first + 1} positional arguments but "
                        f"{first - 1 + len(args)} were given")
    where = ""
    if args:
        dim, where = args[0], f" (position {first})"
        if len(args) == 2:
            dtype = args[1]
    if dim is _MISSING:
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise TypeError(f"{name}(): argument 'dim'{where} must be int, not {type(dim).__name__}")
    return dim, dtype


def softmax(input: Tensor, *args: Any, dim: Any = _MISSING, dtype: D.dtype | None = None) -> Tensor:
    dim, dtype = _parse("softmax", args, dim, dtype, 2)
    return _softmax(input, dim, dtype, False, 2)


def log_softmax(input: Tensor, *args: Any, dim: Any = _MISSING, dtype: D.dtype | None = None) -> Tensor:
    dim, dtype = _parse("log_softmax", args, dim, dtype, 2)
    return _softmax(input, dim, dtype, True, 2)


def _softmax_method(self: Tensor, *args: Any, dim: Any = _MISSING, dtype: D.dtype | None = None) -> Tensor:
    dim, dtype = _parse("softmax", args, dim, dtype, 1)
    return _softmax(self, dim, dtype, False, 2)


def _log_softmax_method(self: Tensor, *args: Any, dim: Any = _MISSING, dtype: D.dtype | None = None) -> Tensor:
    dim, dtype = _parse("log_softmax", args, dim, dtype, 1)
    return _softmax(self, dim, dtype, True, 2)


FUNCTIONS = {"softmax": softmax, "log_softmax": log_softmax}
METHODS = {"softmax": _softmax_method, "log_softmax": _log_softmax_method}
