"""Diff two observations (torch = expected, impl = actual) into classified divergences.

Kinds: requires_grad, grad_fn (leaf status and grad_fn name), graph (next_functions and
version counters), dtype, value (values and shapes), gradient (anything observed about
``.grad``, ``autograd.grad`` results and hook calls), error_type, error_message, warning.

Comparison stops at the first step where exactly one side raised (or the error types differ):
everything after it is a consequence. Only the first divergence of each kind is kept, so a
single bug yields one concise divergence per kind, not a cascade.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from conformance.tolerances import looser, tolerance

KINDS = ("requires_grad", "grad_fn", "graph", "dtype", "value", "gradient", "error_type",
         "error_message", "warning")


@dataclass
class Divergence:
    kind: str
    field: str
    torch: Any
    impl: Any
    step: int | None = None
    max_abs_err: float | None = None
    max_rel_err: float | None = None
    where: list[int] | None = None
    fd_verdict: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


_WS = re.compile(r"\s+")


def normalize_message(msg: str) -> str:
    """First line, whitespace collapsed: the part of a message worth matching exactly."""
    first = msg.strip().splitlines()[0] if msg.strip() else ""
    return _WS.sub(" ", first).strip()


def decode(values: Any) -> np.ndarray:
    """Observation values -> float64 array ("nan"/"inf" strings decoded)."""
    return np.asarray(values, dtype=np.float64)


def close(torch_vals: Any, impl_vals: Any, rtol: float, atol: float) -> dict[str, Any] | None:
    """None when all close (NaN == NaN); else max abs/rel error and where the worst one is."""
    if rtol == 0 and atol == 0 and torch_vals == impl_vals:
        return None
    try:
        e, a = decode(torch_vals), decode(impl_vals)
    except (ValueError, TypeError):
        return {"max_abs_err": None, "max_rel_err": None, "where": None}
    if e.shape != a.shape:
        return {"max_abs_err": None, "max_rel_err": None, "where": None}
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(a - e)
        finite = np.isfinite(a) & np.isfinite(e)
        ok = (a == e) | (np.isnan(a) & np.isnan(e)) | (finite & (diff <= atol + rtol * np.abs(e)))
    if ok.all():
        return None
    bad = np.where(ok, 0.0, np.nan_to_num(diff, nan=np.inf, posinf=np.inf))
    flat = int(np.argmax(bad))
    where = [int(i) for i in np.unravel_index(flat, e.shape)] if e.shape else []
    with np.errstate(divide="ignore", invalid="ignore"):
        abs_err = float(np.max(np.where(ok, 0.0, np.nan_to_num(diff, nan=np.inf))))
        rel = np.where(ok, 0.0, np.nan_to_num(diff / np.abs(e), nan=np.inf))
    rel_err = float(np.max(rel)) if rel.size else None
    return {"max_abs_err": _finite(abs_err), "max_rel_err": _finite(rel_err), "where": where}


def _finite(x: float | None) -> float | None:
    return None if x is None or not np.isfinite(x) else x


class _Diff:
    def __init__(self, kinds: set[str] | None, messages: bool, scale: float):
        self.kinds = kinds
        self.messages = messages
        self.scale = scale
        self.found: dict[str, Divergence] = {}

    def add(self, kind: str, field: str, torch: Any, impl: Any, step: int | None, **extra: Any) -> None:
        if self.kinds is not None and kind not in self.kinds:
            return
        if kind not in self.found:
            self.found[kind] = Divergence(kind, field, torch, impl, step, **extra)

    def value(self, t: Any, i: Any, field: str, step: int | None, gradient: bool) -> None:
        """Compare two value observations (tensor, tuple, scalar, none, other)."""
        kind_of = (lambda k: "gradient") if gradient else (lambda k: k)
        if not isinstance(t, dict) or not isinstance(i, dict) or "__error__" in t or "__error__" in i:
            if t != i:
                self.add(kind_of("value"), field, t, i, step)
            return
        if t.get("type") != i.get("type"):
            self.add(kind_of("value"), field + ".type", t, i, step)
            return
        if t["type"] == "tuple":
            if len(t["items"]) != len(i["items"]):
                self.add(kind_of("value"), field + ".len", len(t["items"]), len(i["items"]), step)
            for k, (a, b) in enumerate(zip(t["items"], i["items"])):
                self.value(a, b, f"{field}[{k}]", step, gradient)
            return
        if t["type"] in ("none", "other"):
            if t != i:
                self.add(kind_of("value"), field, t, i, step)
            return
        if t["type"] == "scalar":
            if t["pytype"] != i["pytype"]:
                self.add(kind_of("dtype"), field + ".pytype", t["pytype"], i["pytype"], step)
            err = close(t["value"], i["value"], 1e-7, 1e-7)
            if err:
                self.add(kind_of("value"), field, t["value"], i["value"], step, **err)
            return
        self.tensor(t, i, field, step, gradient)

    def tensor(self, t: dict[str, Any], i: dict[str, Any], field: str, step: int | None,
               gradient: bool) -> None:
        kind_of = (lambda k: "gradient") if gradient else (lambda k: k)
        # A gradient's own graph/version is an artefact of how a backward formula is written
        # (torch's may use in-place ops internally): only flags, dtype, shape and values count.
        fields = (("requires_grad", "dtype") if gradient else
                  ("requires_grad", "is_leaf", "grad_fn", "graph", "version", "dtype"))
        kinds = {"requires_grad": "requires_grad", "is_leaf": "grad_fn", "grad_fn": "grad_fn", "graph": "graph",
                 "version": "graph", "dtype": "dtype"}
        for key, kind in ((f, kinds[f]) for f in fields):
            if key in t and t.get(key) != i.get(key):
                self.add(kind_of(kind), f"{field}.{key}", t.get(key), i.get(key), step)
        if t.get("shape") != i.get("shape"):
            self.add(kind_of("value"), f"{field}.shape", t.get("shape"), i.get("shape"), step)
            return
        tol = tolerance(str(t.get("dtype")), gradient=gradient, scale=self.scale)
        if t.get("dtype") != i.get("dtype"):
            tol = looser(tol, tolerance(str(i.get("dtype")), gradient=gradient, scale=self.scale))
        err = close(t.get("values"), i.get("values"), *tol)
        if err:
            self.add(kind_of("value"), f"{field}.values", t.get("values"), i.get("values"), step, **err)

    def steps(self, ts: list[dict[str, Any]], is_: list[dict[str, Any]]) -> bool:
        """Compare step records; False when comparison had to stop (error mismatch)."""
        for t, i in zip(ts, is_):
            idx = t["index"]
            te, ie = t.get("error"), i.get("error")
            if te or ie:
                if te is None or ie is None or te["type"] != ie["type"]:
                    self.add("error_type", "error", te, ie, idx)
                    return False
                if self.messages and normalize_message(te["message"]) != normalize_message(ie["message"]):
                    self.add("error_message", "error.message", te["message"], ie["message"], idx)
            self.warnings(t.get("warnings", []), i.get("warnings", []), idx)
            gradient_step = t.get("code", "").find(".autograd.grad(") >= 0
            for name in sorted(set(t["outputs"]) | set(i["outputs"])):
                self.value(t["outputs"].get(name), i["outputs"].get(name), name, idx, gradient_step)
            tg, ig = t.get("grads") or {}, i.get("grads") or {}
            for name in sorted(set(tg) | set(ig)):
                self.value(tg.get(name), ig.get(name), f"{name}.grad", idx, True)
        if len(ts) != len(is_):
            self.add("value", "steps", len(ts), len(is_), None)
            return False
        return True

    def warnings(self, tw: list[dict[str, str]], iw: list[dict[str, str]], idx: int) -> None:
        def key(w: dict[str, str]) -> tuple[str, str]:
            return w["category"], normalize_message(w["message"]) if self.messages else ""
        if sorted(map(key, tw)) != sorted(map(key, iw)):
            self.add("warning", "warnings", tw, iw, idx)

    def final(self, t: dict[str, Any], i: dict[str, Any]) -> None:
        if t.get("hook_calls") != i.get("hook_calls"):
            self.add("gradient", "hook_calls", t.get("hook_calls"), i.get("hook_calls"), None)
        tt, it = t.get("tensors", {}), i.get("tensors", {})
        for name in sorted(set(tt) & set(it)):
            a, b = tt[name], it[name]
            if a.get("version") != b.get("version"):
                self.add("graph", f"{name}._version", a.get("version"), b.get("version"), None)
            if a.get("requires_grad") != b.get("requires_grad"):
                self.add("requires_grad", f"{name}.requires_grad", a.get("requires_grad"),
                         b.get("requires_grad"), None)
            if "grad" in a or "grad" in b:
                self.value(a.get("grad"), b.get("grad"), f"{name}.grad", None, True)


def compare(torch_obs: dict[str, Any], impl_obs: dict[str, Any], *, kinds: set[str] | None = None,
            messages: bool = False, scale: float = 1.0) -> list[Divergence]:
    """Divergences of ``impl_obs`` from ``torch_obs`` (first of each kind), restricted to ``kinds``.

    ``messages`` also compares error/warning message texts (first line); otherwise only error
    types and warning categories must agree. ``scale`` multiplies all tolerances.
    """
    d = _Diff(kinds, messages, scale)
    if d.steps(torch_obs["steps"], impl_obs["steps"]):
        d.final(torch_obs.get("final", {}), impl_obs.get("final", {}))
    return [d.found[k] for k in KINDS if k in d.found]
