"""The per-test checker: run a program on both sides, compare, classify, record, raise.

Properties only build programs and call ``Checker.check``. A divergence that matches a
known-divergences entry is recorded with status "known" and does not fail the example (so
Hypothesis never spends time shrinking it); any other divergence raises ``Diverged`` and
Hypothesis shrinks it. The divergences of the last failing example -- after shrinking, the
minimal one -- are what the test reports.
"""

from __future__ import annotations

import functools
import hashlib
import json
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import hypothesis
from hypothesis import Phase

from conformance import known as known_mod
from conformance import oracle
from conformance.compare import Divergence, compare
from conformance.executor import execute
from conformance.program import Program
from conformance.registry import get

# Which divergence kinds each property owns (error types always count: after an error nothing
# else can be observed). Keeping them apart means one bug is reported by the property about it.
PROPERTY_KINDS: dict[str, set[str]] = {
    "requires_grad": {"requires_grad", "error_type"},
    "graph": {"grad_fn", "graph", "error_type"},
    "dtypes": {"dtype", "value", "error_type"},
    "gradients": {"value", "gradient", "error_type"},
    "errors": {"error_type", "error_message", "warning", "gradient", "requires_grad"},
    "programs": None,  # type: ignore[dict-item]  # everything
    "nn_modules": {"value", "gradient", "grad_fn", "requires_grad", "dtype", "error_type"},
    "module_semantics": {"value", "requires_grad", "dtype", "error_type"},
    "training": {"value", "gradient", "requires_grad", "dtype", "error_type"},
}
MESSAGES = {"errors", "programs"}
FULL_OBSERVATION = {"graph", "errors", "programs", "nn_modules"}


class Diverged(AssertionError):
    """An unexpected divergence: fails the Hypothesis example (and so the test)."""


@dataclass
class TestInfo:
    __test__ = False  # not a pytest test class
    nodeid: str
    property: str
    op: str | None = None
    dtype: str | None = None

    @property
    def name(self) -> str:
        return self.nodeid.split("::")[-1]


def divergence_id(test_name: str, kind: str, fld: str, program: dict[str, Any]) -> str:
    """Short stable hash: same test, kind, field and program give the same id on every run
    (the test *name*, not the nodeid, so running via the CLI or plain pytest agrees)."""
    blob = json.dumps([test_name, kind, fld, program], sort_keys=True, default=str)
    return hashlib.sha1(blob.encode()).hexdigest()[:12]


def _strip(obs: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obs.items() if not k.startswith("_")}


