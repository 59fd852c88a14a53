"""Programs are data: a list of steps that render to Python statements.

Each step renders to the exact source line(s) the executor runs, so a program printed as a
script (``to_script``) is, statement for statement, what was executed on either side.
Grad-mode blocks are the one structured step: the executor enters their context manager
itself so that every statement inside is still observed separately.

Programs round-trip through JSON (``to_json`` / ``from_json``) so a divergence in
``results.json`` can be re-run alone (``--rerun``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from typing import Any

from conformance import hooks

# ------------------------------------------------------------------ argument literals


@dataclass(frozen=True)
class Ref:
    """A reference to a value an earlier step bound to ``name``."""

    name: str


@dataclass(frozen=True)
class TensorLit:
    """A constant, non-differentiable tensor argument (indices, masks, targets)."""

    values: Any
    dtype: str


@dataclass(frozen=True)
class DType:
    """A dtype argument, rendered ``torch.<name>``."""

    name: str


@dataclass(frozen=True)
class Slice:
    start: int | None = None
    stop: int | None = None
    step: int | None = None


@dataclass(frozen=True)
class Ellipsis_:
    """``...`` inside an index expression."""


@dataclass(frozen=True)
class Index:
    """An index expression ``x[a, b:c, None, ...]``; items are literals, slices or TensorLits."""

    items: tuple[Any, ...]


def render_number(v: float | int | bool) -> str:
    if isinstance(v, bool) or isinstance(v, int):
        return repr(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(float(v))


def render_values(v: Any) -> str:
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(render_values(x) for x in v) + "]"
    return render_number(v)


# The device leaf tensors are created on ("cpu" or "cuda"): one per run (``--device``), set by the
# pytest plugin before any program renders, so reproducer scripts name it too.
DEVICE = "cpu"


def set_device(name: str) -> None:
    """Create every leaf / tensor literal of later-rendered programs on ``name``."""
    global DEVICE
    DEVICE = name


def device_kw() -> str:
    """``, device='cuda'`` when the run is not on the CPU (nothing on the CPU: scripts stay short)."""
    return "" if DEVICE == "cpu" else f", device={DEVICE!r}"


def render_arg(a: Any, ns: str = "torch") -> str:
    """Python source for one argument literal."""
    if isinstance(a, Ref):
        return a.name
    if isinstance(a, TensorLit):
        return f"{ns}.tensor({render_values(a.values)}, dtype={ns}.{a.dtype}{device_kw()})"
    if isinstance(a, DType):
        return f"{ns}.{a.name}"
    if isinstance(a, Slice):
        s = ("" if a.start is None else str(a.start)) + ":" + ("" if a.stop is None else str(a.stop))
        return s + (f":{a.step}" if a.step is not None else "")
    if isinstance(a, Ellipsis_):
        return "..."
    if isinstance(a, Index):
        return ", ".join(render_arg(x, ns) for x in a.items)
    if isinstance(a, list):
        return "[" + ", ".join(render_arg(x, ns) for x in a) + "]"
    if isinstance(a, tuple):
        inner = ", ".join(render_arg(x, ns) for x in a)
        return f"({inner},)" if len(a) == 1 else f"({inner})"
    if isinstance(a, (bool, int, float)):
        return render_number(a)
    return repr(a)


def refs_in(a: Any) -> Iterator[str]:
    """Names an argument refers to (recursively)."""
    if isinstance(a, Ref):
        yield a.name
    elif isinstance(a, (list, tuple)):
        for x in a:
            yield from refs_in(x)
    elif isinstance(a, Index):
        for x in a.items:
            yield from refs_in(x)


# ------------------------------------------------------------------ steps

RG_PATHS = ("kwarg", "method", "attr")
GRAD_MODES = {
    "no_grad": "no_grad()",
    "enable_grad": "enable_grad()",
    "set_grad_enabled_false": "set_grad_enabled(False)",
    "set_grad_enabled_true": "set_grad_enabled(True)",
    "inference_mode": "inference_mode()",
}


@dataclass(frozen=True)
class Leaf:
    """``out = torch.tensor(values, dtype=..)`` with requires_grad set through ``path``."""

    out: str
    values: Any
    dtype: str
    requires_grad: bool = False
    path: str = "kwarg"

    def render(self, ns: str) -> str:
        base = f"{ns}.tensor({render_values(self.values)}, dtype={ns}.{self.dtype}{device_kw()}"
        if not self.requires_grad:
            return f"{self.out} = {base})"
        if self.path == "kwarg":
            return f"{self.out} = {base}, requires_grad=True)"
        if self.path == "method":
            return f"{self.out} = {base}).requires_grad_()"
        return f"{self.out} = {base}); {self.out}.requires_grad = True"

    def outputs(self) -> tuple[str, ...]:
        return (self.out,)


@dataclass(frozen=True)
class Call:
    """Apply registry op ``op`` (an ``OpSpec.name``) to ``args``/``kwargs``."""

    out: str
    op: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()

    def render(self, ns: str) -> str:
        from conformance.registry import get

        spec = get(self.op)
        a = [render_arg(x, ns) for x in self.args]
        kw = [f"{k}={render_arg(v, ns)}" for k, v in self.kwargs]
        v = spec.variant
        if v == "function":
            expr = f"{ns}.{spec.target}({', '.join(a + kw)})"
        elif v in ("method", "inplace"):
            expr = f"{a[0]}.{spec.target}({', '.join(a[1:] + kw)})"
        elif v == "property":
            expr = f"{a[0]}.{spec.target}"
        elif v == "getitem":
            expr = f"{a[0]}[{a[1]}]"
        elif len(a) == 1:
            expr = f"{spec.target}{a[0]}"
        else:
            expr = f"{a[0]} {spec.target} {a[1]}"
        return f"{self.out} = {expr}"

    def outputs(self) -> tuple[str, ...]:
        return (self.out,)


@dataclass(frozen=True)
class Item:
    """``out = src[index]`` on a tuple result (split, max(dim), autograd.grad, ...)."""

    out: str
    src: str
    index: int

    def render(self, ns: str) -> str:
        return f"{self.out} = {self.src}[{self.index}]"

    def outputs(self) -> tuple[str, ...]:
        return (self.out,)


@dataclass(frozen=True)
class Detach:
    out: str
    src: str
    inplace: bool = False

    def render(self, ns: str) -> str:
        return f"{self.out} = {self.src}.detach{'_' if self.inplace else ''}()"

    def outputs(self) -> tuple[str, ...]:
        return (self.out,)


@dataclass(frozen=True)
class RetainGrad:
    src: str

    def render(self, ns: str) -> str:
        return f"{self.src}.retain_grad()"

    def outputs(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class SetRequiresGrad:
    """Flip requires_grad on an existing value (used for misuse: non-leaf, int dtypes)."""

    src: str
    value: bool
    path: str = "attr"

    def render(self, ns: str) -> str:
        if self.path == "method":
            return f"{self.src}.requires_grad_({self.value})"
        return f"{self.src}.requires_grad = {self.value}"

    def outputs(self) -> tuple[str, ...]:
        return (self.src,)


@dataclass(frozen=True)
class Hook:
    """``src.register_hook(<hook from conformance.hooks>)``."""

    src: str
    hook: str

    def render(self, ns: str) -> str:
        return f"{self.src}.register_hook({self.hook})"

    def outputs(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class SetGrad:
    """Zero or drop a leaf's grad between backward calls: ``grad = None`` / ``grad.zero_()``."""

    src: str
    mode: str = "none"

    def render(self, ns: str) -> str:
        if self.mode == "none":
            return f"{self.src}.grad = None"
        return f"{self.src}.grad.zero_()"

    def outputs(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class ReadGrad:
    """``out = src.grad`` (reading a non-leaf's grad warns in torch)."""

    out: str
    src: str

    def render(self, ns: str) -> str:
        return f"{self.out} = {self.src}.grad"

    def outputs(self) -> tuple[str, ...]:
        return (self.out,)


def _opt_kwargs(pairs: list[tuple[str, Any]]) -> str:
    return "".join(f", {k}={v}" for k, v in pairs if v is not None)


def _names(xs: tuple[str, ...]) -> str:
    return "[" + ", ".join(xs) + "]"


@dataclass(frozen=True)
class Backward:
    """``src.backward(gradient, retain_graph, create_graph, inputs)``."""

    src: str
    gradient: str | None = None
    retain_graph: bool | None = None
    create_graph: bool | None = None
    inputs: tuple[str, ...] | None = None

    def render(self, ns: str) -> str:
        kw = _opt_kwargs([
            ("gradient", self.gradient),
            ("retain_graph", self.retain_graph),
            ("create_graph", self.create_graph),
            ("inputs", None if self.inputs is None else _names(self.inputs)),
        ])
        return f"{self.src}.backward({kw[2:]})"

    def outputs(self) -> tuple[str, ...]:
        return ()


@dataclass(frozen=True)
class Grad:
    """``out = torch.autograd.grad(outputs, inputs, grad_outputs, ...)`` (a tuple)."""

    out: str
    outputs_: tuple[str, ...]
    inputs: tuple[str, ...]
    grad_outputs: tuple[str, ...] | None = None
    retain_graph: bool | None = None
    create_graph: bool | None = None
    allow_unused: bool | None = None

    def render(self, ns: str) -> str:
        kw = _opt_kwargs([
            ("grad_outputs", None if self.grad_outputs is None else _names(self.grad_outputs)),
            ("retain_graph", self.retain_graph),
            ("create_graph", self.create_graph),
            ("allow_unused", self.allow_unused),
        ])
        return f"{self.out} = {ns}.autograd.grad({_names(self.outputs_)}, {_names(self.inputs)}{kw})"

    def outputs(self) -> tuple[str, ...]:
        return (self.out,)


@dataclass(frozen=True)
class Code:
    """``out = <code>`` (or bare ``<code>``): module construction, optimizer steps, state reads.

    ``code`` is Python source written against the name ``torch``. ``leaf=True`` marks ``out`` as
    a tensor whose ``.grad`` is observed after every backward (module parameters). ``reads``
    names the earlier values it uses (a step after a failed one is skipped, not mis-run).
    """

    out: str | None
    code: str
    reads: tuple[str, ...] = ()
    leaf: bool = False

    def render(self, ns: str) -> str:
        return self.code if self.out is None else f"{self.out} = {self.code}"

    def outputs(self) -> tuple[str, ...]:
        return () if self.out is None else (self.out,)


@dataclass(frozen=True)
class Block:
    """``with torch.<mode>:`` around ``body``."""

    mode: str
    body: tuple[Any, ...] = ()

    def header(self, ns: str) -> str:
        return f"{ns}.{GRAD_MODES[self.mode]}"

    def render(self, ns: str) -> str:
        return f"with {self.header(ns)}:"

    def outputs(self) -> tuple[str, ...]:
        return ()


STEP_TYPES = {c.__name__: c for c in
              (Leaf, Call, Item, Detach, RetainGrad, SetRequiresGrad, Hook, SetGrad, ReadGrad,
               Backward, Grad, Code, Block)}


# ------------------------------------------------------------------ program


@dataclass(frozen=True)
class Program:
    """An ordered tuple of steps plus free-form metadata (property, op, dtype)."""

    steps: tuple[Any, ...]
    meta: tuple[tuple[str, Any], ...] = field(default=())

    def flat(self) -> list[tuple[int, int, Any]]:
        """(index, depth, step) in execution order; blocks come before their bodies."""
        out: list[tuple[int, int, Any]] = []

        def walk(steps: tuple[Any, ...], depth: int) -> None:
            for s in steps:
                out.append((len(out), depth, s))
                if isinstance(s, Block):
                    walk(s.body, depth + 1)

        walk(self.steps, 0)
        return out

    def leaves(self) -> list[str]:
        """Names whose ``.grad`` is observed: leaves, plus values that get ``retain_grad()``."""
        names = []
        for _, _, s in self.flat():
            if isinstance(s, Leaf) and s.out not in names:
                names.append(s.out)
            if isinstance(s, RetainGrad) and s.src not in names:
                names.append(s.src)
            if isinstance(s, Code) and s.leaf and s.out not in names:
                names.append(s.out)
        return names

    def ops(self) -> list[str]:
        return [s.op for _, _, s in self.flat() if isinstance(s, Call)]

    def get_meta(self, key: str, default: Any = None) -> Any:
        return dict(self.meta).get(key, default)

    def to_script(self, ns: str = "torch", impl: str | None = None, errors: set[int] | None = None) -> str:
        """A standalone script: ``import torch`` (or ``import <impl> as torch``) + the steps.

        Steps whose index is in ``errors`` are wrapped in try/except so the script runs on.
        """
        head = f"import {impl} as {ns}" if impl and impl != "torch" else f"import {ns}"
        lines = [head, "nan, inf = float('nan'), float('inf')", ""]
        used = {s.hook for _, _, s in self.flat() if isinstance(s, Hook)}
        if used:
            lines += [hooks.source(sorted(used)), ""]
        idx = iter(range(10**9))

        def emit(steps: tuple[Any, ...], indent: str) -> None:
            for s in steps:
                i = next(idx)
                code = s.render(ns)
                if errors and i in errors and not isinstance(s, Block):
                    lines.append(f"{indent}try:")
                    lines.append(f"{indent}    {code}")
                    lines.append(f"{indent}except Exception as e:  # step {i} raised")
                    lines.append(f"{indent}    print('step {i}:', type(e).__name__, e)")
                else:
                    lines.append(f"{indent}{code}")
                if isinstance(s, Block):
                    emit(s.body, indent + "    ")
                    if not s.body:
                        lines.append(f"{indent}    pass")

        emit(self.steps, "")
        shown = [n for n in self.leaves()]
        values = [s.out for _, d, s in self.flat()
                  if isinstance(s, Call) or isinstance(s, Code) and s.out and not s.leaf]
        lines.append("")
        for n in values[-12:]:
            lines.append(f"print({n!r}, {n})")
        for n in shown:
            lines.append(f"print('{n}.grad', {n}.grad)")
        return "\n".join(lines) + "\n"

    # ---------------------------------------------------------------- JSON
    def to_json(self) -> dict[str, Any]:
        return {"steps": [_enc(s) for s in self.steps], "meta": _enc(dict(self.meta))}

    @staticmethod
    def from_json(obj: dict[str, Any]) -> Program:
        meta = _dec(obj.get("meta", {}))
        return Program(tuple(_dec(s) for s in obj["steps"]), tuple(meta.items()))


_LITS = {"Ref": Ref, "TensorLit": TensorLit, "DType": DType, "Slice": Slice, "Ellipsis_": Ellipsis_,
         "Index": Index}


def _enc(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return {"__float__": repr(x)}
    if type(x).__name__ in STEP_TYPES or type(x).__name__ in _LITS:
        d = {"__t__": type(x).__name__}
        for f in fields(x):
            d[f.name] = _enc(getattr(x, f.name))
        return d
    if isinstance(x, tuple):
        return {"__tuple__": [_enc(v) for v in x]}
    if isinstance(x, list):
        return [_enc(v) for v in x]
    if isinstance(x, dict):
        return {k: _enc(v) for k, v in x.items()}
    return x


def _dec(x: Any) -> Any:
    if isinstance(x, dict):
        if "__float__" in x:
            return float(x["__float__"])
        if "__tuple__" in x:
            return tuple(_dec(v) for v in x["__tuple__"])
        if "__t__" in x:
            cls = STEP_TYPES.get(x["__t__"]) or _LITS[x["__t__"]]
            return cls(**{k: _dec(v) for k, v in x.items() if k != "__t__"})
        return {k: _dec(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_dec(v) for v in x]
    return x
