"""Executor: exceptions and warnings become observations; graphs, grads, hooks are recorded."""

from __future__ import annotations

import json
import types

import torch

from conformance.executor import execute
from conformance.program import Backward, Block, Call, Hook, Leaf, Program, ReadGrad, Ref


def _prog(*steps):
    return Program(tuple(steps))


def test_exceptions_are_observations_and_dependents_are_skipped():
    p = _prog(Leaf("x0", [1.0, 2.0], "float32", True), Call("y", "mm", (Ref("x0"), Ref("x0"))),
              Call("z", "exp", (Ref("y"),)))
    obs = execute(torch, p)
    assert obs["steps"][1]["error"]["type"] == "RuntimeError"
    assert obs["steps"][2]["error"] == {"type": "Skipped", "message": "needs y"}
    json.dumps(obs)  # serialisable


def test_broken_namespace_never_raises():
    fake = types.SimpleNamespace(Tensor=torch.Tensor)  # no tensor(), no float32
    obs = execute(fake, _prog(Leaf("x0", [1.0], "float32")))
    assert obs["steps"][0]["error"]["type"] == "AttributeError"


def test_observes_graph_grads_versions_and_hooks():
    p = _prog(Leaf("x0", [1.0, 2.0], "float32", True, "attr"), Hook("x0", "hook_double"),
              Call("y", "mul", (Ref("x0"), Ref("x0"))), Call("s", "sum.method", (Ref("y"),)), Backward("s"))
    obs = execute(torch, p)
    y = obs["steps"][2]["outputs"]["y"]
    assert y["grad_fn"] == "MulBackward0" and y["is_leaf"] is False and y["requires_grad"] is True
    assert y["graph"]["nodes"] == ["MulBackward0", "AccumulateGrad[x0]"]
    assert y["graph"]["edges"] == [[0, 1, 0], [0, 1, 0]]  # x0 used twice: one shared node
    assert obs["steps"][4]["grads"]["x0"]["values"] == [4.0, 8.0]  # 2*x, doubled by the hook
    assert obs["final"]["hook_calls"] == [["double", [2]]]
    assert obs["final"]["tensors"]["x0"]["version"] == 0


def test_warnings_and_grad_modes_recorded():
    p = _prog(Leaf("x0", [1.0], "float32", True), Call("y", "exp", (Ref("x0"),)), ReadGrad("r", "y"),
              Block("no_grad", (Call("z", "exp", (Ref("x0"),)),)))
    obs = execute(torch, p)
    assert obs["steps"][2]["warnings"][0]["category"] == "UserWarning"
    assert obs["steps"][4]["outputs"]["z"]["requires_grad"] is False
    assert torch.is_grad_enabled()


def test_nan_values_are_json_safe():
    obs = execute(torch, _prog(Leaf("x0", [float("nan"), float("inf"), -1.0], "float64"),
                               Call("y", "log", (Ref("x0"),))))
    assert obs["steps"][1]["outputs"]["y"]["values"] == ["nan", "inf", "nan"]
    json.dumps(obs, allow_nan=False)
