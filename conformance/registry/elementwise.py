"""Elementwise arithmetic and math ops (unary and broadcasting binary)."""

from __future__ import annotations

from conformance.registry.spec import FLOAT, FLOAT_HALF, NUMERIC, OpSpec, variants

_ALL_NUMERIC = NUMERIC
_BIN = dict(inputs=("real", "real"), sweep_scalars=True)


def _unary(op: str, domain: str = "real", *, inplace: bool = True, programs: bool = True,
           analytic: bool = False, **kw: object) -> tuple[OpSpec, ...]:
    return variants(op, inplace=inplace, inputs=(domain,), dtypes=FLOAT_HALF, analytic=analytic,
                    in_programs=programs and domain in ("real", "small"), **kw)


ENTRIES: tuple[OpSpec, ...] = (
    # ---- binary arithmetic
    *variants("add", operator="+", inplace=True, dtypes=_ALL_NUMERIC, analytic=True, in_programs=True, **_BIN),
    OpSpec("add.alpha", "add", "function", "add", inputs=("real", "real"), params=(("kw", (("alpha", (2, -0.5)),)),),
           analytic=True),
    *variants("sub", operator="-", inplace=True, dtypes=_ALL_NUMERIC, analytic=True, in_programs=True, **_BIN),
    OpSpec("rsub", "rsub", "function", "rsub", inputs=("real", "real"), dtypes=NUMERIC, analytic=True,
           sweep_scalars=True),
    OpSpec("rsub.op_scalar", "rsub", "operator", "-", inputs=("real",), case="scalar",
           params=(("scalars", (2, 0.5, -1.25)), ("scalar_first", True)), analytic=True),
    *variants("mul", operator="*", inplace=True, dtypes=_ALL_NUMERIC, analytic=True, in_programs=True, **_BIN),
    OpSpec("mul.op_scalar", "mul", "operator", "*", inputs=("real",), case="scalar",
           params=(("scalars", (2, 0.5, -1.5, True)),), analytic=True, in_programs=True),
    *variants("div", operator="/", inplace=True, inputs=("real", "nonzero"), dtypes=NUMERIC, analytic=True,
              sweep_scalars=True),
    OpSpec("div.rounding", "div", "function", "div", inputs=("real", "nonzero"), dtypes=NUMERIC,
           params=(("kw", (("rounding_mode", ("trunc", "floor", None)),)),), sweep_scalars=True),
    OpSpec("div.rounding_method", "div", "method", "div", inputs=("real", "nonzero"), dtypes=NUMERIC,
           params=(("kw", (("rounding_mode", ("trunc", "floor")),)),)),
    OpSpec("div.op_rscalar", "div", "operator", "/", inputs=("nonzero",), case="scalar",
           params=(("scalars", (1, 2.5, -3)), ("scalar_first", True)), analytic=True),
    *variants("floor_divide", operator="//", inplace=True, inputs=("real", "nonzero"), dtypes=NUMERIC,
              sweep_scalars=True, double_backward=False,
              notes="torch builds a graph but raises 'derivative ... not implemented' in backward"),
    *variants("remainder", operator="%", inplace=True, inputs=("offint", "nonzero"), dtypes=NUMERIC,
              sweep_scalars=True),
    *variants("atan2", inplace=True, inputs=("nonzero", "nonzero"), dtypes=FLOAT, sweep_scalars=False),
    *variants("maximum", inputs=("real", "real"), dtypes=NUMERIC, sweep_scalars=False),
    *variants("minimum", inputs=("real", "real"), dtypes=NUMERIC, sweep_scalars=False),
    # ---- pow: tensor ** scalar, scalar ** tensor, tensor ** tensor
    *variants("pow", operator="**", inplace=True, inputs=("positive", "real"), dtypes=FLOAT_HALF,
              sweep_scalars=True),
    OpSpec("pow.scalar_exp", "pow", "function", "pow", inputs=("positive",), case="scalar",
           params=(("scalars", (2, 3, 0.5, -1.5, 0, 1, -2)),), dtypes=FLOAT_HALF, analytic=True),
    OpSpec("pow.scalar_exp_op", "pow", "operator", "**", inputs=("real",), case="scalar",
           params=(("scalars", (2, 3, 1, 0)),), dtypes=NUMERIC, analytic=True, in_programs=True),
    OpSpec("pow.scalar_exp_inplace", "pow", "inplace", "pow_", inputs=("positive",), case="scalar",
           params=(("scalars", (2, 0.5, -1)),), dtypes=FLOAT_HALF),
    OpSpec("pow.scalar_base", "pow", "function", "pow", inputs=("real",), case="scalar",
           params=(("scalars", (2, 0.5, 3.5)), ("scalar_first", True)), dtypes=FLOAT_HALF, analytic=True),
    OpSpec("pow.scalar_base_op", "pow", "operator", "**", inputs=("real",), case="scalar",
           params=(("scalars", (2, 0.5, 1.5)), ("scalar_first", True)), dtypes=FLOAT_HALF, analytic=True),
    # ---- unary
    *variants("neg", operator="-", inplace=True, dtypes=("int64",) + FLOAT_HALF, analytic=True, in_programs=True),
    *_unary("reciprocal", "nonzero", analytic=True),
    *_unary("square", analytic=True),
    *_unary("abs", "nonzero"),
    *_unary("sign", "nonzero"),
    *_unary("sqrt", "positive", analytic=True),
    *_unary("rsqrt", "positive", analytic=True),
    *_unary("exp", "small", analytic=True),
    *_unary("exp2", "small", analytic=True),
    *_unary("log", "positive", analytic=True),
    *_unary("log2", "positive", analytic=True),
    *_unary("log10", "positive", analytic=True),
    *_unary("log1p", "positive", analytic=True),
    *_unary("expm1", "small", analytic=True),
    *_unary("sin", analytic=True),
    *_unary("cos", analytic=True),
    *_unary("tan", "unit", analytic=True),
    *_unary("asin", "unit", analytic=True),
    *_unary("acos", "unit", analytic=True),
    *_unary("atan", analytic=True),
    *_unary("sinh", analytic=True),
    *_unary("cosh", analytic=True),
    *_unary("tanh", analytic=True),
    *_unary("sigmoid", analytic=True),
    *_unary("relu", "nonzero"),
    *_unary("floor", "offint"),
    *_unary("ceil", "offint"),
    *_unary("round", "offint"),
    *_unary("trunc", "offint"),
    *_unary("frac", "offint"),
    # ---- clamp family
    *variants("clamp", inplace=True, dtypes=NUMERIC, case="elementwise",
              params=(("kw", (("min", (-0.55, -1, "<omit>")), ("max", (0.45, 1.05)))),)),
    *variants("clamp_tensor", function="clamp", method="clamp", canonical="clamp", inputs=("real", "low", "high"),
              case="clamp_tensor"),
    *variants("clamp_min", inplace=True, dtypes=NUMERIC, params=(("pos", ((-0.55, 0.45, 0),)),)),
    *variants("clamp_max", inplace=True, dtypes=NUMERIC, params=(("pos", ((-0.55, 0.45, 0),)),)),
    # ---- ternary
    *variants("where", inputs=("real", "real"), case="where", dtypes=NUMERIC),
    *variants("lerp", inplace=True, inputs=("real", "real"), params=(("pos", ((0.25, 0.5, -1.0, 2.0),)),),
              analytic=True),
    *variants("lerp_tensor", function="lerp", method="lerp", canonical="lerp", inputs=("real", "real", "unit")),
)
