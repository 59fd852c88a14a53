"""torch against itself through the whole harness: there must be zero divergences.

A representative slice of the registry (every family, every property) keeps this fast; set
CONFORMANCE_SELF_FULL=1 to run the full registry.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conformance.cli import _plugin_installed

ROOT = Path(__file__).resolve().parents[1]
SLICE = ("exp,add.op,div.rounding,pow.scalar_base,clamp_tensor,mul_.inplace,where,eq.op,logical_and,"
         "sum,max_dim,var,norm,cumprod,matmul,mT,view,expand_as,cat,split,getitem.advanced,scatter_.inplace,"
         "masked_fill,to.dtype,type_as,F.softmax,F.cross_entropy,F.linear,F.binary_cross_entropy,"
         "index_add,F.batch_norm,nn.Linear,nn.BatchNorm1d.train,nn.CrossEntropyLoss.mean,optim.Adam.amsgrad,"
         "optim.SGD.nesterov")


def test_torch_against_itself_has_no_divergences(tmp_path):
    args = [sys.executable, "-m", "pytest", str(ROOT / "conformance" / "properties"), "-q", "-p",
            "no:cacheprovider", "--impl", "torch", "--conformance-max-examples", "2", "--conformance-seed", "3",
            "--conformance-output-dir", str(tmp_path)]
    if not _plugin_installed():
        args += ["-p", "conformance.pytest_plugin"]
    if not os.environ.get("CONFORMANCE_SELF_FULL"):
        args += ["--conformance-ops", SLICE]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(args, capture_output=True, text=True, timeout=1800, cwd=ROOT, env=env)
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["divergences"] == [], out.stdout[-3000:]
    assert out.returncode == 0, out.stdout[-3000:]
    s = data["summary"]
    assert s["tests"] > 100 and s["passed"] == s["tests"]
    assert sum(t["examples"] for t in data["tests"]) >= s["tests"]
