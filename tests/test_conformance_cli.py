"""CLI: one-line usage errors with exit code 2, a real (tiny) run, results files, --rerun."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.cli import PROFILES, main
from conformance.profiles import PROFILES as PLUGIN_PROFILES

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "conformance", *args], capture_output=True, text=True,
                          timeout=600, cwd=cwd or ROOT, env=env)


@pytest.mark.parametrize("args,needle", [
    (["run", "--profile", "nope"], "invalid choice"),
    (["run", "--max-examples", "0"], "must be >= 1"),
    (["run", "--ops", "no_such_op_zzz"], "matches no registry entry"),
    (["run", "--properties", "bogus"], "unknown property"),
    (["run", "--frobnicate"], "unrecognized arguments"),
    (["explode"], "invalid choice"),
])
def test_bad_options_are_one_line_exit_2(args, needle, capsys):
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and needle in err and "Traceback" not in err


def test_bad_impl_is_one_line_exit_2():
    out = _cli("run", "--impl", "no_such_module_xyz", "--ops", "exp")
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "cannot import implementation" in out.stderr
    assert "Traceback" not in out.stderr + out.stdout


def test_profiles_agree():
    assert PROFILES == PLUGIN_PROFILES


def test_small_run_writes_results_and_reruns(tmp_path):
    out = _cli("run", "--impl", "torch", "--ops", "exp,mul.op", "--max-examples", "2", "--seed", "7",
               "--output-dir", str(tmp_path), "--no-report")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "property" in out.stdout and "TOTAL" in out.stdout
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["schema_version"] == 1 and data["run"]["seed"] == 7 and data["run"]["impl"] == "torch"
    assert data["summary"]["diverged"] == 0 and data["summary"]["passed"] == data["summary"]["tests"] > 0
    assert set(data["summary"]["per_property"]) == {"requires_grad", "graph", "dtypes", "gradients", "errors",
                                                    "programs"}
    assert (tmp_path / "junit.xml").read_text().startswith("<?xml")
    assert not list(tmp_path.glob(".*.json.*"))  # no temp files left behind
    missing = _cli("run", "--impl", "torch", "--rerun", "deadbeef", "--output-dir", str(tmp_path))
    assert missing.returncode == 2 and "no divergence" in missing.stdout


def test_stale_known_divergence_fails_only_in_strict_mode(tmp_path):
    known = tmp_path / "known.toml"
    known.write_text('[[divergence]]\nkey = "graph:exp"\nclassification = "impl-bug"\nreason = "gone"\n')
    base = ["run", "--impl", "torch", "--ops", "exp", "--properties", "graph", "--max-examples", "1",
            "--output-dir", str(tmp_path), "--no-report", "--known-file", str(known)]
    lenient = _cli(*base)
    assert lenient.returncode == 0, lenient.stdout + lenient.stderr
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["known_divergences"] == [{"key": "graph:exp", "classification": "impl-bug", "reason": "gone",
                                          "stale": True}]
    assert data["summary"]["stale"] == 1
    strict = _cli(*base, "--strict-known")
    assert strict.returncode == 1, strict.stdout + strict.stderr


def test_known_divergence_passes_with_status_known(tmp_path):
    """A fake implementation whose exp is wrong: listed, the test passes as "known"; unlisted, it fails."""
    pkg = tmp_path / "fakeimpl.py"
    pkg.write_text("from torch import *\nimport torch as _t\nfrom torch import nn, autograd\n"
                   "Tensor = _t.Tensor\ndef exp(x):\n    return _t.exp(x) + 1\n")
    known = tmp_path / "known.toml"
    known.write_text('[[divergence]]\nkey = "dtypes:exp"\nkind = "value"\nclassification = "impl-bug"\n'
                     'reason = "planted"\n')
    env_args = ["run", "--impl", "fakeimpl", "--ops", "exp", "--properties", "dtypes", "--max-examples", "2",
                "--output-dir", str(tmp_path / "out"), "--no-report"]
    unlisted = _cli(*env_args, cwd=tmp_path)
    assert unlisted.returncode == 1, unlisted.stdout + unlisted.stderr
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    div = data["divergences"][0]
    assert div["kind"] == "value" and div["status"] == "unexpected"
    assert div["reproducer"]["impl"].startswith("import fakeimpl as torch")
    rerun = _cli("run", "--impl", "fakeimpl", "--rerun", div["id"], "--output-dir", str(tmp_path / "out"),
                 cwd=tmp_path)
    assert rerun.returncode == 1 and div["id"] in rerun.stdout and "value" in rerun.stdout
    listed = _cli(*env_args, "--known-file", str(known), cwd=tmp_path)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    outcomes = {t["id"].split("::")[-1]: t["outcome"] for t in data["tests"]}
    assert outcomes["test_dtypes[exp]"] == "known"  # torch.exp is the patched one
    assert outcomes["test_dtypes[exp.method]"] == "passed"  # Tensor.exp is torch's own
    assert data["divergences"] and all(d["status"] == "known" for d in data["divergences"])
