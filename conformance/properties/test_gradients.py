"""Property 4: gradients of every differentiable op (float32, float64), and double backward."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from conformance.build import call_steps, is_float, leaf_steps
from conformance.params import op_params
from conformance.program import Backward, Grad, Item, Leaf, Program
from conformance.registry import REGISTRY
from conformance.strategies.cases import case_strategy
from conformance.strategies.values import cast_values, values

SPECS = [s for s in REGISTRY if s.differentiable]


@pytest.mark.parametrize("spec,dtype", op_params("gradients", SPECS, ("float32", "float64")))
def test_gradients(spec, dtype, conformance):
    @conformance.given(case_strategy(spec), st.data())
    def run(case, data):
        wanted = spec.grad_inputs if spec.grad_inputs is not None else range(len(case.inputs))
        flags = tuple(i in wanted and is_float(inp.dtype or dtype) for i, inp in enumerate(case.inputs))
        leaves = tuple(leaf_steps(case, dtype, flags=flags))
        applied = call_steps(spec, case)
        forward = Program(leaves + applied.steps)
        out = conformance.probe(forward)["steps"][-1]["outputs"].get(applied.result)
        if not out or out.get("type") != "tensor" or not out["dtype"].startswith("torch.float"):
            conformance.check(forward)  # torch raised or the result is not differentiable
            return
        g = Leaf("g", cast_values(data.draw(values(tuple(out["shape"]))), dtype), dtype)
        first = leaves + applied.steps + (g, Backward(applied.result, gradient="g"))
        conformance.check(Program(first, (("order", 1),)))
        if not spec.double_backward or not any(flags):
            return
        i = data.draw(st.sampled_from([k for k, f in enumerate(flags) if f]))
        x = case.inputs[i]
        h = Leaf("h", cast_values(data.draw(values(x.shape)), dtype), dtype)
        second = leaves + applied.steps + (
            g, h, Grad("gx", (applied.result,), (f"x{i}",), ("g",), create_graph=True),
            Item("gi", "gx", 0), Backward("gi", gradient="h"))
        conformance.check(Program(second, (("order", 2),)))

    run()
