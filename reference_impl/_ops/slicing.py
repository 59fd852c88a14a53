"""Views that take part of a tensor: select / narrow (and the slices of ``x[i:j]``) and the
multi-output views split / chunk / unbind.

select/slice backward embeds the gradient into zeros; the multi-output views share one
node whose formula receives every output's gradient (``_ManyViews``).
"""

from __future__ import annotations

from typing import Any

from .._backend import of as backend_of
from .._tensor import Tensor
from ..autograd.grad_mode import state as _grad_state
from ..autograd.graph import Node, needs_grad, node_class, record
from .shape import _view_of, _writeable_again, make_view, wrap_dim


def _wrap_nonscalar(dim: int, ndim: int) -> int:
    """wrap_dim for ops that refuse 0-dim tensors (unbind, split)."""
    d = wrap_dim(dim, ndim)  # a 0-dim tensor wraps like a 1-dim one first: -1 is reported as 0
    if ndim == 0:
        raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
    return d


# ---------------------------------------------------------------------------------------
# select / slice / narrow: their backward embeds the gradient into zeros
# ---------------------------------------------------------------------------------------
def embed(g: Tensor, shape: tuple, key: tuple, name: str) -> Tensor:
    """zeros(shape) with ``g`` written at basic index ``key`` (select/slice backward)."""
    xp = backend_of(g._data)
    data = xp.zeros(shape, g._dtype.np)
    data[key] = g._data
    out = Tensor._make(data, g._dtype)
    if needs_grad(g):
        record(_EMBED_NODES[name], out, (g,), None, (key,))
    return out


def _basic(g: Tensor, key: tuple) -> Tensor:
    """``g[key]`` for a NumPy basic key, as one node (only double backward uses it)."""
    return _view_of(g, g._data[key], _BasicIndexBackward, g._data.shape, key)


_BasicIndexBackward = node_class("SliceBackward0",
                                 lambda g, shape, key: embed(g, shape, key, "SliceBackward"))
_EMBED_NODES = {name: node_class(name + "Backward0", lambda g, key: _basic(g, key))
                for name in ("SelectBackward", "SliceBackward")}
SelectBackward0 = node_class("SelectBackward0", lambda g, shape, key: embed(g, shape, key, "SelectBackward"))
SliceBackward0 = node_class("SliceBackward0", lambda g, shape, key: embed(g, shape, key, "SliceBackward"))


def select_unchecked(input: Tensor, dim: int, index: int) -> Tensor:
    key = (slice(None),) * dim + (index, Ellipsis)  # the Ellipsis keeps a 0-dim result a view
    return _view_of(input, input._data[key], SelectBackward0, input._data.shape, key)


def slice_unchecked(input: Tensor, dim: int, start: int, stop: int, step: int) -> Tensor:
    key = (slice(None),) * dim + (slice(start, stop, step),)
    return _view_of(input, input._data[key], SliceBackward0, input._data.shape, key)


def select(input: Tensor, dim: int, index: int) -> Tensor:
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, len(shape))
    index = int(index)
    if not -shape[d] <= index < shape[d]:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(shape)} at "
                         f"dimension {d}")
    return select_unchecked(input, d, index % shape[d])


def narrow(input: Tensor, dim: int, start: Any, length: int) -> Tensor:
    shape = input._data.shape
    if not shape:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    d = wrap_dim(dim, len(shape))
    start, size = int(start), shape[d]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got "
                         f"{start})")
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return slice_unchecked(input, d, start, start + length, 1)


# ---------------------------------------------------------------------------------------
# split / chunk / unbind: one node, several view outputs
# ---------------------------------------------------------------------------------------
class _ManyViews(Node):
    """A node with one output per view; its formula gets all output grads at once."""

    __slots__ = ()
    n_outputs = property(lambda self: len(self._meta))  # type: ignore[assignment]

    def apply(self, grads: list) -> tuple:
        return (self.formulas[0](tuple(grads), *self._args),)


def _cat_grads(grads: tuple, dim: int) -> Tensor:
    from .shape_copy import cat

    return cat(grads, dim)


def _stack_grads(grads: tuple, dim: int) -> Tensor:
    from .shape_copy import stack

    return stack(grads, dim)


SplitBackward0 = node_class("SplitBackward0", _cat_grads, base=_ManyViews)
SplitWithSizesBackward0 = node_class("SplitWithSizesBackward0", _cat_grads, base=_ManyViews)
UnbindBackward0 = node_class("UnbindBackward0", _stack_grads, base=_ManyViews)
for _cls in (SplitBackward0, SplitWithSizesBackward0, UnbindBackward0):
    del _cls.n_outputs  # node_class pins n_outputs=1; the base's property counts the outputs


def _views(input: Tensor, datas: list, cls: type, dim: int) -> tuple:
    for d in datas:
        if not d.flags.writeable:
            _writeable_again(d)
    outs = tuple(make_view(input, d) for d in datas)
    if needs_grad(input):
        record(cls, outs, (input,), None, (dim,))
    if _grad_state.enabled:  # torch forbids recorded writes into views that share one node
        for o in outs:
            if o.__dict__.get("_view_meta") != "inference":
                o.__dict__["_view_meta"] = "multi"
    return outs


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple:
    shape = tensor._data.shape
    if not isinstance(split_size_or_sections, int):
        return _split_with_sizes(tensor, [int(s) for s in split_size_or_sections], dim)
    if not shape:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, len(shape))
    size, step = shape[d], split_size_or_sections
    if step < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={step}")
    if step == 0 and size != 0:
        raise RuntimeError("split_size can only be 0 if dimension size is 0, but got dimension size of "
                           f"{size}")
    starts = range(0, size, step) if size else [0]
    pre = (slice(None),) * d
    datas = [tensor._data[pre + (slice(s, min(s + step, size)),)] for s in starts]
    return _views(tensor, datas, SplitBackward0, d)


def _split_with_sizes(tensor: Tensor, sizes: list, dim: int) -> tuple:
    shape = tensor._data.shape
    if not shape:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, len(shape))
    if sum(sizes) != shape[d] or any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {shape[d]} (input "
                           f"tensor's size at dimension {dim}), but got split_sizes={sizes}")
    pre, start, datas = (slice(None),) * d, 0, []
    for s in sizes:
        datas.append(tensor._data[pre + (slice(start, start + s),)])
        start += s
    return _views(tensor, datas, SplitWithSizesBackward0, d)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    if not input._data.shape:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    size = input._data.shape[wrap_dim(dim, input._data.ndim)]
    return split(input, (size + chunks - 1) // chunks, dim)


def unbind(input: Tensor, dim: int = 0) -> tuple:
    d = _wrap_nonscalar(dim, input._data.ndim)
    pre = (slice(None),) * d
    datas = [input._data[pre + (i, Ellipsis)] for i in range(input._data.shape[d])]
    return _views(input, datas, UnbindBackward0, d)


def _method_split(self: Tensor, split_size: Any, dim: int = 0) -> tuple:
    return split(self, split_size, dim)


FUNCTIONS = {"select": select, "narrow": narrow, "split": split, "chunk": chunk, "unbind": unbind}
METHODS = {**FUNCTIONS, "split": _method_split}
