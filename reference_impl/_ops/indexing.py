"""indexing ops (being written)."""

from __future__ import annotations

FUNCTIONS: dict = {}
METHODS: dict = {}
