"""W4 kernel-bound: ((x@W1)@W2)@W3 with 1024x1024 float32, forward + backward."""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import IMPLEMENTATIONS, load

N = 1024


def _arrays(n: int) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.standard_normal((n, n), dtype=np.float32) / np.sqrt(n) for _ in range(4)]


def engine_matmuls(ns, arrays: list[np.ndarray]) -> None:
    x, w1, w2, w3 = (ns.tensor(a, requires_grad=i > 0) for i, a in enumerate(arrays))
    (((x @ w1) @ w2) @ w3).sum().backward()


def numpy_matmuls(arrays: list[np.ndarray]) -> None:
    x, w1, w2, w3 = arrays
    a = x @ w1
    b = a @ w2
    g = np.ones((x.shape[0], w3.shape[1]), dtype=np.float32)
    _ = b.T @ g  # dW3
    gb = g @ w3.T
    _ = a.T @ gb  # dW2
    ga = gb @ w2.T
    _ = x.T @ ga  # dW1


@pytest.mark.benchmark(group="w4_kernel")
@pytest.mark.parametrize("impl", [*IMPLEMENTATIONS, "numpy"])
def test_w4_kernel(benchmark, impl: str, smoke: bool) -> None:
    arrays = _arrays(128 if smoke else N)
    if impl == "numpy":
        benchmark(numpy_matmuls, arrays)
    else:
        benchmark(engine_matmuls, load(impl), arrays)
