"""Two gradients reaching one node: torch's InputBuffer::accumulate.

With grad mode off, torch adds the second gradient into the first in place (bumping its version)
when nothing else holds the first or its storage and it is a dense non-view; otherwise (a view,
an expanded gradient, a tensor a hook or the caller holds, the same tensor twice, create_graph)
it adds out of place. The version shows on ``.grad`` (which takes the buffer) and on what hooks
and ``autograd.grad`` see.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers import assert_same

CASES = {
    "two_products": lambda x: (x * 2 + x * 3).sum(),  # in place: version 1
    "three_products": lambda x: (x * 2 + x * 3 + x * 4).sum(),  # version 2
    "square": lambda x: (x * x).sum(),  # both outputs of one node
    "x_exp": lambda x: (x * x.exp()).sum(),
    "select": lambda x: x[0] * 3 + x[1] * 4,
    "expanded_second": lambda x: (x.sum().expand(2) + x * 3).sum(),
    "expanded_first": lambda x: (x * 3 + x.sum().expand(2)).sum(),  # not dense: out of place
    "view_first": lambda x: (x * 2).sum() + (x.view(1, 2) * 3).sum(),  # a view: out of place
    "same_tensor": lambda x: (x + x).sum(),  # one gradient twice: out of place
    "sub": lambda x: (x - x * 2).sum(),
    "add_passes_through": lambda x: (x * 2 + x).sum(),  # add's other: the expanded gradient itself
}


@pytest.mark.parametrize("name", CASES)
def test_grad_version_after_fan_in(name: str) -> None:
    def fn(lib: Any) -> tuple:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        CASES[name](x).backward()
        return x.grad._version, x.grad

    assert_same(fn)


def test_create_graph_adds_out_of_place() -> None:
    def fn(lib: Any) -> tuple:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1.5
        g, = lib.autograd.grad((y * 2 + y * 3).sum(), y, create_graph=True)
        return g._version, g

    assert_same(fn)


def test_hooks_and_grad_see_the_accumulated_buffer() -> None:
    def fn(lib: Any) -> tuple:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1.5
        held = []
        y.register_hook(held.append)
        y.grad_fn.register_prehook(lambda gs: held.append(gs[0]))
        (y * 2 + y * 3).sum().backward()
        z = x * 1.5
        g, = lib.autograd.grad((z * 2 + z * 3).sum(), z)
        return [h._version for h in held], held, g._version, g

    assert_same(fn)


def test_held_gradient_is_not_modified() -> None:
    """A hook that returns a tensor its caller keeps: the sum goes to a new tensor."""
    def fn(lib: Any) -> tuple:
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        kept = lib.tensor([10.0, 20.0])
        m = x * 3
        a = x + 0.0  # passes its gradient (kept) through to x's buffer, before m's gradient
        a.register_hook(lambda g: kept)
        (m + a).sum().backward()
        return kept._version, kept, x.grad._version, x.grad

    assert_same(fn)


def test_conformance_program_argmax_method() -> None:
    """seed 123 test_programs[argmax.method]: x.grad after x * exp(x)."""
    def fn(lib: Any) -> tuple:
        x0 = lib.tensor([0.0], requires_grad=True)
        v1 = lib.exp(x0)
        x0.mul(v1).sum().backward()
        return x0.grad._version, x0.grad

    assert_same(fn)


@pytest.mark.parametrize("where", ["buffer", "grad"])
def test_in_place_sum_is_silent(where: str) -> None:
    """inf + -inf in an in-place accumulation: NaN, without NumPy's RuntimeWarning."""
    def fn(lib: Any) -> Any:
        x = lib.tensor([1.0], requires_grad=True)
        if where == "buffer":
            (x * float("inf") + x * float("-inf")).sum().backward()
        else:
            (x * float("inf")).sum().backward()
            (x * float("-inf")).sum().backward()
        return x.grad

    assert_same(fn)
