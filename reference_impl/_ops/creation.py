"""Factory functions: tensor, zeros, ones, full, arange, ... (they never record a graph)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .. import _dtype as D
from .._backend import for_device
from .._quiet import quietly
from .._tensor import Tensor
from .._warn import is_warn_always_enabled, set_warn_always
from ._scalar_check import check_data_fits, checked_scalar

_COPY_WARNING = (
    "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
    "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).")


def _infer_dtype(data: Any) -> D.dtype:
    """torch.tensor's inference: bool < int64 < default float < default complex, over all leaves."""
    kind = -1  # nothing seen yet: an empty sequence gets the default dtype, as in torch
    stack = [data]
    inner: D.dtype | None = None
    while stack:
        x = stack.pop()
        if isinstance(x, Tensor):
            inner = x._dtype if inner is None else D.promote_types(inner, x._dtype)
            continue
        if isinstance(x, np.ndarray):
            inner = D.from_numpy_dtype(x.dtype) if inner is None else D.promote_types(
                inner, D.from_numpy_dtype(x.dtype))
            continue
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, bool | np.bool_):
            kind = max(kind, 0)
        elif isinstance(x, int | np.integer):
            kind = max(kind, 1)
        elif isinstance(x, float | np.floating):
            kind = max(kind, 2)
        elif isinstance(x, complex | np.complexfloating):
            kind = max(kind, 3)
        else:
            raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
    scalar = (D.bool_, D.int64, D.get_default_dtype(), D.default_complex_dtype())[kind] if kind >= 0 \
        else D.get_default_dtype()
    if inner is None:
        return scalar
    if data is not None and not isinstance(data, (list, tuple)):
        return inner
    return D.promote_types(inner, scalar) if kind > 0 else inner


def _to_plain(data: Any) -> Any:
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_to_plain(x) for x in data]
    return data


def _check_requires_grad(t: Tensor, requires_grad: bool, fn: str) -> Tensor:
    """torch's argument parser wants a real bool (None means the default, except in tensor())."""
    if type(requires_grad) is not bool and (requires_grad is not None or fn == "tensor"):
        raise TypeError(f"{fn}(): argument 'requires_grad' must be bool, not {type(requires_grad).__name__}")
    if requires_grad:
        if not (t._dtype.is_floating_point or t._dtype.is_complex):
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._requires_grad = True
    return t


def _check_dtype(dtype: Any) -> D.dtype | None:
    if dtype is None or isinstance(dtype, D.dtype):
        return dtype
    raise TypeError(f"tensor(): argument 'dtype' must be torch.dtype, not {type(dtype).__name__}")


