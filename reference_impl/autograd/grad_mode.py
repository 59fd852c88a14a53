"""Grad modes: thread-local switches that decide whether ops record a graph."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any


class _State(threading.local):
    enabled = True  # class attributes give every new thread the defaults
    inference = False


state = _State()


def is_grad_enabled() -> bool:
    return state.enabled


def is_inference_mode_enabled() -> bool:
    return state.inference


class _Mode:
    """Base of the grad-mode objects: a context manager that also decorates functions."""

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return fn(*args, **kwargs)

        return wrapper

    def clone(self) -> _Mode:
        return type(self)()


class no_grad(_Mode):
    def __enter__(self) -> None:
        self.prev = state.enabled
        state.enabled = False

    def __exit__(self, *exc: object) -> None:
        state.enabled = self.prev


class enable_grad(_Mode):
    def __enter__(self) -> None:
        self.prev = state.enabled
        state.enabled = True

    def __exit__(self, *exc: object) -> None:
        state.enabled = self.prev


class set_grad_enabled(_Mode):
    """Takes effect on construction (so it works as a plain call), restores on exit."""

    def __init__(self, mode: bool) -> None:
        if type(mode) is not bool:
            raise TypeError("set_grad_enabled(): argument 'enabled' (position 1) must be bool, not "
                            f"{type(mode).__name__}")
        self.prev = state.enabled
        self.mode = mode
        state.enabled = mode

    def __call__(self, fn: Callable) -> Callable:
        state.enabled = self.prev  # used as a decorator: the construction must not leak
        return super().__call__(fn)

    def clone(self) -> set_grad_enabled:
        return set_grad_enabled(self.mode)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        state.enabled = self.prev


class inference_mode(_Mode):
    """Like no_grad, and tensors made inside are inference tensors."""

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):  # bare @inference_mode decorates directly
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode

    def __call__(self, fn: Callable) -> Callable:
        if not isinstance(fn, Callable) or isinstance(fn, bool):
            raise TypeError("inference_mode() takes a bool or is used as a decorator")
        return super().__call__(fn)

    def clone(self) -> inference_mode:
        return inference_mode(self.mode)

    def __enter__(self) -> None:
        self.prev = (state.enabled, state.inference)
        if self.mode:
            state.enabled, state.inference = False, True

    def __exit__(self, *exc: object) -> None:
        state.enabled, state.inference = self.prev
