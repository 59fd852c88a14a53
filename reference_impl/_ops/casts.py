"""dtype and device conversions: ``to``, ``cpu``/``cuda`` and the dtype shorthands.

Same dtype and device returns ``self`` (torch does too); a device move is one ToCopyBackward0.
"""

from __future__ import annotations

from typing import Any

from .. import _dtype as D
from .._backend import for_device
from .._backend import of as backend_of
from .._tensor import Tensor
from ..autograd.graph import needs_grad, node_class, record

ToCopyBackward0 = node_class("ToCopyBackward0", lambda g, src, src_backend: _copy_back(g, src, src_backend))


def _copy_back(g: Tensor, src: D.dtype, src_backend: Any) -> Tensor:
    """The gradient goes back to the source's dtype (real part of complex) and device."""
    if g._dtype.is_complex and not src.is_complex:
        g = g.real
    if src_backend is not None and src_backend is not backend_of(g._data):
        return _to_copy(g, src, src_backend)
    return g.to(src)


def _parse_to(args: tuple, kwargs: dict) -> tuple[D.dtype | None, Any, bool]:
    dtype = kwargs.get("dtype")
    device = kwargs.get("device")
    copy = kwargs.get("copy", False)
    for a in args:
        if isinstance(a, D.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype, device = a._dtype, a.device
        elif isinstance(a, bool):
            copy = a
        elif a is not None:
            device = a
    return dtype, device, copy


def to(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    dtype, device, copy = _parse_to(args, kwargs)
    if device is not None:
        target = for_device(f"cuda:{device}" if type(device) is int else device)
        if target.device_name != backend_of(self._data).device_name:
            return _to_copy(self, dtype or self._dtype, target)
    if dtype is None or dtype is self._dtype:
        return self.clone() if copy else self
    return cast(self, dtype)


def _to_copy(self: Tensor, dtype: D.dtype, target: Any) -> Tensor:
    """A copy on ``target``'s device (one ToCopyBackward0 node, as torch records for a device move)."""
    data = target.asarray(self._data)
    out = Tensor._make(data if dtype is self._dtype else target.astype(data, dtype.np), dtype)
    if (dtype.is_floating_point or dtype.is_complex) and needs_grad(self):
        record(ToCopyBackward0, out, (self,), None, (self._dtype, backend_of(self._data)))
    return out


def cpu(self: Tensor, memory_format: Any = None) -> Tensor:
    return to(self, "cpu")


def cuda(self: Tensor, device: Any = None, non_blocking: bool = False, memory_format: Any = None) -> Tensor:
    return to(self, "cuda" if device is None else device)


def cast(self: Tensor, dtype: D.dtype) -> Tensor:
    data = backend_of(self._data).astype(self._data, dtype.np)
    out = Tensor._make(data, dtype)
    if (dtype.is_floating_point or dtype.is_complex) and needs_grad(self):
        record(ToCopyBackward0, out, (self,), None, (self._dtype, None))
    return out


def _shorthand(dtype: D.dtype, name: str):
    def method(self: Tensor, memory_format: Any = None) -> Tensor:
        return self if self._dtype is dtype else cast(self, dtype)

    method.__name__ = method.__qualname__ = name
    return method


def type_as(self: Tensor, other: Tensor) -> Tensor:
    return to(self, other._dtype)


FUNCTIONS: dict = {}
METHODS = {
    "to": to, "type_as": type_as, "cpu": cpu, "cuda": cuda,
    "float": _shorthand(D.float32, "float"), "double": _shorthand(D.float64, "double"),
    "half": _shorthand(D.float16, "half"), "long": _shorthand(D.int64, "long"),
    "int": _shorthand(D.int32, "int"), "short": _shorthand(D.int16, "short"),
    "char": _shorthand(D.int8, "char"), "byte": _shorthand(D.uint8, "byte"),
    "bool": _shorthand(D.bool_, "bool"), "cfloat": _shorthand(D.complex64, "cfloat"),
    "cdouble": _shorthand(D.complex128, "cdouble"),
}
