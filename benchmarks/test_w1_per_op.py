"""W1 per-op overhead: 1000 elementwise ops (add, mul, tanh in turn) on 4 float32 values."""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import IMPLEMENTATIONS, load

N_OPS = 1000


def chain(ns, n: int = N_OPS) -> None:
    x = ns.ones(4, requires_grad=True)
    y = x
    for i in range(n):
        k = i % 3
        y = y + 1.0 if k == 0 else (y * 1.0001 if k == 1 else y.tanh())
    y.sum().backward()


def numpy_chain(n: int = N_OPS) -> None:
    """The floor a NumPy engine can reach: the same chain with hand-written backward."""
    x = np.ones(4, dtype=np.float32)
    ys = [x]
    for i in range(n):
        k = i % 3
        y = ys[-1]
        ys.append(y + np.float32(1.0) if k == 0 else (y * np.float32(1.0001) if k == 1 else np.tanh(y)))
    g = np.ones(4, dtype=np.float32)
    for i in reversed(range(n)):
        k = i % 3
        if k == 1:
            g = g * np.float32(1.0001)
        elif k == 2:
            g = g * (1 - ys[i + 1] * ys[i + 1])


@pytest.mark.benchmark(group="w1_per_op")
@pytest.mark.parametrize("impl", [*IMPLEMENTATIONS, "numpy"])
def test_w1_per_op(benchmark, impl: str) -> None:
    if impl == "numpy":
        benchmark(numpy_chain)
    else:
        benchmark(chain, load(impl))
    benchmark.extra_info["ops"] = N_OPS
