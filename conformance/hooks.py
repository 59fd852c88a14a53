"""Tensor hooks used by programs, kept as source text.

The same text is exec'd by the executor and printed into reproducer scripts, so a hook in a
script behaves exactly like the one that ran. Every hook logs the shape of the gradient it
saw in ``HOOK_CALLS``; the executor reports that log, which catches hooks that are skipped,
called twice, or called with the wrong gradient.
"""

from __future__ import annotations

HOOKS: dict[str, str] = {
    "hook_log": "def hook_log(g):\n    HOOK_CALLS.append(['log', list(g.shape)])\n",
    "hook_double": "def hook_double(g):\n    HOOK_CALLS.append(['double', list(g.shape)])\n"
                   "    return g * 2\n",
    "hook_negate": "def hook_negate(g):\n    HOOK_CALLS.append(['negate', list(g.shape)])\n"
                   "    return -g\n",
    "hook_none": "def hook_none(g):\n    HOOK_CALLS.append(['none', list(g.shape)])\n    return None\n",
    "hook_bad_shape": "def hook_bad_shape(g):\n    HOOK_CALLS.append(['bad_shape', list(g.shape)])\n"
                      "    return g.sum().reshape(1, 1, 1, 1, 1)\n",
    "hook_bad_type": "def hook_bad_type(g):\n    HOOK_CALLS.append(['bad_type', list(g.shape)])\n"
                     "    return 1.5\n",
}

GOOD_HOOKS = ("hook_log", "hook_double", "hook_negate", "hook_none")
BAD_HOOKS = ("hook_bad_shape", "hook_bad_type")


def source(names: list[str] | None = None) -> str:
    """Source defining ``HOOK_CALLS`` and the named hooks (all when ``names`` is None)."""
    chosen = sorted(HOOKS) if names is None else names
    return "HOOK_CALLS = []\n" + "".join(HOOKS[n] for n in chosen)
