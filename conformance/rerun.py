"""``--rerun ID``: replay one recorded divergence alone, from its program in results.json."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

from conformance.harness import run_and_compare
from conformance.program import Program
from conformance.results import write_atomic


class RerunError(Exception):
    pass


def find(results_path: Path, div_id: str) -> dict:
    """The divergence whose id is (or starts with) ``div_id``."""
    if not results_path.exists():
        raise RerunError(f"no results file at {results_path}")
    data = json.loads(results_path.read_text(encoding="utf-8"))
    hits = [d for d in data.get("divergences", []) if d["id"].startswith(div_id)]
    if not hits:
        raise RerunError(f"no divergence {div_id!r} in {results_path}")
    if len(hits) > 1:
        raise RerunError(f"divergence id {div_id!r} is ambiguous ({len(hits)} matches)")
    return hits[0]


def rerun(div_id: str, output_dir: Path, impl_name: str, *, backend: str | None = None,
          device: str | None = None) -> int:
    """Re-run; print what happens now. 1 if it still diverges, 0 if it is gone, 2 on bad input.

    ``backend``/``device`` default to what the recorded run used (its ``run`` section)."""
    import torch

    from conformance import program as program_mod

    try:
        div = find(output_dir / "results.json", div_id)
    except RerunError as exc:
        print(f"autograd-conformance: error: {exc}")
        return 2
    run = json.loads((output_dir / "results.json").read_text(encoding="utf-8")).get("run", {})
    program_mod.set_device(device or run.get("device", "cpu"))
    program = Program.from_json(div["program"])
    impl = importlib.import_module(impl_name)
    backend = backend or run.get("backend")
    if backend in ("numpy", "torch") and callable(getattr(impl, "set_backend", None)):
        impl.set_backend(backend)
    for ns in (torch, impl):
        if callable(getattr(ns, "set_warn_always", None)):
            ns.set_warn_always(True)
    divs, _, _ = run_and_compare(torch, impl, program)
    print(f"divergence {div['id']}: {div['test_id']} [{div['kind']}] field {div['field']} at step {div['step']}")
    for name, script in (("torch", program.to_script()), ("impl", program.to_script(impl=impl_name))):
        path = output_dir / f"rerun_{div['id']}_{name}.py"
        write_atomic(path, script)
        print(f"  reproducer ({name}): {path}")
    if not divs:
        print(f"no longer diverges with {impl_name}")
        return 0
    for d in divs:
        extra = f" max_abs_err={d.max_abs_err} where={d.where}" if d.max_abs_err is not None else ""
        verdict = f" fd={d.fd_verdict}" if d.fd_verdict else ""
        print(f"  {d.kind}: {d.field} step {d.step}: torch={json.dumps(d.torch)[:200]} "
              f"impl={json.dumps(d.impl)[:200]}{extra}{verdict}")
    return 1
