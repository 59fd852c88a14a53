"""Property 1: requires_grad propagation for every op, input-flag combination and grad mode
(and through detach)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import strategies as st

from conformance.build import call_steps, in_mode, is_float, leaf_steps
from conformance.params import float_dtype, op_params
from conformance.program import RG_PATHS, Detach, Program
from conformance.registry import REGISTRY
from conformance.strategies.cases import case_strategy

MODES = ("default", "no_grad", "enable_grad", "set_grad_enabled_false", "set_grad_enabled_true",
         "inference_mode", "no_grad>enable_grad", "set_grad_enabled_false>set_grad_enabled_true")


@pytest.mark.parametrize("spec", op_params("requires_grad", REGISTRY))
def test_requires_grad(spec, conformance):
    dtype = float_dtype(spec)

    @conformance.given(case_strategy(spec), st.data())
    def run(case, data):
        n = len(case.inputs)
        paths = tuple(data.draw(st.sampled_from(RG_PATHS)) for _ in range(n))
        floats = [i for i, inp in enumerate(case.inputs) if is_float(inp.dtype or dtype)]
        for on in itertools.product((False, True), repeat=len(floats)):
            flags = tuple(i in floats and on[floats.index(i)] for i in range(n))
            steps = list(leaf_steps(case, dtype, flags=flags, paths=paths))
            for k, mode in enumerate(MODES):
                steps += in_mode(mode, call_steps(spec, case, out=f"y{k}").steps)
            steps.append(Detach("d0", call_steps(spec, case, out="y0").result))  # detached: never requires grad
            conformance.check(Program(tuple(steps), (("mode", "all"), ("flags", flags))))

    run()
