"""Turn a drawn ``Case`` into program steps: leaves, the op call, tuple-item selection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.program import Block, Call, Item, Leaf, Ref
from conformance.registry.spec import OpSpec
from conformance.strategies.cases import Case
from conformance.strategies.values import cast_values


def is_float(dtype: str) -> bool:
    return dtype.startswith(("float", "complex", "bfloat"))


def leaf_steps(case: Case, dtype: str, *, flags: tuple[bool, ...] | None = None,
               paths: tuple[str, ...] | None = None, dtypes: tuple[str, ...] | None = None,
               prefix: str = "x") -> list[Leaf]:
    """One leaf per case input; ``flags`` sets requires_grad (only honoured for float dtypes)."""
    out = []
    for i, inp in enumerate(case.inputs):
        dt = dtypes[i] if dtypes else (inp.dtype or dtype)
        rg = bool(flags[i]) if flags else False
        path = paths[i] if paths else "kwarg"
        out.append(Leaf(f"{prefix}{i}", cast_values(inp.values, dt), dt, rg and is_float(dt), path))
    return out


@dataclass(frozen=True)
class Applied:
    steps: tuple[Any, ...]
    result: str
    """Name of the (differentiable) result: the op's output or its ``spec.output`` item."""


def call_steps(spec: OpSpec, case: Case, out: str = "y", *, clone_inplace: bool = True) -> Applied:
    """Steps applying ``spec`` to the case's leaves.

    In-place variants first clone ``self`` (``x0``): mutating a leaf that requires grad is an
    error, which the errors property checks separately (``clone_inplace=False``).
    """
    args = case.args
    steps: list[Any] = []
    if spec.variant == "inplace" and clone_inplace:
        steps.append(Call(f"{out}_self", "clone.method", (Ref("x0"),)))
        args = tuple(Ref(f"{out}_self") if a == Ref("x0") else a for a in args)
    steps.append(Call(out, spec.name, args, case.kwargs))
    if spec.output is not None:
        steps.append(Item(f"{out}_item", out, spec.output))
        return Applied(tuple(steps), f"{out}_item")
    return Applied(tuple(steps), out)


def in_mode(mode: str, steps: tuple[Any, ...]) -> tuple[Any, ...]:
    """Wrap steps in grad-mode blocks; ``mode`` is ``default`` or ``outer>inner``."""
    if mode == "default":
        return steps
    for m in reversed(mode.split(">")):
        steps = (Block(m, steps),)
    return steps


def replace_ref(args: Any, old: str, new: str) -> Any:
    """``args`` with every ``Ref(old)`` replaced by ``Ref(new)`` (recursively)."""
    if isinstance(args, Ref):
        return Ref(new) if args.name == old else args
    if isinstance(args, tuple):
        return tuple(replace_ref(a, old, new) for a in args)
    if isinstance(args, list):
        return [replace_ref(a, old, new) for a in args]
    return args
