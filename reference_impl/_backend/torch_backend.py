"""The torch backend: torch tensors (CPU or CUDA) as dumb device buffers behind NumPy's names.

``TorchBackend(device)`` is a namespace with the same names as ``numpy_backend``. Compute
kernels are NumPy's own functions: called on ``TorchArray`` operands they dispatch (NEP 13/18)
to torch kernels (``torch_ufuncs``, ``torch_functions``). Creation functions make buffers on
the backend's device. Importing this module registers the array classes in ``BY_ARRAY_TYPE``;
nothing imports it unless the torch backend or a CUDA device is asked for.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
import torch

from . import BY_ARRAY_TYPE, numpy_backend
from .torch_array import TorchArray, array_class, cast, from_numpy, to_numpy, torch_dtype, wrap
from .torch_functions import HANDLED

# numpy_backend names whose NumPy function dispatches to TorchArray operands unchanged.
DISPATCHED = (
    "add", "subtract", "multiply", "true_divide", "negative", "exp", "exp2", "log", "log2", "log10", "log1p",
    "expm1", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh", "sqrt",
    "absolute", "sign", "floor", "ceil", "trunc", "rint", "power", "square", "maximum", "minimum", "fmax",
    "fmin", "where", "clip", "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor",
    "invert", "isnan", "isinf", "isfinite", "conj", "real", "imag", "floor_divide", "fmod", "remainder",
    "sum", "prod", "max", "min", "argmax", "argmin", "all", "any", "mean", "var", "cumsum", "cumprod",
    "matmul", "dot", "outer", "einsum", "reshape", "transpose", "moveaxis", "expand_dims", "squeeze",
    "broadcast_to", "concatenate", "stack", "flip", "tile", "take_along_axis", "put_along_axis", "take",
    "nonzero", "add_at", "copyto", "shares_memory", "ascontiguousarray", "angle", "pad", "sliding_window_view",
    "broadcast_shapes", "copysign", "unravel_index",
)


@contextlib.contextmanager
def errstate(**kwargs: Any):
    """torch never warns about floating-point errors, so there is nothing to silence."""
    yield


class TorchBackend:
    """The backend namespace for one torch device (see ``numpy_backend`` for the names)."""

    name = "torch"
    errstate = staticmethod(errstate)

    def __init__(self, device: torch.device) -> None:
        self.torch_device = device
        self.device_name = "cpu" if device.type == "cpu" else f"{device.type}:{device.index or 0}"
        self.ndarray = array_class(device)
        self.ndarray.backend = self
        for name in DISPATCHED:
            setattr(self, name, getattr(numpy_backend, name))
        # NumPy's C-level ascontiguousarray converts via __array__ instead of dispatching
        self.ascontiguousarray = HANDLED[np.ascontiguousarray]

    def __repr__(self) -> str:
        return f"<torch backend on {self.device_name}>"

    # --- creation on this device -----------------------------------------------------------
    def _new(self, t: torch.Tensor) -> TorchArray:
        return self.ndarray(t if t.device == self.torch_device else t.to(self.torch_device))

    def full(self, shape: Any, fill_value: Any, dtype: Any = None) -> TorchArray:
        if dtype is None:
            dtype = np.asarray(fill_value).dtype
        if isinstance(fill_value, TorchArray) or isinstance(fill_value, np.ndarray):
            return self._new(cast(self.asarray(fill_value).t, torch_dtype(dtype)).expand(shape).clone())
        value = numpy_backend.asarray(fill_value, dtype).item()  # wraps out-of-range ints like NumPy
        return self.ndarray(torch.full(_shape(shape), value, dtype=torch_dtype(dtype), device=self.torch_device))

    def zeros(self, shape: Any, dtype: Any = float) -> TorchArray:
        return self.ndarray(torch.zeros(_shape(shape), dtype=torch_dtype(dtype), device=self.torch_device))

    def ones(self, shape: Any, dtype: Any = float) -> TorchArray:
        return self.ndarray(torch.ones(_shape(shape), dtype=torch_dtype(dtype), device=self.torch_device))

    def empty(self, shape: Any, dtype: Any = float) -> TorchArray:
        return self.ndarray(torch.empty(_shape(shape), dtype=torch_dtype(dtype), device=self.torch_device))

    def arange(self, *args: Any, **kwargs: Any) -> TorchArray:
        return self._new(from_numpy(np.arange(*args, **kwargs), self.torch_device))  # NumPy's exact values

    def linspace(self, *args: Any, **kwargs: Any) -> TorchArray:
        return self._new(from_numpy(np.linspace(*args, **kwargs), self.torch_device))

    def eye(self, N: int, M: int | None = None, k: int = 0, dtype: Any = float) -> TorchArray:
        return self._new(from_numpy(np.eye(N, M, k, dtype=dtype), self.torch_device))

    def asarray(self, value: Any, dtype: Any = None) -> TorchArray:
        """Any array-like (another device's buffer included) as a buffer on this device."""
        if isinstance(value, TorchArray):
            t = value.t if dtype is None else cast(value.t, torch_dtype(dtype))
            return self._new(t)
        with np.errstate(over="ignore", invalid="ignore"):  # 1e39 into float32 is inf, silently, as in torch
            array = numpy_backend.asarray(value, dtype)
        return self._new(from_numpy(array, self.torch_device))

    def share_numpy(self, array: np.ndarray) -> TorchArray:
        """``from_numpy``: share the array's memory like torch does (CPU; a copy where torch can't)."""
        if self.torch_device.type == "cpu" and array.flags.writeable and all(s >= 0 for s in array.strides):
            return self.ndarray(torch.from_numpy(array))
        return self.asarray(array)

    # --- conversions ------------------------------------------------------------------------
    @staticmethod
    def astype(a: TorchArray, dtype: Any, copy: bool = True) -> TorchArray:
        return a.astype(dtype, copy=copy)

    @staticmethod
    def copy(a: TorchArray) -> TorchArray:
        return a.copy()

    @staticmethod
    def to_numpy(a: TorchArray) -> np.ndarray:
        return to_numpy(a)

    @staticmethod
    def tolist(a: TorchArray) -> Any:
        return a.t.tolist()

    @staticmethod
    def item(a: TorchArray) -> Any:
        return a.t.item()

    @staticmethod
    def erf(a: TorchArray) -> TorchArray:
        return wrap(torch.erf(a.t))

    @staticmethod
    def view_positions(base: TorchArray, view: TorchArray) -> TorchArray | None:
        """Flat (C-order) index into ``base`` of every element of ``view`` (see numpy_backend)."""
        b, v = base.t, view.t
        if not b.is_contiguous() or v.dtype.itemsize != b.dtype.itemsize or \
                v.untyped_storage().data_ptr() != b.untyped_storage().data_ptr():
            return None
        flat = torch.arange(b.numel(), dtype=torch.int64, device=b.device)
        return wrap(flat.as_strided(v.shape, v.stride(), v.storage_offset() - b.storage_offset()).clone())


def _shape(shape: Any) -> tuple:
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)


_BACKENDS: dict[torch.device, TorchBackend] = {}


def for_device(device: str) -> TorchBackend:
    """The backend for ``device`` ("cpu", "cuda", "cuda:1"); CUDA must be available."""
    d = torch.device(device)
    if d.type == "cuda":
        if not torch.cuda.is_available():
            raise AssertionError("Torch not compiled with CUDA enabled") if not torch.backends.cuda.is_built() \
                else RuntimeError("No CUDA GPUs are available")
        d = torch.device("cuda", torch.cuda.current_device() if d.index is None else d.index)
    backend = _BACKENDS.get(d)
    if backend is None:
        backend = _BACKENDS[d] = TorchBackend(d)
        BY_ARRAY_TYPE[backend.ndarray] = backend
    return backend


cpu = for_device("cpu")
