"""Value domains and per-dtype casting of generated values.

Values are drawn on a 0.01 grid: reproducer scripts stay readable (``-1.37``) and shrinking
heads for small, round numbers. Domains keep inputs where an op is defined and, for gradient
checks, away from kinks (``nonzero`` for abs/relu, ``offint`` for floor/round, ...).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from hypothesis import strategies as st

NAN, INF = math.nan, math.inf

# name -> (low, high, excluded-band test or None)
DOMAINS: dict[str, tuple[float, float, Any]] = {
    "real": (-2.0, 2.0, None),
    "small": (-1.0, 1.0, None),
    "positive": (0.25, 3.0, None),
    "unit": (-0.9, 0.9, None),
    "prob": (0.05, 0.95, None),
    "nonzero": (-2.0, 2.0, lambda x: abs(x) < 0.2),
    "offint": (-2.5, 2.5, lambda x: abs(x * 2 - round(x * 2)) < 0.1),
    "low": (-1.5, -0.6, None),
    "high": (0.6, 1.5, None),
    "special": (0.0, 0.0, None),
}
SPECIAL = (NAN, INF, -INF, 0.0, -0.0, 1.5, -2.0)


def element(domain: str) -> st.SearchStrategy[float]:
    """One float of ``domain``."""
    if domain == "special":
        return st.sampled_from(SPECIAL)
    lo, hi, excluded = DOMAINS[domain]
    s = st.integers(round(lo * 100), round(hi * 100)).map(lambda i: i / 100)
    return s if excluded is None else s.filter(lambda x: not excluded(x))


def numel(shape: tuple[int, ...]) -> int:
    return math.prod(shape)


@st.composite
def values(draw: st.DrawFn, shape: tuple[int, ...], domain: str = "real", distinct: bool = False) -> Any:
    """Nested list (or a bare float for shape ``()``) of ``domain`` values."""
    n = numel(shape)
    flat = draw(st.lists(element(domain), min_size=n, max_size=n, unique=distinct))
    return reshape(flat, shape)


def reshape(flat: list[Any], shape: tuple[int, ...]) -> Any:
    if not shape:
        return flat[0]
    arr = np.empty(len(flat), dtype=object)
    arr[:] = flat
    return arr.reshape(shape).tolist()


def cast_value(x: Any, dtype: str) -> Any:
    """A Python number that ``torch.tensor(.., dtype=dtype)`` accepts on every side."""
    if dtype == "bool":
        return bool(x > 0) if not (isinstance(x, float) and math.isnan(x)) else True
    if dtype.startswith(("int", "uint")):
        if isinstance(x, float) and not math.isfinite(x):
            return 0
        v = int(round(x))
        return abs(v) if dtype.startswith("uint") else v
    if dtype.startswith("complex"):
        return complex(x)
    return float(x)


def cast_values(v: Any, dtype: str) -> Any:
    """Recursively cast nested values for ``dtype``."""
    if isinstance(v, list):
        return [cast_values(x, dtype) for x in v]
    return cast_value(v, dtype)


def first(v: Any) -> Any:
    """First scalar of nested values (used to turn a tensor operand into a Python scalar)."""
    while isinstance(v, list):
        v = v[0]
    return v
