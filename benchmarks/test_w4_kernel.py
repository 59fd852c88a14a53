"""W4 kernel-bound: ((x@W1)@W2)@W3 with 1024x1024 float32, forward + backward."""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import IMPLEMENTATIONS, load

N = 1024


def _arrays(n: int) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.standard_normal((n, n), dtype=np.float32) / np.sqrt(n) for _ in range(4)]


def engine_factory(ns, arrays: list[np.ndarray]):
    """Leaves are built once (``tensor()`` copies 16 MB, which is not the kernel work timed)."""
    x, w1, w2, w3 = (ns.tensor(a, requires_grad=i > 0) for i, a in enumerate(arrays))

    def step() -> None:
        w1.grad = w2.grad = w3.grad = None
        (((x @ w1) @ w2) @ w3).sum().backward()

    return step


def numpy_matmuls(arrays: list[np.ndarray]) -> None:
    """The same forward (the loss value included) and backward, by hand: 3 + 5 matmuls."""
    x, w1, w2, w3 = arrays
    a = x @ w1
    b = a @ w2
    _ = (b @ w3).sum()  # the loss
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
        benchmark(engine_factory(load(impl), arrays))
