"""Turn live values of either namespace into JSON-serialisable observations.

Every attribute read is guarded: an implementation that lacks ``_version`` or whose
``grad_fn`` has no ``next_functions`` yields an ``{"__error__": ...}`` marker for that field
instead of an exception, so one missing feature never hides the rest of the observation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

GRAPH_MAX_DEPTH = 6
GRAPH_MAX_NODES = 40
_ADDR = re.compile(r"0x[0-9a-fA-F]+")


def error_info(exc: BaseException) -> dict[str, str]:
    """Exception as ``{"type", "message"}`` (memory addresses masked, they differ per run)."""
    msg = str(exc)
    return {"type": type(exc).__name__, "message": _ADDR.sub("0x…", msg)}


def _safe(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except Exception as exc:  # an observation, never a crash
        e = error_info(exc)
        return {"__error__": f"{e['type']}: {e['message']}"}


def encode_values(v: Any) -> Any:
    """Nested lists with NaN/inf as strings (JSON has no NaN) and complex as [re, im]."""
    if isinstance(v, (list, tuple)):
        return [encode_values(x) for x in v]
    if isinstance(v, bool):
        return v
    if isinstance(v, complex):
        return [encode_values(v.real), encode_values(v.imag)]
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return v
    if isinstance(v, int):
        return v
    return repr(v)


def _values(t: Any) -> Any:
    try:
        return encode_values(t.detach().tolist())
    except Exception:
        pass
    try:
        return encode_values(t.tolist())
    except Exception:
        # torch's efficient zero tensors (from some double-backward formulas) refuse tolist()
        return encode_values(t.detach().clone().tolist())


def _name_of(fn: Any) -> str | None:
    return None if fn is None else type(fn).__name__


def graph(root: Any, names: dict[int, str]) -> dict[str, Any]:
    """The ``next_functions`` DAG below ``root``: nodes in DFS order, edges (parent, child, input_nr).

    Shared nodes appear once (keyed by identity); depth and node count are bounded.
    AccumulateGrad nodes are labelled with the program name of their variable.
    """
    nodes: list[str] = []
    edges: list[list[Any]] = []
    ids: dict[int, int] = {}
    truncated = False

    def label(fn: Any) -> str:
        name = type(fn).__name__
        var = getattr(fn, "variable", None)
        if var is not None:
            return f"{name}[{names.get(id(var), '?')}]"
        return name

    def visit(fn: Any, depth: int) -> int:
        nonlocal truncated
        key = id(fn)
        if key in ids:
            return ids[key]
        idx = len(nodes)
        ids[key] = idx
        nodes.append(label(fn))
        if depth >= GRAPH_MAX_DEPTH or len(nodes) >= GRAPH_MAX_NODES:
            truncated = True
            return idx
        for pair in tuple(fn.next_functions):
            child, nr = pair[0], pair[1]
            if child is None:
                edges.append([idx, None, int(nr)])
            else:
                edges.append([idx, visit(child, depth + 1), int(nr)])
        return idx

    if root is None:
        return {"nodes": [], "edges": [], "truncated": False}
    visit(root, 0)
    return {"nodes": nodes, "edges": edges, "truncated": truncated}


def observe(value: Any, tensor_type: type, names: dict[int, str], *, full: bool = True) -> dict[str, Any]:
    """Observation of any value a step bound: tensor, tuple/list of values, scalar, None."""
    if isinstance(value, tensor_type):
        obs: dict[str, Any] = {
            "type": "tensor",
            "dtype": _safe(lambda: str(value.dtype)),
            "shape": _safe(lambda: list(value.shape)),
            "values": _safe(lambda: _values(value)),
            "requires_grad": _safe(lambda: bool(value.requires_grad)),
        }
        if full:
            obs["is_leaf"] = _safe(lambda: bool(value.is_leaf))
            obs["grad_fn"] = _safe(lambda: _name_of(value.grad_fn))
            obs["graph"] = _safe(lambda: graph(value.grad_fn, names))
            obs["version"] = _safe(lambda: int(value._version))
        return obs
    if isinstance(value, (tuple, list)):
        return {"type": "tuple", "items": [observe(v, tensor_type, names, full=full) for v in value]}
    if value is None:
        return {"type": "none"}
    if isinstance(value, (bool, int, float, complex)):
        return {"type": "scalar", "pytype": type(value).__name__, "value": encode_values(value)}
    if isinstance(value, str):  # parameter / state_dict key names: compared exactly
        return {"type": "other", "pytype": "str", "value": value}
    return {"type": "other", "pytype": type(value).__name__}
