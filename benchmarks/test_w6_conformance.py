"""W6 conformance throughput: examples per second of the CI conformance profile, per property."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.benchmark(group="w6_conformance")
def test_w6_conformance(benchmark, tmp_path: Path, smoke: bool) -> None:
    cmd = [sys.executable, "-m", "conformance", "run", "--profile", "dev" if smoke else "ci", "--no-report",
           "--output-dir", str(tmp_path)]
    if smoke:
        cmd += ["--ops", "exp,mul"]
    benchmark.pedantic(subprocess.run, args=(cmd,), kwargs={"capture_output": True}, rounds=1, iterations=1)
    results = json.loads((tmp_path / "results.json").read_text())
    benchmark.extra_info["examples_per_second"] = results["run"]["examples_per_second"]
    benchmark.extra_info["per_property"] = {
        prop: stats.get("examples_per_second") for prop, stats in results["summary"]["per_property"].items()}
