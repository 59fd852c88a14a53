"""The registry entry: one frozen, plain-data record per op *variant*.

An entry says how to call the op on a namespace (``variant`` + ``target``), which values
its tensor inputs may take (``inputs``: one domain name per differentiable/tensor input,
see ``strategies.values.DOMAINS``), how its arguments are drawn (``case``: a builder name in
``strategies.cases.CASES``, tuned by ``params``), which dtypes it supports, and how it
behaves under autograd. Nothing here imports hypothesis or torch, so the registry is cheap
to import and easy to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FLOAT = ("float32", "float64")
FLOAT_HALF = ("float16", "float32", "float64")
INT = ("int32", "int64")
NUMERIC = ("uint8", "int32", "int64", "float16", "float32", "float64")
ALL = ("bool",) + NUMERIC

VARIANTS = ("function", "method", "operator", "inplace", "property", "getitem")


@dataclass(frozen=True)
class OpSpec:
    """How to exercise one op variant; see the module docstring."""

    name: str
    """Unique id, used in test ids: ``exp``, ``exp.method``, ``mul.op``, ``mul_.inplace``."""
    op: str
    """Canonical op name (``--ops`` filtering and coverage), e.g. ``exp`` for all exp variants."""
    variant: str
    """function: ``torch.<target>(*args)``; method/inplace: ``args[0].<target>(*args[1:])``;
    operator: ``a <target> b`` or ``<target>a``; property: ``args[0].<target>``;
    getitem: ``args[0][args[1]]``."""
    target: str
    inputs: tuple[str, ...] = ("real",)
    """One value-domain name per tensor input (leaves the program creates)."""
    case: str = "elementwise"
    """Argument builder name in ``strategies.cases.CASES``."""
    params: tuple[tuple[str, Any], ...] = ()
    """Builder parameters, e.g. ``(("dim", "tuple"), ("keepdim", True))``."""
    dtypes: tuple[str, ...] = FLOAT
    """Dtypes the op supports (what the non-dtype properties generate)."""
    differentiable: bool = True
    grad_inputs: tuple[int, ...] | None = None
    """Which inputs get ``requires_grad`` in the gradient property (None: all)."""
    double_backward: bool = True
    analytic: bool = False
    """Holomorphic on its domain: the oracle may use complex-step differentiation."""
    output: int | None = None
    """Index of the differentiable item when the op returns a tuple."""
    sweep_scalars: bool = False
    """Dtype property also tries Python scalars / zero-dim tensors as the second operand."""
    tol_scale: float = 1.0
    tol_reason: str = ""
    """Why ``tol_scale`` is not 1 (required when it is not)."""
    in_programs: bool = False
    """Usable as a random step in multi-step programs (shape-preserving, total on reals)."""
    notes: str = ""

    def __post_init__(self) -> None:
        if self.variant not in VARIANTS:
            raise ValueError(f"{self.name}: unknown variant {self.variant!r}")
        if self.tol_scale != 1.0 and not self.tol_reason:
            raise ValueError(f"{self.name}: tol_scale needs a tol_reason")

    def param(self, key: str, default: Any = None) -> Any:
        """A builder parameter, or ``default``."""
        for k, v in self.params:
            if k == key:
                return v
        return default

    @property
    def arity(self) -> int:
        return len(self.inputs)

    @property
    def float_only(self) -> bool:
        return all(d.startswith("float") for d in self.dtypes)


def variants(op: str, *, function: bool | str = True, method: bool | str = True, inplace: bool = False,
             operator: str | None = None, canonical: str | None = None, **common: Any) -> tuple[OpSpec, ...]:
    """The usual variants of one op, sharing everything but how they are called.

    ``function``/``method`` may be a string naming a different target (``nn.functional.relu``);
    ``canonical`` is the ``op`` name when it differs from the entry-name prefix.
    The in-place variant uses the ``inplace`` builder when the op's builder is ``elementwise``
    (other operands must broadcast into ``self``) and is never a random-program step.
    """
    out = []
    common["op"] = canonical or op
    if function:
        out.append(OpSpec(name=op, variant="function",
                          target=function if isinstance(function, str) else op, **common))
    if method:
        out.append(OpSpec(name=f"{op}.method", variant="method",
                          target=method if isinstance(method, str) else op, **common))
    if operator:
        out.append(OpSpec(name=f"{op}.op", variant="operator", target=operator, **common))
    if inplace:
        kw = dict(common)
        if kw.get("case", "elementwise") == "elementwise":
            kw["case"] = "inplace"
        kw["in_programs"] = False
        base = method if isinstance(method, str) else op
        out.append(OpSpec(name=f"{op}_.inplace", variant="inplace", target=base + "_", **kw))
    return tuple(out)
