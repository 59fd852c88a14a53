"""torch.autograd's public functions: backward, grad, Function, grad modes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import graph
from .engine import run_backward
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
                        set_grad_enabled)
from .graph import edge, grad_accumulator

__all__ = ["backward", "grad", "Function", "FunctionCtx", "once_differentiable", "graph", "no_grad",
           "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled"]


def _as_tuple(x: Any) -> tuple:
    from .._tensor import Tensor

    if x is None:
        return ()
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _make_grads(outputs: tuple, grads: tuple) -> list:
    """Seed gradients: given ones are checked against their outputs, missing ones are ones()."""
    from .._ops.creation import ones_like

    result = []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if g is None:
            if out.requires_grad:
                if out._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if out._dtype.is_complex:
                    raise RuntimeError("grad can be implicitly created only for real scalar outputs but got "
                                       f"{out._dtype}")
                g = ones_like(out)
            result.append(g)
            continue
        if not hasattr(g, "_data"):
            raise TypeError("gradients can be either Tensors or None, but got " + type(g).__name__)
        if g._data.shape != out._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape!r} and output[{i}] has a shape "
                f"of {out.shape!r}.")
        if out._dtype.is_complex != g._dtype.is_complex:
            raise RuntimeError(
                "For complex Tensors, both grad_output and output are required to have the same dtype. "
                f"Mismatch in dtype: grad_output[{i}] has a dtype of {g._dtype} and output[{i}] has a dtype "
                f"of {out._dtype}.")
        result.append(g)
    return result


def _roots(outputs: tuple, grads: list) -> tuple[list, list]:
    roots, seeds = [], []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        e = edge(out)
        if e[0] is None:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            continue
        roots.append(e)
        seeds.append(g if g._dtype is out._dtype else g.to(out._dtype))
    return roots, seeds


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, grad_variables: Any = None, inputs: Any = None) -> None:
    """Accumulate d(tensors)/d(leaves) into the leaves' ``.grad``."""
    outputs = _as_tuple(tensors)
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    grads = _as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"got {len(grads)} tensors and {len(outputs)} gradients")
    if retain_graph is None:
        retain_graph = create_graph
    roots, seeds = _roots(outputs, _make_grads(outputs, grads))
    targets = None
    if inputs is not None:
        targets = [_input_edge(t, i) for i, t in enumerate(inputs)]
    run_backward(roots, seeds, retain_graph, create_graph, targets=targets,
                 target_tensors=list(inputs) if inputs is not None else None, accumulate=True)


def _input_edge(t: Any, i: int) -> tuple:
    if not t.requires_grad:
        raise RuntimeError("One of the differentiated Tensors does not require grad")
    if t._grad_fn is None:
        return (grad_accumulator(t), 0)
    return (t._grad_fn, t._out_nr)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple:
    """Return d(outputs)/d(inputs) without touching any ``.grad``."""
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, but "
                         "got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outs = _as_tuple(outputs)
    ins = _as_tuple(inputs)
    if not ins:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    grads = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outs)
    if len(grads) != len(outs):
        raise RuntimeError(f"grad requires one grad_output per output, got {len(grads)} grad_outputs and "
                           f"{len(outs)} outputs")
    if retain_graph is None:
        retain_graph = create_graph
    roots, seeds = _roots(outs, _make_grads(outs, grads))
    targets = [_input_edge(t, i) for i, t in enumerate(ins)]
    result = run_backward(roots, seeds, retain_graph, create_graph, targets=targets, accumulate=False)
    final = []
    for i, (t, g) in enumerate(zip(ins, result)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in "
                                   "the graph. Set allow_unused=True if this is the desired behavior.")
            if materialize_grads:
                from .._ops.creation import zeros_like

                g = zeros_like(t)
        final.append(g)
    return tuple(final)
