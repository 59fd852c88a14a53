"""W2 depth scaling: chains of 1e2 .. 1e6 ops; µs per op must stay flat, nothing may recurse."""

from __future__ import annotations

import sys

import pytest

from .conftest import IMPLEMENTATIONS, load
from .test_w1_per_op import chain

DEPTHS = (100, 1_000, 10_000, 100_000, 1_000_000)


@pytest.mark.benchmark(group="w2_depth")
@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_w2_depth(benchmark, impl: str, depth: int, smoke: bool) -> None:
    if smoke and depth > 100_000:
        pytest.skip("smoke mode stops at 1e5 ops")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # a recursive engine would fail here at once
    try:
        benchmark.pedantic(chain, args=(load(impl), depth), rounds=1 if depth >= 100_000 else 3, iterations=1)
    finally:
        sys.setrecursionlimit(limit)
    benchmark.extra_info["ops"] = depth
