"""``TorchArray``: one torch tensor dressed as a NumPy array, so NumPy-written ops run on it unchanged.

The engine's ops call NumPy-shaped code (``np.exp(a)``, ``a + b``, ``a.shape``, ``a[idx]``...).
A ``TorchArray`` implements the ndarray attributes they read and NumPy's dispatch protocols
(NEP 13 ``__array_ufunc__`` and NEP 18 ``__array_function__``), mapping every call to a torch
kernel. The tensor inside is a dumb buffer: it never requires grad (so torch records no graph),
and dtypes follow NumPy's rules (``ufunc.resolve_dtypes``), never torch's, so both backends
compute exactly the same thing; promotion, errors and graph nodes stay the engine's.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import torch

# NumPy dtype <-> torch dtype, for every dtype the engine (and NumPy's reductions) produce.
TORCH_OF: dict[np.dtype, torch.dtype] = {
    np.dtype(np.bool_): torch.bool, np.dtype(np.uint8): torch.uint8, np.dtype(np.int8): torch.int8,
    np.dtype(np.int16): torch.int16, np.dtype(np.int32): torch.int32, np.dtype(np.int64): torch.int64,
    np.dtype(np.uint16): torch.uint16, np.dtype(np.uint32): torch.uint32, np.dtype(np.uint64): torch.uint64,
    np.dtype(np.float16): torch.float16, np.dtype(np.float32): torch.float32,
    np.dtype(np.float64): torch.float64, np.dtype(np.complex64): torch.complex64,
    np.dtype(np.complex128): torch.complex128,
}
NUMPY_OF: dict[torch.dtype, np.dtype] = {v: k for k, v in TORCH_OF.items()}
_CPU = torch.device("cpu")


def torch_dtype(dtype: Any) -> torch.dtype:
    """The torch dtype for anything NumPy accepts as a dtype (``np.float32``, ``"f4"``, a dtype)."""
    return TORCH_OF[np.dtype(dtype)]


def cast(t: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """NumPy's unsafe ``astype``: complex -> real drops the imaginary part without torch's warning."""
    if t.dtype is dtype:
        return t
    if t.is_complex() and not dtype.is_complex:
        return (t != 0) if dtype is torch.bool else torch.real(t).to(dtype)
    return t.to(dtype)


def _storage_users(t: torch.Tensor) -> int:
    """How many tensors (plus the temporary storage object made here) hold ``t``'s storage."""
    return torch._C._storage_Use_Count(t.untyped_storage()._cdata)


class _Flags:
    """The two ``ndarray.flags`` the engine reads; torch buffers are writeable unless they self-overlap."""

    __slots__ = ("_t",)

    def __init__(self, t: torch.Tensor) -> None:
        self._t = t

    @property
    def c_contiguous(self) -> bool:
        return self._t.is_contiguous()

    @property
    def writeable(self) -> bool:
        return not any(st == 0 and n > 1 for st, n in zip(self._t.stride(), self._t.shape))

    @writeable.setter
    def writeable(self, value: bool) -> None:
        """NumPy's read-only marks have no torch counterpart; overlap is checked from the strides."""


