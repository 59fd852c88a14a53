"""Views, reshapes, joins/splits, and indexing (basic and advanced, gather/scatter)."""

from __future__ import annotations

from conformance.registry.spec import NUMERIC, OpSpec, variants

_N = dict(dtypes=NUMERIC)

ENTRIES: tuple[OpSpec, ...] = (
    OpSpec("view", "view", "method", "view", case="view", **_N),
    *variants("reshape", case="view", **_N),
    *variants("flatten", case="flatten", **_N),
    *variants("unflatten", case="unflatten", **_N),
    *variants("squeeze", inplace=True, case="squeeze", **_N),
    *variants("unsqueeze", inplace=True, case="unsqueeze", **_N),
    OpSpec("expand", "expand", "method", "expand", case="expand", **_N),
    OpSpec("expand_as", "expand_as", "method", "expand_as", case="expand", inputs=("real", "real"),
           grad_inputs=(0,), **_N),
    OpSpec("repeat", "repeat", "method", "repeat", case="repeat", **_N),
    *variants("transpose", inplace=True, case="transpose", **_N),
    *variants("permute", case="permute", **_N),
    OpSpec("contiguous", "contiguous", "method", "contiguous", case="unary_shape", **_N),
    *variants("clone", case="unary_shape", **_N),
    OpSpec("cat", "cat", "function", "cat", case="cat", inputs=("real", "real"), **_N),
    OpSpec("cat.three", "cat", "function", "cat", case="cat", inputs=("real", "real", "real"), **_N),
    OpSpec("stack", "stack", "function", "stack", case="cat", inputs=("real", "real"),
           params=(("stack", True),), **_N),
    *variants("split", case="split", output=0, **_N),
    OpSpec("split.last", "split", "method", "split", case="split", output=-1, **_N),
    *variants("chunk", case="split", params=(("chunk", True),), output=0, **_N),
    *variants("narrow", case="narrow", **_N),
    *variants("flip", case="flip", **_N),
    OpSpec("getitem.basic", "getitem", "getitem", "[]", case="index_basic", **_N),
    OpSpec("getitem.advanced", "getitem", "getitem", "[]", case="index_advanced", **_N),
    *variants("gather", case="gather", **_N),
    *variants("scatter", inplace=True, case="scatter", inputs=("real", "real"), **_N),
    *variants("index_select", case="index_select", **_N),
    *variants("masked_fill", inplace=True, case="masked_fill", **_N),
)
