"""Property 5: error (and warning) parity for autograd misuse, exercised through every op.

Error types and first-line messages must match. Each scenario is a complete program, so a
divergence's reproducer shows the misuse directly.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from conformance.build import call_steps, is_float, leaf_steps, replace_ref
from conformance.params import float_dtype, op_params
from conformance.program import (
    Backward,
    Call,
    Grad,
    Hook,
    Leaf,
    Program,
    ReadGrad,
    Ref,
    RetainGrad,
    SetRequiresGrad,
)
from conformance.registry import REGISTRY
from conformance.registry.spec import OpSpec
from conformance.strategies.cases import Case, case_strategy

SPECS = [s for s in REGISTRY if s.differentiable]


def _sum(src: str, out: str = "s") -> Call:
    return Call(out, "sum.method", (Ref(src),))


def scenarios(spec: OpSpec, case: Case, dtype: str) -> Iterator[tuple[str, tuple[Any, ...]]]:
    flags = tuple(is_float(i.dtype or dtype) for i in case.inputs)
    leaves = tuple(leaf_steps(case, dtype, flags=flags))
    ap = call_steps(spec, case)
    y = ap.result
    base = leaves + ap.steps
    yield "backward_twice", base + (_sum(y), Backward("s"), Backward("s"))
    yield "backward_twice_retained", base + (_sum(y), Backward("s", retain_graph=True), Backward("s"))
    yield "implicit_gradient_nonscalar", base + (Backward(y),)
    if spec.variant == "inplace":
        yield "inplace_on_leaf", leaves + call_steps(spec, case, clone_inplace=False).steps
    else:
        yield "inplace_on_leaf", leaves + (Call("w", "mul_.inplace", (Ref("x0"), 2)),)
    # modify an input the op may have saved, then backpropagate through it
    moved = Case(case.inputs, replace_ref(case.args, "x0", "a"), replace_ref(case.kwargs, "x0", "a"))
    ap_a = call_steps(spec, moved)
    yield "modified_saved_input", leaves + (Call("a", "clone.method", (Ref("x0"),)),) + ap_a.steps + (
        Call("m", "mul_.inplace", (Ref("a"), 2)), _sum(ap_a.result), Backward("s"))
    yield "modified_output", base + (Call("m", "mul_.inplace", (Ref(y), 2)), _sum(y), Backward("s"))
    unused = Leaf("u", [1.0, 2.0], dtype, True)
    yield "unused_input", base + (unused, _sum(y), Grad("gr", ("s",), ("x0", "u")))
    yield "unused_input_allowed", base + (unused, _sum(y), Grad("gr", ("s",), ("x0", "u"), allow_unused=True))
    yield "hook_bad_shape", leaves + (Hook("x0", "hook_bad_shape"),) + ap.steps + (_sum(y), Backward("s"))
    yield "hook_bad_type", leaves + (Hook("x0", "hook_bad_type"),) + ap.steps + (_sum(y), Backward("s"))
    yield "hook_none_and_double", leaves + (Hook("x0", "hook_none"), Hook("x0", "hook_double")) + ap.steps + (
        _sum(y), Backward("s"))
    yield "wrong_gradient_shape", base + (Leaf("g", [[0.5] * 7] * 5, dtype), Backward(y, gradient="g"))
    no_grad_leaves = tuple(leaf_steps(case, dtype))
    yield "backward_without_grad", no_grad_leaves + ap.steps + (_sum(y), Backward("s"))
    yield "grad_of_output_without_grad", no_grad_leaves + ap.steps + (_sum(y), Grad("gr", ("s",), ("x0",)))
    yield "nonleaf_requires_grad_false", base + (SetRequiresGrad(y, False),)
    yield "nonleaf_grad_read", base + (ReadGrad("r", y),)
    yield "retained_nonleaf_grad", base + (RetainGrad(y), _sum(y), Backward("s"), ReadGrad("r", y))


@pytest.mark.parametrize("spec", op_params("errors", SPECS))
def test_errors(spec, conformance):
    dtype = float_dtype(spec)

    @conformance.given(case_strategy(spec))
    def run(case):
        for name, steps in scenarios(spec, case, dtype):
            conformance.check(Program(steps, (("scenario", name),)))

    run()
