"""Realistic (and optionally hostile) results.json / pytest-benchmark data for report tests."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

XSS = "<script>alert(1)</script>"
HOSTILE_OP = '<img src=x onerror="alert(2)">'
HOSTILE_MESSAGE = f"expected scalar type Float but found Double {XSS} & \"quotes\" 'too' </script><!--"
LONG_MESSAGE = "shape mismatch: " + ", ".join(f"dim{i}=({i}, {i + 1})" for i in range(400))

OPS = ["add", "mul", "matmul", "sum", "exp", "log", "relu", "softmax", "index_select", "where"]
PROPERTIES = ["forward_value", "gradient", "grad_fn", "requires_grad", "dtype_promotion", "error_parity"]
DTYPES = ["float32", "float64", "int64"]
KIND_OF = {
    "forward_value": "value",
    "gradient": "gradient",
    "grad_fn": "grad_fn",
    "requires_grad": "requires_grad",
    "dtype_promotion": "dtype",
    "error_parity": "error_message",
}


def _reproducer(lib: str, op: str, dtype: str) -> str:
    mod = "torch" if lib == "torch" else "reference_impl as torch"
    return (
        f"import {mod}\n\n"
        f"x = torch.tensor([[0.5, -1.25], [3.0, 2.0]], dtype=torch.{dtype}, requires_grad=True)\n"
        f"y = torch.{op}(x, x) if {op!r} in ('add', 'mul', 'matmul') else torch.{op}(x)\n"
        "y.sum().backward()\n"
        "print(y, x.grad)\n"
    )


def _observation(op: str, value: Any, grad: Any, error: dict | None = None) -> dict[str, Any]:
    obs: dict[str, Any] = {
        "output": {"value": value, "dtype": "float32", "shape": [2, 2], "requires_grad": True},
        "grad_fn": f"{op.capitalize()}Backward0",
        "grads": {"x": grad},
        "warnings": [],
    }
    if error is not None:
        obs["error"] = error
    return obs


def make_results(seed: int = 0, hostile: bool = True, impl: str = "reference_impl") -> dict[str, Any]:
    """A run over OPS × PROPERTIES × DTYPES with a mix of outcomes and a few divergences."""
    rng = random.Random(seed)
    ops = OPS + ([HOSTILE_OP] if hostile else [])
    tests: list[dict[str, Any]] = []
    divergences: list[dict[str, Any]] = []
    for prop in PROPERTIES:
        for op in ops:
            for dtype in DTYPES:
                test_id = f"tests/test_props.py::test_{prop}[{op}-{dtype}]"
                roll = rng.random()
                outcome = "passed"
                if dtype == "int64" and prop == "gradient":
                    outcome = "skipped"
                elif roll < 0.06 or (hostile and op == HOSTILE_OP and prop == "error_parity"):
                    outcome = "diverged"
                elif roll < 0.10:
                    outcome = "known"
                elif roll < 0.115:
                    outcome = "error"
                examples = 0 if outcome == "skipped" else rng.randint(20, 200)
                div_ids: list[str] = []
                if outcome in ("diverged", "known"):
                    div = _divergence(rng, len(divergences), test_id, prop, op, dtype, outcome, hostile)
                    divergences.append(div)
                    div_ids.append(div["id"])
                tests.append(
                    {
                        "id": test_id,
                        "property": prop,
                        "op": op,
                        "dtype": dtype,
                        "outcome": outcome,
                        "examples": examples,
                        "duration_s": round(rng.uniform(0.05, 3.0), 3),
                        "divergence_ids": div_ids,
                        "skip_reason": "integer tensors have no gradient" if outcome == "skipped" else None,
                    }
                )
    # Property-level tests without an op.
    tests.append(
        {
            "id": "tests/test_graph.py::test_retain_graph_semantics",
            "property": "grad_fn",
            "op": None,
            "dtype": None,
            "outcome": "passed",
            "examples": 100,
            "duration_s": 1.5,
            "divergence_ids": [],
            "skip_reason": None,
        }
    )
    if hostile and divergences:
        divergences[0]["torch_observation"]["error"] = {"type": "RuntimeError", "message": HOSTILE_MESSAGE}
        divergences[0]["impl_observation"]["error"] = {"type": "TypeError", "message": LONG_MESSAGE}
        divergences[0]["reproducer"]["torch"] += f"# {XSS}\n"
    return _wrap(tests, divergences, seed, impl, hostile)


def _divergence(
    rng: random.Random, idx: int, test_id: str, prop: str, op: str, dtype: str, outcome: str, hostile: bool
) -> dict[str, Any]:
    kind = KIND_OF[prop]
    tv, iv = [[0.5, 1.0], [2.0, 3.0]], [[0.5, 1.0], [2.0, 3.0 + rng.choice([1e-3, 0.5, 7.0])]]
    tg, ig = (
        [[1.0, 1.0], [1.0, 1.0]],
        [[1.0, 1.0], [1.0, 2.0]] if kind == "gradient" else [[1.0, 1.0], [1.0, 1.0]],
    )
    torch_obs, impl_obs = _observation(op, tv, tg), _observation(op, iv if kind == "value" else tv, ig)
    field = {
        "value": "output.value",
        "gradient": "grads.x",
        "grad_fn": "grad_fn",
        "requires_grad": "output.requires_grad",
        "dtype": "output.dtype",
        "error_message": "error.message",
    }[kind]
    torch_val: Any = tv
    impl_val: Any = iv
    if kind == "grad_fn":
        impl_obs["grad_fn"] = f"{op.capitalize()}Backward1"
        torch_val, impl_val = torch_obs["grad_fn"], impl_obs["grad_fn"]
    elif kind == "requires_grad":
        impl_obs["output"]["requires_grad"] = False
        torch_val, impl_val = True, False
    elif kind == "dtype":
        impl_obs["output"]["dtype"] = "float64"
        torch_val, impl_val = "float32", "float64"
    elif kind == "error_message":
        msg_t = f"{op}(): argument 'input' must be Tensor, not list"
        msg_i = HOSTILE_MESSAGE if hostile else f"{op} expects a tensor"
        torch_obs["error"] = {"type": "TypeError", "message": msg_t}
        impl_obs["error"] = {"type": "TypeError", "message": msg_i}
        torch_val, impl_val = msg_t, msg_i
    elif kind == "gradient":
        torch_val, impl_val = tg, ig
    numeric = kind in ("value", "gradient")
    abs_err = abs(iv[1][1] - tv[1][1]) if kind == "value" else 1.0
    return {
        "id": f"d{idx:04d}-{prop}-{op}-{dtype}",
        "test_id": test_id,
        "property": prop,
        "op": op,
        "dtype": dtype,
        "kind": kind,
        "status": "known" if outcome == "known" else "unexpected",
        "known_reason": f"{op}: reference_impl rounds differently in {dtype} (see ledger)"
        if outcome == "known"
        else None,
        "step": rng.randint(0, 3) if numeric else None,
        "field": field,
        "torch": torch_val,
        "impl": impl_val,
        "max_abs_err": abs_err if numeric else None,
        "max_rel_err": (float("nan") if hostile and idx == 1 else abs_err / 3.0) if numeric else None,
        "where": [[1, 1]] if numeric else None,
        "fd_verdict": rng.choice(["torch", "impl", "both", "neither", "inconclusive"])
        if kind == "gradient"
        else None,
        "torch_observation": torch_obs,
        "impl_observation": impl_obs,
        "program": {
            "inputs": [{"shape": [2, 2], "dtype": dtype, "requires_grad": True}],
            "steps": [{"op": op, "args": ["x0", "x0"]}, {"op": "sum"}, {"op": "backward"}],
        },
        "reproducer": {"torch": _reproducer("torch", op, dtype), "impl": _reproducer("impl", op, dtype)},
    }


def _wrap(tests: list[dict], divergences: list[dict], seed: int, impl: str, hostile: bool) -> dict[str, Any]:
    per_property: dict[str, dict[str, Any]] = {}
    for t in tests:
        p = per_property.setdefault(
            t["property"],
            {
                "tests": 0,
                "passed": 0,
                "diverged": 0,
                "known": 0,
                "skipped": 0,
                "examples": 0,
                "examples_per_second": 0.0,
            },
        )
        p["tests"] += 1
        p["examples"] += t["examples"]
        if t["outcome"] in p:
            p[t["outcome"]] += 1
    for p in per_property.values():
        p["examples_per_second"] = round(p["examples"] / 12.5, 1)
    examples = sum(t["examples"] for t in tests)
    counts = {
        o: sum(1 for t in tests if t["outcome"] == o) for o in ("passed", "diverged", "known", "skipped")
    }
    ledger = [
        {
            "key": "gradient/softmax/float32",
            "classification": "numerical",
            "reason": "softmax backward accumulates in float32; torch uses a fused kernel",
            "stale": False,
        },
        {
            "key": "dtype_promotion/where/int64",
            "classification": "semantics",
            "reason": "torch promotes python scalars differently for where(); fixed upstream?",
            "stale": True,
        },
    ]
    if hostile:
        ledger.append(
            {"key": f"error_parity/{HOSTILE_OP}", "classification": "message", "reason": XSS, "stale": False}
        )
    return {
        "schema_version": 1,
        "run": {
            "impl": impl,
            "backend": "numpy",
            "device": "cpu",
            "profile": "ci",
            "seed": seed,
            "started": "2025-11-25T18:40:12+00:00",
            "duration_s": 734.2,
            "versions": {
                "torch": "2.13.0",
                "numpy": "2.3.4",
                "python": "3.11.7",
                "hypothesis": "6.170.17",
                "impl": "0.1.0",
            },
            "examples": examples,
            "examples_per_second": round(examples / 734.2, 1),
            "filters": {"ops": None, "properties": None},
            "command": "python -m conformance run --impl reference_impl --profile ci"
            + (f" # {XSS}" if hostile else ""),
        },
        "summary": {
            "tests": len(tests),
            **counts,
            "stale": sum(1 for k in ledger if k["stale"]),
            "per_property": per_property,
        },
        "tests": tests,
        "divergences": divergences,
        "known_divergences": ledger,
    }


def make_benchmarks(groups: tuple[str, ...] = ("w1", "w2", "w3"), seed: int = 0) -> dict[str, Any]:
    """pytest-benchmark --benchmark-json output for reference_impl/torch/numpy per workload."""
    rng = random.Random(seed)
    benches = []
    for g in groups:
        base = rng.uniform(1e-4, 5e-3)
        for impl, factor in (
            ("torch", 1.0),
            ("numpy", rng.uniform(0.5, 2.0)),
            ("reference_impl", rng.uniform(2, 40)),
        ):
            med = base * factor
            name = f"test_{g}_per_op[{impl}]"
            benches.append(
                {
                    "group": g,
                    "name": name,
                    "fullname": f"tests/bench/test_bench.py::{name}",
                    "params": {"impl": impl},
                    "param": impl,
                    "extra_info": {},
                    "options": {"disable_gc": False},
                    "stats": {
                        "min": med * 0.9,
                        "max": med * 1.4,
                        "mean": med * 1.05,
                        "stddev": med * 0.1,
                        "rounds": 20,
                        "median": med,
                        "iqr": med * 0.1,
                        "q1": med * 0.95,
                        "q3": med * 1.05,
                        "iqr_outliers": 1,
                        "stddev_outliers": 2,
                        "outliers": "2;1",
                        "ld15iqr": med * 0.9,
                        "hd15iqr": med * 1.3,
                        "ops": 1 / med,
                        "total": med * 20,
                        "iterations": 1,
                    },
                }
            )
    return {
        "machine_info": {"node": "ci", "python_version": "3.11.7"},
        "commit_info": {"id": "abc"},
        "benchmarks": benches,
        "datetime": "2025-11-25T18:55:00",
        "version": "5.3.1",
    }


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path
