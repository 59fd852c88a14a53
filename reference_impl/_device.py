"""``torch.device``: where a tensor's buffer lives ("cpu", or "cuda:N" on the torch backend)."""

from __future__ import annotations

import re
from typing import Any

_TYPES = ("cpu", "cuda", "meta")
_DEVICE_STRING = re.compile(r"([a-zA-Z_]+)(?::(0|[1-9][0-9]*))?")
_ALL_TYPES = ("cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, lazy, vulkan, mps, "
              "meta, hpu, mtia, privateuseone")


class device:
    """An immutable (type, index) pair; ``device("cuda")`` has no index, ``device("cuda:0")`` has 0."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:
        if isinstance(type, device):
            type, index = type.type, type.index
        else:
            type = str(type)
            m = _DEVICE_STRING.fullmatch(type)
            if m is None:
                raise RuntimeError(f"Invalid device string: '{type}'")
            if m.group(1) not in _TYPES:
                raise RuntimeError(f"Expected one of {_ALL_TYPES} device type at start of device string: {type}")
            type = m.group(1)
            if m.group(2) is not None:
                index = int(m.group(2))
        self.type, self.index = type, index

    def __repr__(self) -> str:
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self) -> tuple:
        return (device, (self.type, self.index))


CPU = device("cpu")


def of_backend(backend: Any) -> device:
    """The device of a backend's buffers (``backend.device_name`` is "cpu" or "cuda:N")."""
    return CPU if backend.device_name == "cpu" else device(backend.device_name)
