"""Hypothesis profiles: dev (quick), ci (full registry in minutes, derandomized), thorough.

Registered under ``conformance-<name>`` and applied per test (never ``load_profile``), so the
plugin does not change Hypothesis settings for unrelated test suites in the same process.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

PROFILES = ("dev", "ci", "thorough")
_COMMON = dict(deadline=None, database=None, print_blob=False,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                      HealthCheck.data_too_large, HealthCheck.differing_executors],
               phases=[Phase.explicit, Phase.generate, Phase.shrink])
_EXAMPLES = {"dev": 4, "ci": 6, "thorough": 60}
# Seconds a failing test may spend shrinking before it settles for the smallest example so far
# (hypothesis' MAX_SHRINKING_SECONDS, set per test): keeps a run with many divergences inside
# the CI time limit.
SHRINK_BUDGET_S = {"dev": 5.0, "ci": 1.0, "thorough": 60.0}


def ci_env() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def register() -> None:
    for name in PROFILES:
        settings.register_profile(f"conformance-{name}", max_examples=_EXAMPLES[name],
                                  derandomize=name == "ci" or ci_env(), **_COMMON)


def get(name: str, max_examples: int | None = None, seed_given: bool = False) -> settings:
    """The profile's settings; an explicit seed turns derandomization off."""
    register()
    s = settings.get_profile(f"conformance-{name}")
    if max_examples is not None:
        s = settings(s, max_examples=max_examples)
    if seed_given and s.derandomize:
        s = settings(s, derandomize=False)
    return s
