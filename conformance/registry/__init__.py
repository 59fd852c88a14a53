"""The op registry: every op variant the suite exercises, gathered from one module per family."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable

from conformance.registry import (
    casts,
    elementwise,
    extra,
    linalg,
    logical,
    nn_functional,
    reductions,
    shape_indexing,
)
from conformance.registry.nn_modules import MODULES
from conformance.registry.optim import OPTIMIZERS
from conformance.registry.spec import OpSpec

FAMILIES = {
    "elementwise": elementwise.ENTRIES,
    "logical": logical.ENTRIES,
    "reductions": reductions.ENTRIES,
    "linalg": linalg.ENTRIES,
    "shape_indexing": shape_indexing.ENTRIES,
    "casts": casts.ENTRIES,
    "nn_functional": nn_functional.ENTRIES,
    "extra": extra.ENTRIES,
}

REGISTRY: tuple[OpSpec, ...] = tuple(e for entries in FAMILIES.values() for e in entries)
_BY_NAME = {e.name: e for e in REGISTRY}
if len(_BY_NAME) != len(REGISTRY):
    dupes = sorted({e.name for e in REGISTRY if sum(x.name == e.name for x in REGISTRY) > 1})
    raise ValueError(f"duplicate registry names: {dupes}")


# (entry name, canonical op) of everything ``--ops`` can select: op variants, nn modules
# (nn_modules property) and optimizer configurations (training property).
ENTRY_NAMES: tuple[tuple[str, str], ...] = tuple((e.name, e.op) for e in (*REGISTRY, *MODULES, *OPTIMIZERS))


def get(name: str) -> OpSpec:
    """The entry called ``name`` (KeyError if none)."""
    return _BY_NAME[name]


def matches(spec: OpSpec, patterns: Iterable[str] | None) -> bool:
    """Does an ``--ops`` glob list select this entry (by entry name or canonical op name)?"""
    return matches_name(spec.name, spec.op, patterns)


def matches_name(name: str, op: str | None, patterns: Iterable[str] | None) -> bool:
    """``matches`` for any named entry (op specs, nn module specs, training configurations)."""
    if patterns is None:
        return True
    return any(fnmatch.fnmatchcase(name, p) or (op is not None and fnmatch.fnmatchcase(op, p)) for p in patterns)


def select(patterns: Iterable[str] | None = None) -> list[OpSpec]:
    """Entries matching ``patterns`` (all when None)."""
    pats = None if patterns is None else list(patterns)
    return [e for e in REGISTRY if matches(e, pats)]


__all__ = ["ENTRY_NAMES", "FAMILIES", "MODULES", "OPTIMIZERS", "REGISTRY", "OpSpec", "get", "matches",
           "matches_name", "select"]
