"""Numeric kernel details against torch: NaN handling in derivative masks, half-precision
accumulation (opmath), and the boundaries of piecewise derivatives.

Each case comes from a divergence found by a conformance run on a non-default seed.
"""

from __future__ import annotations

from typing import Any

from helpers import assert_same


def test_relu_gradient_passes_nan() -> None:
    """threshold_backward is ``self <= threshold ? 0 : grad``: a NaN input keeps its gradient."""
    def fn(lib: Any) -> Any:
        x = lib.tensor([float("nan"), 1.0, -1.0, 0.0], requires_grad=True)
        y = lib.relu(x)
        (g,) = lib.autograd.grad(y, x, lib.ones(4), create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x, allow_unused=True)
        return y, g, gg
    assert_same(fn)
