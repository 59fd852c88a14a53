"""Array backends: every kernel the engine runs goes through one of these namespaces.

A backend is a module exposing the NumPy-shaped functions listed in
``numpy_backend.__all__``. The engine never touches array libraries directly, so a
second backend (torch tensors as device buffers) can be added without touching ops.
"""

from __future__ import annotations

from . import numpy_backend

# type(array) -> backend module; ops find the kernels for their inputs here.
BY_ARRAY_TYPE: dict[type, object] = {numpy_backend.ndarray: numpy_backend}
default = numpy_backend


def of(data: object):
    """The backend that owns ``data``."""
    return BY_ARRAY_TYPE.get(type(data), default)
