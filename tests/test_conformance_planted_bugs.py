"""Planted bugs: small semantic faults injected into reference_impl must be caught.

Each bug patches the engine with ``monkeypatch`` and names the property probes (property,
registry entry, dtype) that should notice it. A probe runs the real property test function at
CI-profile strength (derandomized, CI example count). The test first checks that the probes
pass on the unpatched engine (otherwise they would prove nothing), then that at least one of
them fails with the bug in place, and records which property caught it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import torch

from conformance import profiles
from conformance.harness import Checker, TestInfo
from conformance.properties import (
    test_dtypes,
    test_errors,
    test_gradients,
    test_graph,
    test_module_semantics,
    test_nn_modules,
    test_programs,
    test_requires_grad,
    test_training,
)
from conformance.registry import MODULES, OPTIMIZERS, get

R = pytest.importorskip("reference_impl")
from reference_impl import _dtype as D  # noqa: E402
from reference_impl import _tensor, autograd  # noqa: E402
from reference_impl._ops import inplace  # noqa: E402
from reference_impl.autograd import engine, grad_mode, graph  # noqa: E402

Patch = Callable[[pytest.MonkeyPatch], Callable[[], None] | None]  # may return an undo
Probe = tuple[str, str | None, str | None]  # property, entry (or int dtype for the rg check), dtype/path


def _node(name: str) -> type:
    cls = graph._classes.get(name)
    if cls is None:
        pytest.fail(f"cannot plant bug: reference_impl has no node class {name!r} any more")
    return cls


def _formula(mp: pytest.MonkeyPatch, node: str, *formulas: Callable[..., Any]) -> None:
    mp.setattr(_node(node), "formulas", formulas)


def _mode_ignored(cls: type) -> Patch:
    """The grad-mode context manager saves the state for its exit but never changes it."""
    state = grad_mode.state

    def patch(mp: pytest.MonkeyPatch) -> None:
        if cls is grad_mode.set_grad_enabled:  # takes effect on construction
            def init(self: Any, mode: bool) -> None:
                self.prev, self.mode = state.enabled, mode
            mp.setattr(cls, "__init__", init)
        elif cls is grad_mode.inference_mode:
            mp.setattr(cls, "__enter__", lambda self: setattr(self, "prev", (state.enabled, state.inference)))
        else:
            mp.setattr(cls, "__enter__", lambda self: setattr(self, "prev", state.enabled))
    return patch


def _zero_dim_like_dimensioned(mp: pytest.MonkeyPatch) -> None:
    orig = D.result_dtype

    @functools.wraps(orig)
    def bad(*ops: Any) -> Any:
        ds = [getattr(x, "_dtype", None) for x in ops]
        if all(d is not None for d in ds):
            return functools.reduce(D.promote_types, ds)
        return orig(*ops)
    mp.setattr(D, "result_dtype", bad)


def _accumulate_overwrites(mp: pytest.MonkeyPatch) -> None:
    def bad(t: Any, grad: Any, create_graph: bool) -> None:
        t._grad = engine._fresh(grad)
    mp.setattr(engine, "accumulate_grad", bad)


def _version_not_bumped(mp: pytest.MonkeyPatch) -> None:
    orig = inplace.commit

    def bad(self: Any, result: Any) -> Any:
        before = self._vc[0]
        out = orig(self, result)
        self._vc[0] = before
        return out
    mp.setattr(inplace, "commit", bad)


def _hook_return_ignored(mp: pytest.MonkeyPatch) -> None:
    def bad(hooks: dict, grad: Any) -> Any:
        for hook in tuple(hooks.values()):
            hook(grad)
        return grad
    mp.setattr(engine, "_call_hooks", bad)


def _inplace_on_leaf_allowed(mp: pytest.MonkeyPatch) -> None:
    orig = inplace.check_inplace

    def bad(self: Any, *others: Any) -> None:
        flag = self._requires_grad
        self._requires_grad = False
        try:
            orig(self, *others)
        finally:
            self._requires_grad = flag
    mp.setattr(inplace, "check_inplace", bad)


def _int_requires_grad_accepted(mp: pytest.MonkeyPatch) -> None:
    def bad(self: Any, requires_grad: bool = True) -> Any:
        self._requires_grad = requires_grad
        return self
    mp.setattr(_tensor.Tensor, "requires_grad_", bad)


def _keep_graph(value: bool) -> Patch:
    def patch(mp: pytest.MonkeyPatch) -> None:
        orig = autograd.run_backward

        def bad(roots: Any, grads: Any, keep_graph: bool, *a: Any, **k: Any) -> Any:
            return orig(roots, grads, value, *a, **k)
        mp.setattr(autograd, "run_backward", bad)
    return patch


def _no_nonleaf_warning(mp: pytest.MonkeyPatch) -> None:
    class Silent:
        @staticmethod
        def warn(*a: Any, **k: Any) -> None:
            return None
    mp.setattr(_tensor, "warnings", Silent)


def _wrap_function(name: str, fn: Callable[..., Any], *, module: Any = None) -> Patch:
    def patch(mp: pytest.MonkeyPatch) -> None:
        ns = module if module is not None else R
        orig = getattr(ns, name)
        mp.setattr(ns, name, fn(orig))
    return patch


def _detach_keeps_requires_grad(mp: pytest.MonkeyPatch) -> None:
    orig = _tensor.Tensor.detach

    def bad(self: Any) -> Any:
        out = orig(self)
        out._requires_grad = self.requires_grad
        return out
    mp.setattr(_tensor.Tensor, "detach", bad)


def _rename(mp: pytest.MonkeyPatch) -> Callable[[], None]:
    # monkeypatch cannot restore a type's __name__ (it would delete it): return the undo instead
    cls = _node("ExpBackward0")
    cls.__name__ = "ExpBackward1"
    return lambda: setattr(cls, "__name__", "ExpBackward0")


def _broadcast_not_reduced(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(engine, "_sum_to", lambda grad, shape: grad)


def _linear_bias_detached(mp: pytest.MonkeyPatch) -> None:
    F = R.nn.functional
    mp.setattr(R.nn.Linear, "forward",
               lambda self, x: F.linear(x, self.weight, None if self.bias is None else self.bias.detach()))


def _sgd_lr_off(mp: pytest.MonkeyPatch) -> None:
    orig = R.optim.SGD.step

    def step(self: Any, closure: Any = None) -> Any:
        for group in self.param_groups:
            group["lr"] *= 1.01
        try:
            return orig(self, closure)
        finally:
            for group in self.param_groups:
                group["lr"] /= 1.01
    mp.setattr(R.optim.SGD, "step", step)


def _train_not_recursive(mp: pytest.MonkeyPatch) -> None:
    def train(self: Any, mode: bool = True) -> Any:
        self.training = mode
        return self
    mp.setattr(R.nn.Module, "train", train)


def _parameters_sorted(mp: pytest.MonkeyPatch) -> None:
    orig = R.nn.Module.named_parameters
    mp.setattr(R.nn.Module, "named_parameters", lambda self, *a, **k: iter(sorted(orig(self, *a, **k),
                                                                                  key=lambda kv: kv[0])))


@dataclass(frozen=True)
class Bug:
    name: str
    patch: Patch
    probes: tuple[Probe, ...]


BUGS = (
    Bug("no_grad_not_honoured", _mode_ignored(grad_mode.no_grad), (("requires_grad", "exp", None),)),
    Bug("set_grad_enabled_false_ignored", _mode_ignored(grad_mode.set_grad_enabled),
        (("requires_grad", "exp", None),)),
    Bug("enable_grad_ignored", _mode_ignored(grad_mode.enable_grad), (("requires_grad", "exp", None),)),
    Bug("inference_mode_ignored", _mode_ignored(grad_mode.inference_mode), (("requires_grad", "exp", None),)),
    Bug("broadcast_gradient_not_reduced", _broadcast_not_reduced, (("gradients", "add", "float32"),)),
    Bug("wrong_grad_fn_name", _rename, (("graph", "exp", None),)),
    Bug("int_requires_grad_accepted", _int_requires_grad_accepted, (("rg_int", "int64", "method"),)),
    Bug("accumulation_overwrites", _accumulate_overwrites, (("errors", "exp", None), ("programs", "exp", None))),
    Bug("version_counter_not_bumped", _version_not_bumped, (("graph", "mul_.inplace", None),)),
    Bug("zero_dim_dtype_promotion", _zero_dim_like_dimensioned, (("dtypes", "add", None),)),
    Bug("hook_return_ignored", _hook_return_ignored, (("errors", "exp", None),)),
    Bug("inplace_on_leaf_allowed", _inplace_on_leaf_allowed, (("errors", "exp", None),)),
    Bug("retain_graph_ignored", _keep_graph(False), (("errors", "exp", None),)),
    Bug("graph_never_freed", _keep_graph(True), (("errors", "exp", None),)),
    Bug("nonleaf_grad_warning_missing", _no_nonleaf_warning, (("errors", "exp", None),)),
    Bug("detach_keeps_requires_grad", _detach_keeps_requires_grad,
        (("requires_grad", "exp", None), ("programs", "exp", None))),
    Bug("exp_gradient_wrong", lambda mp: _formula(mp, "ExpBackward0", lambda g, y: g * y * 1.01),
        (("gradients", "exp", "float64"),)),
    Bug("mul_gradients_swapped", lambda mp: _formula(mp, "MulBackward0", lambda g, a, b: g * a, lambda g, a, b: g * b),
        (("gradients", "mul", "float64"),)),
    Bug("clamp_passes_gradient_outside_range", lambda mp: _formula(mp, "ClampBackward1", lambda g, x, lo, hi: g),
        (("gradients", "clamp", "float32"),)),
    Bug("transpose_backward_identity", lambda mp: _formula(mp, "TBackward0", lambda g: g),
        (("gradients", "t", "float32"),)),
    Bug("sum_keepdim_ignored", _wrap_function("sum", lambda f: lambda x, *a, keepdim=False, **k: f(x, *a, **k)),
        (("dtypes", "sum", None),)),
    Bug("softmax_always_last_dim", _wrap_function(
        "softmax", lambda f: lambda x, dim=None, *a, **k: f(x, -1, *a, **k), module=R.nn.functional),
        (("dtypes", "F.softmax", None),)),
    Bug("matmul_vector_dot_keeps_a_dim", _wrap_function(
        "matmul", lambda f: lambda a, b: f(a, b).reshape(1) if a.dim() == 1 and b.dim() == 1 else f(a, b)),
        (("dtypes", "matmul", None),)),
    Bug("var_ignores_correction", _wrap_function(
        "var", lambda f: lambda x, *a, correction=None, **k: f(x, *a, **k)), (("dtypes", "var", None),)),
    Bug("linear_bias_gets_no_gradient", _linear_bias_detached, (("nn_modules", "nn.Linear", "float32"),)),
    Bug("sgd_lr_off_by_one_percent", _sgd_lr_off, (("training", "optim.SGD", "float64"),)),
    Bug("eval_not_recursive", _train_not_recursive, (("module_semantics", "eval", None),)),
    Bug("named_parameters_sorted", _parameters_sorted, (("module_semantics", "register_parameter", None),)),
)
_NN = {s.name: s for s in (*MODULES, *OPTIMIZERS)}
_SEMANTICS = dict(test_module_semantics._ACTIONS)

_TESTS = {"requires_grad": test_requires_grad.test_requires_grad, "graph": test_graph.test_graph,
          "dtypes": test_dtypes.test_dtypes, "gradients": test_gradients.test_gradients,
          "errors": test_errors.test_errors, "programs": test_programs.test_programs,
          "rg_int": test_dtypes.test_requires_grad_on_integer_dtype, "nn_modules": test_nn_modules.test_nn_modules,
          "training": test_training.test_training, "module_semantics": test_module_semantics.test_module_semantics}


def run_probe(probe: Probe) -> list[dict[str, Any]]:
    """Run one property on one entry against reference_impl; the unexpected divergences found."""
    prop, entry, extra = probe
    spec = None if prop in ("rg_int", "module_semantics") else _NN[entry] if prop in ("nn_modules", "training") \
        else get(entry)
    name = f"test_{prop}[{entry}{'-' + extra if extra else ''}]"
    info = TestInfo(f"planted::{name}", "dtypes" if prop == "rg_int" else prop, spec.op if spec else None,
                    extra if prop in ("gradients", "nn_modules", "training") else None)
    checker = Checker(info, torch, R, "reference_impl", [], profiles.get("ci"), None)
    torch.set_warn_always(True)
    fn = _TESTS[prop]
    try:
        if prop in ("gradients", "nn_modules", "training"):
            fn(spec, extra, checker)
        elif prop == "module_semantics":
            fn(_SEMANTICS[entry], checker)
        elif prop == "rg_int":
            fn(entry, extra, checker)
        else:
            fn(spec, checker)
    except Exception:
        if not checker.unexpected:
            raise
    return checker.unexpected


@pytest.mark.parametrize("bug", BUGS, ids=lambda b: b.name)
def test_planted_bug_is_detected(bug, monkeypatch, record_property, request):
    for probe in bug.probes:
        baseline = run_probe(probe)
        if baseline:
            pytest.skip(f"probe {probe} already diverges on the unpatched engine "
                        f"({baseline[0]['kind']} {baseline[0]['field']}); it cannot prove detection")
    undo = bug.patch(monkeypatch)
    if undo is not None:
        request.addfinalizer(undo)
    caught = []
    for probe in bug.probes:
        found = run_probe(probe)
        if found:
            caught.append((probe[0], sorted({d["kind"] for d in found})))
    record_property("caught_by", repr(caught))
    print(f"{bug.name}: caught by {caught}")
    assert caught, f"planted bug {bug.name!r} went unnoticed by {bug.probes}"
