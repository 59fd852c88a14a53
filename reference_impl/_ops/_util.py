"""Small helpers shared by the op families: argument coercion, promotion, broadcasting errors."""

from __future__ import annotations

from typing import Any

from .. import _dtype as D
from .._backend import of as backend_of
from .._tensor import Tensor

SCALARS = (int, float, bool, complex)


def is_scalar(x: Any) -> bool:
    return type(x) in SCALARS


def arr(x: Any, dt: D.dtype) -> Any:
    """``x`` (tensor or Python scalar) as a backend array of dtype ``dt``."""
    if type(x) in SCALARS:
        return backend_of(None).asarray(x, dt.np)
    data = x._data
    if x._dtype is dt:
        return data
    return backend_of(data).astype(data, dt.np)


def broadcast_error(*shapes: tuple) -> RuntimeError:
    """torch's message for the first pair of shapes that do not broadcast."""
    names = "ab"
    a, b = shapes[0], shapes[1]
    for i in range(1, max(len(a), len(b)) + 1):
        sa = a[-i] if i <= len(a) else 1
        sb = b[-i] if i <= len(b) else 1
        if sa != sb and sa != 1 and sb != 1:
            dim = max(len(a), len(b)) - i
            return RuntimeError(f"The size of tensor {names[0]} ({sa}) must match the size of tensor "
                                f"{names[1]} ({sb}) at non-singleton dimension {dim}")
    return RuntimeError(f"shapes {list(a)} and {list(b)} cannot be broadcast")


def shape_of(x: Any) -> tuple:
    return () if type(x) in SCALARS else x._data.shape


def wrap(data: Any, dt: D.dtype) -> Tensor:
    """A new tensor for a kernel result (0-d results come back from NumPy as scalars)."""
    if type(data) is not backend_of(data).ndarray:
        data = backend_of(None).asarray(data, dt.np)
    elif data.dtype != dt.np:
        data = backend_of(data).astype(data, dt.np)
    return Tensor._make(data, dt)


def ensure_tensor(x: Any, name: str = "input") -> Tensor:
    if isinstance(x, Tensor):
        return x
    raise TypeError(f"{name}(): argument '{name}' (position 1) must be Tensor, not {type(x).__name__}")
