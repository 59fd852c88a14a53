"""Argument builders: for a registry entry, draw input tensors and the call's arguments.

A builder is ``(draw, spec) -> Case``. Inputs become leaves ``x0, x1, ...`` in a program and
arguments refer to them with ``Ref("x0")``. Non-differentiable tensor arguments (indices,
masks, class targets) are ``TensorLit`` constants. Builders are keyed by name so registry
entries stay plain data (``OpSpec.case`` / ``OpSpec.params``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

from conformance.program import DType, Ellipsis_, Index, Ref, Slice, TensorLit
from conformance.registry.spec import OpSpec
from conformance.strategies import shapes as S
from conformance.strategies.values import values

OMIT = "<omit>"


@dataclass(frozen=True)
class Input:
    shape: tuple[int, ...]
    values: Any
    domain: str
    dtype: str | None = None  # None: the dtype the property is testing


@dataclass(frozen=True)
class Case:
    inputs: tuple[Input, ...]
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...] = ()

    def with_kwargs(self, **kw: Any) -> Case:
        return Case(self.inputs, self.args, self.kwargs + tuple(kw.items()))


Builder = Callable[[st.DrawFn, OpSpec], Case]
CASES: dict[str, Builder] = {}


def builder(name: str) -> Callable[[Builder], Builder]:
    def deco(fn: Builder) -> Builder:
        CASES[name] = fn
        return fn
    return deco


def case_strategy(spec: OpSpec) -> st.SearchStrategy[Case]:
    """The Hypothesis strategy producing cases for ``spec``."""
    fn = CASES[spec.case]
    return st.composite(lambda draw: fn(draw, spec))()


# ------------------------------------------------------------------ helpers


def refs(n: int, start: int = 0) -> tuple[Ref, ...]:
    return tuple(Ref(f"x{i}") for i in range(start, start + n))


def make_inputs(draw: st.DrawFn, spec: OpSpec, shapes: tuple[tuple[int, ...], ...],
                dtypes: tuple[str | None, ...] | None = None) -> tuple[Input, ...]:
    distinct = bool(spec.param("distinct", False))
    out = []
    for i, shape in enumerate(shapes):
        domain = spec.inputs[i]
        vals = draw(values(tuple(shape), domain, distinct=distinct and math.prod(shape) <= 30))
        out.append(Input(tuple(shape), vals, domain, None if dtypes is None else dtypes[i]))
    return tuple(out)


def draw_kwargs(draw: st.DrawFn, spec: OpSpec) -> tuple[tuple[str, Any], ...]:
    """Keyword arguments from ``params["kw"] = ((key, choices), ...)``; OMIT leaves one out."""
    out = []
    for key, choices in spec.param("kw", ()):
        v = draw(st.sampled_from(choices))
        if v != OMIT:
            out.append((key, v))
    return tuple(out)


def draw_extra(draw: st.DrawFn, spec: OpSpec) -> tuple[Any, ...]:
    """Extra positional literals from ``params["pos"] = (choices, ...)``."""
    return tuple(draw(st.sampled_from(c)) for c in spec.param("pos", ()))


def dim_of(draw: st.DrawFn, rank: int) -> int:
    r = max(rank, 1)
    return draw(st.integers(-r, r - 1))


def dims_of(draw: st.DrawFn, rank: int, min_size: int = 1) -> tuple[int, ...]:
    """A tuple of distinct dims, each maybe negative."""
    chosen = draw(st.lists(st.integers(0, rank - 1), min_size=min_size, max_size=rank, unique=True))
    return tuple(d - rank if draw(st.booleans()) else d for d in chosen)


def shape_for(draw: st.DrawFn, spec: OpSpec) -> tuple[int, ...]:
    return draw(S.shapes(spec.param("min_rank", 0), spec.param("max_rank", S.MAX_RANK)))


# ------------------------------------------------------------------ elementwise


@builder("elementwise")
def elementwise(draw: st.DrawFn, spec: OpSpec) -> Case:
    """``n`` broadcastable inputs (n = len(spec.inputs)), then extra positionals and kwargs."""
    n = spec.arity
    shapes = draw(S.broadcastable(n, spec.param("min_rank", 0))) if n > 1 else (shape_for(draw, spec),)
    return Case(make_inputs(draw, spec, shapes), refs(n) + draw_extra(draw, spec), draw_kwargs(draw, spec))


@builder("inplace")
def inplace(draw: st.DrawFn, spec: OpSpec) -> Case:
    """Like elementwise, but later inputs broadcast *into* the first (self keeps its shape)."""
    s0 = shape_for(draw, spec)
    shapes = (s0,) + tuple(draw(S.into(s0)) for _ in range(spec.arity - 1))
    return Case(make_inputs(draw, spec, shapes), refs(spec.arity) + draw_extra(draw, spec),
                draw_kwargs(draw, spec))


@builder("scalar")
def scalar(draw: st.DrawFn, spec: OpSpec) -> Case:
    """One tensor and a Python scalar (``params["scalars"]``), scalar first if ``scalar_first``."""
    inputs = make_inputs(draw, spec, (shape_for(draw, spec),))
    s = draw(st.sampled_from(spec.param("scalars")))
    args = (s, Ref("x0")) if spec.param("scalar_first", False) else (Ref("x0"), s)
    return Case(inputs, args, draw_kwargs(draw, spec))


@builder("where")
def where(draw: st.DrawFn, spec: OpSpec) -> Case:
    cshape, s0, s1 = draw(S.broadcastable(3))
    cond = draw(values(cshape, "real")) if cshape else draw(values((), "real"))
    mask = TensorLit(_map(cond, lambda v: v > 0), "bool")
    inputs = make_inputs(draw, spec, (s0, s1))
    if spec.variant == "method":  # x.where(condition, other)
        return Case(inputs, (Ref("x0"), mask, Ref("x1")))
    return Case(inputs, (mask,) + refs(2))


@builder("clamp_tensor")
def clamp_tensor(draw: st.DrawFn, spec: OpSpec) -> Case:
    shapes = draw(S.broadcastable(3))
    inputs = make_inputs(draw, spec, shapes)
    which = draw(st.sampled_from(("both", "min", "max")))
    kw = ((("min", Ref("x1")),) if which in ("both", "min") else ()) + \
         ((("max", Ref("x2")),) if which in ("both", "max") else ())
    keep = [0] + ([1] if which != "max" else []) + ([2] if which != "min" else [])
    inputs = tuple(inputs[i] for i in keep)
    # rename refs so leaves stay x0.. in order
    ren = {f"x{old}": f"x{new}" for new, old in enumerate(keep)}
    kw = tuple((k, Ref(ren[v.name])) for k, v in kw)
    return Case(inputs, (Ref("x0"),), kw)


@builder("masked_fill")
def masked_fill(draw: st.DrawFn, spec: OpSpec) -> Case:
    s0 = shape_for(draw, spec)
    mshape = draw(S.into(s0))
    mask = TensorLit(_map(draw(values(mshape, "real")), lambda v: v > 0), "bool")
    inputs = make_inputs(draw, spec, (s0,))
    value = draw(st.sampled_from(spec.param("fill", (0.0, -1.5, 2))))
    return Case(inputs, (Ref("x0"), mask, value))


def _map(v: Any, fn: Callable[[Any], Any]) -> Any:
    return [_map(x, fn) for x in v] if isinstance(v, list) else fn(v)


# ------------------------------------------------------------------ reductions


@builder("reduce")
def reduce(draw: st.DrawFn, spec: OpSpec) -> Case:
    """``params["dim"]``: none | optional | optional_int | int | int_or_tuple; ``keepdim``: bool."""
    shape = shape_for(draw, spec)
    rank = len(shape)
    form = spec.param("dim", "optional")
    choices = {"none": ["none"], "optional": ["none", "int", "tuple"], "optional_int": ["none", "int"],
               "int": ["int"], "int_or_tuple": ["int", "tuple"]}[form]
    if rank == 0:
        choices = [c for c in choices if c != "tuple"] or ["int"]
    pick = draw(st.sampled_from(choices))
    kw: list[tuple[str, Any]] = []
    if pick == "int":
        kw.append(("dim", dim_of(draw, rank)))
    elif pick == "tuple":
        kw.append(("dim", dims_of(draw, rank)))
    if pick != "none" and spec.param("keepdim", True) and draw(st.booleans()):
        kw.append(("keepdim", True))
    inputs = make_inputs(draw, spec, (shape,))
    return Case(inputs, (Ref("x0"),) + draw_extra(draw, spec), tuple(kw) + draw_kwargs(draw, spec))


# ------------------------------------------------------------------ linalg


_LINALG_FORMS: dict[str, list[tuple[str, ...]]] = {
    "matmul": ["nk,k", "k,km", "k,k", "nk,km", "bnk,bkm", "bnk,km", "nk,bkm", "k,bkm", "bnk,k"],
    "mm": ["nk,km"], "bmm": ["bnk,bkm"], "dot": ["k,k"], "mv": ["nk,k"], "outer": ["n,m"],
    "linear": ["bnk,mk,m", "nk,mk,m", "k,mk,m"], "linear_nobias": ["nk,mk", "bnk,mk"],
}


@builder("linalg")
def linalg(draw: st.DrawFn, spec: OpSpec) -> Case:
    forms = _LINALG_FORMS[spec.param("form", spec.op)]
    form = draw(st.sampled_from(forms))
    sizes = {c: draw(st.integers(1, 3)) for c in "bnkm"}
    shapes = tuple(tuple(sizes[c] for c in part) for part in form.split(","))
    return Case(make_inputs(draw, spec, shapes), refs(len(shapes)))


# ------------------------------------------------------------------ shape / indexing


@builder("unary_shape")
def unary_shape(draw: st.DrawFn, spec: OpSpec) -> Case:
    """One input within ``min_rank``/``max_rank``; only extra positionals/kwargs."""
    return Case(make_inputs(draw, spec, (shape_for(draw, spec),)), (Ref("x0"),) + draw_extra(draw, spec),
                draw_kwargs(draw, spec))


@builder("view")
def view(draw: st.DrawFn, spec: OpSpec) -> Case:
    shape = shape_for(draw, spec)
    target = list(draw(S.factor(math.prod(shape))))
    if draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return Case(make_inputs(draw, spec, (shape,)), (Ref("x0"), tuple(target)))


@builder("flatten")
def flatten(draw: st.DrawFn, spec: OpSpec) -> Case:
    shape = shape_for(draw, spec)
    r = max(len(shape), 1)
    a, b = sorted((draw(st.integers(0, r - 1)), draw(st.integers(0, r - 1))))
    kw = []
    if draw(st.booleans()):
        kw.append(("start_dim", a - r if draw(st.booleans()) else a))
    if draw(st.booleans()):
        kw.append(("end_dim", b - r if draw(st.booleans()) else b))
    if len(kw) == 1 and kw[0][0] == "end_dim" and b == 0:
        kw = []
    return Case(make_inputs(draw, spec, (shape,)), (Ref("x0"),), tuple(kw))


@builder("unflatten")
def unflatten(draw: st.DrawFn, spec: OpSpec) -> Case:
    shape = draw(S.shapes(1, 3))
    d = draw(st.integers(0, len(shape) - 1))
    sizes = list(draw(S.factor(shape[d], 3)))
    if draw(st.booleans()):
        sizes[draw(st.integers(0, len(sizes) - 1))] = -1
    dim = d - len(shape) if draw(st.booleans()) else d
    return Case(make_inputs(draw, spec, (shape,)), (Ref("x0"), dim, tuple(sizes)))


@builder("squeeze")
def squeeze(draw: st.DrawFn, spec: OpSpec) -> Case:
    shape = draw(S.shapes(0, 3, min_side=1, max_side=2))
    rank = len(shape)
    pick = draw(st.sampled_from(("none", "int", "tuple") if rank else ("none", "int")))
    args: tuple[Any, ...] = (Ref("x0"),)
    if pick == "int":
        args += (dim_of(draw, rank),)
    elif pick == "tuple":
        args += (dims_of(draw, rank),)
    return Case(make_inputs(draw, spec, (shape,)), args)


@builder("unsqueeze")
def unsqueeze(draw: st.DrawFn, spec: OpSpec) -> Case:
    shape = shape_for(draw, spec)
    r = len(shape)
    return Case(make_inputs(draw, spec, (shape,)), (Ref("x0"), draw(st.integers(-r - 1, r))))


@builder("expand")
def expand(draw: st.DrawFn, spec: OpSpec) -> Case:
    shape = draw(S.shapes(0, 3, max_side=2))
    lead = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    sizes = tuple(draw(st.integers(1, 3)) if d == 1 else draw(st.sampled_from((d, -1))) for d in shape)
    target = lead + sizes
    if spec.arity == 2:  # expand_as: the second input supplies the shape
        full = lead + tuple(s if s != -1 else d for s, d in zip(sizes, shape))
        return Case(make_inputs(draw, spec, (shape, full)), refs(2))
    return Case(make_inputs(draw, spec, (shape,)), (Ref("x0"), target))


@builder("repeat")
def repeat(draw: st.DrawFn, spec: OpSpec) -> Case:
    shape = draw(S.shapes(0, 2))
    reps = tuple(draw(st.lists(st.integers(1, 2), min_size=max(len(shape), 1), max_size=len(shape) + 1)))
    return Case(make_inputs(draw, spec, (shape,)), (Ref("x0"), reps))


@builder("transpose")
def transpose(draw: st.DrawFn, spec: OpSpec) -> Case:
    shape = shape_for(draw, spec)
    r = len(shape)
    return Case(make_inputs(draw, spec, (shape,)), (Ref("x0"), dim_of(draw, r), dim_of(draw, r)))


@builder("permute")
def permute(draw: st.DrawFn, spec: OpSpec) -> Case:
    shape = shape_for(draw, spec)
    perm = tuple(draw(st.permutations(range(len(shape)))))
    perm = tuple(p - len(shape) if draw(st.booleans()) else p for p in perm)
    return Case(make_inputs(draw, spec, (shape,)), (Ref("x0"), perm))


@builder("cat")
def cat(draw: st.DrawFn, spec: OpSpec) -> Case:
    """``torch.cat`` / ``torch.stack`` of ``spec.arity`` tensors along a drawn dim."""
    stack = spec.param("stack", False)
    base = list(draw(S.shapes(0 if stack else 1, 3)))
    r = len(base)
    dim = draw(st.integers(-r - 1, r)) if stack else dim_of(draw, r)
    shapes = []
    for _ in range(spec.arity):
        s = list(base)
        if not stack:
            s[dim] = draw(st.integers(1, 3))
        shapes.append(tuple(s))
    return Case(make_inputs(draw, spec, tuple(shapes)), (list(refs(spec.arity)),), (("dim", dim),))


@builder("split")
def split(draw: st.DrawFn, spec: OpSpec) -> Case:
    shape = draw(S.shapes(1, 3))
    d = dim_of(draw, len(shape))
    size = shape[d]
    if spec.param("chunk", False):
        arg: Any = draw(st.integers(1, 4))
    elif draw(st.booleans()):
        arg = draw(st.integers(1, size + 1))
    else:
        parts: list[int] = []
        rest = size
        while rest:
            p = draw(st.integers(1, rest))
            parts.append(p)
            rest -= p
        arg = parts
    return Case(make_inputs(draw, spec, (shape,)), (Ref("x0"), arg), (("dim", d),))


@builder("narrow")
def narrow(draw: st.DrawFn, spec: OpSpec) -> Case:
    shape = draw(S.shapes(1, 3))
    d = dim_of(draw, len(shape))
    start = draw(st.integers(0, shape[d] - 1))
    length = draw(st.integers(0, shape[d] - start))
    return Case(make_inputs(draw, spec, (shape,)), (Ref("x0"), d, start, length))


@builder("flip")
def flip(draw: st.DrawFn, spec: OpSpec) -> Case:
    shape = draw(S.shapes(1, 3))
    return Case(make_inputs(draw, spec, (shape,)), (Ref("x0"), dims_of(draw, len(shape))))


@builder("index_basic")
def index_basic(draw: st.DrawFn, spec: OpSpec) -> Case:
    shape = draw(S.shapes(1, 3))
    items: list[Any] = []
    dims = list(shape)
    use_ellipsis = draw(st.booleans()) and len(dims) > 1
    k = draw(st.integers(1, len(dims)))
    for size in dims[:k]:
        kind = draw(st.sampled_from(("int", "slice", "none")))
        if kind == "int":
            items.append(draw(st.integers(-size, size - 1)))
        elif kind == "slice":
            a = draw(st.one_of(st.none(), st.integers(-size, size)))
            b = draw(st.one_of(st.none(), st.integers(-size, size)))
            step = draw(st.sampled_from((None, 1, 2)))
            items.append(Slice(a, b, step))
        else:
            items.append(None)
            items.append(Slice())
    if use_ellipsis:
        items.insert(draw(st.integers(0, len(items))), Ellipsis_())
    return Case(make_inputs(draw, spec, (shape,)), (Ref("x0"), Index(tuple(items))))


@builder("index_advanced")
def index_advanced(draw: st.DrawFn, spec: OpSpec) -> Case:
    shape = draw(S.shapes(1, 3))
    kind = draw(st.sampled_from(("tensor0", "tensor1", "list0", "mask", "pair")))
    ints = lambda size, n: [draw(st.integers(-size, size - 1)) for _ in range(n)]
    n = draw(st.integers(1, 4))
    if kind == "tensor1" and len(shape) < 2:
        kind = "tensor0"
    if kind == "pair" and len(shape) < 2:
        kind = "list0"
    if kind == "tensor0":
        idx = Index((TensorLit(ints(shape[0], n), "int64"),))
    elif kind == "tensor1":
        idx = Index((Slice(), TensorLit(ints(shape[1], n), "int64")))
    elif kind == "list0":
        idx = Index((ints(shape[0], n),))
    elif kind == "mask":
        mask = _map(draw(values(shape, "real")), lambda v: v > 0)
        idx = Index((TensorLit(mask, "bool"),))
    else:
        idx = Index((TensorLit(ints(shape[0], n), "int64"), TensorLit(ints(shape[1], n), "int64")))
    return Case(make_inputs(draw, spec, (shape,)), (Ref("x0"), idx))


@builder("gather")
def gather(draw: st.DrawFn, spec: OpSpec) -> Case:
    shape = draw(S.shapes(1, 3))
    d = dim_of(draw, len(shape))
    ishape = tuple(draw(st.integers(1, s)) if i != d % len(shape) else draw(st.integers(1, 3))
                   for i, s in enumerate(shape))
    idx = np.array([draw(st.integers(0, shape[d] - 1)) for _ in range(math.prod(ishape))])
    lit = TensorLit(idx.reshape(ishape).tolist(), "int64")
    return Case(make_inputs(draw, spec, (shape,)), (Ref("x0"), d, lit))


@builder("scatter")
def scatter(draw: st.DrawFn, spec: OpSpec) -> Case:
    """Indices unique along ``dim`` within each slice: duplicate scatter targets are unspecified."""
    shape = draw(S.shapes(1, 3))
    r = len(shape)
    d = dim_of(draw, r) % r
    ishape = tuple(draw(st.integers(1, s)) for s in shape)
    idx = np.zeros(ishape, dtype=int)
    for pos in np.ndindex(*[s for i, s in enumerate(ishape) if i != d]):
        perm = draw(st.permutations(range(shape[d])))[: ishape[d]]
        for j, p in enumerate(perm):
            full = list(pos)
            full.insert(d, j)
            idx[tuple(full)] = p
    lit = TensorLit(idx.tolist(), "int64")
    inputs = make_inputs(draw, spec, (shape, ishape))
    return Case(inputs, (Ref("x0"), d, lit, Ref("x1")))


@builder("index_select")
def index_select(draw: st.DrawFn, spec: OpSpec) -> Case:
    shape = draw(S.shapes(1, 3))
    d = dim_of(draw, len(shape))
    n = draw(st.integers(1, 4))
    lit = TensorLit([draw(st.integers(0, shape[d] - 1)) for _ in range(n)], "int64")
    return Case(make_inputs(draw, spec, (shape,)), (Ref("x0"), d, lit))


# ------------------------------------------------------------------ casts


@builder("to_other")
def to_other(draw: st.DrawFn, spec: OpSpec) -> Case:
    """``x.type_as(other)`` / ``x.to(other)``: ``other``'s dtype from ``params["other"]``."""
    shape = shape_for(draw, spec)
    other = draw(st.sampled_from(spec.param("other", ("float64", "float32", "int64"))))
    inputs = make_inputs(draw, spec, (shape, ()), (None, other))
    return Case(inputs, refs(2))


