"""Regressions from the ``programs`` conformance property (seed 123): grad modes, inference
tensors, repeated backward, version counters. Each runs on torch and reference_impl."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import assert_same


@pytest.mark.parametrize("op", ["scatter_add", "index_add"])
def test_second_backward_when_only_self_requires_grad(op: str) -> None:
    """torch saves the index only for src's gradient, so without it nothing is freed by backward."""
    def fn(lib: Any) -> Any:
        out = []
        for src_grad in (False, True):
            x = lib.tensor([0.0, 1.0], requires_grad=True)
            src = lib.tensor([2.0], requires_grad=src_grad)
            y = getattr(lib, op)(x, 0, lib.tensor([1]), src)
            y.sum().backward()
            try:
                y.sum().backward()
            except RuntimeError as e:
                out.append(str(e))
            out.append(x.grad)
        return out

    assert_same(fn)


@pytest.mark.parametrize("shape,reps", [((1,), (1,)), ((2, 3), (1, 1)), ((2, 3), (2, 1)), ((2,), (3, 1)),
                                        ((2, 3), (1, 2)), ((), (2,)), ((2,), (0,)), ((2, 1), (1, 1, 2))])
def test_repeat_backward_versions(shape: tuple, reps: tuple) -> None:
    """torch's repeat_backward returns the incoming gradient itself when nothing is folded (all
    repeats 1, no new dims): an expanded sum gradient is then copied into ``.grad`` (version 1)."""
    def fn(lib: Any) -> Any:
        x = lib.ones(shape, requires_grad=True)
        y = x.repeat(reps)
        y.sum().backward()
        g = x.grad
        (y * 2).sum().backward()
        return g, g._version, x.grad
    assert_same(fn)
