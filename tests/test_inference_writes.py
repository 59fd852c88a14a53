"""In-place writes to inference tensors outside inference mode.

torch's VariableVersion::bump refuses a tensor without a version counter after the kernel wrote.
An in-place op whose backward needs ``self`` saves a clone of it, so ``t.mul_(w)`` ends in the
bump's error, not in "cannot be saved for backward". ``t.detach()`` gets a counter of its own,
but a view of it made outside inference mode has none: ``d[0] = 9`` refuses, ``d[:] = 9`` (no
view: a full slice is the tensor itself) and ``d[index_tensor] = 9`` do not.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import assert_same

OPS = {
    "mul_": lambda t, w: t.mul_(w),
    "imul": lambda t, w: t.__imul__(w),
    "div_": lambda t, w: t.div_(w),
    "pow_": lambda t, w: t.pow_(w),
    "atan2_": lambda t, w: t.atan2_(w),
    "clamp_": lambda t, w: t.clamp_(min=w),
    "add_": lambda t, w: t.add_(w),
}


@pytest.mark.parametrize("name", OPS)
def test_inplace_with_grad_operand_refuses_after_writing(name: str) -> None:
    def fn(lib: Any) -> tuple:
        with lib.inference_mode():
            t = lib.tensor([1.5, 2.0])
        w = lib.tensor([0.5, 3.0], requires_grad=True)
        try:
            OPS[name](t, w)
        except RuntimeError as e:
            return str(e), t
        return "no error", t

    assert_same(fn)


INDICES = {
    "int": lambda lib: 0,
    "slice": lambda lib: slice(0, 1),
    "none": lambda lib: None,
    "tuple_ellipsis_int": lambda lib: (Ellipsis, 0),
    "full_slice": lambda lib: slice(None),
    "ellipsis": lambda lib: Ellipsis,
    "index_tensor": lambda lib: lib.tensor([0]),
    "mask": lambda lib: lib.tensor([True, False]),
}


@pytest.mark.parametrize("index", INDICES)
def test_setitem_on_detached_inference_tensor(index: str) -> None:
    def fn(lib: Any) -> tuple:
        with lib.inference_mode():
            t = lib.tensor([1.5, 2.0])
        d = t.detach()
        try:
            d[INDICES[index](lib)] = 9
        except RuntimeError as e:
            return str(e), d
        return "no error", d, d._version

    assert_same(fn)
