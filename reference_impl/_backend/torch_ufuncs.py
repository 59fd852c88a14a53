"""NumPy ufuncs on TorchArrays (NEP 13): NumPy picks the loop dtypes, torch runs the kernel.

``ufunc.resolve_dtypes`` gives exactly the dtypes NumPy would compute in (Python scalars are
weak, NEP 50), so a result's dtype never depends on the backend. Operands are cast to those
dtypes, placed on one device by torch's rule, and handed to the torch kernel in ``KERNELS``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from .torch_array import _CPU, NUMPY_OF, TORCH_OF, TorchArray, cast, from_numpy, place, wrap


def _sign(x: torch.Tensor) -> torch.Tensor:
    """NumPy's sign: z/|z| for complex, and NaN stays NaN (torch.sign gives 0)."""
    if x.is_complex():
        return torch.sgn(x)
    out = torch.sign(x)
    return torch.where(torch.isnan(x), x, out) if x.is_floating_point() else out


def _power(x: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
    if not (x.is_floating_point() or x.is_complex()) and x.dtype is not torch.bool and bool((e < 0).any()):
        raise ValueError("Integers to negative integer powers are not allowed.")
    return torch.pow(x, e)


def _int_safe(kernel: Any) -> Any:
    """Integer division/modulo by zero gives 0 in NumPy; torch raises (the engine checks first)."""
    def run(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        if a.is_floating_point() or a.is_complex():
            return kernel(a, b)
        zero = b == 0
        if bool(zero.any()):
            return torch.where(zero, 0, kernel(a, torch.where(zero, 1, b))).to(a.dtype)
        return kernel(a, b)

    return run


def _bool_math(kernel: Any, logical: Any) -> Any:
    """NumPy's add/multiply/maximum on bools are or/and; torch's agree except where it refuses."""
    return lambda a, b: logical(a, b) if a.dtype is torch.bool else kernel(a, b)


def _bool_identity(kernel: Any) -> Any:
    """abs/floor/ceil/trunc of bools are the bools themselves in NumPy (torch has no bool kernel)."""
    return lambda a: a.clone() if a.dtype is torch.bool else kernel(a)


def _rint(x: torch.Tensor) -> torch.Tensor:
    """Round half to even; complex numbers round each part (torch.round refuses complex)."""
    return torch.complex(torch.round(x.real), torch.round(x.imag)) if x.is_complex() else torch.round(x)


def _matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Boolean matmul is or-of-ands in NumPy; torch has no bool matmul kernel."""
    if a.dtype is torch.bool:
        return torch.matmul(a.to(torch.int64), b.to(torch.int64)) != 0
    return torch.matmul(a, b)


KERNELS: dict[np.ufunc, Any] = {
    np.add: _bool_math(torch.add, torch.logical_or), np.subtract: torch.sub,
    np.multiply: _bool_math(torch.mul, torch.logical_and), np.true_divide: torch.true_divide,
    np.negative: torch.neg, np.positive: torch.positive, np.power: _power, np.square: torch.square,
    np.exp: torch.exp, np.exp2: torch.exp2, np.log: torch.log, np.log2: torch.log2, np.log10: torch.log10,
    np.log1p: torch.log1p, np.expm1: torch.expm1, np.sqrt: torch.sqrt, np.reciprocal: torch.reciprocal,
    np.sin: torch.sin, np.cos: torch.cos, np.tan: torch.tan, np.arcsin: torch.asin, np.arccos: torch.acos,
    np.arctan: torch.atan, np.arctan2: torch.atan2, np.sinh: torch.sinh, np.cosh: torch.cosh,
    np.tanh: torch.tanh, np.absolute: _bool_identity(torch.abs), np.sign: _sign,
    np.floor: _bool_identity(torch.floor), np.ceil: _bool_identity(torch.ceil),
    np.trunc: _bool_identity(torch.trunc), np.rint: _rint, np.copysign: torch.copysign,
    np.maximum: torch.maximum, np.minimum: torch.minimum, np.fmax: torch.fmax, np.fmin: torch.fmin,
    np.equal: torch.eq, np.not_equal: torch.ne, np.less: torch.lt, np.less_equal: torch.le,
    np.greater: torch.gt, np.greater_equal: torch.ge,
    np.logical_and: torch.logical_and, np.logical_or: torch.logical_or, np.logical_xor: torch.logical_xor,
    np.logical_not: torch.logical_not, np.bitwise_and: torch.bitwise_and, np.bitwise_or: torch.bitwise_or,
    np.bitwise_xor: torch.bitwise_xor, np.invert: torch.bitwise_not,
    np.isnan: torch.isnan, np.isinf: torch.isinf, np.isfinite: torch.isfinite,
    np.conjugate: torch.conj_physical,
    np.floor_divide: _int_safe(torch.floor_divide), np.remainder: _int_safe(torch.remainder),
    np.fmod: _int_safe(torch.fmod), np.matmul: _matmul,
}

_WEAK = (int, float, complex)
_LOOPS: dict[tuple, tuple] = {}  # (ufunc, operand dtypes) -> NumPy's resolved (inputs..., outputs...)


def _dtype_key(x: Any) -> Any:
    """What ``resolve_dtypes`` needs for one operand: a dtype, or the Python type of a weak scalar."""
    if isinstance(x, TorchArray):
        return NUMPY_OF[x.t.dtype]
    t = type(x)
    if t is bool:
        return np.dtype(np.bool_)
    if t in _WEAK:
        return t
    return np.asarray(x).dtype


def resolve(ufunc: np.ufunc, operands: tuple) -> tuple:
    key = (ufunc, *(_dtype_key(x) for x in operands))
    loop = _LOOPS.get(key)
    if loop is None:
        loop = _LOOPS[key] = ufunc.resolve_dtypes(key[1:] + (None,) * ufunc.nout)
    return loop


def operands_on_one_device(operands: tuple, dtypes: tuple) -> list:
    """Each operand as a tensor of its loop dtype, all on the common device (torch's placement rule)."""
    tensors = []
    for x, dt in zip(operands, dtypes):
        if isinstance(x, TorchArray):
            tensors.append(cast(x.t, TORCH_OF[dt]))
        elif type(x) in _WEAK or type(x) is bool:
            tensors.append(torch.tensor(x, dtype=TORCH_OF[dt]))
        else:
            tensors.append(cast(from_numpy(x, _CPU), TORCH_OF[dt]))
    device = place(tensors)
    return [t if t.device == device else t.to(device) for t in tensors]


def call_ufunc(ufunc: np.ufunc, method: str, inputs: tuple, kwargs: dict) -> Any:
    if method == "at":
        return _ufunc_at(ufunc, *inputs)
    kernel = KERNELS.get(ufunc)
    if method != "__call__" or kernel is None:
        raise TypeError(f"the torch backend has no kernel for numpy.{ufunc.__name__}.{method}")
    out = kwargs.pop("out", None)
    if kwargs:
        raise TypeError(f"the torch backend does not support {sorted(kwargs)} for numpy.{ufunc.__name__}")
    loop = resolve(ufunc, inputs)
    result = kernel(*operands_on_one_device(inputs, loop[:ufunc.nin]))
    result = cast(result, TORCH_OF[loop[ufunc.nin]])
    if out is not None:
        target = out[0] if isinstance(out, tuple) else out
        target.t.copy_(result)
        return target
    return wrap(result)


def _ufunc_at(ufunc: np.ufunc, a: TorchArray, index: Any, values: Any = None) -> None:
    """``np.add.at(a, index, values)``: unbuffered accumulation (repeated indices add up)."""
    if ufunc is not np.add:
        raise TypeError(f"the torch backend has no kernel for numpy.{ufunc.__name__}.at")
    from .torch_array import _torch_index

    idx = _torch_index(index)
    v = values.t if isinstance(values, TorchArray) else from_numpy(values, _CPU)
    v = cast(v.to(a.t.device), a.t.dtype)
    # Index an arange of flat positions the same way, then accumulate element by element.
    positions = torch.arange(a.t.numel(), device=a.t.device).reshape(a.t.shape)[idx]
    a.t.index_put_(torch.unravel_index(positions.reshape(-1), a.t.shape),
                   v.expand(positions.shape).reshape(-1), accumulate=True)
