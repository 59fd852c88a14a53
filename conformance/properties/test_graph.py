"""Property 2: leaf status, grad_fn names and the next_functions graph of every op's result."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from conformance.build import call_steps, is_float, leaf_steps
from conformance.params import float_dtype, op_params
from conformance.program import RG_PATHS, Call, Program, Ref
from conformance.registry import REGISTRY
from conformance.strategies.cases import case_strategy


@pytest.mark.parametrize("spec", op_params("graph", REGISTRY))
def test_graph(spec, conformance):
    dtype = float_dtype(spec)

    @conformance.given(case_strategy(spec), st.data())
    def run(case, data):
        n = len(case.inputs)
        flags = tuple(data.draw(st.booleans()) for _ in range(n))
        if not any(f and is_float(inp.dtype or dtype) for f, inp in zip(flags, case.inputs)):
            flags = (True,) + flags[1:]
        paths = tuple(data.draw(st.sampled_from(RG_PATHS)) for _ in range(n))
        applied = call_steps(spec, case)
        steps = (*leaf_steps(case, dtype, flags=flags, paths=paths), *applied.steps,
                 Call("z", "sum.method", (Ref(applied.result),)))
        conformance.check(Program(steps))

    run()
