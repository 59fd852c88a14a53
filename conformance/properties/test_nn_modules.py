"""Property 7: every ``nn`` layer and loss: forward values, grad_fn names, and the gradients of
inputs *and* parameters, with identical parameter values copied into both modules."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from conformance.nn_build import build_module, draw_input, draw_params, var_name, with_dtype
from conformance.params import op_params
from conformance.program import Backward, Code, Leaf, Program
from conformance.registry.nn_modules import MODULES
from conformance.registry.spec import FLOAT
from conformance.strategies.values import cast_values, values


@pytest.mark.parametrize("spec,dtype", op_params("nn_modules", MODULES, FLOAT))
def test_nn_modules(spec, dtype, conformance):
    ctor = with_dtype(spec.ctor, dtype) if spec.factory else spec.ctor

    @conformance.given(st.data())
    def run(data):
        leaves = [draw_input(data, f"x{i}", shape, dom, dtype, i in spec.grad_inputs)
                  for i, (shape, dom) in enumerate(spec.inputs)]
        names = tuple(leaf.out for leaf in leaves)
        steps = [*leaves, *build_module("m", ctor, dtype, draw_params(data, spec.ctor, dtype), mode=spec.mode),
                 Code("y", f"m({', '.join(names)})", reads=("m", *names))]
        out = conformance.probe(Program(tuple(steps)))["steps"][-1]["outputs"].get("y")
        if not out or out.get("type") != "tensor" or not out["dtype"].startswith("torch.float"):
            conformance.check(Program(tuple(steps)))  # torch raised: the impl must raise alike
            return
        g = Leaf("g", cast_values(data.draw(values(tuple(out["shape"]))), dtype), dtype)
        steps += [g, Backward("y", gradient="g")]
        steps += [Code(var_name("b", b), f"m.{b}.clone()", reads=("m",)) for b in spec.buffers]
        conformance.check(Program(tuple(steps)))

    run()
