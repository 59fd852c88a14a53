"""Benchmark ratio table and chart from pytest-benchmark JSON files beside the report."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median
from typing import Any

BASELINES = ("torch", "numpy")
_PARAM = re.compile(r"^(?P<base>.*)\[(?P<param>[^\[\]]*)\]$")


@dataclass
class BenchRow:
    group: str
    impl: str
    median_s: float
    vs: dict[str, float | None]  # baseline name -> impl median / baseline median


@dataclass
class BenchGroup:
    name: str
    medians: dict[str, float]  # implementation -> median seconds
    rows: list[BenchRow]


@dataclass
class ChartBar:
    label: str
    impl: str
    ratio: float
    y: float
    width: float
    text_x: float


@dataclass
class Chart:
    width: int
    height: int
    left: int
    plot_width: int
    one_x: float
    bars: list[ChartBar]
    ticks: list[tuple[float, str]]
    bar_height: int = 14


@dataclass
class Benchmarks:
    files: list[str]
    groups: list[BenchGroup]
    impls: list[str]
    problems: list[str] = field(default_factory=list)
    chart: Chart | None = None


def _impl_of(bench: dict[str, Any]) -> str | None:
    param = bench.get("param")
    if isinstance(param, str) and param:
        return param
    m = _PARAM.match(str(bench.get("name", "")))
    return m.group("param") if m else None


def _group_of(bench: dict[str, Any]) -> str:
    group = bench.get("group")
    if isinstance(group, str) and group:
        return group
    m = _PARAM.match(str(bench.get("name", "")))
    return m.group("base") if m else str(bench.get("name", "?"))


def load_benchmarks(out_dir: Path) -> Benchmarks | None:
    """Collect medians per (group, implementation); None when no benchmark file exists."""
    paths = sorted(out_dir.glob("benchmarks*.json"))
    if not paths:
        return None
    samples: dict[str, dict[str, list[float]]] = {}
    problems: list[str] = []
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            benches = data["benchmarks"]
            if not isinstance(benches, list):
                raise TypeError("'benchmarks' is not a list")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            problems.append(f"{path.name}: skipped ({type(exc).__name__}: {exc})")
            continue
        for bench in benches:
            if not isinstance(bench, dict):
                continue
            impl = _impl_of(bench)
            med = (bench.get("stats") or {}).get("median")
            if impl is None or not isinstance(med, int | float) or not math.isfinite(med) or med <= 0:
                continue
            samples.setdefault(_group_of(bench), {}).setdefault(impl, []).append(float(med))
    groups: list[BenchGroup] = []
    impls: set[str] = set()
    for name in sorted(samples):
        medians = {impl: median(vals) for impl, vals in sorted(samples[name].items())}
        impls.update(medians)
        rows = [
            BenchRow(
                group=name,
                impl=impl,
                median_s=m,
                vs={b: (m / medians[b]) if b in medians else None for b in BASELINES},
            )
            for impl, m in medians.items()
            if impl not in BASELINES
        ]
        groups.append(BenchGroup(name=name, medians=medians, rows=rows))
    ordered = [b for b in BASELINES if b in impls] + sorted(impls - set(BASELINES))
    result = Benchmarks(files=[p.name for p in paths], groups=groups, impls=ordered, problems=problems)
    result.chart = build_chart(groups)
    return result


def build_chart(groups: list[BenchGroup], baseline: str = "torch") -> Chart | None:
    """Horizontal log-scale bars of each implementation's slowdown over torch (1× line marked)."""
    entries = [(g.name, r.impl, r.vs[baseline]) for g in groups for r in g.rows if r.vs.get(baseline)]
    if not entries:
        return None
    ratios = [e[2] for e in entries if e[2] is not None]
    lo = 10 ** math.floor(math.log10(min(min(ratios), 1.0)))
    hi = 10 ** math.ceil(math.log10(max(max(ratios), 1.0) * 1.0001))
    if hi <= lo:
        hi = lo * 10
    left, plot_width, bar_h, gap, top = 190, 420, 14, 6, 8
    span = math.log10(hi) - math.log10(lo)

    def x_of(v: float) -> float:
        return round(plot_width * (math.log10(v) - math.log10(lo)) / span, 1)

    bars = []
    for i, (group, impl, ratio) in enumerate(entries):
        assert ratio is not None
        w = max(x_of(ratio), 1.0)
        bars.append(
            ChartBar(
                label=f"{group} · {impl}",
                impl=impl,
                ratio=ratio,
                y=top + i * (bar_h + gap),
                width=w,
                text_x=left + w + 4,
            )
        )
    ticks = []
    decade = lo
    while decade <= hi * 1.0001:
        ticks.append((left + x_of(decade), f"{decade:g}×"))
        decade *= 10
    height = top + len(entries) * (bar_h + gap) + 22
    return Chart(
        width=left + plot_width + 70,
        height=height,
        left=left,
        plot_width=plot_width,
        one_x=left + x_of(1.0),
        bars=bars,
        ticks=ticks,
        bar_height=bar_h,
    )
