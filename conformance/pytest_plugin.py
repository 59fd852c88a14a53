"""pytest plugin (entry point ``pytest11: conformance``): options, fixture, result files.

Loaded in every pytest run of this environment, so it stays inert unless conformance
property tests (items marked ``conformance_case``) are collected: no files are written, no
summary is printed, and Hypothesis profiles are only applied per test.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import random
import shlex
import sys
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conformance import known as known_mod
from conformance import profiles, program, results
from conformance.registry import matches_name

MARK = "conformance_case"
_PROPS = "conformance_record"
BACKENDS = ("numpy", "torch")
DEVICES = ("cpu", "cuda")
CUDA_UNAVAILABLE = "CUDA is not available on this machine"


@dataclass
class RunState:
    impl_name: str
    profile: str
    seed: int
    seed_given: bool
    max_examples: int | None
    output_dir: Path | None
    ops: list[str] | None
    properties: list[str] | None
    strict_known: bool
    known_file: str | None
    backend: str | None = None
    """Buffer backend to switch the implementation to (None: leave its default)."""
    device: str = "cpu"
    started: float = field(default_factory=time.time)
    started_iso: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    active: bool = False
    tests: list[dict[str, Any]] = field(default_factory=list)
    divergences: dict[str, dict[str, Any]] = field(default_factory=dict)
    _impl: Any = None
    _known: list[known_mod.KnownEntry] | None = None

    def impl(self) -> Any:
        if self._impl is None:
            impl = importlib.import_module(self.impl_name)
            if self.backend is not None:
                set_backend = getattr(impl, "set_backend", None)
                if not callable(set_backend):
                    raise RuntimeError(f"{self.impl_name} has no set_backend(): cannot use --backend {self.backend}")
                set_backend(self.backend)
            self._impl = impl
        return self._impl

    def known(self) -> list[known_mod.KnownEntry]:
        if self._known is None:
            self._known = known_mod.load(self.known_file, self.impl_name)
        return self._known


_STATE = pytest.StashKey[RunState]()


def _split(v: str | None) -> list[str] | None:
    return [x.strip() for x in v.split(",") if x.strip()] if v else None


def pytest_addoption(parser: pytest.Parser) -> None:
    g = parser.getgroup("conformance", "autograd conformance suite")
    g.addoption("--impl", default="reference_impl", help="module to check against torch")
    g.addoption("--conformance-profile", default="dev", choices=profiles.PROFILES)
    g.addoption("--conformance-max-examples", type=int, default=None)
    g.addoption("--conformance-seed", type=int, default=None)
    g.addoption("--conformance-output-dir", default="reports", help="'' to write nothing")
    g.addoption("--conformance-ops", default=None, help="comma list of op globs")
    g.addoption("--conformance-properties", default=None, help="comma list of properties")
    g.addoption("--strict-known", action="store_true", help="stale known divergences fail the run")
    g.addoption("--known-file", default=None, help="known-divergences TOML (default: packaged)")
    g.addoption("--conformance-backend", default=None, choices=BACKENDS,
                help="buffer backend of the implementation (its set_backend); default: its own default")
    g.addoption("--conformance-device", default="cpu", choices=DEVICES,
                help="device leaf tensors and modules are created on, on both sides")
    g.addoption("--conformance-no-table", action="store_true", help=argparse.SUPPRESS)


def pytest_configure(config: pytest.Config) -> None:
    profiles.register()  # conformance-dev / -ci / -thorough; applied per test, never loaded globally
    config.addinivalue_line("markers", f"{MARK}(property, op, dtype, entry): a conformance property test")
    winput = getattr(config, "workerinput", None)
    seed = config.getoption("conformance_seed")
    seed_given = seed is not None
    if winput and "conformance_seed" in winput:
        seed = winput["conformance_seed"]
    if seed is None:
        seed = 0 if profiles.ci_env() else random.randrange(2**31)
    out = config.getoption("conformance_output_dir")
    device = config.getoption("conformance_device")
    if device != "cpu":
        import torch

        if not torch.cuda.is_available():
            raise pytest.UsageError(CUDA_UNAVAILABLE)
    program.set_device(device)
    backend = config.getoption("conformance_backend")
    if backend is not None:
        os.environ["REFERENCE_IMPL_BACKEND"] = backend  # reference_impl reads it at import (xdist workers too)
    config.stash[_STATE] = RunState(
        impl_name=config.getoption("impl"), profile=config.getoption("conformance_profile"), seed=seed,
        seed_given=seed_given, max_examples=config.getoption("conformance_max_examples"),
        output_dir=Path(out) if out else None, ops=_split(config.getoption("conformance_ops")),
        properties=_split(config.getoption("conformance_properties")),
        strict_known=config.getoption("strict_known"), known_file=config.getoption("known_file"),
        backend=backend, device=device)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:  # xdist controller -> worker: share the run seed
    node.workerinput["conformance_seed"] = node.config.stash[_STATE].seed


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    state = config.stash[_STATE]
    keep, drop = [], []
    for item in items:
        m = item.get_closest_marker(MARK)
        if m is None:
            keep.append(item)
            continue
        state.active = True
        spec_name = m.kwargs.get("entry")
        ok = state.properties is None or m.kwargs["property"] in state.properties
        if ok and state.ops is not None:
            ok = spec_name is not None and matches_name(spec_name, m.kwargs.get("op"), state.ops)
        (keep if ok else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture
def conformance(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A ``Checker`` for this test (impl, known list, Hypothesis settings, seed)."""
    import torch

    from conformance.harness import Checker, TestInfo

    state = request.config.stash[_STATE]
    m = request.node.get_closest_marker(MARK)
    kw = m.kwargs if m else {}
    try:
        impl = state.impl()
    except Exception as exc:
        pytest.exit(f"cannot import implementation {state.impl_name!r}: {type(exc).__name__}: {exc}", 2)
    for ns in (torch, impl):  # warn-once warnings would otherwise reach only the first side
        if callable(getattr(ns, "set_warn_always", None)):
            ns.set_warn_always(True)
    info = TestInfo(request.node.nodeid, kw.get("property", "?"), kw.get("op"), kw.get("dtype"))
    seed = zlib.crc32(f"{state.seed}:{request.node.nodeid}".encode())
    checker = Checker(info, torch, impl, state.impl_name, state.known(),
                      profiles.get(state.profile, state.max_examples, state.seed_given), seed)
    # Hypothesis documents this module constant as monkeypatchable: it caps shrinking time per
    # failure, so a run with many divergences still fits the profile's time budget.
    from hypothesis.internal.conjecture import engine

    if hasattr(engine, "MAX_SHRINKING_SECONDS"):
        monkeypatch.setattr(engine, "MAX_SHRINKING_SECONDS", profiles.SHRINK_BUDGET_S[state.profile])
    request.node.stash[_CHECKER] = checker
    return checker


