"""Indexing: ``__getitem__`` as torch decomposes it, and gather / scatter / index_select / masked_fill.

``x[idx]`` runs torch's two phases: basic items (int, slice, None, Ellipsis) apply one
by one as Select/Slice/Unsqueeze views, left to right; the tensor items that remain form
one advanced index (IndexBackward0) whose result layout is NumPy's (the same rule as
torch's). ``plan`` is shared with ``__setitem__`` (``mutation.py``).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as _np

from .. import _dtype as D
from .._backend import of as backend_of
from .._tensor import Tensor
from ..autograd.graph import needs_grad, node_class, record, wants_grad
from ._scalar_check import checked_scalar
from ._util import wrap
from .creation import zeros
from .scans import at_version
from .shape import alias, unsqueeze, wrap_dim
from .slicing import select_unchecked, slice_unchecked

_SEQ_WARNING = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed in "
    "pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted as tensor "
    "index, x[torch.tensor(seq)], which will result either in an error or a different result (Triggered "
    "internally at /__w/pytorch/pytorch/torch/csrc/autograd/python_variable_indexing.cpp:349.)")
_ZERO_DIM = ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to "
             "convert a 0-dim tensor to a number")
_SELECT_DTYPES = (D.int8, D.int16, D.int32, D.int64)  # 0-dim tensors of these act as ints
SELECT, SLICE, UNSQUEEZE = 0, 1, 2


# ---------------------------------------------------------------------------------------
# Parsing an index into basic steps and advanced index arrays
# ---------------------------------------------------------------------------------------
def _items(index: Any) -> tuple:
    """The index as a tuple of items, with torch's rule for lists that mean tuples."""
    if type(index) is tuple:
        return index
    if type(index) in (list, str):  # a str is a sequence of sequences to torch
        if len(index) < 32 and any(isinstance(i, (Tensor, list, tuple, slice, str)) or i is None
                                   or i is Ellipsis for i in index):
            warnings.warn(_SEQ_WARNING, UserWarning, stacklevel=4)
            return tuple(index)
    return (index,)


def _list_index(seq: list) -> Tensor:
    """A list inside an index becomes a long (or bool) tensor, as torch's indexing_tensor_from_data."""
    from .creation import tensor

    t = tensor(seq) if seq else tensor(seq, dtype=D.int64)
    return t if t._dtype in (D.bool_, D.int64) else t.to(D.int64)


def _specified(item: Any) -> int:
    """How many dims of the input ``item`` consumes (torch's count for 'too many indices')."""
    if item is None or item is Ellipsis or type(item) is bool:
        return 0
    if isinstance(item, Tensor) and item._dtype in (D.bool_, D.uint8):
        return item._data.ndim
    return 1


def _slice_bounds(s: slice, n: int) -> tuple:
    start, stop, step = s.indices(n)  # raises "slice step cannot be zero"
    if step < 0:
        raise ValueError("step must be greater than zero")
    return start, max(stop, start), step


def _is_full(s: slice, n: int, step: int) -> bool:
    """torch skips ``:``-like slices, judged on the raw bounds (``-n:`` is not skipped)."""
    return (s.start is None or s.start.__index__() == 0) and (s.stop is None or s.stop.__index__() >= n) \
        and step == 1


