"""Compare this run's divergences with a previous run's (the --baseline option)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def fallback_key(div: dict[str, Any]) -> tuple[str, str, str]:
    """Ids may change between runs (e.g. a new hash scheme); this key survives that."""
    return (str(div.get("test_id")), str(div.get("kind")), str(div.get("field")))


@dataclass
class BaselineDiff:
    new: list[dict[str, Any]] = field(default_factory=list)
    fixed: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)
    # current divergence id -> "new" | "unchanged", for tagging divergence blocks
    change_of: dict[str, str] = field(default_factory=dict)


def diff_runs(current: list[dict[str, Any]], baseline: list[dict[str, Any]]) -> BaselineDiff:
    """Match by divergence id first, then by (test_id, kind, field); each baseline entry matches once."""
    result = BaselineDiff()
    unmatched = list(range(len(baseline)))
    by_id: dict[str, int] = {}
    by_key: dict[tuple[str, str, str], list[int]] = {}
    for idx, div in enumerate(baseline):
        if div.get("id") is not None:
            by_id.setdefault(str(div["id"]), idx)
        by_key.setdefault(fallback_key(div), []).append(idx)
    matched: set[int] = set()

    def take(idx: int | None) -> bool:
        if idx is None or idx in matched:
            return False
        matched.add(idx)
        return True

    # First pass by id for every current divergence, so an id match is never stolen by a key match.
    pending = []
    for div in current:
        if take(by_id.get(str(div.get("id")))):
            result.unchanged.append(div)
        else:
            pending.append(div)
    for div in pending:
        candidates = [i for i in by_key.get(fallback_key(div), []) if i not in matched]
        if candidates and take(candidates[0]):
            result.unchanged.append(div)
        else:
            result.new.append(div)
    result.fixed = [baseline[i] for i in unmatched if i not in matched]
    for div in result.unchanged:
        result.change_of[str(div.get("id"))] = "unchanged"
    for div in result.new:
        result.change_of[str(div.get("id"))] = "new"
    return result
