"""Shape ops that copy: cat, stack, repeat, flip (forward kernels and torch's nodes)."""

from __future__ import annotations

from typing import Any

from .. import _dtype as D
from .._backend import of as backend_of
from .._tensor import Tensor
from ..autograd.graph import Node, needs_grad, node_class, record
from ._util import wrap
from .creation import zeros
from .scans import at_version
from .shape import _sizes, from_inference, wrap_dim, wrap_dims
from .slicing import narrow, unbind


class _PerInput(Node):
    """A node over a list of inputs; its formula returns every input's gradient at once."""

    __slots__ = ()

    def apply(self, grads: list) -> tuple:
        outs = self.formulas[0](grads[0], *self._args)
        return tuple(None if nxt is None else o for o, nxt in zip(outs, self._next[::2]))


def _cat_grads(g: Tensor, dim: int, spans: tuple) -> tuple:
    """Each input's slice of ``g``; legacy-skipped 1-d empties get empty gradients."""
    return tuple(zeros((0,), dtype=g._dtype) if start is None else narrow(g, dim, start, size)
                 for start, size in spans)


CatBackward0 = node_class("CatBackward0", _cat_grads, base=_PerInput)
StackBackward0 = node_class("StackBackward0", lambda g, dim: unbind(g, dim), base=_PerInput)


def _tensor_list(tensors: Any) -> list:
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    return tensors


def _promote(tensors: list) -> D.dtype:
    dt = tensors[0]._dtype
    for t in tensors[1:]:
        if t._dtype is not dt:
            dt = D.promote_types(dt, t._dtype)
    return dt


def cat(tensors: Any, dim: int = 0, *, out: Any = None) -> Tensor:
    tensors = _tensor_list(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    # torch still skips 1-d empty tensors (legacy behaviour) when checking shapes
    kept = [t for t in tensors if t._data.shape != (0,)]
    ref = kept[0] if kept else tensors[0]
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    d = wrap_dim(dim, ref._data.ndim)
    rshape = ref._data.shape
    spans, offset = [], 0
    for i, t in enumerate(tensors):
        shape = t._data.shape
        if shape == (0,) and t is not ref:
            spans.append((None, 0))
            continue
        if len(shape) != len(rshape):
            raise RuntimeError(f"Tensors must have same number of dimensions: got {len(rshape)} and "
                               f"{len(shape)}")
        for k, (a, b) in enumerate(zip(rshape, shape)):
            if k != d and a != b:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size {a} "
                                   f"but got size {b} for tensor number {i} in the list.")
        spans.append((offset, shape[d]))
        offset += shape[d]
    dt = _promote(tensors)
    parts = [t._data if t._dtype is dt else backend_of(t._data).astype(t._data, dt.np)
             for t, (start, _) in zip(tensors, spans) if start is not None]
    out_t = wrap(backend_of(parts[0]).concatenate(parts, axis=d), dt)
    if needs_grad(*tensors):
        record(CatBackward0, out_t, tuple(tensors), None, (d, tuple(spans)))
    return out_t


def stack(tensors: Any, dim: int = 0, *, out: Any = None) -> Tensor:
    tensors = _tensor_list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors[1:], 1):
        if t._data.shape != shape:
            raise RuntimeError("stack expects each tensor to be equal size, but got "
                               f"{list(shape)} at entry 0 and {list(t._data.shape)} at entry {i}")
    d = wrap_dim(dim, len(shape) + 1)
    dt = _promote(tensors)
    parts = [t._data if t._dtype is dt else backend_of(t._data).astype(t._data, dt.np) for t in tensors]
    out_t = wrap(backend_of(parts[0]).stack(parts, axis=d), dt)
    if needs_grad(*tensors):
        record(StackBackward0, out_t, tuple(tensors), None, (d,))
    return out_t


def _repeat_grad(g: Tensor, shape: tuple, reps: tuple) -> Tensor:
    """torch's repeat_backward: sum the new leading dims away one by one, then fold each repeated
    dim (r*s) into (r, s) and sum the copies; with nothing to fold, ``g`` itself is the gradient."""
    if 0 in reps:  # at::zeros inside a backward formula is zero_()-ed in place: version 1
        return at_version(zeros(shape, dtype=g._dtype, device=g.device), 1)
    lead = len(reps) - len(shape)
    for _ in range(lead):
        g = g.sum(0)
    folded: list = []
    dims: list = []
    for r, s in zip(reps[lead:], shape):
        if r != 1:
            dims.append(len(folded))
            folded.append(r)
        folded.append(s)
    return g.reshape(folded).sum(tuple(dims)) if dims else g


RepeatBackward0 = node_class("RepeatBackward0", _repeat_grad)
FlipBackward0 = node_class("FlipBackward0", lambda g, dims: flip(g, dims))


def repeat(self: Tensor, *sizes: Any) -> Tensor:
    reps = _sizes(sizes)
    shape = self._data.shape
    if len(reps) < len(shape):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions "
                           "of tensor")
    padded = (1,) * (len(reps) - len(shape)) + shape
    target = [r * s for r, s in zip(reps, padded)]
    for n in target:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {target}")
    out = Tensor._make(backend_of(self._data).tile(self._data, reps), self._dtype)
    if self._inference:
        from_inference(out, 1, self)
    if needs_grad(self):
        record(RepeatBackward0, out, (self,), None, (shape, reps))
    return out


def flip(input: Tensor, *dims: Any) -> Tensor:
    dims = wrap_dims(_sizes(dims), input._data.ndim)
    xp = backend_of(input._data)
    data = xp.copy(xp.flip(input._data, dims)) if dims and input._data.ndim else xp.copy(input._data)
    out = Tensor._make(data, input._dtype)
    if needs_grad(input):
        record(FlipBackward0, out, (input,), None, (dims,))
    return out


FUNCTIONS = {"cat": cat, "concat": cat, "concatenate": cat, "stack": stack, "flip": flip}
METHODS = {"repeat": repeat, "flip": flip}
