"""Property 3: result dtypes (all dtype pairs, Python scalars, zero-dim tensors), values, and
errors: ops on dtypes they do not support, and requiring grad on integer/bool tensors."""

from __future__ import annotations

import itertools

import pytest

from conformance.build import call_steps, leaf_steps
from conformance.params import op_params, plain_params
from conformance.program import RG_PATHS, Leaf, Program, Ref
from conformance.registry import REGISTRY
from conformance.registry.spec import OpSpec
from conformance.strategies.cases import Case, Input, case_strategy
from conformance.strategies.values import cast_value, first

SWEEP = ("bool", "uint8", "int32", "int64", "float16", "float32", "float64")
SCALARS = {"bool": True, "int": 2, "float": -1.5}


def combos(spec: OpSpec, case: Case) -> list[tuple[str, Case, tuple[str, ...]]]:
    """(label, case, leaf dtypes) for every dtype combination worth checking for this op."""
    free = [i for i, inp in enumerate(case.inputs) if inp.dtype is None]
    fixed = lambda i, d: d if i in free else case.inputs[i].dtype
    out = []
    if len(free) <= 2:
        grid = itertools.product(SWEEP, repeat=len(free))
    else:
        grid = [(d,) * len(free) for d in SWEEP] + [(d,) + ("float32",) * (len(free) - 1) for d in SWEEP]
    for ds in grid:
        it = iter(ds)
        dtypes = tuple(next(it) if i in free else fixed(i, "") for i in range(len(case.inputs)))
        out.append(("/".join(dtypes), case, dtypes))
    if spec.sweep_scalars and len(case.inputs) == 2:
        a, b = case.inputs
        for d in SWEEP:
            zd = Case((a, Input((), first(b.values), b.domain)), case.args, case.kwargs)
            out.append((f"float32/0-dim {d}", zd, ("float32", d)))
            out.append((f"int64/0-dim {d}", zd, ("int64", d)))
            za = Case((Input((), first(a.values), a.domain), b), case.args, case.kwargs)
            out.append((f"0-dim {d}/float32", za, (d, "float32")))
        for d in ("bool", "int64", "float16", "float32"):
            for kind, v in SCALARS.items():
                args = tuple(cast_value(first(b.values) if kind == "float" else v, kind) if x == Ref("x1") else x
                             for x in case.args)
                out.append((f"{d}/python {kind}", Case((a,), args, case.kwargs), (d,)))
    return out


@pytest.mark.parametrize("spec", op_params("dtypes", REGISTRY))
def test_dtypes(spec, conformance):
    @conformance.given(case_strategy(spec))
    def run(case):
        for label, c, dtypes in combos(spec, case):
            applied = call_steps(spec, c)
            steps = (*leaf_steps(c, "float32", dtypes=dtypes), *applied.steps)
            conformance.check(Program(steps, (("combo", label),)))

    run()


@pytest.mark.parametrize("dtype,path", plain_params(
    "dtypes", [(f"{d}-{p}", (d, p)) for d in ("bool", "uint8", "int32", "int64") for p in RG_PATHS]))
def test_requires_grad_on_integer_dtype(dtype, path, conformance):
    """Only floating point (and complex) tensors can require gradients, whichever way it is set."""
    def run():
        v = cast_value(1.0, dtype)
        steps = (Leaf("x0", [v, v], dtype, True, path),)
        conformance.check(Program(steps), kinds={"error_type", "error_message", "requires_grad"},
                          messages=True)

    conformance.once(run)
