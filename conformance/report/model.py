"""Load a results.json and turn it into the view model the templates render.

Everything the templates need is computed here, so templates stay declarative and
the logic (matrix aggregation, observation diffs, number formatting) is unit-testable.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
OUTCOMES = ("passed", "diverged", "known", "skipped", "error")
# Worst first: a matrix cell takes the colour of the worst outcome it contains.
SEVERITY = ("error", "diverged", "known", "skipped", "passed")
NO_OP = "(no op)"
TRUNCATE_AT = 240


class ReportInputError(ValueError):
    """Results (or baseline) file that cannot be rendered; carries a one-line message."""


def load_results(path: str | Path) -> dict[str, Any]:
    """Read and minimally validate a results file, so rendering can trust its shape."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportInputError(f"{p}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportInputError(f"{p}: cannot read: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportInputError(f"{p}: invalid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ReportInputError(f"{p}: expected a JSON object at top level")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ReportInputError(f"{p}: unsupported schema_version {version!r} (expected {SCHEMA_VERSION})")
    for key, kind in (("run", dict), ("summary", dict), ("tests", list), ("divergences", list)):
        if not isinstance(data.get(key), kind):
            raise ReportInputError(f"{p}: missing or malformed {key!r}")
    data.setdefault("known_divergences", [])
    if not isinstance(data["known_divergences"], list):
        raise ReportInputError(f"{p}: malformed 'known_divergences'")
    for key in ("tests", "divergences", "known_divergences"):
        if not all(isinstance(item, dict) for item in data[key]):
            raise ReportInputError(f"{p}: every entry of {key!r} must be an object")
    return data


# ---------------------------------------------------------------- formatting


def fmt_num(value: Any) -> str:
    """Compact number for humans; tolerates None, NaN, inf and non-numbers."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.3g}"


def fmt_duration(seconds: Any) -> str:
    """'1h 02m', '3m 05s' or '4.2 s' — durations a reader can compare at a glance."""
    if not isinstance(seconds, int | float) or not math.isfinite(seconds):
        return "—"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def fmt_date(value: Any) -> str:
    """ISO timestamp shown as 'YYYY-MM-DD HH:MM:SS TZ'; unparseable values shown as-is."""
    if not isinstance(value, str):
        return "—"
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return value
    return dt.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


def compact_json(value: Any) -> str:
    """One-line JSON rendering of an observed value (falls back to repr)."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=repr)
    except ValueError:
        return repr(value)


def pct(num: int, den: int) -> str:
    return "—" if den <= 0 else f"{100.0 * num / den:.1f}%"


def slug(text: str) -> str:
    """Safe fragment for an HTML id; uniqueness is the caller's job."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-")[:60] or "x"


# ---------------------------------------------------------------- observations


def flatten(obj: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten nested dicts to dotted keys so two observations can be diffed row by row."""
    if isinstance(obj, dict) and obj:
        out: dict[str, Any] = {}
        for key, value in obj.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix or "(value)": obj}


@dataclass
class ObsRow:
    key: str
    torch: str
    impl: str
    differs: bool
    focus: bool  # the field the divergence is about
    torch_missing: bool = False
    impl_missing: bool = False


def diff_observations(torch_obs: Any, impl_obs: Any, focus_field: str | None) -> list[ObsRow]:
    """Side-by-side rows of both observations, flagging keys whose values differ."""
    t, i = (
        flatten(torch_obs if torch_obs is not None else {}),
        flatten(impl_obs if impl_obs is not None else {}),
    )
    keys = list(t) + [k for k in i if k not in t]
    rows = []
    for key in keys:
        differs = key not in t or key not in i or t[key] != i[key]
        focus = bool(focus_field) and (key == focus_field or key.startswith(f"{focus_field}."))
        rows.append(
            ObsRow(
                key=key,
                torch=compact_json(t[key]) if key in t else "",
                impl=compact_json(i[key]) if key in i else "",
                differs=differs,
                focus=focus,
                torch_missing=key not in t,
                impl_missing=key not in i,
            )
        )
    return rows


# ---------------------------------------------------------------- matrix


def worst(counts: Counter[str]) -> str:
    for outcome in SEVERITY:
        if counts.get(outcome):
            return outcome
    return "empty"


@dataclass
class Cell:
    op: str
    property: str
    dtype: str | None
    counts: Counter[str] = field(default_factory=Counter)
    anchors: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        return worst(self.counts)

    @property
    def label(self) -> str:
        parts = [f"{self.counts[o]} {o}" for o in OUTCOMES if self.counts.get(o)]
        return ", ".join(parts) or "no tests"


@dataclass
class MatrixRow:
    op: str
    dtype: str | None
    cells: list[Cell | None]


def build_matrix(
    tests: list[dict], properties: list[str], anchor_of: dict[str, str], by_dtype: bool
) -> list[MatrixRow]:
    """Aggregate tests into op (× dtype) rows and property columns."""
    cells: dict[tuple[str, str | None, str], Cell] = {}
    for t in tests:
        op = t.get("op") or NO_OP
        dtype = (t.get("dtype") or "—") if by_dtype else None
        prop = str(t.get("property"))
        cell = cells.setdefault((op, dtype, prop), Cell(op=op, property=prop, dtype=dtype))
        cell.counts[str(t.get("outcome"))] += 1
        cell.anchors.extend(anchor_of[d] for d in t.get("divergence_ids") or [] if d in anchor_of)
    row_keys = sorted({(op, dt) for op, dt, _ in cells}, key=lambda k: (k[0] == NO_OP, k[0], k[1] or ""))
    return [MatrixRow(op, dt, [cells.get((op, dt, p)) for p in properties]) for op, dt in row_keys]


# ---------------------------------------------------------------- summary


@dataclass
class PropertySummary:
    name: str
    tests: int
    passed: int
    diverged: int
    known: int
    skipped: int
    error: int
    examples: int
    examples_per_second: float | None

    @property
    def ran(self) -> int:
        return self.tests - self.skipped

    @property
    def pass_rate(self) -> str:
        return pct(self.passed, self.ran)

    @property
    def pass_fraction(self) -> float:
        return self.passed / self.ran if self.ran > 0 else 0.0


def summarize_properties(data: dict) -> list[PropertySummary]:
    """Per-property totals, recomputed from tests so errors are counted too."""
    per_prop = (data.get("summary") or {}).get("per_property") or {}
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    examples: Counter[str] = Counter()
    for t in data["tests"]:
        prop = str(t.get("property"))
        counts[prop][str(t.get("outcome"))] += 1
        counts[prop]["tests"] += 1
        ex = t.get("examples")
        examples[prop] += ex if isinstance(ex, int) else 0
    out = []
    for prop in sorted(set(counts) | set(per_prop)):
        c, given = counts[prop], per_prop.get(prop) or {}
        eps = given.get("examples_per_second")
        out.append(
            PropertySummary(
                name=prop,
                tests=c["tests"] or int(given.get("tests") or 0),
                passed=c["passed"] if c else int(given.get("passed") or 0),
                diverged=c["diverged"] if c else int(given.get("diverged") or 0),
                known=c["known"] if c else int(given.get("known") or 0),
                skipped=c["skipped"] if c else int(given.get("skipped") or 0),
                error=c["error"],
                examples=int(given.get("examples") or examples[prop]),
                examples_per_second=eps if isinstance(eps, int | float) else None,
            )
        )
    return out
