"""torchvision-style transforms: Compose, Lambda, ToTensor, Normalize."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import _dtype as D
from ._ops import creation
from ._ops._util import wrap
from ._tensor import Tensor


class Compose:
    def __init__(self, transforms: Sequence[Callable]) -> None:
        self.transforms = transforms

    def __call__(self, img: Any) -> Any:
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        lines = [self.__class__.__name__ + "("]
        lines += [f"    {t}" for t in self.transforms]
        return "\n".join(lines) + "\n)"


class Lambda:
    def __init__(self, lambd: Callable) -> None:
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def __call__(self, img: Any) -> Any:
        return self.lambd(img)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}()"


class ToTensor:
    """HWC (or HW) NumPy array -> CHW float32 tensor; uint8 is scaled to [0, 1], floats kept."""

    def __call__(self, pic: Any) -> Tensor:
        if pic.ndim not in {2, 3}:
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        if pic.ndim == 2:
            pic = pic[:, :, None]
        img = creation.from_numpy(pic.transpose((2, 0, 1)).copy())
        if img._dtype is D.uint8:
            return wrap(img._data.astype(D.get_default_dtype().np) / 255, D.get_default_dtype())
        return img

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}()"


class Normalize:
    """(x - mean) / std per channel of a CHW tensor (differentiable Tensor ops)."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False) -> None:
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def __call__(self, tensor: Tensor) -> Tensor:
        if not tensor.is_floating_point():
            raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
        if tensor.dim() < 3:
            raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                             f"tensor.size() = {tensor.size()}")
        mean = creation.as_tensor(self.mean, dtype=tensor.dtype)
        std = creation.as_tensor(self.std, dtype=tensor.dtype)
        if (std._data == 0).any():
            raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division "
                             "by zero.")
        return (tensor - mean.reshape((-1, 1, 1))) / std.reshape((-1, 1, 1))

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}(mean={self.mean}, std={self.std})"
