"""Turn pytest-benchmark JSON into the ratio table: each implementation's median over
torch's and over hand-written NumPy's, measured in the same run."""

from __future__ import annotations

import re
from collections import defaultdict

_PARAM = re.compile(r"\[(.*)\]$")


def _split(name: str) -> tuple[str, str]:
    """``test_w2_depth[reference_impl-1000]`` -> (impl, case)."""
    m = _PARAM.search(name)
    params = m.group(1).split("-") if m else [""]
    impl = next((p for p in params if p in ("reference_impl", "torch", "numpy")), params[0])
    case = "-".join(p for p in params if p != impl)
    return impl, case


def ratio_rows(data: dict) -> list[dict]:
    """One row per (workload, case, implementation) with median, µs/op and ratios."""
    medians: dict = defaultdict(dict)
    extra: dict = {}
    for b in data.get("benchmarks", []):
        impl, case = _split(b["name"])
        key = (b.get("group") or b["name"].split("[")[0], case)
        medians[key][impl] = b["stats"]["median"]
        extra[(key, impl)] = b.get("extra_info", {})
    rows = []
    for key in sorted(medians):
        per_impl = medians[key]
        for impl, median in sorted(per_impl.items()):
            ops = extra[(key, impl)].get("ops")
            rows.append({
                "workload": key[0], "case": key[1], "impl": impl, "median_s": median,
                "us_per_op": median / ops * 1e6 if ops else None,
                "vs_torch": median / per_impl["torch"] if per_impl.get("torch") else None,
                "vs_numpy": median / per_impl["numpy"] if per_impl.get("numpy") else None,
                "extra": extra[(key, impl)],
            })
    return rows


def format_table(rows: list[dict]) -> str:
    def f(v: float | None, fmt: str) -> str:
        return "-" if v is None else format(v, fmt)

    lines = [f"{'workload':<16}{'case':<10}{'impl':<16}{'median':>12}{'us/op':>10}{'/torch':>9}{'/numpy':>9}"]
    for r in rows:
        median = f(r["median_s"] * 1e3, ".3f") + " ms"
        per_op, vs_torch, vs_numpy = (f(r[k], ".2f") for k in ("us_per_op", "vs_torch", "vs_numpy"))
        lines.append(f"{r['workload']:<16}{r['case']:<10}{r['impl']:<16}{median:>12}"
                     f"{per_op:>10}{vs_torch:>9}{vs_numpy:>9}")
    return "\n".join(lines)
