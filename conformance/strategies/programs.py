"""Random multi-step programs around one op: reuse, accumulation, detach, modes, in-place, hooks.

Shapes are tracked symbolically: the random steps only use shape-preserving registry entries
(``in_programs``), ``sum`` (to a scalar) and binary ops between equal shapes or with a scalar,
so every generated step is well-formed on torch; whatever then fails must fail on both sides.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from conformance.hooks import GOOD_HOOKS
from conformance.program import (
    GRAD_MODES,
    RG_PATHS,
    Backward,
    Block,
    Call,
    Detach,
    Grad,
    Hook,
    Leaf,
    ReadGrad,
    Ref,
    RetainGrad,
    SetGrad,
)
from conformance.registry import REGISTRY
from conformance.strategies.values import cast_values, values

UNARY = [s for s in REGISTRY if s.in_programs and s.arity == 1 and s.case in ("elementwise", "scalar")]
BINARY = [s for s in REGISTRY if s.in_programs and s.arity == 2 and s.case == "elementwise"]
KINDS = ("unary", "unary", "binary", "binary", "sum", "new_leaf", "detach", "retain_grad", "hook", "block",
         "inplace", "backward", "backward", "grad", "set_grad", "read_grad")


class _Gen:
    def __init__(self, draw: st.DrawFn, dtype: str, pool: dict[str, tuple[int, ...]], leaves: list[str]):
        self.draw = draw
        self.dtype = dtype
        self.pool = dict(pool)
        self.leaves = list(leaves)
        self.n = 0

    def name(self) -> str:
        self.n += 1
        return f"v{self.n}"

    def pick(self, shape: tuple[int, ...] | None = None) -> str:
        names = sorted(n for n, s in self.pool.items() if shape is None or s == shape)
        return self.draw(st.sampled_from(names))

    def unary(self) -> Call:
        spec = self.draw(st.sampled_from(UNARY))
        src = self.pick()
        args: tuple[Any, ...] = (Ref(src),)
        if spec.case == "scalar":
            args += (self.draw(st.sampled_from(spec.param("scalars"))),)
        out = self.name()
        self.pool[out] = self.pool[src]
        return Call(out, spec.name, args)

    def binary(self) -> Call:
        spec = self.draw(st.sampled_from(BINARY))
        a = self.pick()
        scalars = [n for n, s in self.pool.items() if s == ()]
        b = self.pick(self.pool[a]) if not scalars or self.draw(st.booleans()) else self.draw(
            st.sampled_from(sorted(scalars)))
        if self.draw(st.booleans()):
            a, b = b, a
        out = self.name()
        self.pool[out] = max(self.pool[a], self.pool[b], key=len)
        return Call(out, spec.name, (Ref(a), Ref(b)))

    def scalar(self) -> tuple[list[Any], str]:
        """A scalar from the pool, summing a tensor first when there is none (or by choice)."""
        scalars = sorted(n for n, s in self.pool.items() if s == ())
        if scalars and self.draw(st.booleans()):
            return [], self.draw(st.sampled_from(scalars))
        src = self.pick()
        out = self.name()
        self.pool[out] = ()
        return [Call(out, "sum.method", (Ref(src),))], out

    def step(self, kind: str) -> list[Any]:
        d = self.draw
        if kind == "unary":
            return [self.unary()]
        if kind == "binary":
            return [self.binary()]
        if kind == "sum":
            return self.scalar()[0] or [Call(self.name(), "sum.method", (Ref(self.pick()),))]
        if kind == "new_leaf":
            shape = self.pool[self.pick()]
            out = self.name()
            self.pool[out] = shape
            self.leaves.append(out)
            return [Leaf(out, cast_values(d(values(shape)), self.dtype), self.dtype, d(st.booleans()),
                         d(st.sampled_from(RG_PATHS)))]
        if kind == "detach":
            src, out = self.pick(), self.name()
            self.pool[out] = self.pool[src]
            self.leaves.append(out)
            return [Detach(out, src)]
        if kind == "retain_grad":
            return [RetainGrad(self.pick())]
        if kind == "hook":
            return [Hook(self.pick(), d(st.sampled_from(GOOD_HOOKS)))]
        if kind == "block":
            body = self.unary() if d(st.booleans()) else self.binary()
            return [Block(d(st.sampled_from(sorted(GRAD_MODES))), (body,))]
        if kind == "inplace":
            src, out = self.pick(), self.name()
            self.pool[out] = self.pool[src]
            op = d(st.sampled_from(("mul_.inplace", "add_.inplace", "sigmoid_.inplace", "exp_.inplace")))
            args = (Ref(src),) if op in ("sigmoid_.inplace", "exp_.inplace") else (Ref(src), 0.5)
            return [Call(out, op, args)]
        if kind == "backward":
            pre, root = self.scalar()
            inputs = None
            if d(st.booleans()):
                inputs = tuple(d(st.lists(st.sampled_from(sorted(self.leaves)), min_size=1, max_size=2,
                                          unique=True)))
            return pre + [Backward(root, retain_graph=d(st.sampled_from((None, True))), inputs=inputs)]
        if kind == "grad":
            pre, root = self.scalar()
            ins = tuple(d(st.lists(st.sampled_from(sorted(self.leaves)), min_size=1, max_size=2, unique=True)))
            return pre + [Grad(self.name(), (root,), ins, retain_graph=d(st.sampled_from((None, True))),
                               allow_unused=True)]
        if kind == "set_grad":
            return [SetGrad(d(st.sampled_from(sorted(self.leaves))), d(st.sampled_from(("none", "zero"))))]
        out = self.name()
        return [ReadGrad(out, d(st.sampled_from(sorted(self.leaves))))]


@st.composite
def random_steps(draw: st.DrawFn, dtype: str, pool: dict[str, tuple[int, ...]], leaves: list[str],
                 max_steps: int = 10) -> tuple[Any, ...]:
    """Random steps over the values in ``pool`` (name -> shape); always ends with a backward."""
    gen = _Gen(draw, dtype, pool, leaves)
    steps: list[Any] = []
    for _ in range(draw(st.integers(2, max_steps))):
        steps += gen.step(draw(st.sampled_from(KINDS)))
    pre, root = gen.scalar()
    return tuple(steps + pre + [Backward(root)])
