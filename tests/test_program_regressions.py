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
