"""Programs print as standalone scripts that run under torch and match the executor."""

from __future__ import annotations

import subprocess
import sys

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.build import call_steps, leaf_steps
from conformance.executor import execute
from conformance.program import Backward, Block, Call, Grad, Hook, Leaf, Program, Ref, SetGrad
from conformance.registry import get
from conformance.strategies.cases import case_strategy
from conformance.strategies.programs import random_steps


def _sample_program() -> Program:
    return Program((
        Leaf("x0", [[1.5, -2.0], [0.25, 3.0]], "float32", True, "method"),
        Leaf("x1", 0.5, "float32", True, "attr"),
        Hook("x0", "hook_negate"),
        Call("y", "mul.op", (Ref("x0"), Ref("x1"))),
        Block("no_grad", (Call("z", "exp", (Ref("y"),)),)),
        Call("s", "sum.method", (Ref("y"),), (("dim", 0),)),
        Call("t", "sum.method", (Ref("s"),)),
        Backward("t", retain_graph=True),
        SetGrad("x1", "none"),
        Grad("g", ("t",), ("x0", "x1"), allow_unused=True),
    ))


def test_script_runs_under_torch_and_prints_grads(tmp_path):
    script = _sample_program().to_script()
    assert script.startswith("import torch\n")
    path = tmp_path / "repro.py"
    path.write_text(script)
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "x0.grad tensor([[-0.5000, -0.5000]," in out.stdout  # negated by the hook


def test_impl_script_imports_impl_as_torch():
    script = _sample_program().to_script(impl="reference_impl")
    assert script.startswith("import reference_impl as torch\n")


def test_script_values_equal_executor_values():
    p = _sample_program()
    env: dict = {}
    exec(compile(p.to_script().replace("print(", "(lambda *a: None)("), "<s>", "exec"), env)
    obs = execute(torch, p)
    assert obs["final"]["tensors"]["x0"]["grad"]["values"] == env["x0"].grad.tolist()


def test_json_round_trip():
    p = _sample_program()
    assert Program.from_json(p.to_json()) == p


@settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(st.data())
def test_generated_programs_round_trip_and_render(data):
    spec = get(data.draw(st.sampled_from(["exp", "mul.op", "sum", "getitem.advanced", "max_dim", "clamp_tensor"])))
    case = data.draw(case_strategy(spec))
    leaves = tuple(leaf_steps(case, "float32", flags=(True,) * len(case.inputs)))
    applied = call_steps(spec, case)
    pool = {lf.out: inp.shape for lf, inp in zip(leaves, case.inputs)}
    steps = data.draw(random_steps("float32", pool, list(pool)))
    p = Program(leaves + applied.steps + steps)
    assert Program.from_json(p.to_json()) == p
    compile(p.to_script(), "<script>", "exec")
