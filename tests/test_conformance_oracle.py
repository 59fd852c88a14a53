"""FD oracle: names the side whose gradient matches finite differences; kinks are inconclusive."""

from __future__ import annotations

import copy

import torch

from conformance.executor import execute
from conformance.oracle import verdict
from conformance.program import Backward, Call, Hook, Leaf, Program, Ref


def _program(op, values):
    return Program((Leaf("x0", values, "float64", True), Leaf("g", [1.0] * len(values), "float64"),
                    Call("y", op, (Ref("x0"),)), Backward("y", gradient="g")))


def _with_grad(obs, values):
    bad = copy.deepcopy(obs)
    bad["steps"][3]["grads"]["x0"]["values"] = values
    return bad


def test_verdict_names_the_correct_side():
    p = _program("sin", [0.3, -1.2])
    obs = execute(torch, p)
    wrong = _with_grad(obs, [1.0, 1.0])
    assert verdict(torch, p, obs, wrong, 3, "x0.grad.values") == "torch"
    assert verdict(torch, p, wrong, obs, 3, "x0.grad.values") == "impl"
    assert verdict(torch, p, obs, obs, 3, "x0.grad.values") == "both"
    assert verdict(torch, p, wrong, wrong, 3, "x0.grad.values") == "neither"


def test_central_differences_for_non_analytic_ops():
    p = _program("abs", [0.5, -1.5])
    obs = execute(torch, p)
    assert verdict(torch, p, obs, _with_grad(obs, [0.0, 0.0]), 3, "x0.grad.values") == "torch"


def test_kinks_are_inconclusive():
    p = _program("abs", [0.0, 1.0])
    obs = execute(torch, p)
    assert verdict(torch, p, obs, _with_grad(obs, [5.0, 1.0]), 3, "x0.grad.values") == "inconclusive"


def test_programs_with_hooks_are_inconclusive():
    p = Program((Leaf("x0", [0.3], "float64", True), Hook("x0", "hook_double"),
                 Call("y", "sin", (Ref("x0"),)), Backward("y", gradient=None)))
    obs = execute(torch, p)
    assert verdict(torch, p, obs, obs, 3, "x0.grad.values") == "inconclusive"
