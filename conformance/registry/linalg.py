"""Matrix products (every matmul form) and transposes."""

from __future__ import annotations

from conformance.registry.spec import FLOAT, OpSpec, variants

_MM = dict(case="linalg", inputs=("real", "real"), analytic=True)

ENTRIES: tuple[OpSpec, ...] = (
    *variants("matmul", operator="@", **_MM),
    *variants("mm", **_MM),
    *variants("bmm", **_MM),
    *variants("dot", **_MM),
    *variants("mv", **_MM),
    *variants("outer", **_MM),
    *variants("t", inplace=True, case="unary_shape", params=(("max_rank", 2),), dtypes=FLOAT),
    OpSpec("T", "T", "property", "T", case="unary_shape", params=(("max_rank", 2),)),
    OpSpec("T.nd", "T", "property", "T", case="unary_shape", params=(("min_rank", 3),),
           notes="deprecated for ndim != 2: torch warns"),
    OpSpec("mT", "mT", "property", "mT", case="unary_shape", params=(("min_rank", 2),)),
)