def tensor(data: Any, *, dtype: D.dtype | None = None, device: Any = None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """Copy ``data`` (nested sequences, scalars, arrays, tensors) into a new leaf tensor."""
    dtype = _check_dtype(dtype)
    if isinstance(data, Tensor):
        warnings.warn(_COPY_WARNING, UserWarning, stacklevel=2)
    dt = dtype or _infer_dtype(data)
    if dtype is not None:
        check_data_fits(data, dt)
    try:
        array = quietly(np.array, _to_plain(data), dt.np)  # a float beyond the dtype is inf, silently
    except OverflowError:  # a Python int outside the target's range: integers wrap, as in torch
        array = np.array(_to_plain(data))
        if array.dtype.kind in "uO" and not (dt.is_floating_point or dt.is_complex or dt is D.bool_):
            raise ValueError("Overflow when unpacking long long") from None  # beyond int64 itself
        array = array.astype(dt.np)
    except ValueError as e:
        if "inhomogeneous" in str(e) or "sequence" in str(e):
            raise ValueError(f"expected sequence of length {len(data[0])} at dim 1 (got "
                             f"{len(next(x for x in data if len(x) != len(data[0])))})") from None
        raise
    return _check_requires_grad(Tensor._make(for_device(device).asarray(array), dt), requires_grad, "tensor")


def as_tensor(data: Any, dtype: D.dtype | None = None, device: Any = None) -> Tensor:
    if isinstance(data, Tensor):
        return data.to(device, dtype) if device is not None else data if dtype is None or dtype is data._dtype \
            else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or dtype.np == data.dtype) and device is None:
        return from_numpy(data)
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array: np.ndarray) -> Tensor:
    """Share memory with ``array`` as torch does."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    dt = D.from_numpy_dtype(array.dtype)
    xp = for_device(None)
    return Tensor._make(array if xp.name == "numpy" else xp.share_numpy(array), dt)


def _shape(size: tuple, fn: str = "zeros") -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, int) and not hasattr(s, "__index__"):
            raise TypeError(f"{fn}(): argument 'size' must be tuple of ints, but found element of type "
                            f"{type(s).__name__}")
        if int(s) < 0:
            if fn == "zeros":  # torch.zeros has a check of its own, with its own message
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {int(s)}: {list(size)}")
    return tuple(int(s) for s in size)


def _fill(size: tuple, value: Any, dtype: D.dtype | None, requires_grad: bool, fn: str, xp: Any) -> Tensor:
    dt = _check_dtype(dtype) or D.get_default_dtype()
    data = xp.full(_shape(size, fn), value, dtype=dt.np)
    return _check_requires_grad(Tensor._make(data, dt), requires_grad, fn)


def zeros(*size: Any, dtype: D.dtype | None = None, device: Any = None, requires_grad: bool = False,
          out: Any = None, layout: Any = None) -> Tensor:
    return _fill(size, 0, dtype, requires_grad, "zeros", for_device(device))


def ones(*size: Any, dtype: D.dtype | None = None, device: Any = None, requires_grad: bool = False,
         out: Any = None, layout: Any = None) -> Tensor:
    return _fill(size, 1, dtype, requires_grad, "ones", for_device(device))


def empty(*size: Any, dtype: D.dtype | None = None, device: Any = None, requires_grad: bool = False,
          out: Any = None, layout: Any = None) -> Tensor:
    return _fill(size, 0, dtype, requires_grad, "empty", for_device(device))


def full(size: Any, fill_value: Any, *, dtype: D.dtype | None = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    if dtype is None:
        dtype = D.scalar_dtype(fill_value.item() if isinstance(fill_value, Tensor) else fill_value)
    if not isinstance(fill_value, Tensor):
        dt = _check_dtype(dtype) or D.get_default_dtype()
        fill_value = checked_scalar(fill_value, dt, fill=True)
    return _fill(tuple(size) if not isinstance(size, int) else (size,), fill_value, dtype, requires_grad,
                 "full", for_device(device))


def _like(t: Tensor, value: Any, dtype: D.dtype | None, requires_grad: bool, fn: str, device: Any) -> Tensor:
    """Same shape (and device, unless ``device`` is given) as ``t``."""
    xp = t._backend if device is None else for_device(device)
    return _fill(t._data.shape, value, dtype or t._dtype, requires_grad, fn, xp)


def zeros_like(input: Tensor, *, dtype: D.dtype | None = None, device: Any = None,
               requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    return _like(input, 0, dtype, requires_grad, "zeros_like", device)


def ones_like(input: Tensor, *, dtype: D.dtype | None = None, device: Any = None, requires_grad: bool = False,
              memory_format: Any = None) -> Tensor:
    return _like(input, 1, dtype, requires_grad, "ones_like", device)


def empty_like(input: Tensor, *, dtype: D.dtype | None = None, device: Any = None,
               requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    return _like(input, 0, dtype, requires_grad, "empty_like", device)


def full_like(input: Tensor, fill_value: Any, *, dtype: D.dtype | None = None, device: Any = None,
              requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    return _like(input, fill_value, dtype, requires_grad, "full_like", device)


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: D.dtype | None = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        dtype = D.result_dtype(start, end, step)
    data = for_device(device).arange(start, end, step).astype(dtype.np)
    return _check_requires_grad(Tensor._make(data, dtype), requires_grad, "arange")


def linspace(start: float, end: float, steps: int, *, dtype: D.dtype | None = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    dt = dtype or D.get_default_dtype()
    data = for_device(device).linspace(start, end, steps).astype(dt.np)
    return _check_requires_grad(Tensor._make(data, dt), requires_grad, "linspace")


def eye(n: int, m: int | None = None, *, dtype: D.dtype | None = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    dt = dtype or D.get_default_dtype()
    return _check_requires_grad(Tensor._make(for_device(device).eye(n, m, dtype=dt.np), dt), requires_grad, "eye")


def legacy_tensor(cls: type, *args: Any, **kwargs: Any) -> Tensor:
    """``torch.Tensor(...)``: sizes make an uninitialised float tensor, a sequence is copied."""
    if len(args) == 1 and isinstance(args[0], (list, tuple, np.ndarray)):
        return tensor(args[0], dtype=D.get_default_dtype())
    if len(args) == 1 and isinstance(args[0], Tensor):
        return args[0]
    return zeros(*args)


FUNCTIONS = {f.__name__: f for f in (tensor, as_tensor, from_numpy, zeros, ones, empty, full, zeros_like,
                                      ones_like, empty_like, full_like, arange, linspace, eye)}
FUNCTIONS.update(set_warn_always=set_warn_always, is_warn_always_enabled=is_warn_always_enabled)  # process state
METHODS: dict = {}
