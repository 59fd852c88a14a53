"""Train the same small MLP with reference_impl and with torch, side by side.

Both start from identical weights (torch's initialisation copied into reference_impl) and
see the same synthetic data, so the two loss curves agree step for step. torch is
optional: without it only the reference_impl curve is printed.

    python examples/train_mlp.py
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import reference_impl  # noqa: E402

try:
    import torch
except ImportError:  # torch is optional
    torch = None

STEPS = 30


def make_data(n: int = 256, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three Gaussian blobs in 2-D, one class each."""
    rng = np.random.RandomState(seed)
    centres = np.array([[0.0, 2.0], [-2.0, -1.0], [2.0, -1.0]])
    y = rng.randint(0, 3, n)
    x = centres[y] + rng.randn(n, 2)
    return x.astype(np.float32), y.astype(np.int64)


def make_model(lib: Any) -> Any:
    nn = lib.nn
    return nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 3))


def train(lib: Any, model: Any, x: np.ndarray, y: np.ndarray) -> list[float]:
    """Mini-batch Adam with a cosine schedule; returns the loss of every step."""
    data = lib.utils.data.TensorDataset(lib.tensor(x), lib.tensor(y))
    loader = lib.utils.data.DataLoader(data, batch_size=64)  # no shuffle: both libraries see the same batches
    opt = lib.optim.Adam(model.parameters(), lr=0.01, weight_decay=1e-4)
    sched = lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=STEPS)
    loss_fn = lib.nn.CrossEntropyLoss()
    losses = []
    while len(losses) < STEPS:
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            lib.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            sched.step()
            losses.append(loss.item())
            if len(losses) == STEPS:
                break
    return losses


def main() -> None:
    x, y = make_data()
    ref_model = make_model(reference_impl)
    torch_losses = None
    if torch is not None:
        torch.manual_seed(0)
        torch_model = make_model(torch)
        state = {k: reference_impl.tensor(v.numpy()) for k, v in torch_model.state_dict().items()}
        ref_model.load_state_dict(state)
        torch_losses = train(torch, torch_model, x, y)
    ref_losses = train(reference_impl, ref_model, x, y)
    if torch_losses is None:
        print("torch not installed: reference_impl only")
        print(f"{'step':>4}  {'reference_impl':>14}")
        for i, r in enumerate(ref_losses):
            print(f"{i:>4}  {r:>14.6f}")
        return
    print(f"{'step':>4}  {'reference_impl':>14}  {'torch':>10}  {'|diff|':>8}")
    for i, (r, t) in enumerate(zip(ref_losses, torch_losses)):
        print(f"{i:>4}  {r:>14.6f}  {t:>10.6f}  {abs(r - t):>8.1e}")
    worst = max(abs(r - t) for r, t in zip(ref_losses, torch_losses))
    print(f"max |difference| over {STEPS} steps: {worst:.2e}")


if __name__ == "__main__":
    main()