@builder("to_dtype")
def to_dtype(draw: st.DrawFn, spec: OpSpec) -> Case:
    shape = shape_for(draw, spec)
    dt = draw(st.sampled_from(spec.param("targets", ("float64", "float32", "float16", "int64", "bool"))))
    return Case(make_inputs(draw, spec, (shape,)), (Ref("x0"), DType(dt)))


# ------------------------------------------------------------------ nn.functional


@builder("classify")
def classify(draw: st.DrawFn, spec: OpSpec) -> Case:
    """nll_loss / cross_entropy: (N, C) or (C,) scores and integer class targets."""
    c = draw(st.integers(2, 4))
    batched = draw(st.booleans())
    n = draw(st.integers(1, 3))
    shape = (n, c) if batched else (c,)
    tshape = (n,) if batched else ()
    target = [draw(st.integers(0, c - 1)) for _ in range(math.prod(tshape))]
    lit = TensorLit(target if batched else target[0], "int64")
    return Case(make_inputs(draw, spec, (shape,)), (Ref("x0"), lit), draw_kwargs(draw, spec))


@builder("pair_loss")
def pair_loss(draw: st.DrawFn, spec: OpSpec) -> Case:
    """Losses of two same-shape inputs (input, target)."""
    shape = shape_for(draw, spec)
    return Case(make_inputs(draw, spec, (shape, shape)), refs(2), draw_kwargs(draw, spec))


