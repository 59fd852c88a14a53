"""Finite-difference oracle: when gradients disagree, which side is right?

For a divergence in the gradient of leaf ``L`` after a backward step ``root.backward(g)``, the
oracle re-runs the program's forward part on torch in float64 with ``L`` perturbed and
differentiates ``F = sum(root * g)`` numerically: complex-step (exact to rounding) when every
op on the way is analytic, central differences otherwise. It first re-checks the derivative
at a slightly shifted point; if the two disagree the point sits on a kink and the verdict is
"inconclusive". Otherwise the verdict names the side(s) whose analytic gradient matches:
"torch", "impl", "both" or "neither".

Programs whose gradient is not a plain derivative of the forward computation (hooks, detach,
grad-mode blocks, in-place updates, accumulation from earlier backward calls) are
"inconclusive" by construction.
"""

from __future__ import annotations

import types
from typing import Any

import numpy as np

from conformance import program as program_mod
from conformance.compare import decode
from conformance.executor import execute
from conformance.program import Backward, Call, Grad, Item, Leaf, Program
from conformance.registry import get

_ALLOWED = (Leaf, Call, Item)
FD_EPS = 1e-6
SHIFT = 1e-4
CS_H = 1e-20


def _applicable(program: Program, k: int) -> bool:
    steps = program.steps
    if k >= len(steps) or not isinstance(steps[k], Backward) or len(program.flat()) != len(steps):
        return False
    for s in steps[:k]:
        if isinstance(s, Grad) and s.create_graph:
            continue
        if not isinstance(s, _ALLOWED):
            return False
        if isinstance(s, Call) and get(s.op).variant == "inplace":
            return False
    return True


def _analytic(program: Program, k: int) -> bool:
    return all(get(s.op).analytic for s in program.steps[:k] if isinstance(s, Call)) and \
        not any(isinstance(s, Grad) for s in program.steps[:k])


class _Forward:
    """F(leaf values) = sum(root * g), evaluated on torch float64 (or complex128)."""

    def __init__(self, torch: types.ModuleType, program: Program, k: int):
        self.torch = torch
        self.back: Backward = program.steps[k]
        leaves = [s for s in program.steps[:k] if isinstance(s, Leaf)]
        self.leaves = {s.out: s for s in leaves}
        self.prefix = Program(program.steps[:k])

    def base(self, name: str) -> np.ndarray:
        return np.asarray(self.leaves[name].values, dtype=np.float64)

    def _tensor(self, leaf: Leaf, values: np.ndarray, complex_: bool) -> Any:
        t = self.torch
        if not leaf.dtype.startswith("float"):
            return t.tensor(leaf.values, dtype=getattr(t, leaf.dtype), device=program_mod.DEVICE)
        dt = t.complex128 if complex_ else t.float64
        x = t.tensor(values.tolist() if values.shape else values.item(), dtype=dt, device=program_mod.DEVICE)
        return x.requires_grad_(leaf.requires_grad)

    def __call__(self, name: str, values: np.ndarray, complex_: bool = False) -> complex:
        over = {}
        for n, leaf in self.leaves.items():
            v = values if n == name else self.base(n)
            over[n] = self._tensor(leaf, v, complex_)
        obs = execute(self.torch, self.prefix, full=False, overrides=over, keep_env=True)
        env = obs["_env"]
        if any(s["error"] for s in obs["steps"]):
            raise ArithmeticError("forward failed")
        root = env[self.back.src]
        g = env[self.back.gradient] if self.back.gradient else self.torch.ones_like(root)
        g = g.to(root.dtype) if complex_ else g.double()
        val = (root.detach().to(g.dtype) * g).sum().item()
        return complex(val)


def numeric_grad(f: _Forward, name: str, point: np.ndarray, complex_step: bool) -> np.ndarray:
    out = np.zeros(point.shape, dtype=np.float64)
    for idx in np.ndindex(*point.shape):
        if complex_step:
            x = point.astype(np.complex128)
            x[idx] += 1j * CS_H
            out[idx] = f(name, x, True).imag / CS_H
        else:
            eps = FD_EPS * max(1.0, abs(point[idx]))
            hi, lo = point.copy(), point.copy()
            hi[idx] += eps
            lo[idx] -= eps
            out[idx] = (f(name, hi).real - f(name, lo).real) / (2 * eps)
    return out


def _grad_at(obs: dict[str, Any], k: int, name: str) -> np.ndarray | None:
    """Gradient accumulated into ``name`` by step ``k`` alone (minus what earlier steps left)."""
    def at(step: dict[str, Any]) -> Any:
        g = (step.get("grads") or {}).get(name)
        return None if not g or g.get("type") != "tensor" else decode(g["values"])

    rec = next((s for s in obs["steps"] if s["index"] == k), None)
    if rec is None or rec.get("error"):
        return None
    now = at(rec)
    before = None
    for s in obs["steps"]:
        if s["index"] < k and "grads" in s:
            before = at(s)
    if now is None:
        return None
    return now - before if before is not None and before.shape == now.shape else now


def verdict(torch: types.ModuleType, program: Program, torch_obs: dict[str, Any], impl_obs: dict[str, Any],
            step: int | None, field: str) -> str:
    """FD verdict for a gradient divergence at ``step`` on ``<leaf>.grad`` (see module doc)."""
    name = field.split(".grad")[0]
    if step is None:
        step = max((s["index"] for s in torch_obs["steps"] if "grads" in s), default=-1)
    try:
        if not _applicable(program, step) or name not in {s.out for s in program.steps if isinstance(s, Leaf)}:
            return "inconclusive"
        f = _Forward(torch, program, step)
        if not f.leaves[name].dtype.startswith("float"):
            return "inconclusive"
        x = f.base(name)
        complex_step = _analytic(program, step)
        try:
            fd = numeric_grad(f, name, x, complex_step)
        except Exception:
            complex_step = False
            fd = numeric_grad(f, name, x, False)
        shifted = numeric_grad(f, name, x + SHIFT, complex_step)
        if not (np.all(np.isfinite(fd)) and np.allclose(fd, shifted, rtol=1e-2, atol=1e-3)):
            return "inconclusive"
        loose = f.leaves[name].dtype != "float64"
        rtol, atol = (1e-3, 1e-3) if loose else (1e-5, 1e-6)
        ok = []
        for obs in (torch_obs, impl_obs):
            g = _grad_at(obs, step, name)
            g = np.zeros_like(fd) if g is None else g
            ok.append(g.shape == fd.shape and bool(np.allclose(g, fd, rtol=rtol, atol=atol)))
    except Exception:
        return "inconclusive"
    return {(True, True): "both", (True, False): "torch", (False, True): "impl", (False, False): "neither"}[
        (ok[0], ok[1])]
