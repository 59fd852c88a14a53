"""Complex numbers: real/imag views, the lazy conjugate view, angle, complex(), view_as_real/complex.

torch builds ``z.real`` as ``view_as_real(z).select(-1, 0)`` and ``z.conj()`` as a view
with a conjugate bit, so the node names users see (SelectBackward0 -> ViewAsRealBackward0,
ConjBackward0) come from that construction; we build the same chain. Gradients follow
torch's conjugate-Wirtinger convention (``derivatives.yaml``).

Divergence: the conjugate view holds a conjugated copy of the data (NumPy has no
conjugate bit); it shares the version counter and ``_base`` but does not alias memory.
"""

from __future__ import annotations

import math
from typing import Any

from .. import _dtype as D
from .._backend import of as backend_of
from .._tensor import Tensor
from ..autograd.graph import needs_grad, node_class, record
from ._util import wrap
from .shape import make_view

_COMPLEX_OF = {"float32": D.complex64, "float64": D.complex128}


def _view(base: Tensor, data: Any, dtype: D.dtype) -> Tensor:
    """A view of ``base`` with another dtype (real/imag parts, view_as_real/complex)."""
    t = make_view(base, data)
    t._dtype = dtype
    return t


def is_conj(self: Tensor) -> bool:
    return self.__dict__.get("_is_conj", False)


# ---------------------------------------------------------------------------------------
# The lazy conjugate and its relatives
# ---------------------------------------------------------------------------------------
ConjBackward0 = node_class("ConjBackward0", lambda g: conj(g))
ConjPhysicalBackward0 = node_class("ConjPhysicalBackward0", lambda g: conj_physical(g))
NegViewBackward0 = node_class("NegViewBackward0", lambda g: -g)


def conj(input: Tensor) -> Tensor:
    """A view with the conjugate bit flipped; real tensors are returned unchanged (as torch)."""
    if not input._dtype.is_complex:
        return input
    out = make_view(input, backend_of(input._data).conj(input._data))
    if not is_conj(input):
        out._is_conj = True
    if needs_grad(input):
        record(ConjBackward0, out, (input,))
    return out


def conj_physical(input: Tensor) -> Tensor:
    """A conjugated copy; a non-complex tensor is returned itself (torch does the same)."""
    if not input._dtype.is_complex:
        return input
    out = wrap(backend_of(input._data).conj(input._data), input._dtype)
    if needs_grad(input):
        record(ConjPhysicalBackward0, out, (input,))
    return out


def resolve_conj(input: Tensor) -> Tensor:
    """A tensor without the conjugate bit: a clone of a conjugate view, else ``input`` itself."""
    return input.clone() if is_conj(input) else input


def _neg_view(input: Tensor) -> Tensor:
    out = make_view(input, -input._data)
    if needs_grad(input):
        record(NegViewBackward0, out, (input,))
    return out


# ---------------------------------------------------------------------------------------
# view_as_real / view_as_complex and the last-dim select that real/imag are built from
# ---------------------------------------------------------------------------------------
ViewAsRealBackward0 = node_class("ViewAsRealBackward0", lambda g: view_as_complex(g.contiguous()))
ViewAsComplexBackward0 = node_class("ViewAsComplexBackward0",
                                    lambda g: view_as_real(resolve_conj(g.contiguous())))
SelectBackward0 = node_class("SelectBackward0", lambda g, index: _select_backward(g, index))
SelectBackwardBackward0 = node_class("SelectBackwardBackward0", lambda g, index: _select_last(g, index))


def view_as_real(input: Tensor) -> Tensor:
    if not input._dtype.is_complex:
        raise RuntimeError("view_as_real is only supported for complex tensors")
    if is_conj(input):
        raise RuntimeError(
            "view_as_real doesn't work on unresolved conjugated tensors.  To resolve the conjugate tensor so "
            "you can view it as real, use self.resolve_conj(); however, be warned that the resulting tensor "
            "will NOT alias the original.")
    real_dt = input._dtype.to_real()
    out = _view(input, input._data[..., None].view(real_dt.np), real_dt)
    if needs_grad(input):
        record(ViewAsRealBackward0, out, (input,))
    return out


