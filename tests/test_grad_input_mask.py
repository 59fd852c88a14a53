"""autograd.grad / backward(inputs=) run only the formulas of edges the pass uses (torch's
task_should_compute_output), so an unused input's formula cannot raise or cost time."""

from __future__ import annotations

from typing import Any

import pytest
from helpers import assert_same


def _clamp(lib: Any) -> tuple:
    x0 = lib.tensor(-1.3, requires_grad=True)
    x1 = lib.tensor([[-1.16]], requires_grad=True)  # the max formula's in-place mask fails on this shape
    x2 = lib.tensor(1.29, requires_grad=True)
    return x0, x1, x2, lib.clamp(x0, min=x1, max=x2).sum()


@pytest.mark.parametrize("allow_unused", [False, True])
def test_grad_skips_unneeded_formulas(allow_unused: bool) -> None:
    def fn(lib: Any) -> Any:
        x0, _, _, s = _clamp(lib)
        u = lib.tensor([1.0, 2.0], requires_grad=True)
        return lib.autograd.grad([s], [x0, u], allow_unused=allow_unused)

    assert_same(fn)


@pytest.mark.parametrize("which", [0, 1, 2])
def test_grad_of_one_input(which: int) -> None:
    def fn(lib: Any) -> Any:
        *inputs, s = _clamp(lib)
        return lib.autograd.grad(s, inputs[which])

    assert_same(fn)


def test_backward_inputs_skips_unneeded_formulas() -> None:
    def fn(lib: Any) -> Any:
        x0, x1, x2, s = _clamp(lib)
        s.backward(inputs=[x0], retain_graph=True)
        return x0.grad, x1.grad, x2.grad

    assert_same(fn)


def test_full_backward_still_runs_every_formula() -> None:
    def fn(lib: Any) -> Any:
        x0, x1, x2, s = _clamp(lib)
        s.backward()
        return x0.grad

    assert_same(fn)


def test_intermediate_target_and_shared_input() -> None:
    """A capture-only target counts as used; so does a leaf reached through another path."""

    def fn(lib: Any) -> Any:
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, -4.0], requires_grad=True)
        h = a * b
        out = (h * a + b.exp()).sum()
        return lib.autograd.grad(out, [h, b])

    assert_same(fn)
