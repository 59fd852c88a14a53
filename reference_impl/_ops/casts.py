"""dtype conversions: ``to`` and its shorthands. Same dtype returns ``self`` (torch does too)."""

from __future__ import annotations

from typing import Any

from .. import _dtype as D
from .._backend import of as backend_of
from .._tensor import Tensor
from ..autograd.graph import needs_grad, node_class, record

ToCopyBackward0 = node_class("ToCopyBackward0", lambda g, src: g.to(src) if not (
    g._dtype.is_complex and not src.is_complex) else g.real.to(src))


def _parse_to(args: tuple, kwargs: dict) -> tuple[D.dtype | None, Any, bool]:
    dtype = kwargs.get("dtype")
    device = kwargs.get("device")
    copy = kwargs.get("copy", False)
    for a in args:
        if isinstance(a, D.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype = a._dtype
        elif isinstance(a, bool):
            copy = a
        else:
            device = a
    return dtype, device, copy


def to(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    dtype, device, copy = _parse_to(args, kwargs)
    if device is not None:
        from .._device import check_device

        check_device(device)
    if dtype is None or dtype is self._dtype:
        return self.clone() if copy else self
    return cast(self, dtype)


def cast(self: Tensor, dtype: D.dtype) -> Tensor:
    data = backend_of(self._data).astype(self._data, dtype.np)
    out = Tensor._make(data, dtype)
    if (dtype.is_floating_point or dtype.is_complex) and needs_grad(self):
        record(ToCopyBackward0, out, (self,), None, (self._dtype,))
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
    "to": to, "type_as": type_as,
    "float": _shorthand(D.float32, "float"), "double": _shorthand(D.float64, "double"),
    "half": _shorthand(D.float16, "half"), "long": _shorthand(D.int64, "long"),
    "int": _shorthand(D.int32, "int"), "short": _shorthand(D.int16, "short"),
    "char": _shorthand(D.int8, "char"), "byte": _shorthand(D.uint8, "byte"),
    "bool": _shorthand(D.bool_, "bool"), "cfloat": _shorthand(D.complex64, "cfloat"),
    "cdouble": _shorthand(D.complex128, "cdouble"),
}