# ------------------------------------------------------------------ extra ops


@builder("index_add")
def index_add(draw: st.DrawFn, spec: OpSpec) -> Case:
    """``x.index_add(dim, index, source)``: source has ``len(index)`` rows along ``dim``."""
    shape = draw(S.shapes(1, 3))
    d = dim_of(draw, len(shape)) % len(shape)
    n = draw(st.integers(1, 3))
    lit = TensorLit([draw(st.integers(0, shape[d] - 1)) for _ in range(n)], "int64")
    src = tuple(n if i == d else s for i, s in enumerate(shape))
    return Case(make_inputs(draw, spec, (shape, src)), (Ref("x0"), d, lit, Ref("x1")))


@builder("select")
def select(draw: st.DrawFn, spec: OpSpec) -> Case:
    shape = draw(S.shapes(1, 3))
    d = dim_of(draw, len(shape))
    return Case(make_inputs(draw, spec, (shape,)), (Ref("x0"), d, draw(st.integers(-shape[d], shape[d] - 1))))


@builder("sum_to_size")
def sum_to_size(draw: st.DrawFn, spec: OpSpec) -> Case:
    shape = shape_for(draw, spec)
    return Case(make_inputs(draw, spec, (shape,)), (Ref("x0"), draw(S.into(shape))))


