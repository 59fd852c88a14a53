"""torch's TORCH_WARN_ONCE: a warning given once per process, unless ``set_warn_always(True)``."""

from __future__ import annotations

import warnings

_state = {"always": False}
_given: set = set()


def set_warn_always(b: bool) -> None:
    """With True, warnings torch gives once per process are given every time."""
    _state["always"] = bool(b)


def is_warn_always_enabled() -> bool:
    return _state["always"]


def warn_once(message: str, stacklevel: int = 3, category: type = UserWarning) -> None:
    """Warn the first time ``message`` is seen (every time under set_warn_always(True))."""
    if _state["always"]:  # torch's TORCH_WARN_ONCE then warns without using up its once
        warnings.warn(message, category, stacklevel=stacklevel + 1)
    elif message not in _given:
        _given.add(message)
        warnings.warn(message, category, stacklevel=stacklevel + 1)
