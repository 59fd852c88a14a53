"""Render a results file into one self-contained HTML report, written atomically."""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import ChainableUndefined, Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from . import model
from .baseline import BaselineDiff, diff_runs
from .benchmarks import Benchmarks, load_benchmarks

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATUS_OF_DIVERGENCE = {"unexpected": "diverged", "known": "known"}
FD_HELP = {
    "torch": "finite differences side with torch: the implementation's gradient is likely wrong",
    "impl": "finite differences side with the implementation: torch's gradient may be the odd one",
    "both": "both gradients are within tolerance of finite differences",
    "neither": "neither gradient matches finite differences",
    "inconclusive": "finite differences could not decide (ill-conditioned or non-smooth point)",
}


def _jsonable(value: Any) -> Any:
    """Replace NaN/inf (legal in Python's json, illegal for JSON.parse) by strings."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def script_json(value: Any) -> Markup:
    """JSON safe to place inside <script type="application/json">: no '<', '>' or '&' survive raw."""
    text = json.dumps(_jsonable(value), ensure_ascii=False, sort_keys=True, default=str, allow_nan=False)
    text = (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
    return Markup(text)


def make_env() -> Environment:
    """Jinja environment with autoescape on for every template, .svg/.css/.js partials included."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        num=model.fmt_num,
        duration=model.fmt_duration,
        date=model.fmt_date,
        cjson=model.compact_json,
        script_json=script_json,
    )
    return env


@dataclass
class DivergenceView:
    anchor: str
    d: dict[str, Any]
    rows: list[model.ObsRow]
    status: str  # "diverged" | "known"
    change: str | None  # "new" | "unchanged" | None without baseline
    torch_value: str
    impl_value: str
    program: str


def _divergence_views(
    divs: list[dict], anchors: list[str], diff: BaselineDiff | None
) -> list[DivergenceView]:
    views = []
    for i, d in enumerate(divs):
        views.append(
            DivergenceView(
                anchor=anchors[i],
                d=d,
                rows=model.diff_observations(
                    d.get("torch_observation"), d.get("impl_observation"), d.get("field")
                ),
                status=STATUS_OF_DIVERGENCE.get(str(d.get("status")), "diverged"),
                change=diff.change_of.get(str(d.get("id"))) if diff else None,
                torch_value=model.compact_json(d.get("torch")),
                impl_value=model.compact_json(d.get("impl")),
                program=json.dumps(_jsonable(d.get("program")), indent=2, ensure_ascii=False, default=str),
            )
        )
    # Unexpected before known, so the reader meets what needs attention first.
    views.sort(key=lambda v: (v.status != "diverged", str(v.d.get("property")), str(v.d.get("op"))))
    return views


def _search_text(*parts: Any) -> str:
    return " ".join(str(p) for p in parts if p is not None).lower()


def build_context(data: dict[str, Any], baseline: dict[str, Any] | None, out_dir: Path) -> dict[str, Any]:
    """Everything the templates render; kept separate from I/O so it can be tested directly."""
    tests, divs = data["tests"], data["divergences"]
    # HTML ids come from the position (ids in the data may repeat or contain anything);
    # links by divergence id go to the first divergence carrying it.
    anchors = [f"div-{i}-{model.slug(str(d.get('id')))}" for i, d in enumerate(divs)]
    anchor_of: dict[str, str] = {}
    for d, anchor in zip(divs, anchors):
        anchor_of.setdefault(str(d.get("id")), anchor)
    diff = diff_runs(divs, baseline["divergences"]) if baseline is not None else None
    properties = model.summarize_properties(data)
    prop_names = [p.name for p in properties]
    views = _divergence_views(divs, anchors, diff)
    test_rows = [{"anchor": f"test-{i}", "t": t} for i, t in enumerate(tests)]
    ledger = data.get("known_divergences") or []
    benchmarks: Benchmarks | None = load_benchmarks(out_dir)

    js_data = {
        "divergences": [
            {
                "anchor": v.anchor,
                "op": v.d.get("op") or model.NO_OP,
                "property": str(v.d.get("property")),
                "dtype": v.d.get("dtype") or "—",
                "status": v.status,
                "text": _search_text(
                    v.d.get("id"),
                    v.d.get("test_id"),
                    v.d.get("kind"),
                    v.d.get("field"),
                    v.change,
                    v.d.get("known_reason"),
                    v.torch_value,
                    v.impl_value,
                    *(f"{r.key} {r.torch} {r.impl}" for r in v.rows),
                ),
            }
            for v in views
        ],
        "tests": [
            {
                "anchor": r["anchor"],
                "op": r["t"].get("op") or model.NO_OP,
                "property": str(r["t"].get("property")),
                "dtype": r["t"].get("dtype") or "—",
                "status": str(r["t"].get("outcome")),
                "text": _search_text(r["t"].get("id"), r["t"].get("outcome"), r["t"].get("skip_reason")),
            }
            for r in test_rows
        ],
    }
    unexpected = sum(1 for v in views if v.status == "diverged")
    summary = data.get("summary") or {}
    counted = {o: sum(1 for t in tests if t.get("outcome") == o) for o in model.OUTCOMES}
    return {
        "run": data.get("run") or {},
        "summary": summary,
        "counted": counted,
        "n_tests": len(tests),
        "overall_rate": model.pct(counted["passed"], len(tests) - counted["skipped"]),
        "properties": properties,
        "prop_names": prop_names,
        "ops": sorted({t.get("op") or model.NO_OP for t in tests}),
        "dtypes": sorted({t.get("dtype") or "—" for t in tests}),
        "outcomes": model.OUTCOMES,
        "matrix": model.build_matrix(tests, prop_names, anchor_of, by_dtype=False),
        "matrix_dtype": model.build_matrix(tests, prop_names, anchor_of, by_dtype=True),
        "divergences": views,
        "n_unexpected": unexpected,
        "n_known": len(views) - unexpected,
        "tests": test_rows,
        "anchor_of": anchor_of,
        "ledger": ledger,
        "n_stale": sum(1 for k in ledger if k.get("stale")),
        "diff": diff,
        "baseline_run": (baseline or {}).get("run") if baseline is not None else None,
        "benchmarks": benchmarks,
        "js_data": js_data,
        "truncate_at": model.TRUNCATE_AT,
        "no_op": model.NO_OP,
        "fd_help": FD_HELP,
    }


def write_atomic(path: Path, text: str) -> None:
    """Write to a temp file in the same directory, then os.replace: readers never see half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def render_html(
    data: dict[str, Any], baseline: dict[str, Any] | None = None, out_dir: Path | None = None
) -> str:
    """The report as a string (no I/O besides reading benchmark files from out_dir)."""
    context = build_context(data, baseline, out_dir or Path("reports"))
    return make_env().get_template("report.html.j2").render(**context)


def render(
    results_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str] = "reports/index.html",
    baseline: str | os.PathLike[str] | None = None,
) -> Path:
    """Render results (optionally diffed against a baseline results file) to out_path; returns it.

    Raises ReportInputError for unreadable, invalid or wrong-version input.
    """
    data = model.load_results(results_path)
    base = model.load_results(baseline) if baseline is not None else None
    out = Path(out_path)
    html = render_html(data, base, out.parent)
    write_atomic(out, html)
    return out