@builder("conv")
def conv(draw: st.DrawFn, spec: OpSpec) -> Case:
    """conv1d/conv2d: (N, C, *spatial) input, (O, C, *kernel) weight, optional bias."""
    nd = spec.param("nd", 1)
    n, c, o = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    spatial = tuple(draw(st.integers(2, 4)) for _ in range(nd))
    kernel = tuple(draw(st.integers(1, s)) for s in spatial)
    shapes = ((n, c) + spatial, (o, c) + kernel, (o,))[: spec.arity]
    kw = draw_kwargs(draw, spec)
    return Case(make_inputs(draw, spec, shapes), refs(spec.arity), kw)


@builder("bilinear")
def bilinear(draw: st.DrawFn, spec: OpSpec) -> Case:
    n, a, b, o = (draw(st.integers(1, 3)) for _ in range(4))
    shapes = ((n, a), (n, b), (o, a, b), (o,))
    return Case(make_inputs(draw, spec, shapes), refs(4))


@builder("layer_norm")
def layer_norm(draw: st.DrawFn, spec: OpSpec) -> Case:
    shape = draw(S.shapes(1, 3, min_side=2))
    k = draw(st.integers(1, len(shape)))
    norm = shape[len(shape) - k:]
    inputs = make_inputs(draw, spec, (shape, norm, norm))
    return Case(inputs, (Ref("x0"), tuple(norm), Ref("x1"), Ref("x2")))


@builder("batch_norm")
def batch_norm(draw: st.DrawFn, spec: OpSpec) -> Case:
    """Eval-mode or training-mode batch norm; running stats are leaves that training updates."""
    n, c = draw(st.integers(2, 3)), draw(st.integers(1, 3))
    shape = (n, c) + tuple(draw(st.lists(st.integers(1, 3), max_size=1)))
    inputs = make_inputs(draw, spec, (shape, (c,), (c,), (c,), (c,)))
    kw = (("training", draw(st.booleans())),) + draw_kwargs(draw, spec)
    return Case(inputs, refs(5), kw)


@builder("embedding")
def embedding(draw: st.DrawFn, spec: OpSpec) -> Case:
    rows, dim = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    ishape = draw(S.shapes(0, 2))
    idx = [draw(st.integers(0, rows - 1)) for _ in range(math.prod(ishape))]
    lit = TensorLit(np.array(idx, dtype=int).reshape(ishape).tolist(), "int64")
    return Case(make_inputs(draw, spec, ((rows, dim),)), (lit, Ref("x0")))
