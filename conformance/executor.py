"""Run a program against a namespace and record what happened, step by step.

The executor exec's each step's rendered source in an environment where ``torch`` is the
namespace under test, so what runs is exactly what ``Program.to_script`` prints. Nothing the
implementation raises escapes: exceptions, warnings, and every produced value become part of
the (JSON-serialisable) observation.

Observation layout::

    {"steps": [{"index", "code", "error", "warnings", "outputs": {name: obs},
                "grads": {leaf: obs}  # only after backward / autograd.grad}],
     "final": {"hook_calls": [...], "tensors": {name: {"version", "requires_grad", "grad"}}}}
"""

from __future__ import annotations

import math
import types
import warnings
from functools import lru_cache
from typing import Any

from conformance import hooks
from conformance.observe import _safe, error_info, observe
from conformance.program import Backward, Block, Grad, Program, refs_in

_GRAD_STEPS = (Backward, Grad)


@lru_cache(maxsize=65536)
def _compile(code: str) -> types.CodeType:
    return compile(code, "<program>", "exec")


@lru_cache(maxsize=1)
def _hook_code() -> types.CodeType:
    return compile(hooks.source(), "<hooks>", "exec")


_PLANS: dict[int, tuple[Any, dict[int, tuple[str, frozenset[str]]]]] = {}


def _plan(program: Program) -> dict[int, tuple[str, frozenset[str]]]:
    """id(step) -> (source, names it reads); computed once per program, shared by both sides."""
    hit = _PLANS.get(id(program))
    if hit is not None and hit[0] is program:
        return hit[1]
    plan = {id(s): (s.render("torch"), frozenset(_step_refs(s))) for _, _, s in program.flat()}
    if len(_PLANS) > 256:
        _PLANS.clear()
    _PLANS[id(program)] = (program, plan)
    return plan


def _step_refs(step: Any) -> set[str]:
    """Names a step reads, so a step depending on a failed one is skipped, not mis-run."""
    out: set[str] = set()
    for name in ("src", "gradient"):
        v = getattr(step, name, None)
        if isinstance(v, str):
            out.add(v)
    for name in ("args", "kwargs", "inputs", "outputs_", "grad_outputs", "reads"):
        v = getattr(step, name, None)
        if v is not None:
            if name == "kwargs":
                v = tuple(x for _, x in v)
            if name in ("inputs", "outputs_", "grad_outputs", "reads"):
                out.update(x for x in v if isinstance(x, str))
            else:
                out.update(refs_in(v))
    return out


class _Run:
    def __init__(self, ns: types.ModuleType, program: Program, overrides: dict[str, Any] | None):
        self.ns = ns
        self.program = program
        self.overrides = overrides or {}
        self.env: dict[str, Any] = {"torch": ns, "nan": math.nan, "inf": math.inf}
        exec(_hook_code(), self.env)
        self.tensor_type = getattr(ns, "Tensor", type(None))
        self.leaves = program.leaves()
        self.plan = _plan(program)
        self.steps: list[dict[str, Any]] = []
        self.failed: set[str] = set()
        self.index = 0

    def names(self) -> dict[int, str]:
        """id(tensor) -> program name (labels AccumulateGrad nodes in graphs)."""
        out = {}
        for k, v in self.env.items():
            if isinstance(v, self.tensor_type) and id(v) not in out:
                out[id(v)] = k
        return out

    def grads(self, names: dict[int, str]) -> dict[str, Any]:
        out = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for n in self.leaves:
                t = self.env.get(n)
                if t is not None and isinstance(t, self.tensor_type):
                    g = _safe(lambda t=t: t.grad)
                    out[n] = g if isinstance(g, dict) else observe(g, self.tensor_type, names, full=False)
        return out

    def run_steps(self, steps: tuple[Any, ...], observe_full: bool) -> None:
        for step in steps:
            code, reads = self.plan[id(step)]
            record: dict[str, Any] = {"index": self.index, "code": code, "error": None,
                                      "warnings": [], "outputs": {}}
            self.index += 1
            self.steps.append(record)
            missing = sorted(n for n in reads if n in self.failed or n not in self.env)
            if missing:
                record["error"] = {"type": "Skipped", "message": f"needs {', '.join(missing)}"}
                self._fail(step)
                continue
            if isinstance(step, Block):
                self._block(step, record, observe_full)
                continue
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    if getattr(step, "out", None) in self.overrides:
                        self.env[step.out] = self.overrides[step.out]
                    else:
                        exec(_compile(record["code"]), self.env)
                except Exception as exc:
                    record["error"] = error_info(exc)
                    self._fail(step)
            record["warnings"] = [{"category": w.category.__name__, "message": str(w.message)}
                                  for w in caught]
            names = self.names() if observe_full else {}
            if record["error"] is None:
                for out in step.outputs():
                    record["outputs"][out] = observe(self.env.get(out), self.tensor_type, names,
                                                     full=observe_full)
            if isinstance(step, _GRAD_STEPS):
                record["grads"] = self.grads(names)

    def _fail(self, step: Any) -> None:
        for out in step.outputs():
            self.failed.add(out)
        if isinstance(step, Block):
            for s in step.body:
                self._fail(s)

    def _block(self, step: Block, record: dict[str, Any], observe_full: bool) -> None:
        try:
            ctx = eval(step.header("torch"), self.env)
            ctx.__enter__()
        except Exception as exc:
            record["error"] = error_info(exc)
            self._fail(step)
            for _, _, s in Program(step.body).flat():
                self.steps.append({"index": self.index, "code": s.render("torch"),
                                   "error": {"type": "Skipped", "message": "block failed"},
                                   "warnings": [], "outputs": {}})
                self.index += 1
            return
        try:
            self.run_steps(step.body, observe_full)
        finally:
            try:
                ctx.__exit__(None, None, None)
            except Exception as exc:
                record["error"] = error_info(exc)

    def final(self) -> dict[str, Any]:
        names = self.names()
        tensors = {}
        for n in sorted(k for k, v in self.env.items() if isinstance(v, self.tensor_type)):
            t = self.env[n]
            tensors[n] = {"version": _safe(lambda t=t: int(t._version)),
                          "requires_grad": _safe(lambda t=t: bool(t.requires_grad))}
        grads = self.grads(names)
        for n, g in grads.items():
            tensors.setdefault(n, {})["grad"] = g
        calls = self.env.get("HOOK_CALLS")
        return {"hook_calls": list(calls) if isinstance(calls, list) else None, "tensors": tensors}


def execute(ns: types.ModuleType, program: Program, *, full: bool = True,
            overrides: dict[str, Any] | None = None, keep_env: bool = False) -> dict[str, Any]:
    """Run ``program`` with ``torch`` bound to ``ns``; return its observation.

    ``full=False`` skips graph/version/leaf fields (cheaper, for properties that ignore them).
    ``overrides`` binds given step outputs to ready-made values instead of running the step
    (the oracle uses it to feed perturbed leaves). ``keep_env`` adds the live environment
    under ``"_env"`` (not serialisable; for the oracle).
    """
    run = _Run(ns, program, overrides)
    try:
        run.run_steps(program.steps, full)
        final = run.final()
    except Exception as exc:  # defensive: a broken __eq__/__repr__ must not escape either
        final = {"hook_calls": None, "tensors": {}, "error": error_info(exc)}
    obs: dict[str, Any] = {"steps": run.steps, "final": final}
    if keep_env:
        obs["_env"] = run.env
    return obs
