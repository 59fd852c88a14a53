"""torch.softmax / torch.log_softmax and their Tensor methods.

The kernels and SoftmaxBackward0 / LogSoftmaxBackward0 live with nn.functional; these entry
points differ only in their signature: ``dim`` is required (no implicit-dim warning) and must
be an int, with torch's argument-parser messages (which name a positional argument's position).
"""

from __future__ import annotations

from collections.abc import Callable
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


def _entry(name: str, log: bool, first: int) -> Callable[..., Tensor]:
    """torch.softmax / log_softmax (``dim`` is argument 2) or the Tensor method (argument 1)."""

    def op(input: Tensor, *args: Any, dim: Any = _MISSING, dtype: D.dtype | None = None) -> Tensor:
        dim, dtype = _parse(name, args, dim, dtype, first)
        return _softmax(input, dim, dtype, log, 2)

    op.__name__ = op.__qualname__ = name
    return op


softmax = _entry("softmax", False, 2)
log_softmax = _entry("log_softmax", True, 2)

FUNCTIONS = {"softmax": softmax, "log_softmax": log_softmax}
METHODS = {"softmax": _entry("softmax", False, 1), "log_softmax": _entry("log_softmax", True, 1)}
