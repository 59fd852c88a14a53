"""W3 MLP step: 784-256-128-10, batch 64, float32, cross-entropy, backward, SGD update."""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import IMPLEMENTATIONS, load

SIZES = (784, 256, 128, 10)
BATCH = 64


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((BATCH, SIZES[0]), dtype=np.float32), rng.integers(0, 10, BATCH)


def engine_step_factory(ns):
    """Build the model once; the benchmark times one training step."""
    nn = ns.nn
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = ns.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    x, y = _data()
    x, y = ns.tensor(x), ns.tensor(y)

    def step() -> None:
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()

    return step


def numpy_step_factory():
    """Hand-written forward/backward/SGD: the floor a NumPy engine can reach."""
    rng = np.random.default_rng(1)
    ws = [(rng.standard_normal((o, i), dtype=np.float32) * np.float32(1 / np.sqrt(i)),
           np.zeros(o, dtype=np.float32)) for i, o in zip(SIZES[:-1], SIZES[1:])]
    x, y = _data()
    lr = np.float32(0.01)

    def step() -> None:
        acts = [x]
        h = x
        for j, (w, b) in enumerate(ws):
            h = h @ w.T + b
            if j < len(ws) - 1:
                h = np.maximum(h, 0)
            acts.append(h)
        z = h - h.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = p
        g[np.arange(BATCH), y] -= 1
        g /= BATCH
        for j in reversed(range(len(ws))):
            w, b = ws[j]
            a = acts[j]
            gw, gb = g.T @ a, g.sum(0)
            if j:
                g = (g @ w) * (a > 0)
            w -= lr * gw
            b -= lr * gb

    return step


@pytest.mark.benchmark(group="w3_mlp")
@pytest.mark.parametrize("impl", [*IMPLEMENTATIONS, "numpy"])
def test_w3_mlp(benchmark, impl: str) -> None:
    step = numpy_step_factory() if impl == "numpy" else engine_step_factory(load(impl))
    benchmark(step)
