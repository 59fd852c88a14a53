"""Numeric tolerances: torch.testing.assert_close defaults for values, looser ones for gradients.

Values use ``assert_close``'s per-dtype defaults, so "close" means what it means in torch's own
test-suite. Gradients are compared more loosely because a backward formula may legitimately be
written differently (``2*x*g`` vs ``x*g + x*g``) and chain several roundings; the gradient
tolerances below allow roughly ten extra ulps of float32 and a few of float64.
A registry entry's ``tol_scale`` (with its ``tol_reason``) multiplies both.
"""

from __future__ import annotations

# a complex dtype is compared with the tolerance of its real and imaginary parts' dtype, as in torch
_COMPLEX_PARTS = {"torch.complex32": "torch.float16", "torch.complex64": "torch.float32",
                  "torch.complex128": "torch.float64"}


def _with_complex(real: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """The real dtypes' table plus each complex dtype, at its parts' tolerance."""
    return {**real, **{c: real[part] for c, part in _COMPLEX_PARTS.items()}}


# dtype -> (rtol, atol), as in torch.testing.assert_close
VALUE_TOL: dict[str, tuple[float, float]] = _with_complex({
    "torch.float16": (1e-3, 1e-5),
    "torch.bfloat16": (1.6e-2, 1e-5),
    "torch.float32": (1.3e-6, 1e-5),
    "torch.float64": (1e-7, 1e-7),
})

# documented, looser tolerances for gradients
GRAD_TOL: dict[str, tuple[float, float]] = _with_complex({
    "torch.float16": (1e-2, 1e-3),
    "torch.bfloat16": (5e-2, 1e-2),
    "torch.float32": (1e-4, 1e-5),
    "torch.float64": (1e-6, 1e-7),
})

EXACT = (0.0, 0.0)


def tolerance(dtype: str, *, gradient: bool = False, scale: float = 1.0) -> tuple[float, float]:
    """(rtol, atol) for comparing values (or gradients) of ``dtype``; integers and bools are exact."""
    table = GRAD_TOL if gradient else VALUE_TOL
    rtol, atol = table.get(dtype, EXACT)
    return rtol * scale, atol * scale


def looser(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    return max(a[0], b[0]), max(a[1], b[1])
