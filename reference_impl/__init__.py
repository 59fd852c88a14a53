"""reference_impl: PyTorch's autograd semantics, from scratch, on NumPy.

``import reference_impl as torch`` runs ordinary autograd code unchanged. The package
never imports torch on the NumPy path.
"""

from __future__ import annotations

from . import _dtype, _repr, autograd, cuda, nn, optim, transforms, utils
from ._backend import get_backend, set_backend
from ._device import device
from ._dtype import bool_ as bool  # torch.bool
from ._dtype import (
    can_cast,
    complex64,
    complex128,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    set_default_dtype,
    uint8,
)
from ._ops import (
    casts,
    clamping,
    comparison,
    creation,
    division,
    elementwise,
    indexing,
    linalg,
    mutation,
    random,
    reductions,
    shape,
    shape_copy,
    slicing,
    softmax,
)
from ._ops import complex as _complex
from ._tensor import Size, Tensor
from .autograd import enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad, set_grad_enabled

float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001
short = int16
cfloat = complex64
cdouble = complex128

_FAMILIES = (creation, elementwise, division, clamping, comparison, reductions, shape, slicing, casts, linalg,
             indexing, random, _complex, _repr, shape_copy, mutation, softmax)


def _install() -> None:
    """Publish each op family's FUNCTIONS on this module and METHODS on Tensor."""
    namespace = globals()
    for family in _FAMILIES:
        for name, fn in family.FUNCTIONS.items():
            namespace[name] = fn
        for name, fn in family.METHODS.items():
            setattr(Tensor, name, fn)


_install()


def __getattr__(name: str) -> object:
    """``_backend_name``: the backend of new CPU tensors ("numpy" or "torch"), read by the harness."""
    if name == "_backend_name":
        return get_backend()
    raise AttributeError(f"module 'reference_impl' has no attribute '{name}'")


def result_type(tensor1: object, tensor2: object) -> dtype:
    return _dtype.result_dtype(tensor1, tensor2)


def is_tensor(obj: object) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


def is_complex(input: Tensor) -> bool:
    return input.is_complex()


def numel(input: Tensor) -> int:
    return input.numel()
