"""Comparisons, logical and bitwise ops and predicates: bool (or integer) results, no gradient.

Their in-place forms write the result back in ``self``'s dtype. torch records a zero-gradient
node for the in-place comparisons (``EqBackward0`` for a scalar ``other``, ``EqBackward1``
for a tensor) but leaves the history of a ``logical_*_`` target untouched.
"""

from __future__ import annotations

from typing import Any

from .. import _dtype as D
from .._backend import default as _xp
from .._tensor import Tensor
from ..autograd.graph import needs_grad, node_class, record
from . import inplace
from ._util import SCALARS, arr, broadcast_error, loud, quiet, shape_of, wrap


def _compute(kernel: Any, input: Any, other: Any, dt: D.dtype, out_dt: D.dtype) -> Tensor:
    token = quiet()
    try:
        a, b = arr(input, dt), arr(other, dt)
        data = kernel(a, b)
    except ValueError:
        raise broadcast_error(shape_of(input), shape_of(other)) from None
    finally:
        loud(token)
    return wrap(data, out_dt)


def _compare(kernel: Any, name: str):
    def op(input: Any, other: Any) -> Tensor:
        return _compute(kernel, input, other, D.result_dtype(input, other), D.bool_)

    op.__name__ = op.__qualname__ = name
    return op


eq = _compare(_xp.equal, "eq")
ne = _compare(_xp.not_equal, "ne")
lt = _compare(_xp.less, "lt")
le = _compare(_xp.less_equal, "le")
gt = _compare(_xp.greater, "gt")
ge = _compare(_xp.greater_equal, "ge")


def _logical(kernel: Any, name: str, position: int):
    """torch's logical_and/or/xor take no Python scalar ``other`` (a TypeError, position 2; 1 as a method)."""
    def op(input: Any, other: Any) -> Tensor:
        if not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument 'other' (position {position}) must be Tensor, not "
                            f"{type(other).__name__}")
        return _compute(kernel, input, other, D.result_dtype(input, other), D.bool_)

    op.__name__ = op.__qualname__ = name
    return op


logical_and = _logical(_xp.logical_and, "logical_and", 2)
logical_or = _logical(_xp.logical_or, "logical_or", 2)
logical_xor = _logical(_xp.logical_xor, "logical_xor", 2)
_LOGICAL_METHODS = {name: _logical(getattr(_xp, name), name, 1)
                    for name in ("logical_and", "logical_or", "logical_xor")}


def logical_not(input: Tensor) -> Tensor:
    return wrap(_xp.logical_not(input._data), D.bool_)


def _bitwise(kernel: Any, name: str):
    def op(input: Any, other: Any) -> Tensor:
        dt = D.result_dtype(input, other)
        if dt.is_floating_point or dt.is_complex:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{dt._short}'")
        return _compute(kernel, input, other, dt, dt)

    op.__name__ = op.__qualname__ = name
    return op