def plan(shape: tuple, index: Any, single_slice: bool = False) -> tuple:
    """Basic steps and advanced entries for ``tensor[index]``.

    Returns (steps, adv, cur): ``steps`` are (SELECT, dim, i) / (SLICE, dim, start, stop,
    step) / (UNSQUEEZE, dim) applied in order; ``adv`` are (dim, array, is_mask) on the
    result of the steps, whose shape is ``cur``.
    """
    items = tuple(_list_index(i) if type(i) is list else i for i in _items(index))
    ndim = len(shape)
    specified = 0
    for it in items:
        specified += _specified(it)
    if specified > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    steps: list = []
    adv: list = []
    cur = list(shape)
    dim = 0
    for pos, it in enumerate(items):
        ty = type(it)
        if ty is Tensor and it._data.ndim == 0 and it._dtype in _SELECT_DTYPES:
            it, ty = int(it.item()), int
        if ty is int:
            n = cur[dim] if dim < len(cur) else 0  # a second Ellipsis can point past the last dim
            if not -n <= it < n:
                raise IndexError(f"index {it} is out of bounds for dimension {pos} with size {n}")
            steps.append((SELECT, dim, it % n))
            del cur[dim]
        elif ty is slice:
            n = cur[dim] if dim < len(cur) else 0
            start, stop, step = _slice_bounds(it, n)
            if single_slice or not _is_full(it, n, step):
                steps.append((SLICE, dim, start, stop, step))
                cur[dim] = len(range(start, stop, step))
            dim += 1
        elif it is None:
            wrap_dim(dim, len(cur) + 1)  # past the last dim (after a second Ellipsis): unsqueeze's error
            steps.append((UNSQUEEZE, dim))
            cur.insert(dim, 1)
            dim += 1
        elif it is Ellipsis:
            dim += ndim - specified
        elif ty is bool or (ty is Tensor and it._data.ndim == 0 and it._dtype in (D.bool_, D.uint8)):
            wrap_dim(dim, len(cur) + 1)
            steps.append((UNSQUEEZE, dim))
            cur.insert(dim, 1)
            adv.append((dim, backend_of(None).zeros(1 if bool(it) else 0, D.int64.np), False))
            dim += 1
        elif ty is Tensor:
            if it._dtype in (D.bool_, D.uint8):
                adv.append((dim, it._data.astype(bool, copy=False), True))
                dim += it._data.ndim
            elif it._dtype in (D.int64, D.int32):
                adv.append((dim, it._data, False))
                dim += 1
            else:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        elif hasattr(it, "__index__") and not isinstance(it, float):
            return plan(shape, items[:pos] + (it.__index__(),) + items[pos + 1:], single_slice)
        elif ty is str:
            raise TypeError("new(): invalid data type 'str'")
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                             f"are valid indices (got {ty.__name__})")
    return steps, adv, cur


def advanced_key(cur: list, adv: list, shape_only: bool = False) -> tuple:
    """The NumPy key (int arrays and full slices) for the advanced phase, with torch's errors.
    ``shape_only``: indices are not checked (all read as 0), for the result's shape alone."""
    xp = backend_of(None)
    key: list = [slice(None)] * len(cur)
    dims = []
    for dim, arr, is_mask in adv:
        if is_mask:
            for j, s in enumerate(arr.shape):
                if cur[dim + j] != s:
                    raise IndexError(f"The shape of the mask {list(arr.shape)} at index {j} does not match "
                                     f"the shape of the indexed tensor {list(cur)} at index {dim + j}")
            for j, a in enumerate(xp.nonzero(arr)):
                key[dim + j] = a
                dims.append(dim + j)
        else:
            key[dim] = arr
            dims.append(dim)
    shapes = [key[d].shape for d in dims]
    try:
        full = xp.broadcast_shapes(*shapes)
    except ValueError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together with shapes "
                         + ", ".join(str(list(s)) for s in shapes)) from None
    # torch checks only the indices it reads: none when the result is empty (an empty index, or a
    # zero-size dimension kept by a slice); NumPy checks them all, so those become zeros
    empty = shape_only or 0 in full or any(cur[d] == 0 for d in range(len(cur)) if d not in dims)
    for ordinal, d in enumerate(dims):
        a, n = key[d], cur[d]
        if empty:
            if n:
                key[d] = a * 0
        elif a.size:
            bad = (a < -n) | (a >= n)
            if bad.any():
                raise IndexError(f"index {int(a[bad].flat[0])} is out of bounds for dimension {ordinal} with "
                                 f"size {n}")
    while key and type(key[-1]) is slice:
        key.pop()
    return tuple(key)


def basic_key(steps: list) -> tuple:
    """One NumPy basic key equivalent to applying ``steps`` in order."""
    key: list = []
    done = 0  # result dims already covered by ``key``
    for step in steps:
        key += [slice(None)] * (step[1] - done)
        done = step[1]
        if step[0] == SELECT:
            key.append(step[2])
        elif step[0] == SLICE:
            key.append(slice(step[2], step[3], step[4]))
            done += 1
        else:
            key.append(None)
            done += 1
    return tuple(key)


# ---------------------------------------------------------------------------------------
# __getitem__
# ---------------------------------------------------------------------------------------
def _index(t: Tensor, key: tuple) -> Tensor:
    out = Tensor._make(t._data[key], t._dtype)
    if needs_grad(t):
        record(IndexBackward0, out, (t,), (), (t._data.shape, key))  # () : torch saves the indices (freed)
    return out


def index_put_acc(g: Tensor, shape: tuple, key: tuple) -> Tensor:
    """zeros(shape) with ``g`` added at ``key`` (repeated indices accumulate)."""
    xp = backend_of(g._data)
    data = xp.zeros(shape, g._dtype.np)
    xp.add_at(data, key, g._data)
    out = Tensor._make(data, g._dtype)
    if needs_grad(g):
        record(IndexPutBackward0, out, (g,), None, (key,))
    return out