def view_as_complex(input: Tensor) -> Tensor:
    data = input._data
    dt = _COMPLEX_OF.get(input._dtype.name)
    if dt is None:
        raise RuntimeError("view_as_complex is only supported for float and double tensors, but got a tensor "
                           f"of scalar type: {input._dtype._short}")
    if data.ndim == 0:
        raise RuntimeError("Input tensor must have one or more dimensions")
    if data.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if data.strides[-1] != data.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    out = _view(input, data.view(dt.np)[..., 0], dt)
    if needs_grad(input):
        record(ViewAsComplexBackward0, out, (input,))
    return out


def _select_last(input: Tensor, index: int) -> Tensor:
    out = make_view(input, input._data[..., index])
    if needs_grad(input):
        record(SelectBackward0, out, (input,), None, (index,))
    return out


def _select_backward(grad: Tensor, index: int) -> Tensor:
    """Zeros shaped like the [..., 2] input with ``grad`` written at ``[..., index]``."""
    xp = backend_of(grad._data)
    data = xp.zeros(grad._data.shape + (2,), grad._dtype.np)
    data[..., index] = grad._data
    out = Tensor._make(data, grad._dtype)
    if needs_grad(grad):
        record(SelectBackwardBackward0, out, (grad,), None, (index,))
    return out


def real(input: Tensor) -> Tensor:
    if not input._dtype.is_complex:
        return input
    parts = view_as_real(conj(input)) if is_conj(input) else view_as_real(input)
    return _select_last(parts, 0)


def imag(input: Tensor) -> Tensor:
    if not input._dtype.is_complex:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    if is_conj(input):
        return _select_last(_neg_view(view_as_real(conj(input))), 1)
    return _select_last(view_as_real(input), 1)


# ---------------------------------------------------------------------------------------
# complex(real, imag) and angle
# ---------------------------------------------------------------------------------------
ComplexBackward0 = node_class("ComplexBackward0", lambda g: real(g), lambda g: imag(g))
AngleBackward0 = node_class("AngleBackward0", lambda g, x: _angle_backward(g, x))


def complex(real: Tensor, imag: Tensor) -> Tensor:  # noqa: A001 - torch.complex
    from ._util import broadcast_error

    rt, it = real._dtype, imag._dtype
    if not (rt.is_floating_point and it.is_floating_point):
        raise RuntimeError("Expected both inputs to be Half, Float or Double tensors but got "
                           f"{rt._short} and {it._short}")
    if rt is not it:
        raise RuntimeError(f"Expected object of scalar type {rt._short} but got scalar type {it._short} for "
                           "second argument")
    dt = rt.to_complex()
    xp = backend_of(real._data)
    try:
        data = xp.add(real._data.astype(dt.np), xp.multiply(imag._data.astype(dt.np), 1j))
    except ValueError:
        raise broadcast_error(real._data.shape, imag._data.shape) from None
    out = wrap(data, dt)
    if needs_grad(real, imag):
        record(ComplexBackward0, out, (real, imag))
    return out


def angle(input: Tensor) -> Tensor:
    dt = input._dtype
    xp = backend_of(input._data)
    if dt.is_complex:
        out = wrap(xp.angle(input._data), dt.to_real())
    else:
        out_dt = dt if dt.is_floating_point else D.get_default_dtype()
        data = input._data
        with xp.errstate(invalid="ignore"):
            out = wrap(xp.where(xp.isnan(data), data, xp.where(data < 0, math.pi, 0.0)), out_dt)
    if needs_grad(input):
        record(AngleBackward0, out, (input,), (input,))
    return out


def _angle_backward(grad: Tensor, x: Tensor) -> Tensor:
    """torch's angle_backward: i * grad * x / |x|^2 for complex x (0 at x == 0); zeros for real x."""
    if not x._dtype.is_complex:
        return grad * 0
    from .elementwise import where

    return where(x == 0, 0.0, grad * x / x.abs().pow(2) * 1j)


# ---------------------------------------------------------------------------------------
FUNCTIONS = {"real": real, "imag": imag, "conj": conj, "conj_physical": conj_physical,
             "resolve_conj": resolve_conj, "is_conj": is_conj, "view_as_real": view_as_real,
             "view_as_complex": view_as_complex, "complex": complex, "angle": angle}
METHODS = {"real": property(real), "imag": property(imag), "conj": conj, "conj_physical": conj_physical,
           "resolve_conj": resolve_conj, "is_conj": is_conj, "angle": angle}
