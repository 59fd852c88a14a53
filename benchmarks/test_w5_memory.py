"""W5 memory: peak RSS of a 1e5-op chain in a fresh process, bytes per graph node, and no
growth over 1000 training steps (graphs must be freed after backward)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import IMPLEMENTATIONS

_PROBE = r"""
import gc, json, resource, sys, tracemalloc
ns = __import__(sys.argv[1])
depth = int(sys.argv[2])
x = ns.ones(4, requires_grad=True)
tracemalloc.start()
y = x
for i in range(depth):
    k = i % 3
    y = y + 1.0 if k == 0 else (y * 1.0001 if k == 1 else y.tanh())
graph_bytes = tracemalloc.get_traced_memory()[0]
tracemalloc.stop()
y.sum().backward()
del y
gc.collect()
w = ns.ones(16, 16, requires_grad=True)
def step():
    loss = ((ns.ones(8, 16) @ w).tanh() * 2).sum()
    loss.backward()
    w.grad = None
for _ in range(100):
    step()
tracemalloc.start()
for _ in range(100):
    step()
after_100 = tracemalloc.get_traced_memory()[0]
for _ in range(900):
    step()
after_1000 = tracemalloc.get_traced_memory()[0]
def peak_rss_mb():
    # ru_maxrss is carried over from the parent across fork+exec on Linux (a big parent's peak would
    # show up here); VmHWM belongs to this process's own address space
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"bytes_per_node": graph_bytes / depth,
                  "peak_rss_mb": peak_rss_mb(),
                  "growth_bytes_100_to_1000_steps": after_1000 - after_100}))
"""


def probe(impl: str, depth: int) -> dict:
    out = subprocess.run([sys.executable, "-c", _PROBE, impl, str(depth)], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.benchmark(group="w5_memory")
@pytest.mark.parametrize("impl", IMPLEMENTATIONS)
def test_w5_memory(benchmark, impl: str, smoke: bool) -> None:
    result = benchmark.pedantic(probe, args=(impl, 10_000 if smoke else 100_000), rounds=1, iterations=1)
    benchmark.extra_info.update(result)
    # torch's bytes per node are not visible to tracemalloc (C++ allocations), so only ours is checked.
    if impl == "reference_impl":
        assert result["growth_bytes_100_to_1000_steps"] < 1_000_000, result
