"""Session-wide settings for the engine tests."""

from __future__ import annotations

import pytest
import torch

import reference_impl


@pytest.fixture(autouse=True, scope="session")
def _warn_always() -> None:
    """TORCH_WARN_ONCE warnings fire once per process on each side, so whether a test sees one
    would depend on which tests ran before it in the same worker; with set_warn_always(True)
    both sides warn every time (tests/test_errors.py checks the once-per-process default in a
    subprocess)."""
    torch.set_warn_always(True)
    reference_impl.set_warn_always(True)
