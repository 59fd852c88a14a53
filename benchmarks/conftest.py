"""Shared fixtures: each workload is parametrized over the implementations it compares.

Threads are pinned to one (BLAS and torch): with two, figures swing whenever anything
else runs on the machine. Compare ratios from one run, never absolute times across runs.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import importlib  # noqa: E402

import pytest  # noqa: E402

IMPLEMENTATIONS = ("reference_impl", "torch")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--smoke", action="store_true", help="one short round of each workload (CI)")


@pytest.fixture(scope="session")
def smoke(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--smoke"))


def load(name: str):
    """The namespace of an implementation (``numpy`` means the hand-written NumPy version)."""
    module = importlib.import_module(name)
    if name == "torch":
        module.set_num_threads(1)
    return module


@pytest.fixture(params=IMPLEMENTATIONS)
def ns(request: pytest.FixtureRequest):
    return load(request.param)
