"""The implicit seed of ``y.backward()`` and ``.grad``'s version counter.

torch's AccumulateGrad takes (does not copy) a gradient nothing else references. A view of the
implicit ones() seed (what t/T/sum/view/... of a one-element tensor pass back) is such a
gradient, so ``.grad`` shares the seed's version counter (0); the seed itself, which backward's
caller still holds, is copied (version 1). The engine keeps that while still never letting
``.grad`` alias memory a user or hook can see.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from helpers import assert_same

import reference_impl

OPS = {
    "t": (1.5, lambda x: x.t()),
    "T": (1.5, lambda x: x.T),
    "sum": (1.5, lambda x: x.sum()),
    "sum_keepdim": (1.5, lambda x: x.sum(-1, keepdim=True)),
    "view": ([1.5], lambda x: x.view(())),
    "squeeze": ([1.5], lambda x: x.squeeze()),
    "select": ([1.5], lambda x: x[0]),
    "mean": (1.5, lambda x: x.mean()),
    "t_sum": (1.5, lambda x: x.t().sum()),
    "sum_1d": ([1.5], lambda x: x.sum()),  # expand to [1]: a copy in torch too
    "clone": (1.5, lambda x: x.clone()),  # the seed itself reaches AccumulateGrad: copied
    "identity": (1.5, lambda x: x),
    "add": (1.5, lambda x: x + 1),
}


@pytest.mark.parametrize("name", OPS)
def test_grad_version_after_implicit_seed(name: str) -> None:
    value, op = OPS[name]

    def fn(lib: Any) -> tuple:
        x = lib.tensor(value, requires_grad=True)
        op(x).backward(retain_graph=True)
        first = x.grad
        v0 = first._version
        op(x).backward()  # accumulates in place
        return v0, first._version, x.grad is first, x.grad

    assert_same(fn)


def test_conformance_program_t() -> None:
    """The CI conformance program that showed it (test_programs[t])."""

    def fn(lib: Any) -> tuple:
        x0 = lib.tensor(1.32, requires_grad=True)
        v2 = x0.sum()
        v2.backward(retain_graph=True)
        v3 = x0.grad
        before = v3._version
        v7 = lib.atan(v2).exp_()
        v7.sum().backward()
        return before, v3._version, x0.grad

    assert_same(fn)


def test_explicit_gradient_and_two_roots() -> None:
    def fn(lib: Any) -> tuple:
        x = lib.tensor(1.5, requires_grad=True)
        lib.autograd.backward([x.t(), x.sum()])
        return x.grad._version, x.grad

    assert_same(fn)


def test_seed_held_by_a_hook_is_not_aliased() -> None:
    """torch would alias the hook's tensor here; the engine copies (never shares visible memory)."""
    held = []
    x = reference_impl.tensor(1.5, requires_grad=True)
    y = x.t()
    y.register_hook(held.append)
    y.backward()
    assert not np.shares_memory(np.asarray(x.grad._data), np.asarray(held[0]._data))
    x.grad.add_(1)
    assert held[0].item() == 1.0


def test_user_gradient_view_is_not_aliased() -> None:
    x = reference_impl.tensor(1.5, requires_grad=True)
    g = reference_impl.tensor(2.0)
    x.t().backward(g)
    x.grad.add_(1)
    assert g.item() == 2.0 and x.grad.item() == 3.0
