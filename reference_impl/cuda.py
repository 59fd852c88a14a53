"""``torch.cuda``: whether CUDA buffers (torch backend) can be made here.

Asking never imports torch unless torch is installed; without torch there is no CUDA.
"""

from __future__ import annotations

import importlib.util


def _torch():
    """The torch module, or None where torch isn't installed (blocked imports count as absent)."""
    if importlib.util.find_spec("torch") is None:
        return None
    try:
        import torch
    except ImportError:
        return None
    return torch


def is_available() -> bool:
    torch = _torch()
    return bool(torch is not None and torch.cuda.is_available())


def device_count() -> int:
    torch = _torch()
    return torch.cuda.device_count() if torch is not None else 0


def current_device() -> int:
    from ._backend import for_device

    return for_device("cuda").torch_device.index


def synchronize(device: object = None) -> None:
    torch = _torch()
    if torch is None or not torch.cuda.is_available():
        raise AssertionError("Torch not compiled with CUDA enabled")
    torch.cuda.synchronize()
