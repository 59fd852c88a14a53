"""Program steps for ``torch.nn`` modules and optimizers (nn_modules, training, module_semantics).

A module is built from the same constructor source on both sides; its parameters are then
overwritten with generated values under ``no_grad`` (so the two random inits never matter) and
bound to names whose ``.grad`` the executor observes after every backward.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from hypothesis import strategies as st

from conformance import program as program_mod
from conformance.program import Code, Leaf
from conformance.strategies.values import cast_values, reshape, values


def attr_path(name: str) -> str:
    """``0.weight`` -> ``[0].weight``: a dotted state_dict name as Python attribute access."""
    return "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in name.split("."))


def var_name(prefix: str, name: str) -> str:
    return f"{prefix}_" + re.sub(r"\W", "_", name)


def with_dtype(ctor: str, dtype: str) -> str:
    """``nn.Linear(3, 4)`` -> ``nn.Linear(3, 4, dtype=torch.float64)`` (float32 is the default)."""
    if dtype == "float32":
        return ctor
    sep = "" if ctor.endswith("()") else ", "
    return f"{ctor[:-1]}{sep}dtype=torch.{dtype})"


def on_device(src: str) -> str:
    """``src.to('cuda')`` on a CUDA run (modules are built on the CPU, then moved, on both sides)."""
    return src if program_mod.DEVICE == "cpu" else f"{src}.to({program_mod.DEVICE!r})"


@cache
def param_shapes(ctor: str) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """(name, shape) of each parameter of torch's module (shapes only: values are generated)."""
    import torch

    module = eval("torch." + ctor, {"torch": torch})
    return tuple((n, tuple(p.shape)) for n, p in module.named_parameters())


def build_module(out: str, ctor: str, dtype: str, params: dict[str, Any], *, mode: str | None = None
                 ) -> list[Any]:
    """Steps: construct ``out``, load ``params`` (name -> nested values), bind each parameter to
    ``p_<name>`` (observed leaf), and switch to ``mode``."""
    steps: list[Any] = [Code(out, on_device("torch." + ctor))]
    if params:
        copies = "; ".join(f"{out}{attr_path(n)}.copy_(torch.tensor({_src(v)}, dtype=torch.{dtype}"
                           f"{program_mod.device_kw()}))" for n, v in params.items())
        steps.append(Code(None, f"with torch.no_grad(): {copies}", reads=(out,)))
    for n in params:
        steps.append(Code(var_name("p", n), f"{out}{attr_path(n)}", reads=(out,), leaf=True))
    if mode is not None:
        steps.append(Code(None, f"{out}.{mode}()", reads=(out,)))
    return steps


def _src(v: Any) -> str:
    from conformance.program import render_values

    return render_values(v)


def draw_params(data: st.DataObject, ctor: str, dtype: str, domain: str = "small") -> dict[str, Any]:
    """Generated values for every parameter of ``ctor`` (0.01 grid: readable reproducers)."""
    return {n: cast_values(data.draw(values(shape, domain)), dtype) for n, shape in param_shapes(ctor)}


def draw_input(data: st.DataObject, out: str, shape: tuple[int, ...], domain: str, dtype: str,
               requires_grad: bool) -> Leaf:
    """A leaf input; ``index:N`` draws int64 class indices in ``[0, N)`` (never requires grad)."""
    if domain.startswith("index:"):
        n = int(domain.split(":", 1)[1])
        flat = data.draw(st.lists(st.integers(0, n - 1), min_size=_numel(shape), max_size=_numel(shape)))
        return Leaf(out, reshape(flat, shape), "int64")
    return Leaf(out, cast_values(data.draw(values(shape, domain)), dtype), dtype, requires_grad)


def _numel(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n
