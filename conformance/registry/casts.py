"""Dtype conversions: ``to``, the ``float()``-style shorthands, ``type_as``."""

from __future__ import annotations

from conformance.registry.spec import ALL, OpSpec

_C = dict(dtypes=ALL, case="unary_shape")

ENTRIES: tuple[OpSpec, ...] = (
    OpSpec("to.dtype", "to", "method", "to", case="to_dtype", dtypes=ALL),
    OpSpec("to.other", "to", "method", "to", case="to_other", inputs=("real", "real"), dtypes=ALL,
           grad_inputs=(0,)),
    OpSpec("type_as", "type_as", "method", "type_as", case="to_other", inputs=("real", "real"), dtypes=ALL,
           grad_inputs=(0,)),
    OpSpec("float", "float", "method", "float", **_C),
    OpSpec("double", "double", "method", "double", **_C),
    OpSpec("half", "half", "method", "half", **_C),
    OpSpec("long", "long", "method", "long", **_C),
    OpSpec("int", "int", "method", "int", **_C),
    OpSpec("bool", "bool", "method", "bool", **_C),
)
