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


def _has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


_BACKEND_PROBE = ("from torch import *\nimport torch as _t\nfrom torch import nn, autograd\nTensor = _t.Tensor\n"
                  "_backend_name = 'numpy'\n"
                  "def set_backend(name):\n    global _backend_name\n    _backend_name = name\n"
                  "def exp(x):  # right only in a process that switched to the torch backend\n"
                  "    return _t.exp(x) + (0 if _backend_name == 'torch' else 1)\n")


def test_backend_flag_switches_every_worker_and_is_recorded(tmp_path, monkeypatch):
    """A fake impl whose exp is right only after set_backend("torch") in that very process: a run
    with two xdist workers passes only if each worker switched."""
    (tmp_path / "backendimpl.py").write_text(_BACKEND_PROBE)
    monkeypatch.syspath_prepend(str(tmp_path))
    import backendimpl
    import torch

    assert backendimpl.exp(torch.zeros(1)).item() == 2.0  # the probe is wrong until switched
    out = _cli("run", "--impl", "backendimpl", "--ops", "exp", "--properties", "dtypes", "--max-examples", "1",
               "--output-dir", str(tmp_path / "out"), "--no-report", "-j", "2", "--backend", "torch", cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    run = json.loads((tmp_path / "out" / "results.json").read_text())["run"]
    assert (run["backend"], run["device"]) == ("torch", "cpu")


def test_backend_torch_on_reference_impl_records_torch(tmp_path):
    pytest.importorskip("reference_impl")
    out = _cli("run", "--ops", "nn.Linear", "--properties", "nn_modules", "--max-examples", "1",
               "--backend", "torch", "--output-dir", str(tmp_path), "--no-report")
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["run"]["backend"] == "torch" and data["run"]["device"] == "cpu", out.stdout + out.stderr
    assert {t["property"] for t in data["tests"]} == {"nn_modules"}


def test_backend_needs_set_backend_one_line_exit_2():
    out = _cli("run", "--impl", "torch", "--backend", "torch", "--ops", "exp")
    assert out.returncode == 2 and out.stderr.count("\n") == 1
    assert "has no set_backend()" in out.stderr and "Traceback" not in out.stderr + out.stdout


def test_unknown_backend_is_a_usage_error(capsys):
    assert main(["run", "--backend", "jax"]) == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.skipif(_has_cuda(), reason="checks the message of a machine without CUDA")
def test_device_cuda_without_cuda_is_one_line_exit_2():
    out = _cli("run", "--device", "cuda", "--ops", "exp")
    assert out.returncode == 2
    assert out.stderr == "autograd-conformance: error: CUDA is not available on this machine\n"


@pytest.mark.skipif(not _has_cuda(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("impl", ["torch", "reference_impl"])
def test_device_cuda_creates_leaves_and_modules_on_cuda(tmp_path, impl):
    out = _cli("run", "--impl", impl, "--device", "cuda", "--ops", "exp,nn.Linear", "--properties",
               "gradients,nn_modules", "--max-examples", "1", "--output-dir", str(tmp_path), "--no-report")
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["run"]["device"] == "cuda", out.stdout + out.stderr
    assert data["tests"] and all(t["outcome"] != "error" for t in data["tests"]), out.stdout
    if impl == "torch":
        assert out.returncode == 0, out.stdout + out.stderr


def test_device_renders_into_programs_and_reproducers():
    from conformance import program as program_mod
    from conformance.nn_build import build_module
    from conformance.program import Leaf, Program

    try:
        program_mod.set_device("cuda")
        script = Program((Leaf("x0", [1.0], "float32", True), *build_module("m", "nn.Linear(1, 1)", "float32",
                                                                              {"weight": [[0.5]]}))).to_script()
    finally:
        program_mod.set_device("cpu")
    assert "torch.tensor([1.0], dtype=torch.float32, device='cuda', requires_grad=True)" in script
    assert "m = torch.nn.Linear(1, 1).to('cuda')" in script
    assert "copy_(torch.tensor([[0.5]], dtype=torch.float32, device='cuda'))" in script
