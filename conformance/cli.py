"""``autograd-conformance`` / ``python -m conformance``: run the suite, or re-run one divergence.

Usage errors and an implementation that fails to import print one line and exit 2 (never a
traceback). Otherwise the exit code is 0 only when no unexpected divergence was found.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

PROPERTIES = ("requires_grad", "graph", "dtypes", "gradients", "errors", "programs", "nn_modules",
              "module_semantics", "training")
BACKENDS = ("numpy", "torch")  # = pytest_plugin.BACKENDS / DEVICES (not imported: see PROFILES)
DEVICES = ("cpu", "cuda")
PROFILES = ("dev", "ci", "thorough")  # = conformance.profiles.PROFILES (not imported: no hypothesis
# before pytest starts, or pytest cannot assertion-rewrite it)
PROPERTIES_DIR = Path(__file__).with_name("properties")
PROG = "autograd-conformance"


class UsageError(Exception):
    """Reported as a single ``autograd-conformance: error: ...`` line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="Diff a torch-shaped autograd implementation against torch.")
    sub = p.add_subparsers(dest="command")
    r = sub.add_parser("run", help="run the conformance properties (default)")
    _run_options(r)
    return p


def _positive(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1: {v}")
    return v


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None


def _run_options(r: argparse.ArgumentParser) -> None:
    r.add_argument("--impl", default="reference_impl", help="module to check (default: reference_impl)")
    r.add_argument("--ops", default=None, help="comma list of op names/globs (entry or op name)")
    r.add_argument("--properties", default=None, help=f"comma list of: {', '.join(PROPERTIES)}")
    r.add_argument("--profile", default="dev", choices=PROFILES)
    r.add_argument("--max-examples", type=_positive, default=None)
    r.add_argument("--seed", type=_int, default=None)
    r.add_argument("--backend", default=None, choices=BACKENDS,
                   help="the implementation's buffer backend (its set_backend); default: its own default")
    r.add_argument("--device", default="cpu", choices=DEVICES,
                   help="create leaf tensors and modules on this device, on both sides (default: cpu)")
    r.add_argument("--output-dir", default="reports")
    r.add_argument("-j", "--jobs", type=_positive, default=None, help="parallel workers (pytest-xdist)")
    r.add_argument("--strict-known", action="store_true", help="stale known divergences fail the run")
    r.add_argument("--known-file", default=None, help="known-divergences TOML (default: packaged one)")
    r.add_argument("--rerun", metavar="DIVERGENCE_ID", default=None,
                   help="re-run one divergence from <output-dir>/results.json")
    r.add_argument("--no-report", action="store_true", help="skip the HTML report")


def _split(v: str | None) -> list[str] | None:
    return [x.strip() for x in v.split(",") if x.strip()] if v else None


def _import_impl(name: str) -> object:
    try:
        return importlib.import_module(name)
    except BaseException as exc:  # SystemExit/KeyboardInterrupt from a broken module too
        if isinstance(exc, KeyboardInterrupt):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise UsageError(f"cannot import implementation {name!r}: {type(exc).__name__}: {first}") from None


def _validate(args: argparse.Namespace) -> None:
    from conformance.registry import ENTRY_NAMES, matches_name

    ops = _split(args.ops)
    if args.ops is not None and not ops:
        raise UsageError("--ops is empty")
    if ops:
        for pat in ops:
            if not any(matches_name(name, op, [pat]) for name, op in ENTRY_NAMES):
                raise UsageError(f"--ops: {pat!r} matches no registry entry")
    props = _split(args.properties)
    if args.properties is not None and not props:
        raise UsageError("--properties is empty")
    for prop in props or ():
        if prop not in PROPERTIES:
            raise UsageError(f"--properties: unknown property {prop!r} (choose from {', '.join(PROPERTIES)})")
    if args.device == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise UsageError("CUDA is not available on this machine")
    if args.known_file and not Path(args.known_file).is_file():
        raise UsageError(f"--known-file: no such file: {args.known_file}")
    out = Path(args.output_dir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--output-dir: not a directory: {out}")


def _plugin_installed() -> bool:
    return any(ep.name == "conformance" for ep in importlib.metadata.entry_points(group="pytest11"))


def pytest_args(args: argparse.Namespace) -> list[str]:
    """The pytest command line equivalent to ``args`` (run in-process)."""
    props = _split(args.properties) or list(PROPERTIES)
    out = [str(PROPERTIES_DIR / f"test_{p}.py") for p in props]
    out += ["-q", "--tb=no", "-rN", "-p", "no:cacheprovider", "--conformance-no-table",
            "--assert=plain",  # no assertion rewriting: properties raise their own messages, and
            # rewriting every module of this distribution (impl included) costs seconds per worker
            "--impl", args.impl, "--conformance-profile", args.profile,
            "--conformance-output-dir", args.output_dir, "--rootdir", str(PROPERTIES_DIR.parent)]
    if not _plugin_installed():
        out += ["-p", "conformance.pytest_plugin"]
    if args.ops:
        out += ["--conformance-ops", args.ops]
    if args.properties:
        out += ["--conformance-properties", args.properties]
    if args.max_examples:
        out += ["--conformance-max-examples", str(args.max_examples)]
    if args.seed is not None:
        out += ["--conformance-seed", str(args.seed)]
    if args.backend:
        out += ["--conformance-backend", args.backend]
    if args.device != "cpu":
        out += ["--conformance-device", args.device]
    if args.jobs and args.jobs > 1:
        out += ["-n", str(args.jobs)]
    if args.strict_known:
        out.append("--strict-known")
    if args.known_file:
        out += ["--known-file", args.known_file]
    return out


def _report(results_path: Path, quiet: bool) -> None:
    try:
        from conformance.report import render
    except ImportError:
        return
    try:
        path = render(results_path, results_path.parent / "index.html")
    except Exception as exc:  # the report is a convenience; never turn a result into a crash
        print(f"{PROG}: report not written: {type(exc).__name__}: {exc}")
        return
    if not quiet:
        print(f"report: {path}")


def _print_failures(data: dict, limit: int = 40) -> None:
    """One line per failing test: its first unexpected divergence and the id to --rerun it."""
    divs = {d["id"]: d for d in data["divergences"]}
    bad = [t for t in data["tests"] if t["outcome"] in ("diverged", "error")]
    for t in bad[:limit]:
        first = next((divs[i] for i in t["divergence_ids"] if divs.get(i, {}).get("status") == "unexpected"), None)
        name = t["id"].split("::")[-1]
        if first is None:
            print(f"ERROR    {name}: {t.get('message') or ''}")
        else:
            print(f"DIVERGED {name}: {first['kind']} {first['field']} at step {first['step']} "
                  f"(--rerun {first['id']})")
    if len(bad) > limit:
        print(f"... and {len(bad) - limit} more (see results.json / the HTML report)")
    if bad:
        print()


def run(args: argparse.Namespace) -> int:
    import pytest

    from conformance import results

    _validate(args)
    impl = _import_impl(args.impl)
    if args.backend is not None and not callable(getattr(impl, "set_backend", None)):
        raise UsageError(f"--backend {args.backend}: implementation {args.impl!r} has no set_backend()")
    if args.rerun:
        from conformance.rerun import rerun

        return rerun(args.rerun, Path(args.output_dir), args.impl, backend=args.backend,
                     device=args.device if args.device != "cpu" else None)
    if args.backend:  # before pytest (and its xdist workers) import the implementation again
        os.environ["REFERENCE_IMPL_BACKEND"] = args.backend
    started = time.time() - 1
    code = int(pytest.main(pytest_args(args)))
    results_path = Path(args.output_dir) / "results.json"
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.NO_TESTS_COLLECTED):
        print(f"{PROG}: error: no tests ran (pytest exit code {code})")
        return 2
    if results_path.exists() and results_path.stat().st_mtime >= started:
        data = json.loads(results_path.read_text(encoding="utf-8"))
        print()
        _print_failures(data)
        print(results.table(data["summary"]))
        s = data["summary"]
        print(f"results: {results_path}  (seed {data['run']['seed']}, {data['run']['duration_s']:.1f}s, "
              f"{s['diverged']} diverged, {s['known']} known, {s.get('stale', 0)} stale)")
        if not args.no_report:
            _report(results_path, quiet=False)
    return 0 if code == 0 else (1 if code == pytest.ExitCode.TESTS_FAILED else code)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv.insert(0, "run")
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            raise UsageError("missing command (try: run)")
        return run(args)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