IndexBackward0 = node_class("IndexBackward0", lambda g, shape, key: at_version(index_put_acc(g, shape, key), 1))
IndexPutBackward0 = node_class("IndexPutBackward0", lambda g, key: _index(g, key))


def apply_steps(self: Tensor, steps: list) -> Tensor:
    """The basic phase of ``self[index]``: one recorded Select/Slice/Unsqueeze view per step."""
    r = self
    for step in steps:
        if step[0] == SELECT:
            r = select_unchecked(r, step[1], step[2])
        elif step[0] == SLICE:
            r = slice_unchecked(r, *step[1:])
        else:
            r = unsqueeze(r, step[1])
    return r


def getitem(self: Tensor, index: Any) -> Tensor:
    shape = self._data.shape
    if type(index) is int:  # fast path: x[i]
        if not shape:
            raise IndexError(_ZERO_DIM if index == 0 else
                             f"index {index} is out of bounds for dimension 0 with size 0")
        n = shape[0]
        if not -n <= index < n:
            raise IndexError(f"index {index} is out of bounds for dimension 0 with size {n}")
        return select_unchecked(self, 0, index % n)
    if type(index) is slice and not shape:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    steps, adv, cur = plan(shape, index, type(index) is slice)
    r = apply_steps(self, steps)
    if adv:
        return _index(r, advanced_key(cur, adv))
    return alias(self) if r is self else r


# ---------------------------------------------------------------------------------------
# gather / scatter / scatter_add / index_select / index_add
# ---------------------------------------------------------------------------------------
def _check_index(index: Tensor, fn: str) -> None:
    if index._dtype not in (D.int64, D.int32):
        raise RuntimeError(f"{fn}(): Expected dtype int32/int64 for index")


def _coords(index: Any, dim: int) -> tuple:
    """Full coordinate arrays for a scatter/gather ``index`` along ``dim``."""
    xp = backend_of(index)
    n = index.ndim
    return tuple(index if d == dim else xp.arange(s).reshape((-1,) + (1,) * (n - d - 1))
                 for d, s in enumerate(index.shape))


def _check_bounds(index: Any, dim: int, size: int) -> None:
    if index.size:
        bad = (index < 0) | (index >= size)
        if bad.any():
            raise RuntimeError(f"index {int(index[bad].flat[0])} is out of bounds for dimension {dim} with "
                               f"size {size}")


def _check_gather_shapes(self_shape: tuple, index: Tensor, dim: int, src_shape: tuple | None = None) -> None:
    if index._data.ndim != len(self_shape) and not (index._data.ndim <= 1 and len(self_shape) <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for d, (i, s) in enumerate(zip(index._data.shape, self_shape)):
        if d != dim and i > s:
            raise RuntimeError(f"Size does not match at dimension {d} expected index "
                               f"{list(index._data.shape)} to be no larger than self {list(self_shape)} "
                               f"apart from dimension {dim}")
        if src_shape is not None and i > src_shape[d]:
            raise RuntimeError(f"Expected index {list(index._data.shape)} to be no larger than self "
                               f"{list(self_shape)} apart from dimension {dim} and to be no larger size than "
                               f"src {list(src_shape)}")


# The index (and masked_fill's mask) is a saved tensor, as in torch: checked against in-place
# changes and freed by backward, so a second backward without retain_graph fails.
GatherBackward0 = node_class(
    "GatherBackward0",
    lambda g, x, index, dim: at_version(scatter_add(zeros(x.shape, dtype=g._dtype), dim, index, g), 1))
ScatterBackward0 = node_class("ScatterBackward0", lambda g, index, dim: scatter(g, dim, index, 0),
                              lambda g, index, dim: gather(g, dim, index))
ScatterBackward1 = node_class("ScatterBackward1", lambda g, index, dim: scatter(g, dim, index, 0))
ScatterAddBackward0 = node_class("ScatterAddBackward0", lambda g, index, dim: g,
                                 lambda g, index, dim: gather(g, dim, index))


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False, out: Any = None) -> Tensor:
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    _check_index(index, "gather")
    _check_gather_shapes(shape, index, d)
    idx = index._data.reshape(index._data.shape if shape else ())
    _check_bounds(idx, d, shape[d] if shape else 1)
    data = input._data[_coords(idx, d)] if shape else input._data[...]
    out_t = Tensor._make(backend_of(data).copy(data), input._dtype)
    if needs_grad(input):
        record(GatherBackward0, out_t, (input,), (input, index), (d,))
    return out_t


