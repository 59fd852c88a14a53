"""Reductions and scans: dim as int or tuple, keepdim, correction, p-norms."""

from __future__ import annotations

from conformance.registry.spec import ALL, NUMERIC, OpSpec, variants

_R = dict(case="reduce")
_TIES = ("distinct", True)

ENTRIES: tuple[OpSpec, ...] = (
    *variants("sum", dtypes=NUMERIC, params=(("dim", "optional"),), analytic=True, **_R),
    *variants("mean", params=(("dim", "optional"),), analytic=True, **_R),
    *variants("prod", dtypes=NUMERIC, params=(("dim", "optional_int"),), **_R),
    *variants("max", params=(("dim", "none"), _TIES), dtypes=NUMERIC, **_R),
    *variants("max_dim", function="max", method="max", canonical="max", output=0,
              params=(("dim", "int"), _TIES), dtypes=NUMERIC, **_R),
    *variants("min", params=(("dim", "none"), _TIES), dtypes=NUMERIC, **_R),
    *variants("min_dim", function="min", method="min", canonical="min", output=0,
              params=(("dim", "int"), _TIES), dtypes=NUMERIC, **_R),
    *variants("amax", params=(("dim", "optional"),), dtypes=NUMERIC, **_R),
    *variants("amin", params=(("dim", "optional"),), dtypes=NUMERIC, **_R),
    *variants("argmax", params=(("dim", "optional_int"),), dtypes=NUMERIC, differentiable=False, **_R),
    *variants("argmin", params=(("dim", "optional_int"),), dtypes=NUMERIC, differentiable=False, **_R),
    *variants("var", params=(("dim", "optional"), ("kw", (("correction", (0, 1, 2, "<omit>")),))),
              tol_scale=10.0, tol_reason="two-pass vs Welford accumulation differ by a few ulp", **_R),
    *variants("std", params=(("dim", "optional"), ("kw", (("correction", (0, 1, "<omit>")),))),
              inputs=("nonzero",), tol_scale=10.0,
              tol_reason="two-pass vs Welford accumulation differ by a few ulp", **_R),
    *variants("norm", params=(("dim", "optional"), ("kw", (("p", (2, 1, 3, "fro", "<omit>")),))),
              inputs=("nonzero",), tol_scale=10.0, tol_reason="p-th roots amplify rounding", **_R),
    *variants("logsumexp", params=(("dim", "int_or_tuple"),), tol_scale=4.0,
              tol_reason="max-shifted exp sums round differently", **_R),
    *variants("cumsum", inplace=True, params=(("dim", "int"), ("keepdim", False)), dtypes=NUMERIC, **_R),
    *variants("cumprod", inplace=True, params=(("dim", "int"), ("keepdim", False)), dtypes=NUMERIC,
              tol_scale=4.0, tol_reason="products of several terms accumulate rounding", **_R),
    *variants("all", params=(("dim", "optional"),), dtypes=ALL, differentiable=False, **_R),
    *variants("any", params=(("dim", "optional"),), dtypes=ALL, differentiable=False, **_R),
)
