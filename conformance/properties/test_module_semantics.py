"""Property 9: module semantics for generated compositions of modules: parameter registration
and order (``named_parameters``, ``state_dict`` keys), buffers (persistent or not),
``requires_grad`` of parameters (also after ``requires_grad_(False)`` on a submodule),
submodule names, and train/eval flags (recursively, and on one submodule)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import strategies as st

from conformance.nn_build import on_device
from conformance.params import plain_params
from conformance.program import Code, Program

# leaf modules: (source after torch.nn., feature size in, feature size out; None = any)
_LEAVES = ("Linear({i}, {o})", "Linear({i}, {o}, bias=False)", "ReLU()", "Tanh()", "Dropout(0.1)",
           "LayerNorm({i})", "BatchNorm1d({i})", "Identity()", "Embedding(4, {i})", "Bilinear({i}, {i}, {o})",
           "Conv1d({i}, {o}, 1)", "Flatten()")


@st.composite
def _module(draw: st.DrawFn, depth: int = 0) -> str:
    """Source of a module tree: Sequential / ModuleList / ModuleDict of leaves and subtrees."""
    kind = draw(st.sampled_from(("Sequential", "ModuleList", "ModuleDict") if depth < 2 else ("Sequential",)))
    n = draw(st.integers(1, 3))
    items = []
    for _ in range(n):
        if depth < 2 and draw(st.integers(0, 3)) == 0:
            items.append(draw(_module(depth + 1)))
        else:
            leaf = draw(st.sampled_from(_LEAVES))
            items.append("torch.nn." + leaf.format(i=draw(st.integers(1, 3)), o=draw(st.integers(1, 3))))
    if kind == "ModuleList":
        return f"torch.nn.ModuleList([{', '.join(items)}])"
    if kind == "ModuleDict":
        keys = draw(st.lists(st.sampled_from("abcdefg"), min_size=n, max_size=n, unique=True))
        return "torch.nn.ModuleDict({" + ", ".join(f"{k!r}: {v}" for k, v in zip(keys, items)) + "})"
    return f"torch.nn.Sequential({', '.join(items)})"


_OBSERVE = (  # (name, expression over m)
    ("param_names", "[n for n, _ in m.named_parameters()]"),
    ("param_shapes", "[list(p.shape) for p in m.parameters()]"),
    ("param_requires_grad", "[p.requires_grad for p in m.parameters()]"),
    ("param_is_leaf", "[p.is_leaf for p in m.parameters()]"),
    ("state_keys", "list(m.state_dict().keys())"),
    ("state_shapes", "[list(v.shape) for v in m.state_dict().values()]"),
    ("buffer_names", "[n for n, _ in m.named_buffers()]"),
    ("buffers", "[b.clone() for b in m.buffers()]"),
    ("module_names", "[n for n, _ in m.named_modules()]"),
    ("child_names", "[n for n, _ in m.named_children()]"),
    ("module_types", "[type(x).__name__ for x in m.modules()]"),
    ("training", "[x.training for x in m.modules()]"),
)

_ACTIONS = (  # (id, statements applied to m before observing again)
    ("eval", "m.eval()"),
    ("train_false", "m.train(False)"),
    ("eval_then_train", "m.eval(); m.train()"),
    ("first_child_eval", "next(iter(m.children())).eval()"),
    ("requires_grad_false", "m.requires_grad_(False)"),
    ("first_child_frozen", "next(iter(m.children())).requires_grad_(False)"),
    ("register_parameter", "m.extra = torch.nn.Parameter(torch.ones(2))"),
    ("register_frozen_parameter", "m.register_parameter('frozen', torch.nn.Parameter(torch.ones(2), "
                                  "requires_grad=False))"),
    ("register_buffer", "m.register_buffer('stat', torch.zeros(3))"),
    ("register_nonpersistent_buffer", "m.register_buffer('tmp', torch.ones(1), persistent=False)"),
    ("add_module", "m.add_module('tail', torch.nn.Linear(2, 2))"),
    ("zero_grad", "m.zero_grad()"),
)


def _observe(suffix: str) -> list[Any]:
    return [Code(f"{name}_{suffix}", expr, reads=("m",)) for name, expr in _OBSERVE]


@pytest.mark.parametrize("code", plain_params("module_semantics", ((a, (c,)) for a, c in _ACTIONS)))
def test_module_semantics(code, conformance):
    @conformance.given(_module())
    def run(src):
        steps = [Code("m", on_device(src)), *_observe("0"), Code(None, code, reads=("m",)), *_observe("1")]
        conformance.check(Program(tuple(steps)))

    run()