class TorchArray(np.lib.mixins.NDArrayOperatorsMixin):
    """A torch tensor with the ndarray surface the engine uses (operators come from the mixin via ufuncs)."""

    __slots__ = ("t",)
    backend: Any = None  # the backend object for this class's device (set when the class is made)

    def __init__(self, t: torch.Tensor) -> None:
        self.t = t

    # --- ndarray attributes ------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return tuple(self.t.shape)

    @property
    def ndim(self) -> int:
        return self.t.dim()

    @property
    def size(self) -> int:
        return self.t.numel()

    @property
    def dtype(self) -> np.dtype:
        return NUMPY_OF[self.t.dtype]

    @property
    def itemsize(self) -> int:
        return self.t.element_size()

    @property
    def nbytes(self) -> int:
        return self.t.numel() * self.t.element_size()

    @property
    def strides(self) -> tuple:
        item = self.t.element_size()
        return tuple(s * item for s in self.t.stride())

    @property
    def flags(self) -> _Flags:
        return _Flags(self.t)

    @property
    def device(self) -> torch.device:
        return self.t.device

    def unshared(self, owner: TorchArray | None = None) -> bool:
        """No other tensor or view sees this storage, so the engine may adopt it as ``.grad``
        (NumPy's ``base``/refcount check has no torch counterpart: views hold C++ references, which
        the storage's use count shows). A view qualifies when its base is reachable only through it,
        or through ``owner``: the buffer of the engine tensor this gradient is a view of."""
        t = self.t
        if sys.getrefcount(t) > 3:  # the slot, ``t``, getrefcount's argument
            return False
        root = t._base
        if root is None:
            return _storage_users(t) <= 2  # ``t`` and the temporary storage object
        held = 0
        if owner is not None:
            if owner.t is not root or sys.getrefcount(owner) > 3:  # its tensor's _data, ``owner``, the argument
                return False
            held = 1
        # ``root``, the argument, and the reference torch keeps for a Python tensor whose C++ side is
        # still held (here by the view)
        return sys.getrefcount(root) <= 3 + held and _storage_users(t) <= 3

    def accumulable(self) -> bool:
        """torch's can_accumulate_inplace: not a view (the backend's other results are dense) and no
        other tensor sees the storage, so the engine may add a second gradient into it in place."""
        return self.t._base is None and self.unshared()

    @property
    def T(self) -> TorchArray:
        return wrap(self.t.permute(tuple(reversed(range(self.t.dim())))))

    @property
    def flat(self) -> TorchArray:
        """Read access in C order (``a.flat[0]``)."""
        return wrap(self.t.reshape(-1))

    @property
    def real(self) -> TorchArray:
        return np.real(self)

    @property
    def imag(self) -> TorchArray:
        return np.imag(self)

    # --- ndarray methods (each goes through the same dispatch as the NumPy function) ------
    def astype(self, dtype: Any, copy: bool = True, casting: str = "unsafe") -> TorchArray:
        target = torch_dtype(dtype)
        if target is self.t.dtype:
            return wrap(self.t.clone()) if copy else self
        return wrap(cast(self.t, target))

    def copy(self, order: str = "C") -> TorchArray:
        return wrap(self.t.clone(memory_format=torch.contiguous_format))

    def deepcopy_sharing(self, memo: dict) -> TorchArray:
        """A copy for ``copy.deepcopy``: arrays over one storage copied in the same deepcopy share one
        copy of it (kept in ``memo``), with their offsets and strides, as torch's storage deepcopy."""
        t = self.t
        storage = t.untyped_storage()
        key = ("storage", t.device, storage.data_ptr(), storage.nbytes())
        copied = memo.get(key)
        if copied is None:
            copied = memo[key] = storage.clone()
        out = torch.empty(0, dtype=t.dtype, device=t.device)
        out.set_(copied, t.storage_offset(), t.shape, t.stride())
        return wrap(out)

    def view(self, dtype: Any = None) -> TorchArray:
        """An alias (``view()``) or a reinterpretation of the bytes (``view(np.float32)``)."""
        if dtype is None:
            return wrap(self.t.view(self.t.shape))
        return wrap(self.t.view(torch_dtype(dtype)))

    def reshape(self, *shape: Any, order: str = "C") -> TorchArray:
        return np.reshape(self, shape[0] if len(shape) == 1 else shape)

    def transpose(self, *axes: Any) -> TorchArray:
        return np.transpose(self, (axes[0] if len(axes) == 1 else axes) or None)

    def swapaxes(self, axis1: int, axis2: int) -> TorchArray:
        return wrap(self.t.transpose(axis1, axis2))

    def squeeze(self, axis: Any = None) -> TorchArray:
        return np.squeeze(self, axis)

    def ravel(self) -> TorchArray:
        return wrap(self.t.reshape(-1))

    def flatten(self) -> TorchArray:
        return wrap(self.t.flatten().clone())

    def fill(self, value: Any) -> None:
        self.t.fill_(value)

    def sum(self, *args: Any, **kwargs: Any) -> Any:
        return np.sum(self, *args, **kwargs)

    def mean(self, *args: Any, **kwargs: Any) -> Any:
        return np.mean(self, *args, **kwargs)

    def max(self, *args: Any, **kwargs: Any) -> Any:
        return np.max(self, *args, **kwargs)

    def min(self, *args: Any, **kwargs: Any) -> Any:
        return np.min(self, *args, **kwargs)

    def any(self, *args: Any, **kwargs: Any) -> Any:
        return np.any(self, *args, **kwargs)

    def all(self, *args: Any, **kwargs: Any) -> Any:
        return np.all(self, *args, **kwargs)

    def prod(self, *args: Any, **kwargs: Any) -> Any:
        return np.prod(self, *args, **kwargs)

    def argmax(self, *args: Any, **kwargs: Any) -> Any:
        return np.argmax(self, *args, **kwargs)

    def nonzero(self) -> tuple:
        return np.nonzero(self)

    def conj(self) -> TorchArray:
        return np.conjugate(self)

    conjugate = conj

    def tolist(self) -> Any:
        return self.t.tolist()

    def item(self) -> Any:
        return self.t.item()

    def tobytes(self) -> bytes:
        return to_numpy(self).tobytes()

    # --- Python protocols --------------------------------------------------------------
    def __len__(self) -> int:
        if self.t.dim() == 0:
            raise TypeError("len() of unsized object")
        return self.t.shape[0]

    def __iter__(self):
        return (wrap(row) for row in self.t)

    def __bool__(self) -> bool:
        return bool(self.t)

    def __int__(self) -> int:
        return int(self.t)

    def __float__(self) -> float:
        return float(self.t)

    def __complex__(self) -> complex:
        return complex(self.t)

    def __index__(self) -> int:
        return self.t.__index__()

    def __repr__(self) -> str:
        return f"TorchArray({to_numpy(self)!r}, device='{self.t.device}')"

    def __reduce__(self) -> tuple:
        return (_rebuild, (to_numpy(self).copy(), str(self.t.device)))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        a = to_numpy(self)
        return a if dtype is None else a.astype(dtype)

    def __getitem__(self, index: Any) -> TorchArray:
        return wrap(self.t[_torch_index(index)])

    def __setitem__(self, index: Any, value: Any) -> None:
        if isinstance(value, (bool, int, float, complex)):
            self.t[_torch_index(index)] = value
        else:
            self.t[_torch_index(index)] = cast(as_torch(value, self.t.device), self.t.dtype)

    # --- NumPy dispatch ------------------------------------------------------------------
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        from .torch_ufuncs import call_ufunc

        return call_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: tuple, kwargs: dict) -> Any:
        from .torch_functions import HANDLED

        handler = HANDLED.get(func)
        if handler is None:
            raise TypeError(f"the torch backend has no kernel for numpy.{func.__name__}")
        return handler(*args, **kwargs)