def _scatter(input: Tensor, dim: int, index: Tensor, src: Any, add: bool, fn: str) -> Tensor:
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    _check_index(index, fn)
    is_tensor = isinstance(src, Tensor)
    if is_tensor and src._dtype is not input._dtype:
        raise RuntimeError(f"{fn}(): Expected self.dtype to be equal to src.dtype")
    _check_gather_shapes(shape, index, d, src._data.shape if is_tensor else None)
    idx = index._data
    _check_bounds(idx, d, shape[d] if shape else 1)
    xp = backend_of(input._data)
    data = xp.copy(input._data)
    coords = _coords(idx, d)
    if is_tensor:
        values = src._data[tuple(slice(0, s) for s in idx.shape)]
    else:
        values = _scalar_value(src, input._dtype)
    if not shape:
        coords, data = (), data.reshape(())
    if add:
        xp.add_at(data, coords, values)
    else:
        data[coords] = values
    return Tensor._make(data, input._dtype)


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None,
            reduce: str | None = None) -> Tensor:
    if reduce is not None:
        raise NotImplementedError("scatter(reduce=...) is not supported")
    src = value if src is None else src
    out = _scatter(input, dim, index, src, False, "scatter")
    d = wrap_dim(dim, input._data.ndim)
    if isinstance(src, Tensor):
        if needs_grad(input, src):
            record(ScatterBackward0, out, (input, src), (index,), (d,))
    elif needs_grad(input):
        record(ScatterBackward1, out, (input,), (index,), (d,))
    return out


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    out = _scatter(input, dim, index, src, True, "scatter_add")
    if needs_grad(input, src):
        d = wrap_dim(dim, input._data.ndim)
        if wants_grad(src):
            record(ScatterAddBackward0, out, (input, src), (index,), (d,))
        else:  # torch saves the index only for src's gradient: nothing saved, so a second backward works
            record(ScatterAddBackward0, out, (input, src), None, (None, d))
    return out


def _vector_index(index: Tensor, fn: str) -> Any:
    if index._data.ndim > 1:
        raise IndexError(f"{fn}(): Index is supposed to be a vector")
    if index._dtype not in (D.int64, D.int32):
        raise RuntimeError(f"{fn}(): Expected dtype int32 or int64 for index")
    return index._data.reshape(-1)


IndexSelectBackward0 = node_class(
    "IndexSelectBackward0",
    lambda g, index, shape, dim: at_version(index_add(zeros(shape, dtype=g._dtype), dim, index, g), 1))
IndexAddBackward0 = node_class("IndexAddBackward0", lambda g, index, dim, alpha: g,
                               lambda g, index, dim, alpha: index_select(g, dim, index) * alpha)


def index_select(input: Tensor, dim: int, index: Tensor, *, out: Any = None) -> Tensor:
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    idx = _vector_index(index, "index_select")
    n = shape[d] if shape else 1
    if idx.size and ((idx < 0) | (idx >= n)).any():
        if d == 0 or (len(shape) > 2 and d == len(shape) - 1):  # torch's kernels differ per layout
            raise IndexError("index out of range in self")
        bad = idx[(idx < 0) | (idx >= n)][0]
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={int(bad)} axis_dim={n}")
    xp = backend_of(input._data)
    data = xp.take(input._data, idx, axis=d) if shape else xp.copy(input._data)
    out_t = Tensor._make(data, input._dtype)
    if needs_grad(input):
        record(IndexSelectBackward0, out_t, (input,), (index,), (shape, d))
    return out_t