_CHECKER = pytest.StashKey[Any]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    m = item.get_closest_marker(MARK)
    if m is None:
        return report
    if report.when == "call" or (report.when == "setup" and not report.passed):
        checker = item.stash.get(_CHECKER, None)
        report.user_properties.append((_PROPS, json.dumps(_test_record(item, report, m, checker), default=str)))
    return report


def _test_record(item: pytest.Item, report: pytest.TestReport, m: pytest.Mark, checker: Any) -> dict[str, Any]:
    divs: list[dict[str, Any]] = []
    if checker is not None:
        divs = list(checker.known_found.values())
        if report.failed:
            divs = checker.unexpected + divs
    if report.skipped:
        outcome = "skipped"
    elif report.failed:
        outcome = "diverged" if checker is not None and checker.unexpected else "error"
    else:
        outcome = "known" if divs else "passed"
    skip_reason = None
    if report.skipped and isinstance(report.longrepr, tuple):
        skip_reason = str(report.longrepr[2]).removeprefix("Skipped: ")
    message = None
    if outcome == "error":
        message = str(report.longreprtext).strip().splitlines()[-1:] or [""]
        message = message[0][:500]
    return {
        "test": {"id": item.nodeid, "property": m.kwargs.get("property"), "op": m.kwargs.get("op"),
                 "dtype": m.kwargs.get("dtype"), "outcome": outcome,
                 "examples": checker.examples if checker else 0, "duration_s": round(report.duration, 4),
                 "divergence_ids": [d["id"] for d in divs], "skip_reason": skip_reason, "message": message},
        "divergences": divs,
    }


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    for key, value in report.user_properties:
        if key == _PROPS:
            rec = json.loads(value)
            _pending.append(rec)


_pending: list[dict[str, Any]] = []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    state = config.stash.get(_STATE, None)
    if state is None or hasattr(config, "workerinput"):
        return
    for rec in _pending:
        state.tests.append(rec["test"])
        for d in rec["divergences"]:
            state.divergences[d["id"]] = d
    _pending.clear()
    if not state.tests:
        return
    state.active = True
    try:
        entries = state.known()
    except known_mod.KnownFileError:
        entries = []
    stale = {known_mod.entry_key(e) for e in known_mod.stale_entries(entries, state.tests,
                                                                      list(state.divergences.values()))}
    known_json = [e.to_json(known_mod.entry_key(e) in stale) for e in entries]
    duration = time.time() - state.started
    examples = sum(t["examples"] for t in state.tests)
    try:
        impl = state.impl()
        backend = getattr(impl, "_backend_name", "numpy")
        vers = results.versions(impl, state.impl_name)
    except Exception:
        backend, vers = "unknown", {}
    derandomized = profiles.get(state.profile, None, state.seed_given).derandomize
    run = {"impl": state.impl_name, "backend": backend, "device": state.device, "profile": state.profile,
           "seed": 0 if derandomized else state.seed, "derandomized": derandomized,
           "started": state.started_iso, "duration_s": round(duration, 3), "versions": vers,
           "examples": examples, "examples_per_second": round(examples / duration, 2) if duration else 0.0,
           "filters": {"ops": state.ops, "properties": state.properties},
           "command": " ".join(shlex.quote(a) for a in sys.argv)}
    data = results.build(run, state.tests, list(state.divergences.values()), known_json)
    config.stash[_RESULTS] = data
    if state.output_dir is not None:
        try:
            results.write(state.output_dir, data)
        except OSError as exc:
            config.stash[_WRITE_ERROR] = f"cannot write results to {state.output_dir}: {exc}"
            session.exitstatus = pytest.ExitCode.USAGE_ERROR
    if state.strict_known and stale and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_RESULTS = pytest.StashKey[dict]()
_WRITE_ERROR = pytest.StashKey[str]()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    data = config.stash.get(_RESULTS, None)
    if data is None:
        return
    error = config.stash.get(_WRITE_ERROR, None)
    if error:
        terminalreporter.write_line(f"autograd-conformance: error: {error}", red=True)
    if config.getoption("conformance_no_table"):
        return  # the CLI prints its own summary
    tr = terminalreporter
    tr.section("autograd conformance")
    tr.write_line(f"impl={data['run']['impl']} profile={data['run']['profile']} seed={data['run']['seed']}")
    tr.write_line(results.table(data["summary"]))
    for k in data["known_divergences"]:
        if k["stale"]:
            tr.write_line(f"STALE known divergence: {k['key']} ({k['reason']})")
    state = config.stash[_STATE]
    if state.output_dir is not None:
        tr.write_line(f"results: {state.output_dir / 'results.json'}")
