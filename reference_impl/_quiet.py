"""Silencing NumPy's floating-point warnings, as torch prints none (overflow, inf - inf, x / 0).

``np.errstate`` costs ~1 us per use, as much as a small kernel, so the hot paths set NumPy's
error-state context variable directly to a prebuilt "ignore everything" state and reset it
afterwards: ``token = quiet(); try: ... finally: loud(token)``. Thread- and context-local like
errstate itself, and the user's global ``np.seterr`` state is never touched. A module of its own,
without imports from the package, so that the engine can use it too.
"""

from __future__ import annotations

import contextvars as _contextvars
import functools as _functools
from typing import Any

import numpy as _np

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
