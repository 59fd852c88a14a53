"""Array backends: every kernel the engine runs goes through one of these namespaces.

A backend is a namespace exposing the NumPy-shaped functions of ``numpy_backend``. The engine
never touches array libraries directly, so the torch backend (``torch_backend``: torch tensors
as CPU/CUDA buffers) runs the same ops unchanged.

Which backend holds new CPU tensors: NumPy by default; ``REFERENCE_IMPL_BACKEND=torch`` (read
at import) or ``set_backend("torch")`` switches to torch CPU tensors. CUDA tensors always use
the torch backend. torch is imported only when one of those is asked for.
"""

from __future__ import annotations

import os
from typing import Any

from . import numpy_backend

# type(array) -> backend; ops find the kernels for their inputs here (torch_backend adds its classes).
BY_ARRAY_TYPE: dict[type, Any] = {numpy_backend.ndarray: numpy_backend}
default: Any = numpy_backend  # the backend of new CPU tensors
BACKEND_NAMES = ("numpy", "torch")


def of(data: object) -> Any:
    """The backend that owns ``data``."""
    return BY_ARRAY_TYPE.get(type(data), default)


def set_backend(name: str) -> None:
    """Put new CPU tensors on ``name``'s arrays ("numpy" or "torch"); existing tensors keep theirs."""
    global default
    if name not in BACKEND_NAMES:
        raise ValueError(f"unknown backend {name!r}; expected one of {', '.join(BACKEND_NAMES)}")
    if name == "torch":
        from . import torch_backend

        default = torch_backend.cpu
    else:
        default = numpy_backend


def get_backend() -> str:
    return default.name


def for_device(device: Any) -> Any:
    """The backend that creates tensors on ``device`` (None or CPU: the default backend)."""
    if device is None:
        return default
    name = str(device)
    if name == "cpu":
        return default
    from .._device import device as device_type

    device_type(name)  # torch's message for a malformed device string
    if name.startswith("cpu"):
        return default
    try:
        from . import torch_backend
    except ImportError:  # no torch at all: the same answer as a CPU-only torch build
        raise AssertionError("Torch not compiled with CUDA enabled") from None
    return torch_backend.for_device(name)


def _from_environment() -> None:
    name = os.environ.get("REFERENCE_IMPL_BACKEND", "").strip().lower()
    if name:
        set_backend(name)


_from_environment()
