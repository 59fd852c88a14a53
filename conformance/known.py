"""Known divergences: listed differences that pass (status "known") instead of failing.

Entries live in ``known_divergences.toml``::

    [[divergence]]
    key = "test_gradients[exp-float32]"   # test name glob, or "property:op[:dtype]" globs
    kind = "gradient"                       # optional: only divergences of this kind
    impl = "reference_impl"                 # optional glob, default "*"
    classification = "impl-bug"             # impl-bug | torch-quirk | precision | unsupported | intentional
    reason = "why this is accepted for now"

An entry is *stale* when at least one test it covers ran and none of that run's divergences
matched it; ``--strict-known`` turns stale entries into a failure.
"""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_PATH = Path(__file__).with_name("known_divergences.toml")
CLASSIFICATIONS = ("impl-bug", "torch-quirk", "precision", "unsupported", "intentional")


class KnownFileError(ValueError):
    """The known-divergences file cannot be used; the message is one line."""


@dataclass(frozen=True)
class KnownEntry:
    key: str
    classification: str
    reason: str
    kind: str | None = None
    impl: str = "*"

    def covers(self, test_name: str, prop: str, op: str | None, dtype: str | None) -> bool:
        """Does this entry apply to a test (regardless of divergence kind)?"""
        if ":" in self.key and "[" not in self.key:
            parts = self.key.split(":")
            want = [prop, op or "", dtype or ""][: len(parts)]
            return all(fnmatch.fnmatchcase(w, p) for w, p in zip(want, parts))
        literal_brackets = "".join({"[": "[[]", "]": "[]]"}.get(c, c) for c in self.key)
        return fnmatch.fnmatchcase(test_name, literal_brackets)

    def matches(self, test_name: str, prop: str, op: str | None, dtype: str | None, kind: str) -> bool:
        return (self.kind is None or self.kind == kind) and self.covers(test_name, prop, op, dtype)

    def to_json(self, stale: bool) -> dict[str, Any]:
        return {"key": self.key + (f" ({self.kind})" if self.kind else ""),
                "classification": self.classification, "reason": self.reason, "stale": stale}


def load(path: str | Path | None = None, impl: str | None = None) -> list[KnownEntry]:
    """Entries of ``path`` (default: the packaged file) that apply to ``impl``."""
    p = Path(path) if path else DEFAULT_PATH
    if not p.exists():
        if path:
            raise KnownFileError(f"known-divergences file not found: {p}")
        return []
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KnownFileError(f"cannot read {p}: {exc}") from None
    out = []
    for i, raw in enumerate(data.get("divergence", [])):
        try:
            entry = KnownEntry(key=raw["key"], classification=raw["classification"], reason=raw["reason"],
                               kind=raw.get("kind"), impl=raw.get("impl", "*"))
        except KeyError as exc:
            raise KnownFileError(f"{p}: divergence #{i + 1} lacks {exc}") from None
        if entry.classification not in CLASSIFICATIONS:
            raise KnownFileError(f"{p}: divergence #{i + 1}: classification must be one of {CLASSIFICATIONS}")
        if impl is None or fnmatch.fnmatchcase(impl, entry.impl):
            out.append(entry)
    return out


def find(entries: list[KnownEntry], test_name: str, prop: str, op: str | None, dtype: str | None,
         kind: str) -> KnownEntry | None:
    for e in entries:
        if e.matches(test_name, prop, op, dtype, kind):
            return e
    return None


def stale_entries(entries: list[KnownEntry], tests: list[dict[str, Any]],
                  divergences: list[dict[str, Any]]) -> list[KnownEntry]:
    """Entries covering at least one test that ran, none of whose divergences they matched."""
    used = {d.get("known_key") for d in divergences if d.get("status") == "known"}
    stale = []
    for e in entries:
        if e.key + "|" + str(e.kind) in used:
            continue
        ran = [t for t in tests if t["outcome"] not in ("skipped",)
               and e.covers(t["id"].split("::")[-1], t["property"], t.get("op"), t.get("dtype"))]
        if ran:
            stale.append(e)
    return stale


def entry_key(e: KnownEntry) -> str:
    return e.key + "|" + str(e.kind)
