"""torch.autograd's public functions: backward, grad, Function, grad modes."""

from __future__ import annotations

from typing import Any

from . import graph
from .engine import run_backward
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .graph import edge, grad_accumulator

__all__ = ["backward", "grad", "Function", "FunctionCtx", "once_differentiable", "graph", "no_grad",
           "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled"]


def _as_tuple(x: Any) -> tuple:
    if isinstance(x, graph.tensor_class()):
        return (x,)
    if type(x) is dict:
        return tuple(x.values())
    return tuple(x)


def _grads_tuple(grads: Any, n: int) -> tuple:
    """torch's _tensor_or_tensors_to_tuple: None means one None per output."""
    if grads is None:
        return (None,) * n
    if isinstance(grads, graph.tensor_class()):
        return (grads,)
    return tuple(grads)


def _make_grads(outputs: tuple, grads: tuple) -> list:
    """Seed gradients (torch's _make_grads, which zips): given ones are checked, missing ones are ones()."""
    Tensor = graph.tensor_class()
    result = []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        if isinstance(g, Tensor):
            if g._data.shape != out._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape!r} and output[{i}] has a "
                    f"shape of {out.shape!r}.")
            if out._dtype.is_complex != g._dtype.is_complex:
                raise RuntimeError(
                    "For complex Tensors, both grad_output and output are required to have the same dtype. "
                    f"Mismatch in dtype: grad_output[{i}] has a dtype of {g._dtype} and output[{i}] has a "
                    f"dtype of {out._dtype}.")
            result.append(g)
        elif g is None:
            if out.requires_grad:
                if out._data.size != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                if not out._dtype.is_floating_point:
                    raise RuntimeError("grad can be implicitly created only for real scalar outputs but got "
                                       f"{out._dtype}")
                g = _ones_like(out)
            result.append(g)
        else:
            raise TypeError("gradients can be either Tensors or None, but got " + type(g).__name__)
    return result


def _ones_like(t: Any) -> Any:
    """``ones_like``, bound on first use (the autograd package loads before the ops)."""
    global _ones_like
    from .._ops.creation import ones_like

    _ones_like = ones_like
    return ones_like(t)


def _run(outputs: tuple, grads: list, retain_graph: bool, create_graph: bool, inputs: tuple,
         accumulate: bool) -> list:
    """torch's C++ run_backward: check the roots and inputs, then run the engine."""
    if len(outputs) != len(grads):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    roots, seeds = [], []
    for i, (out, g) in enumerate(zip(outputs, grads)):
        e = edge(out)
        if e[0] is None:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        roots.append(e)
        seeds.append(g if g._dtype is out._dtype else g.to(out._dtype))
    g = None
    grads.clear()  # the engine takes the seeds: only a caller's own references keep them shared
    targets = None
    if inputs:
        targets = []
        for t in inputs:
            if accumulate:
                t.retain_grad()  # torch: backward(inputs=[non_leaf]) populates (and keeps) its .grad
            if not t.requires_grad:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            targets.append((t._grad_fn, t._out_nr) if t._grad_fn is not None else (grad_accumulator(t), 0))
    return run_backward(roots, seeds, retain_graph, create_graph, targets=targets, accumulate=accumulate)


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, grad_variables: Any = None, inputs: Any = None) -> None:
    """Accumulate d(tensors)/d(leaves) into the leaves' ``.grad`` (or only into ``inputs``)."""
    inputs_tuple = () if inputs is None else _as_tuple(inputs)
    if inputs is not None and not inputs_tuple:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    outputs = _as_tuple(tensors)
    grads = _make_grads(outputs, _grads_tuple(grad_tensors, len(outputs)))
    if retain_graph is None:
        retain_graph = create_graph
    _run(outputs, grads, retain_graph, create_graph, inputs_tuple, accumulate=True)


_ONLY_INPUTS_WARNING = ("only_inputs argument is deprecated and is ignored now (defaults to True). To "
                        "accumulate gradient for other parts of the graph, please use "
                        "torch.autograd.backward.")


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> Any:
    """Return d(outputs)/d(inputs) without touching any leaf's ``.grad``."""
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, but "
                         "got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outs = _as_tuple(outputs)
    ins = _as_tuple(inputs)
    if not ins:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if not only_inputs:
        import warnings

        warnings.warn(_ONLY_INPUTS_WARNING, FutureWarning, stacklevel=2)
    grads = _make_grads(outs, _grads_tuple(grad_outputs, len(outs)))
    if retain_graph is None:
        retain_graph = create_graph
    result = _run(outs, grads, retain_graph, create_graph, ins, accumulate=False)
    for i, g in enumerate(result):
        if g is None and not allow_unused:
            raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have been used in the "
                               "graph. Set allow_unused=True if this is the desired behavior.")
    if materialize_grads:
        from .._ops.creation import zeros_like

        result = [g if g is not None else zeros_like(t, requires_grad=create_graph)
                  for g, t in zip(result, ins)]
    result = tuple(result)
    if type(inputs) is dict:
        return dict(zip(inputs.keys(), result))
    return result
