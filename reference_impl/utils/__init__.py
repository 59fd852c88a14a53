"""torch.utils: only ``data`` (datasets, samplers, DataLoader)."""

from . import data  # noqa: F401
