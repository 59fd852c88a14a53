"""Small helpers shared by the op families: argument coercion, promotion, broadcasting errors."""

from __future__ import annotations

import contextvars as _contextvars
import functools as _functools
from typing import Any

import numpy as _np

from .. import _dtype as D
from .._backend import of as backend_of
from .._tensor import Tensor

SCALARS = (int, float, bool, complex)
NDARRAY = _np.ndarray  # the NumPy backend's array type: fast paths test ``type(data) is NDARRAY``
np_asarray = _np.asarray  # for fast paths that already know their data is an NDARRAY

# Silencing NumPy's floating-point warnings (torch prints none for overflow, inf - inf, x / 0).
# ``np.errstate`` costs ~1 us per use, as much as a small kernel, so the hot path sets NumPy's
# error-state context variable directly to a prebuilt "ignore everything" state and resets it
# afterwards: ``token = quiet(); try: ... finally: loud(token)``. Thread- and context-local like
# errstate itself, and the user's global ``np.seterr`` state is never touched.
try:
    from numpy._core._ufunc_config import _extobj_contextvar as _fp_state
    from numpy._core._ufunc_config import _make_extobj

    _IGNORE_ALL = _make_extobj(all="ignore")

    # quiet() enters the all-ignore state and returns the token for loud(); a partial of the
    # C-level ``set`` costs 60 ns less per call than a Python function wrapping it.
    quiet = _functools.partial(_fp_state.set, _IGNORE_ALL)
    loud = _fp_state.reset

    # Cheaper still for one kernel call: run it inside a context where the state is already
    # "ignore all". ``Context.run`` allocates nothing (``set``/``reset`` build new context
    # mappings and a token: 0.16 against 0.02 us). A context can be entered by one thread at a
    # time; ``quiet_call`` raises RuntimeError ("cannot enter context") when another thread is in
    # it, and the hot paths then fall back to quiet()/loud() (``quietly``).
    _QUIET = _contextvars.copy_context()
    _QUIET.run(_fp_state.set, _IGNORE_ALL)
    quiet_call = _QUIET.run
except ImportError:  # another NumPy layout: the public (slower) context manager
    def quiet() -> Any:
        state = _np.errstate(all="ignore")
        state.__enter__()
        return state

    def loud(state: Any) -> None:
        state.__exit__(None, None, None)

    def quiet_call(kernel: Any, *args: Any) -> Any:
        with _np.errstate(all="ignore"):
            return kernel(*args)


def quietly(kernel: Any, *args: Any, busy: RuntimeError | None = None) -> Any:
    """``kernel(*args)`` with NumPy's floating-point errors ignored. Hot paths call ``quiet_call``
    themselves and pass its RuntimeError here as ``busy``: anything but the busy context is the
    kernel's own error and is raised again."""
    if busy is None:
        try:
            return quiet_call(kernel, *args)
        except RuntimeError as e:
            busy = e
    if "cannot enter context" not in str(busy):
        raise busy
    token = quiet()
    try:
        return kernel(*args)
    finally:
        loud(token)


_SAME_SIZE_INT = {2: _np.int16, 4: _np.int32, 8: _np.int64}


def zero_unless(mask: Any, a: Any) -> Any:
    """``where(mask, a, 0)``. On a random mask np.where mispredicts a branch per element (73 us
    for 64x256 float32), so real floating C-contiguous NumPy arrays are selected bitwise instead:
    ``a``'s bits AND an all-ones/all-zeros integer mask. The result is exactly where's (+0.0 where
    masked; NaN, inf and -0.0 kept where not) in 10 us."""
    it = _SAME_SIZE_INT.get(a.dtype.itemsize) if type(a) is NDARRAY and a.dtype.kind == "f" else None
    if (it is None or type(mask) is not NDARRAY or mask.shape != a.shape or not a.flags.c_contiguous
            or not mask.flags.c_contiguous):
        return backend_of(a).where(mask, a, 0)
    keep = mask.astype(it)
    _np.negative(keep, out=keep)  # True -> -1: every bit set
    out = _np.empty(a.shape, a.dtype)
    _np.bitwise_and(a.view(it), keep, out=out.view(it))
    return out


def is_scalar(x: Any) -> bool:
    return type(x) in SCALARS


def arr(x: Any, dt: D.dtype) -> Any:
    """``x`` (tensor or Python scalar) as a backend array of dtype ``dt``."""
    if type(x) in SCALARS:
        return backend_of(None).asarray(x, dt.np)
    data = x._data
    if x._dtype is dt:
        return data
    return backend_of(data).astype(data, dt.np)


def broadcast_error(*shapes: tuple) -> RuntimeError:
    """torch's message for the first pair of shapes that do not broadcast."""
    names = "ab"
    a, b = shapes[0], shapes[1]
    for i in range(1, max(len(a), len(b)) + 1):
        sa = a[-i] if i <= len(a) else 1
        sb = b[-i] if i <= len(b) else 1
        if sa != sb and sa != 1 and sb != 1:
            dim = max(len(a), len(b)) - i
            return RuntimeError(f"The size of tensor {names[0]} ({sa}) must match the size of tensor "
                                f"{names[1]} ({sb}) at non-singleton dimension {dim}")
    return RuntimeError(f"shapes {list(a)} and {list(b)} cannot be broadcast")


def shape_of(x: Any) -> tuple:
    return () if type(x) in SCALARS else x._data.shape


def wrap(data: Any, dt: D.dtype) -> Tensor:
    """A new tensor for a kernel result (0-d results come back from NumPy as scalars)."""
    if type(data) is NDARRAY and data.dtype is dt.np:  # the common case: nothing to fix
        return Tensor._make(data, dt)
    if type(data) is not backend_of(data).ndarray:
        data = backend_of(None).asarray(data, dt.np)
    elif data.dtype != dt.np:
        data = backend_of(data).astype(data, dt.np)
    return Tensor._make(data, dt)


def ensure_tensor(x: Any, name: str = "input") -> Tensor:
    if isinstance(x, Tensor):
        return x
    raise TypeError(f"{name}(): argument '{name}' (position 1) must be Tensor, not {type(x).__name__}")
