"""nn.Parameter and nn.Buffer: tensors that modules register when assigned as attributes."""

from __future__ import annotations

from typing import Any

from .._tensor import Tensor
from ..autograd.grad_mode import state as _grad_state

_INT_GRAD = "Only Tensors of floating point and complex dtype can require gradients"


class Parameter(Tensor):
    """A leaf that requires grad: an alias of ``data`` (shared buffer and version counter)."""

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            from .._ops.creation import empty

            data = empty(0)
        if requires_grad and not (data._dtype.is_floating_point or data._dtype.is_complex):
            raise RuntimeError(_INT_GRAD)
        p = object.__new__(cls)
        p._data, p._dtype, p._vc = data._data, data._dtype, data._vc
        p._grad_fn = p._base = None
        p._inference = data._inference
        p._requires_grad = requires_grad  # set directly: no_grad does not matter, as in torch
        return p

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]
        data = Tensor._make(self._backend.copy(self._data), self._dtype)
        result = type(self)(data, self._requires_grad)  # torch's: no .grad, no attributes
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto: int) -> Any:
        data = Tensor._make(self._backend.copy(self._data), self._dtype)
        return (type(self), (data, self._requires_grad))


class Buffer(Tensor):
    """torch.nn.Buffer: marks a tensor to be registered as a buffer on assignment."""

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Buffer:
        if data is None:
            from .._ops.creation import empty

            data = empty(0)
        b = object.__new__(cls)
        b._data, b._dtype, b._vc = data._data, data._dtype, data._vc
        b._grad_fn = b._base = None
        b._inference = data._inference or _grad_state.inference
        b._requires_grad = data._requires_grad
        b.persistent = persistent
        return b

    def __init__(self, data: Tensor | None = None, *, persistent: bool = True) -> None:
        pass
