"""Assemble ``results.json`` (see SCHEMA.md) and ``junit.xml``; write both atomically."""

from __future__ import annotations

import json
import os
import platform
import tempfile
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
OUTCOMES = ("passed", "diverged", "known", "skipped", "error")


def write_atomic(path: Path, text: str) -> None:
    """Write via a temp file in the same directory and ``os.replace``: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; results are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def versions(impl: Any, impl_name: str) -> dict[str, str]:
    import hypothesis
    import numpy
    import torch

    return {"torch": torch.__version__, "numpy": numpy.__version__, "python": platform.python_version(),
            "hypothesis": hypothesis.__version__,
            "impl": f"{impl_name} {getattr(impl, '__version__', '')}".strip()}


def summarize(tests: list[dict[str, Any]], stale: int) -> dict[str, Any]:
    per: dict[str, dict[str, Any]] = defaultdict(lambda: {"tests": 0, "passed": 0, "diverged": 0, "known": 0,
                                                           "skipped": 0, "error": 0, "examples": 0,
                                                           "duration_s": 0.0})
    for t in tests:
        p = per[t["property"]]
        p["tests"] += 1
        p[t["outcome"]] += 1
        p["examples"] += t["examples"]
        p["duration_s"] += t["duration_s"]
    per_property = {}
    for name, p in sorted(per.items()):
        dur = p.pop("duration_s")
        p["examples_per_second"] = round(p["examples"] / dur, 2) if dur > 0 else 0.0
        per_property[name] = p
    total = {k: sum(1 for t in tests if t["outcome"] == k) for k in OUTCOMES}
    return {"tests": len(tests), "passed": total["passed"], "diverged": total["diverged"],
            "known": total["known"], "skipped": total["skipped"], "error": total["error"], "stale": stale,
            "per_property": per_property}


def build(run: dict[str, Any], tests: list[dict[str, Any]], divergences: list[dict[str, Any]],
          known: list[dict[str, Any]]) -> dict[str, Any]:
    stale = sum(1 for k in known if k["stale"])
    return {"schema_version": SCHEMA_VERSION, "run": run, "summary": summarize(tests, stale),
            "tests": tests, "divergences": divergences, "known_divergences": known}


def junit(results: dict[str, Any]) -> str:
    """JUnit XML: one testcase per test; diverged/error are failures, known ones are properties."""
    tests = results["tests"]
    divs = {d["id"]: d for d in results["divergences"]}
    s = results["summary"]
    suite = ET.Element("testsuite", name="autograd-conformance", tests=str(len(tests)),
                       failures=str(s["diverged"]), errors=str(s.get("error", 0)), skipped=str(s["skipped"]),
                       time=f"{results['run'].get('duration_s', 0):.3f}")
    for t in tests:
        module, _, name = t["id"].rpartition("::")
        case = ET.SubElement(suite, "testcase", classname=module.replace("/", ".").removesuffix(".py"),
                             name=name, time=f"{t['duration_s']:.3f}")
        mine = [divs[i] for i in t["divergence_ids"] if i in divs]
        if t["outcome"] in ("diverged", "error"):
            tag = "failure" if t["outcome"] == "diverged" else "error"
            text = "\n".join(f"{d['kind']} {d['field']} step={d['step']} id={d['id']}" for d in mine)
            el = ET.SubElement(case, tag, message=(mine[0]["kind"] if mine else t["outcome"]))
            el.text = text or t.get("message") or ""
        elif t["outcome"] == "skipped":
            ET.SubElement(case, "skipped", message=t.get("skip_reason") or "")
        elif t["outcome"] == "known":
            props = ET.SubElement(case, "properties")
            for d in mine:
                ET.SubElement(props, "property", name="known_divergence", value=f"{d['kind']}:{d['id']}")
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)


def write(output_dir: Path, results: dict[str, Any]) -> tuple[Path, Path]:
    out = Path(output_dir)
    rj, jx = out / "results.json", out / "junit.xml"
    write_atomic(rj, json.dumps(results, indent=1, default=str, allow_nan=False))
    write_atomic(jx, junit(results))
    return rj, jx


def table(summary: dict[str, Any]) -> str:
    """The end-of-run summary table (per property)."""
    head = ("property", "tests", "passed", "diverged", "known", "skipped", "examples/s")
    rows = [head]
    for name, p in summary["per_property"].items():
        rows.append((name, p["tests"], p["passed"], p["diverged"] + p.get("error", 0), p["known"], p["skipped"],
                     p["examples_per_second"]))
    rows.append(("TOTAL", summary["tests"], summary["passed"], summary["diverged"] + summary.get("error", 0),
                 summary["known"], summary["skipped"], ""))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(head))]
    lines = []
    for n, r in enumerate(rows):
        lines.append("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in
                               enumerate(zip(r, widths))))
        if n == 0 or n == len(rows) - 2:
            lines.append("  ".join("-" * w for w in widths))
    if summary.get("stale"):
        lines.append(f"stale known divergences: {summary['stale']}")
    return "\n".join(lines)