def _check_index_add_shapes(shape: tuple, sshape: tuple, d: int, idx: Any) -> None:
    """torch's index_add meta checks, in its order."""
    if not (d == 0 or d < len(sshape)):
        raise RuntimeError(f"index_add_(): Indexing dim {d} is out of bounds of the source tensor with dim "
                           f"{len(sshape)}")
    if idx.size != (sshape[d] if sshape else 1):
        if not sshape:  # torch's message asks source.size(0) of a 0-dim source
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        raise RuntimeError(f"index_add_(): Number of indices ({idx.size}) should be equal to source.size(dim): "
                           f"({sshape[d]}), for dim: {d}")
    if len(shape) != len(sshape) or any(a != b for i, (a, b) in enumerate(zip(shape, sshape)) if i != d):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(shape)} source.shape = {list(sshape)}")
    n = shape[d] if shape else 1
    bad = idx[(idx < 0) | (idx >= n)] if idx.size else idx  # torch refuses negative indices here
    if bad.size:
        raise RuntimeError(f"index {int(bad[0])} is out of bounds for dimension {d} with size {n}")


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    if index._data.ndim > 1:
        raise IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: {index._data.ndim} with "
                         f"type: {index._dtype._short} and size: {list(index._data.shape)}")
    if index._dtype not in (D.int64, D.int32):
        raise RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: {index._dtype._short}")
    if source._dtype is not input._dtype:
        raise RuntimeError(f"index_add_(): self ({input._dtype._short}) and source ({source._dtype._short}) must "
                           "have the same scalar type")
    idx = index._data.reshape(-1)
    _check_index_add_shapes(shape, source._data.shape, d, idx)
    xp = backend_of(input._data)
    data = xp.copy(input._data)
    src = source._data
    # torch sums into a 2-d or larger self along its first or last dim with alpha 1 and int64
    # indices through scatter_add, whose float accumulator rounds half once; otherwise it adds
    # slice by slice, rounding after every addition
    wide = (input._dtype is D.float16 and len(shape) >= 2 and d in (0, len(shape) - 1) and alpha == 1
            and index._dtype is D.int64)
    if wide:
        data, src = data.astype(_np.float32), src.astype(_np.float32)
    if alpha != 1:
        src = src * alpha
    if shape:
        xp.add_at(data, (slice(None),) * d + (idx,), src)
    else:  # a 0-dim self is indexed as a 1-element vector
        xp.add_at(data.reshape(1), idx, src.reshape(-1))
    out = Tensor._make(data.astype(_np.float16) if wide else data, input._dtype)
    if needs_grad(input, source):
        if wants_grad(source):
            record(IndexAddBackward0, out, (input, source), (index,), (d, alpha))
        else:  # as scatter_add: only source's gradient needs the index
            record(IndexAddBackward0, out, (input, source), None, (None, d, alpha))
    return out


# ---------------------------------------------------------------------------------------
# masked_fill / nonzero
# ---------------------------------------------------------------------------------------
_CPP_NAMES = {"float16": "c10::Half", "float32": "float", "float64": "double", "int64": "long int",
              "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
              "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


def _scalar_value(value: Any, dt: D.dtype, fill: bool = False) -> Any:
    """A Python scalar converted to ``dt`` as torch's fill does (checked: it must fit ``dt``)."""
    return backend_of(None).asarray(checked_scalar(value, dt, fill))


MaskedFillBackward0 = node_class("MaskedFillBackward0", lambda g, mask: g.masked_fill(mask, 0))
MaskedFillBackward1 = node_class("MaskedFillBackward1", lambda g, mask: g.masked_fill(mask, 0),
                                 lambda g, mask: g.masked_fill(mask.logical_not(), 0).sum())


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    if mask._dtype is not D.bool_:
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{_CPP_NAMES.get(mask._dtype.name, mask._dtype.name)}")
    is_tensor = isinstance(value, Tensor)
    if is_tensor:
        if value._data.ndim:
            raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        fill = _scalar_value(value.item(), input._dtype)
    else:
        fill = _scalar_value(value, input._dtype)
    xp = backend_of(input._data)
    try:
        data = xp.where(mask._data, fill, input._data)
    except ValueError:
        from ._util import broadcast_error

        raise broadcast_error(mask._data.shape, input._data.shape) from None
    out = wrap(data, input._dtype)
    if is_tensor:
        if needs_grad(input, value):
            record(MaskedFillBackward1, out, (input, value), (mask,))
    elif needs_grad(input):
        record(MaskedFillBackward0, out, (input,), (mask,))
    return out


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    xp = backend_of(input._data)
    data = input._data if input._data.ndim else input._data.reshape(1)
    cols = xp.nonzero(data)
    if as_tuple:
        return tuple(Tensor._make(c.astype(D.int64.np), D.int64) for c in cols)
    out = xp.stack(cols, axis=1) if input._data.ndim else xp.zeros((len(cols[0]), 0), D.int64.np)
    return Tensor._make(out.astype(D.int64.np), D.int64)


FUNCTIONS = {"gather": gather, "scatter": scatter, "scatter_add": scatter_add, "index_select": index_select,
             "index_add": index_add, "masked_fill": masked_fill, "nonzero": nonzero}
METHODS = {**FUNCTIONS, "__getitem__": getitem}