@dataclass
class Checker:
    """Bound to one test: knows the implementation, the known list, and the Hypothesis settings."""

    info: TestInfo
    torch: types.ModuleType
    impl: types.ModuleType
    impl_name: str
    known: list[known_mod.KnownEntry] = field(default_factory=list)
    settings: hypothesis.settings | None = None
    seed: int | None = None
    examples: int = 0
    unexpected: list[dict[str, Any]] = field(default_factory=list)
    known_found: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def listed(self) -> bool:
        i = self.info
        return any(e.covers(i.name, i.property, i.op, i.dtype) for e in self.known)

    def given(self, *strategies: Any, **kw: Any) -> Callable[[Callable[..., None]], Callable[[], None]]:
        """``hypothesis.given`` with this run's settings and seed; counts examples."""
        def deco(fn: Callable[..., None]) -> Callable[[], None]:
            @functools.wraps(fn)
            def counted(*a: Any, **k: Any) -> None:
                self.examples += 1
                fn(*a, **k)

            s = self.settings or hypothesis.settings()
            if self.listed:
                s = hypothesis.settings(s, phases=[p for p in s.phases if p != Phase.shrink])
            wrapped = hypothesis.given(*strategies, **kw)(counted)
            wrapped = s(wrapped)
            if self.seed is not None and not s.derandomize:
                wrapped = hypothesis.seed(self.seed)(wrapped)
            return wrapped
        return deco

    def once(self, fn: Callable[[], None]) -> None:
        """Run a check that needs no generated data (one example)."""
        self.examples += 1
        fn()

    def probe(self, program: Program) -> dict[str, Any]:
        """Torch's observation alone (to learn shapes before building the rest of a program)."""
        return execute(self.torch, program, full=False)

    def check(self, program: Program, *, kinds: set[str] | None = None, messages: bool | None = None,
              scale: float = 1.0) -> list[dict[str, Any]]:
        """Run ``program`` on torch and on the implementation; record and raise on divergence."""
        prop = self.info.property
        kinds = kinds if kinds is not None else PROPERTY_KINDS.get(prop)
        messages = prop in MESSAGES if messages is None else messages
        scale *= max([get(op).tol_scale for op in program.ops()] + [1.0])
        program = Program(program.steps, program.meta + (
            ("property", prop), ("kinds", sorted(kinds) if kinds else None), ("messages", messages),
            ("scale", scale)))
        divs, tobs, iobs = run_and_compare(self.torch, self.impl, program)
        if not divs:
            return []
        records = [self._record(d, program, tobs, iobs) for d in divs]
        unexpected = [r for r in records if r["status"] == "unexpected"]
        for r in records:
            if r["status"] == "known":
                key = r["known_key"] + "|" + r["kind"]
                old = self.known_found.get(key)
                if old is None or len(json.dumps(r["program"])) < len(json.dumps(old["program"])):
                    self.known_found[key] = r
        if unexpected:
            self.unexpected = unexpected
            lines = [f"{r['kind']} at step {r['step']} ({r['field']}): torch={_short(r['torch'])} "
                     f"impl={_short(r['impl'])}" + (f" [fd: {r['fd_verdict']}]" if r["fd_verdict"] else "")
                     for r in unexpected]
            raise Diverged(f"{self.impl_name} diverges from torch:\n  " + "\n  ".join(lines) +
                           "\nreproducer:\n" + unexpected[0]["reproducer"]["impl"])
        return records

    def _record(self, d: Divergence, program: Program, tobs: dict[str, Any], iobs: dict[str, Any]) -> dict[str, Any]:
        i = self.info
        entry = known_mod.find(self.known, i.name, i.property, i.op, i.dtype, d.kind)
        prog = program.to_json()
        errors = {s["index"] for o in (tobs, iobs) for s in o["steps"] if s.get("error")}
        return {
            "id": divergence_id(i.name, d.kind, d.field, prog),
            "test_id": i.nodeid, "property": i.property, "op": i.op, "dtype": i.dtype,
            "kind": d.kind, "status": "known" if entry else "unexpected",
            "known_reason": entry.reason if entry else None,
            "known_key": known_mod.entry_key(entry) if entry else None,
            "step": d.step, "field": d.field, "torch": d.torch, "impl": d.impl,
            "max_abs_err": d.max_abs_err, "max_rel_err": d.max_rel_err, "where": d.where,
            "fd_verdict": d.fd_verdict,
            "torch_observation": _strip(tobs), "impl_observation": _strip(iobs), "program": prog,
            "reproducer": {"torch": program.to_script(errors=errors),
                           "impl": program.to_script(impl=self.impl_name, errors=errors)},
        }


def run_and_compare(torch: types.ModuleType, impl: types.ModuleType, program: Program
                    ) -> tuple[list[Divergence], dict[str, Any], dict[str, Any]]:
    """Execute on both sides and compare with the options recorded in ``program.meta``."""
    prop = program.get_meta("property", "programs")
    full = prop in FULL_OBSERVATION
    tobs = execute(torch, program, full=full)
    iobs = execute(impl, program, full=full)
    kinds = program.get_meta("kinds")
    divs = compare(tobs, iobs, kinds=set(kinds) if kinds else None,
                   messages=bool(program.get_meta("messages", False)), scale=program.get_meta("scale", 1.0))
    for d in divs:
        if d.kind == "gradient" and ".grad." in d.field:
            d.fd_verdict = oracle.verdict(torch, program, tobs, iobs, d.step, d.field)
    return divs, tobs, iobs


def _short(v: Any, n: int = 160) -> str:
    s = json.dumps(v, default=str)
    return s if len(s) <= n else s[: n - 1] + "…"