# One TorchArray class per device, so ``type(array)`` finds the backend that creates on that device.
_CLASS_OF_DEVICE: dict[torch.device, type] = {_CPU: TorchArray}


def array_class(device: torch.device) -> type:
    """The TorchArray class for ``device`` (made on first use; CPU uses TorchArray itself)."""
    cls = _CLASS_OF_DEVICE.get(device)
    if cls is None:
        cls = type(f"TorchArray_{device.type}{device.index}", (TorchArray,), {"__slots__": ()})
        _CLASS_OF_DEVICE[device] = cls
    return cls


def wrap(t: torch.Tensor) -> TorchArray:
    """A kernel's torch result as the TorchArray class of its device."""
    cls = _CLASS_OF_DEVICE.get(t.device)
    return (cls or array_class(t.device))(t)


def to_numpy(a: TorchArray) -> np.ndarray:
    """Host copy (CPU: a view sharing memory) as a NumPy array."""
    t = a.t
    if t.device.type != "cpu":
        t = t.cpu()
    return t.resolve_conj().resolve_neg().numpy()


def _rebuild(array: np.ndarray, device: str) -> TorchArray:
    return wrap(torch.from_numpy(array).to(device))


def from_numpy(array: Any, device: torch.device) -> torch.Tensor:
    """A torch tensor holding a copy of ``array`` (NumPy array, NumPy or Python scalar) on ``device``."""
    array = np.array(array, copy=True)  # own, writable, positive strides: torch.from_numpy accepts it
    t = torch.from_numpy(array) if array.ndim else torch.tensor(array.item(), dtype=TORCH_OF[array.dtype])
    return t if device == _CPU else t.to(device)


def as_torch(x: Any, device: torch.device) -> torch.Tensor:
    """Any array-like operand as a torch tensor; tensors keep their device (placement checks it)."""
    if isinstance(x, TorchArray):
        return x.t
    return from_numpy(x, device)


def place(tensors: list) -> torch.device:
    """torch's device rule for one op: CPU 0-d operands follow the others, anything else must match.

    Returns the common device; raises torch's message when two non-scalar operands disagree.
    """
    common = _CPU
    for t in tensors:
        if t.device.type != "cpu":
            common = t.device
            break
    for t in tensors:
        if t.device != common and not (t.device.type == "cpu" and t.dim() == 0):
            raise RuntimeError("Expected all tensors to be on the same device, but found at least two devices, "
                               f"{_name(common)} and {_name(t.device)}!")
    return common


def _name(d: torch.device) -> str:
    return "cpu" if d.type == "cpu" else f"{d.type}:{d.index or 0}"


def _torch_index(index: Any) -> Any:
    """A NumPy index as a torch index: arrays become int64/bool tensors, NumPy scalars Python ones."""
    if type(index) is not tuple:
        index = (index,)
    out = []
    for i in index:
        if isinstance(i, TorchArray):
            i = i.t if i.t.dtype in (torch.bool, torch.int64) else i.t.long()
        elif isinstance(i, (np.ndarray, list)):
            a = np.asarray(i)
            if a.size == 0 and a.dtype.kind not in "bi":
                a = a.astype(np.int64)
            i = torch.from_numpy(a.astype(np.int64) if a.dtype.kind in "iu" else np.array(a, copy=True))
        elif isinstance(i, np.bool_):
            i = bool(i)
        elif isinstance(i, np.integer):
            i = int(i)
        elif isinstance(i, slice) and i.step is not None and i.step < 0:
            raise NotImplementedError("the torch backend has no negative-step slices; use np.flip")
        out.append(i)
    return tuple(out)
