"""Parametrize properties over registry entries: one test id per op variant (and dtype)."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from conformance.registry.spec import OpSpec

MARK = "conformance_case"


def op_params(prop: str, specs: Iterable[OpSpec], dtypes: Iterable[str] | None = None) -> list[object]:
    """``pytest.param(spec[, dtype])`` per entry, id ``name[-dtype]``, marked with property/op/dtype."""
    out = []
    for spec in specs:
        for dtype in (None,) if dtypes is None else [d for d in dtypes if d in spec.dtypes]:
            mark = getattr(pytest.mark, MARK)(property=prop, op=spec.op, dtype=dtype, entry=spec.name)
            values = (spec,) if dtype is None else (spec, dtype)
            out.append(pytest.param(*values, id=spec.name if dtype is None else f"{spec.name}-{dtype}",
                                    marks=mark))
    return out


def plain_params(prop: str, ids_values: Iterable[tuple[str, tuple[object, ...]]]) -> list[object]:
    """Parameters of op-independent checks (op None)."""
    mark = getattr(pytest.mark, MARK)(property=prop, op=None, dtype=None, entry=None)
    return [pytest.param(*vals, id=i, marks=mark) for i, vals in ids_values]


def float_dtype(spec: OpSpec) -> str:
    """The dtype non-dtype properties use: float32 if supported, else the first supported."""
    for d in ("float32", "float64"):
        if d in spec.dtypes:
            return d
    return spec.dtypes[0]