bitwise_and = _bitwise(_xp.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(_xp.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(_xp.bitwise_xor, "bitwise_xor")


def bitwise_not(input: Tensor) -> Tensor:
    if input._dtype.is_floating_point or input._dtype.is_complex:
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for '{input._dtype._short}'")
    return wrap(_xp.invert(input._data), input._dtype)


def _invert(self: Tensor) -> Tensor:
    """``~x``: the Python operator checks the dtype before reaching bitwise_not."""
    if self._dtype.is_floating_point or self._dtype.is_complex:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return bitwise_not(self)


def isnan(input: Tensor) -> Tensor:
    return wrap(_xp.isnan(input._data), D.bool_)


def isinf(input: Tensor) -> Tensor:
    return wrap(_xp.isinf(input._data), D.bool_)


def isfinite(input: Tensor) -> Tensor:
    return wrap(_xp.isfinite(input._data), D.bool_)


# ---------------------------------------------------------------------------------------
# In-place forms
# ---------------------------------------------------------------------------------------
def _zero(g: Tensor) -> Tensor:
    return g * 0


_CMP_NODES = {name: (node_class(f"{name.capitalize()}Backward0", _zero),
                     node_class(f"{name.capitalize()}Backward1", _zero, _zero))
              for name in ("eq", "ne", "lt", "le", "gt", "ge")}


def _compare_(fn: Any, name: str):
    scalar_node, tensor_node = _CMP_NODES[name]

    def op(self: Tensor, other: Any) -> Tensor:
        inplace.check_inplace(self, other)
        result = fn(self, other)
        out = wrap(arr(result, self._dtype), self._dtype) if self._dtype is not D.bool_ else result
        if needs_grad(self, other):
            if type(other) in SCALARS:
                record(scalar_node, out, (self,))
            else:
                record(tensor_node, out, (self, other))
        return inplace.commit(self, out)

    op.__name__ = op.__qualname__ = f"{name}_"
    return op


def _check_out_shape(self: Tensor, other: Any) -> None:
    try:
        shape = _xp.broadcast_shapes(self._data.shape, shape_of(other))
    except ValueError:
        return  # the kernel raises torch's broadcast message
    if shape != self._data.shape:
        raise RuntimeError(f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
                           f"{list(shape)}")


def _plain_(fn: Any, name: str, cast_first: bool = False):
    """In-place form that records nothing: ``self`` keeps its history (torch's logical_*_, bitwise_*_).

    ``cast_first``: the result dtype must fit ``self`` before the kernel's dtype check (bitwise ops).
    """
    def op(self: Tensor, *args: Any) -> Tensor:
        inplace.check_inplace(self)
        if cast_first:  # TensorIterator's order: output dtype, output shape, then the kernel's dtype check
            inplace.check_cast(D.result_dtype(self, *args), self)
            _check_out_shape(self, args[0])
        return inplace.commit(self, fn(self, *args))

    op.__name__ = op.__qualname__ = name
    return op


FUNCTIONS = {
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge, "greater": gt, "less": lt,
    "greater_equal": ge, "less_equal": le, "not_equal": ne,
    "logical_and": logical_and, "logical_or": logical_or, "logical_xor": logical_xor,
    "logical_not": logical_not, "bitwise_and": bitwise_and, "bitwise_or": bitwise_or,
    "bitwise_xor": bitwise_xor, "bitwise_not": bitwise_not, "isnan": isnan, "isinf": isinf,
    "isfinite": isfinite,
}
_BITWISE = {"bitwise_and": bitwise_and, "bitwise_or": bitwise_or, "bitwise_xor": bitwise_xor}
METHODS = {
    **FUNCTIONS,
    **_LOGICAL_METHODS,
    **{f"{k}_": _compare_(FUNCTIONS[k], k) for k in ("eq", "ne", "lt", "le", "gt", "ge")},
    **{f"{k}_": _plain_(fn, f"{k}_") for k, fn in _LOGICAL_METHODS.items()},
    "logical_not_": _plain_(logical_not, "logical_not_"),
    **{f"{k}_": _plain_(fn, f"{k}_", True) for k, fn in _BITWISE.items()},
    "bitwise_not_": _plain_(bitwise_not, "bitwise_not_"),
    "__eq__": eq, "__ne__": ne, "__lt__": lt, "__le__": le, "__gt__": gt, "__ge__": ge,
    "__and__": bitwise_and, "__or__": bitwise_or, "__xor__": bitwise_xor, "__invert__": _invert,
    "__rand__": lambda self, other: bitwise_and(other, self),
    "__ror__": lambda self, other: bitwise_or(other, self),
    "__rxor__": lambda self, other: bitwise_xor(other, self),
    "__iand__": _plain_(bitwise_and, "__iand__", True), "__ior__": _plain_(bitwise_or, "__ior__", True),
    "__ixor__": _plain_(bitwise_xor, "__ixor__", True),
}
