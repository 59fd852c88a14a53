"""``repr(tensor)`` in torch's format (placeholder formatting; see tests for what is pinned)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _dtype as D


def _body(t: Any) -> str:
    a = np.asarray(t._data)
    if a.dtype.kind == "f":
        fmt = {"float_kind": lambda v: _float(v, a)}
        return np.array2string(a, separator=", ", formatter=fmt, threshold=1000, edgeitems=3,
                               prefix="tensor(")
    return np.array2string(a, separator=", ", threshold=1000, edgeitems=3, prefix="tensor(")


def _float(v: float, a: np.ndarray) -> str:
    finite = a[np.isfinite(a)]
    if finite.size and np.all(finite == np.round(finite)) and np.abs(finite).max() < 1e8:
        return f"{v:.0f}." if np.isfinite(v) else str(v)
    return f"{v:.4f}"


def tensor_repr(t: Any) -> str:
    parts = [_body(t)]
    dt = t._dtype
    if dt not in (D.get_default_dtype(), D.int64, D.bool_, D.default_complex_dtype()) or t._data.size == 0:
        parts.append(f"dtype={dt}")
    if t._grad_fn is not None:
        parts.append(f"grad_fn=<{t._grad_fn.name()}>")
    elif t._requires_grad:
        parts.append("requires_grad=True")
    return "tensor(" + ", ".join(parts) + ")"
