"""optim: training parity with torch (params, grads, state after every step), state_dict, schedulers."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
import torch

import reference_impl
from tests.helpers import assert_close, assert_same


def build(lib: Any) -> Any:
    return lib.nn.Sequential(lib.nn.Linear(4, 6), lib.nn.Tanh(), lib.nn.Linear(6, 3))


def twin_models() -> tuple[Any, Any]:
    """The same initial weights in both libraries (torch's init copied across)."""
    torch.manual_seed(0)
    tm = build(torch)
    rm = build(reference_impl)
    rm.load_state_dict({k: reference_impl.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    return tm, rm


X = np.random.RandomState(0).randn(8, 4).astype(np.float32)
Y = np.random.RandomState(1).randint(0, 3, 8)

CONFIGS = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "maximize": True, "eps": 1e-6}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.5, "amsgrad": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.2,
                 "maximize": True}),
]


def _assert_state_equal(*, actual: dict, expected: dict, what: str) -> None:
    assert list(actual) == list(expected), (
        f"{what}: state keys differ: torch {list(expected)}, ref {list(actual)}")
    for key, value in expected.items():
        if isinstance(value, torch.Tensor):
            assert_close(actual=actual[key], expected=value, rtol=1e-5, atol=1e-6, what=f"{what}[{key!r}]")
        else:
            assert actual[key] == value, f"{what}[{key!r}]: torch {value!r}, ref {actual[key]!r}"


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONFIGS)])
def test_training_parity_every_step(name: str, kwargs: dict) -> None:
    tm, rm = twin_models()
    to = getattr(torch.optim, name)(tm.parameters(), **kwargs)
    ro = getattr(reference_impl.optim, name)(rm.parameters(), **kwargs)
    for step in range(6):
        losses = []
        for lib, model, opt in ((torch, tm, to), (reference_impl, rm, ro)):
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(lib.tensor(X)), lib.tensor(Y))
            loss.backward()
            opt.step()
            losses.append(loss)
        assert_close(actual=losses[1], expected=losses[0], rtol=1e-5, atol=1e-6, what=f"loss at step {step}")
        for (pname, tp), rp in zip(tm.named_parameters(), rm.parameters()):
            where = f"{name} step {step} {pname}"
            assert_close(actual=rp, expected=tp, rtol=1e-5, atol=1e-6, what=where)
            assert_close(actual=rp.grad, expected=tp.grad, rtol=1e-5, atol=1e-6, what=where + ".grad")
            _assert_state_equal(actual=ro.state[rp], expected=to.state[tp], what=where + " state")
    assert_same(lambda lib: None)  # keeps helpers' global-state reset in effect


def test_closure_step_and_zero_grad_modes() -> None:
    def run(lib: Any) -> Any:
        p = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
        opt = lib.optim.SGD([p], lr=0.5)

        def closure() -> Any:
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss

        loss = opt.step(closure)
        opt.zero_grad(set_to_none=False)
        zeroed = p.grad.clone()
        opt.zero_grad()
        return loss, p, zeroed, p.grad

    assert_same(run)


def test_state_dict_structure_and_round_trip() -> None:
    def run(lib: Any) -> Any:
        torch_like = lib
        a = torch_like.nn.Parameter(torch_like.tensor([1.0, 2.0]))
        b = torch_like.nn.Parameter(torch_like.tensor([3.0]))
        opt = lib.optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, amsgrad=True)
        (a.sum() * b.sum()).backward()
        opt.step()
        sd = opt.state_dict()
        a2 = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
        b2 = lib.nn.Parameter(lib.tensor([3.0]))
        opt2 = lib.optim.Adam([{"params": [a2]}, {"params": [b2]}], lr=0.3)
        opt2.load_state_dict(sd)
        a2.grad, b2.grad = a.grad.clone(), b.grad.clone()
        opt.step()
        opt2.step()
        return sd, a, a2, b, b2, opt2.param_groups[1]["lr"], repr(opt2)

    assert_same(run)


@pytest.mark.parametrize("case", ["tensor_params", "empty", "set", "non_leaf", "overlap", "lr", "nesterov",
                                  "beta", "groups_mismatch"])
def test_optimizer_errors(case: str) -> None:
    def run(lib: Any) -> Any:
        p = lib.nn.Parameter(lib.ones(2))
        if case == "tensor_params":
            return lib.optim.SGD(p, lr=0.1)
        if case == "empty":
            return lib.optim.SGD([], lr=0.1)
        if case == "set":
            return lib.optim.SGD([{"params": {p}}], lr=0.1)
        if case == "non_leaf":
            return lib.optim.SGD([p * 2], lr=0.1)
        if case == "overlap":
            return lib.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
        if case == "lr":
            return lib.optim.Adam([p], lr=-1.0)
        if case == "nesterov":
            return lib.optim.SGD([p], lr=0.1, nesterov=True)
        if case == "beta":
            return lib.optim.AdamW([p], betas=(1.0, 0.9))
        opt = lib.optim.SGD([p], lr=0.1)
        return opt.load_state_dict({"state": {}, "param_groups": []})

    assert_same(run, expect_error=True)


SCHEDULERS = [
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [2, 5, 5], "gamma": 0.3}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 4, "eta_min": 0.01}),
    ("LambdaLR", {"lr_lambda": lambda epoch: 1.0 / (epoch + 1)}),
]


@pytest.mark.parametrize("name,kwargs", SCHEDULERS, ids=[n for n, _ in SCHEDULERS])
def test_scheduler_chainable_and_closed_form(name: str, kwargs: dict) -> None:
    def run(lib: Any) -> Any:
        p = lib.nn.Parameter(lib.ones(1))
        opt = lib.optim.SGD([{"params": [p]}, {"params": [lib.nn.Parameter(lib.ones(1))], "lr": 0.2}], lr=1.0)
        sched = getattr(lib.optim.lr_scheduler, name)(opt, **kwargs)
        lrs = [sched.get_last_lr()]
        for _ in range(10):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sched.step(3)  # deprecated epoch argument: the closed form
        lrs.append(sched.get_last_lr())
        return lrs, sched.last_epoch, opt.param_groups[0]["initial_lr"]

    assert_same(run, rtol=1e-12, atol=1e-12)


def test_scheduler_step_order_warning() -> None:
    def run(lib: Any) -> Any:
        opt = lib.optim.SGD([lib.nn.Parameter(lib.ones(1))], lr=1.0)
        sched = lib.optim.lr_scheduler.StepLR(opt, 1)
        sched.step()
        return sched.get_last_lr()

    assert_same(run)
