"""Comparisons, logical and bitwise ops, and float classification: never differentiable."""

from __future__ import annotations

from conformance.registry.spec import ALL, NUMERIC, OpSpec, variants

_CMP = dict(inputs=("real", "real"), dtypes=NUMERIC, differentiable=False, sweep_scalars=True)
_LOGIC = dict(inputs=("real", "real"), dtypes=ALL, differentiable=False, sweep_scalars=True)
_BITS = ("bool", "uint8", "int32", "int64")
_BITWISE = dict(inputs=("real", "real"), dtypes=_BITS, differentiable=False, sweep_scalars=True)

ENTRIES: tuple[OpSpec, ...] = (
    *variants("eq", operator="==", inplace=True, **_CMP),
    *variants("ne", operator="!=", inplace=True, **_CMP),
    *variants("lt", operator="<", inplace=True, **_CMP),
    *variants("le", operator="<=", inplace=True, **_CMP),
    *variants("gt", operator=">", inplace=True, **_CMP),
    *variants("ge", operator=">=", inplace=True, **_CMP),
    *variants("logical_and", inplace=True, **_LOGIC),
    *variants("logical_or", inplace=True, **_LOGIC),
    *variants("logical_xor", inplace=True, **_LOGIC),
    *variants("logical_not", inplace=True, inputs=("real",), dtypes=ALL, differentiable=False),
    *variants("bitwise_not", operator="~", inplace=True, inputs=("real",), dtypes=_BITS, differentiable=False),
    *variants("bitwise_and", operator="&", inplace=True, **_BITWISE),
    *variants("bitwise_or", operator="|", inplace=True, **_BITWISE),
    *variants("bitwise_xor", operator="^", inplace=True, **_BITWISE),
    *variants("isnan", inputs=("special",), dtypes=ALL, differentiable=False),
    *variants("isinf", inputs=("special",), dtypes=ALL, differentiable=False),
    *variants("isfinite", inputs=("special",), dtypes=ALL, differentiable=False),
)
