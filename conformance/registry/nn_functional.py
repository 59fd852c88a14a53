"""``torch.nn.functional``: activations, softmaxes, linear, and losses."""

from __future__ import annotations

from conformance.registry.spec import FLOAT, OpSpec, variants

F = "nn.functional."
_RED = ("reduction", ("mean", "sum", "none", "<omit>"))


def _f(op: str, **kw: object) -> OpSpec:
    return OpSpec(f"F.{op}", op, "function", F + op, **kw)


ENTRIES: tuple[OpSpec, ...] = (
    _f("softmax", case="reduce", params=(("dim", "int"), ("keepdim", False)), dtypes=FLOAT),
    *variants("softmax", function="softmax", case="reduce", params=(("dim", "int"), ("keepdim", False))),
    _f("log_softmax", case="reduce", params=(("dim", "int"), ("keepdim", False))),
    *variants("log_softmax", case="reduce", params=(("dim", "int"), ("keepdim", False))),
    _f("relu", inputs=("nonzero",), in_programs=True),
    _f("gelu", params=(("kw", (("approximate", ("none", "tanh", "<omit>")),)),), in_programs=True),
    _f("silu", in_programs=True),
    _f("elu", inputs=("nonzero",), params=(("kw", (("alpha", (1.0, 0.5, "<omit>")),)),)),
    _f("leaky_relu", inputs=("nonzero",), params=(("kw", (("negative_slope", (0.01, 0.2, "<omit>")),)),)),
    _f("softplus", params=(("kw", (("beta", (1, 2, "<omit>")), ("threshold", (20, 1, "<omit>")))),),
       in_programs=True),
    _f("tanh", in_programs=True),
    _f("sigmoid", in_programs=True),
    _f("linear", case="linalg", inputs=("real", "real", "real"), params=(("form", "linear"),)),
    OpSpec("F.linear.nobias", "linear", "function", F + "linear", case="linalg", inputs=("real", "real"),
           params=(("form", "linear_nobias"),)),
    _f("mse_loss", case="pair_loss", inputs=("real", "real"), params=(("kw", (_RED,)),)),
    _f("l1_loss", case="pair_loss", inputs=("real", "real"), params=(("kw", (_RED,)),)),
    _f("smooth_l1_loss", case="pair_loss", inputs=("real", "real"),
       params=(("kw", (_RED, ("beta", (1.0, 0.5, "<omit>")))),)),
    _f("nll_loss", case="classify", params=(("kw", (_RED,)),)),
    _f("cross_entropy", case="classify",
       params=(("kw", (_RED, ("label_smoothing", (0.0, 0.1, "<omit>")))),)),
    _f("binary_cross_entropy", case="pair_loss", inputs=("prob", "prob"), params=(("kw", (_RED,)),)),
    _f("binary_cross_entropy_with_logits", case="pair_loss", inputs=("real", "prob"),
       params=(("kw", (_RED,)),)),
)
