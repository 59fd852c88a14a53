"""Property 6: random multi-step programs built around each op.

The op under test runs on fresh leaves; its result then joins a pool of values that random
steps reuse: more ops, sums, new leaves, detach, grad-mode blocks, in-place updates, hooks,
retain_grad, several backward / autograd.grad calls (so gradients accumulate), zeroing and
None-ing grads. Everything is compared. Tolerances are 10x the per-step ones: values flow
through several ops, and each adds its own rounding.
"""

from __future__ import annotations

import pytest
from hypothesis import strategies as st

from conformance.build import call_steps, is_float, leaf_steps
from conformance.params import float_dtype, op_params
from conformance.program import RG_PATHS, Program
from conformance.registry import REGISTRY
from conformance.strategies.cases import case_strategy
from conformance.strategies.programs import random_steps

CHAIN_SCALE = 10.0


@pytest.mark.parametrize("spec", op_params("programs", REGISTRY))
def test_programs(spec, conformance):
    dtype = float_dtype(spec)

    @conformance.given(case_strategy(spec), st.data())
    def run(case, data):
        n = len(case.inputs)
        flags = tuple(data.draw(st.booleans()) for _ in range(n))
        paths = tuple(data.draw(st.sampled_from(RG_PATHS)) for _ in range(n))
        leaves = tuple(leaf_steps(case, dtype, flags=flags, paths=paths))
        applied = call_steps(spec, case)
        probe = conformance.probe(Program(leaves + applied.steps))["steps"][-1]["outputs"].get(applied.result)
        pool = {lf.out: tuple(inp.shape) for lf, inp in zip(leaves, case.inputs) if is_float(lf.dtype)}
        if probe and probe.get("type") == "tensor" and probe["dtype"] in ("torch.float32", "torch.float64"):
            pool[applied.result] = tuple(probe["shape"])
        if not pool:
            conformance.check(Program(leaves + applied.steps))
            return
        names = [lf.out for lf in leaves if lf.out in pool]
        steps = data.draw(random_steps(dtype, pool, names))
        conformance.check(Program(leaves + applied.steps + steps), scale=CHAIN_SCALE)

    run()
