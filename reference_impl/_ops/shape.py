"""Views and shape ops. Views share data (NumPy views), version counter and ``_base``.

Each op is its forward kernel plus the node torch records; the backward formulas are
Tensor ops, so double backward works. select / narrow / split / chunk / unbind live in
``slicing.py``; ops that copy (cat, stack, repeat, flip) in ``shape_copy.py``.
"""

from __future__ import annotations

from typing import Any

from .._backend import of as backend_of
from .._tensor import Tensor
from ..autograd.grad_mode import state as _grad_state
from ..autograd.graph import needs_grad, node_class, record


def wrap_dim(dim: int, ndim: int) -> int:
    """torch's dim normalisation and its IndexError."""
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got "
                         f"{dim})")
    return dim % n


def wrap_dims(dim: Any, ndim: int) -> tuple:
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    out: list = []
    for d in dims:  # in order, as torch: a range error before the repeat wins
        w = wrap_dim(d, ndim)
        if w in out:
            raise RuntimeError(f"dim {w} appears multiple times in the list of dims")
        out.append(w)
    return tuple(out)


def make_view(base: Tensor, data: Any) -> Tensor:
    """A tensor sharing ``base``'s memory and version counter.

    A view made with grad mode off is marked (torch's creation meta), and a view of a
    marked view inherits the mark: ``inplace.check_view_write`` refuses recorded writes to them.
    """
    t = Tensor._make(data, base._dtype)
    t._vc = base._vc
    t._attr_v = base._vc[0]  # the version its history belongs to (see inplace.refresh_view)
    t._inference = base._inference
    if base._base is None:
        t._base, meta = base, None
    else:
        t._base, meta = base._base, base.__dict__.get("_view_meta")
    if not _grad_state.enabled:
        if base._requires_grad or base._grad_fn is not None:
            t._requires_grad = True  # torch: a no_grad view of a grad-requiring tensor is a leaf that does
        if meta != "inference":
            meta = "inference" if _grad_state.inference and not base._inference else "no_grad"
    if meta is not None:
        t.__dict__["_view_meta"] = meta
    return t


def from_inference(out: Tensor, n: int, *inputs: Tensor) -> Tensor:
    """torch quirk: an op whose inputs are all inference tensors, run outside inference mode,
    skips the autograd kernels, so its kernel's inner in-place steps on the fresh (normal)
    output bump that output's version: ``n`` of them (sum_out: 1, mean's sum + div_: 2)."""
    if not _grad_state.inference and all(t._inference for t in inputs):
        out._vc[0] = n
    return out


def _writeable_again(data: Any) -> None:
    """NumPy marks every view of a broadcast array read-only; torch only refuses real overlap."""
    if not any(st == 0 and n > 1 for st, n in zip(data.strides, data.shape)):
        try:
            data.flags.writeable = True
        except ValueError:  # memory that really is read-only stays so
            pass


def _view_of(self: Tensor, data: Any, cls: type, *args: Any) -> Tensor:
    """The common tail of every single-output view op."""
    if not data.flags.writeable:
        _writeable_again(data)
    out = make_view(self, data)
    if needs_grad(self):
        record(cls, out, (self,), None, args)
    return out


def _sizes(size: tuple) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return tuple(int(s) for s in size)


def _infer_size(shape: tuple, numel: int) -> tuple:
    neg = []
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if neg:
                raise RuntimeError("only one dimension can be inferred")
            neg.append(i)
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
        else:
            known *= s
    if neg:
        if known == 0:
            if numel == 0:
                raise RuntimeError(
                    f"cannot reshape tensor of 0 elements into shape {list(shape)} because the unspecified "
                    "dimension size -1 can be any value and is ambiguous")
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        if numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = shape[:neg[0]] + (numel // known,) + shape[neg[0] + 1:]
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _try_view(data: Any, shape: tuple) -> Any:
    """``data`` reshaped without a copy, or None where the strides do not allow it."""
    if data.flags.c_contiguous or data.size <= 1:
        return data.reshape(shape)
    try:
        return backend_of(data).reshape(data, shape, copy=False)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------
# view / reshape / flatten / unflatten
# ---------------------------------------------------------------------------------------
ViewBackward0 = node_class("ViewBackward0", lambda g, shape: g.reshape(shape))
UnsafeViewBackward0 = node_class("UnsafeViewBackward0", lambda g, shape: g.reshape(shape))
ReshapeAliasBackward0 = node_class("ReshapeAliasBackward0", lambda g, shape: g.reshape(shape))
AliasBackward0 = node_class("AliasBackward0", lambda g: g)
CloneBackward0 = node_class("CloneBackward0", lambda g: g)


def view(self: Tensor, *shape: Any) -> Tensor:
    from .. import _dtype as D

    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        raise NotImplementedError("view(dtype) is not supported")
    shape = _infer_size(_sizes(shape), self._data.size)
    out_data = _try_view(self._data, shape)
    if out_data is None:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one dimension "
            "spans across two contiguous subspaces). Use .reshape(...) instead.")
    return _view_of(self, out_data, ViewBackward0, self._data.shape)


def reshape(self: Tensor, *shape: Any) -> Tensor:
    """torch's three cases: view of a contiguous tensor, a strided alias, or clone + unsafe view."""
    shape = _infer_size(_sizes(shape), self._data.size)
    out_data = _try_view(self._data, shape)
    if out_data is not None:
        cls = ViewBackward0 if self._data.flags.c_contiguous else ReshapeAliasBackward0
        return _view_of(self, out_data, cls, self._data.shape)
    return _unsafe_view(clone(self), shape)


def _unsafe_view(self: Tensor, shape: tuple) -> Tensor:
    out = Tensor._make(self._data.reshape(shape), self._dtype)
    if needs_grad(self):
        record(UnsafeViewBackward0, out, (self,), None, (self._data.shape,))
    return out


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    start, end = wrap_dim(start_dim, len(shape)), wrap_dim(end_dim, len(shape))
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    return reshape(input, shape[:start] + (-1,) + shape[end + 1:])


def unflatten(input: Tensor, dim: int, sizes: Any) -> Tensor:
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    known = 1
    for s in sizes:
        known *= s if s != -1 else 1
    if (-1 not in sizes and known != shape[d]) or (-1 in sizes and (known == 0 or shape[d] % known)):
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim "
                           f"{dim} ({shape[d]}) in the input tensor")
    return view(input, shape[:d] + _infer_size(sizes, shape[d]) + shape[d + 1:])


# ---------------------------------------------------------------------------------------
# squeeze / unsqueeze / expand
# ---------------------------------------------------------------------------------------
def _unsqueeze_to(g: Tensor, dims: tuple) -> Tensor:
    for d in dims:  # ascending, so each index is already final
        g = unsqueeze(g, d)
    return g


SqueezeBackward0 = node_class("SqueezeBackward0", lambda g, shape: g.reshape(shape))
SqueezeBackward1 = node_class("SqueezeBackward1", lambda g, dims: _unsqueeze_to(g, dims))
SqueezeBackward2 = node_class("SqueezeBackward2", lambda g, dims: _unsqueeze_to(g, dims))
UnsqueezeBackward0 = node_class("UnsqueezeBackward0", lambda g, dim: squeeze(g, dim))
ExpandBackward0 = node_class("ExpandBackward0", lambda g, shape: g.sum_to_size(shape))


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    shape = input._data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
        return _view_of(input, input._data.reshape(new) if len(new) != len(shape) else input._data[...],
                        SqueezeBackward0, shape)
    dims = wrap_dims(dim, len(shape))
    drop = tuple(sorted(d for d in dims if shape and shape[d] == 1))
    data = backend_of(input._data).squeeze(input._data, drop) if drop else input._data[...]
    return _view_of(input, data, SqueezeBackward1 if isinstance(dim, int) else SqueezeBackward2, drop)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    d = wrap_dim(dim, input._data.ndim + 1)
    return _view_of(input, backend_of(input._data).expand_dims(input._data, d), UnsqueezeBackward0, d)


# In-place view ops: ``self`` itself takes the new shape, its version is bumped, and it is
# rebased onto the node (torch's TBackward1, SqueezeBackward3..5, ...).
SqueezeBackward3 = node_class("SqueezeBackward3", lambda g, shape: g.reshape(shape))
SqueezeBackward4 = node_class("SqueezeBackward4", lambda g, dims: _unsqueeze_to(g, dims))
SqueezeBackward5 = node_class("SqueezeBackward5", lambda g, dims: _unsqueeze_to(g, dims))
UnsqueezeBackward1 = node_class("UnsqueezeBackward1", lambda g, dim: squeeze(g, dim))


def restride_(self: Tensor, data: Any, cls: type, *args: Any) -> Tensor:
    """The common tail of the in-place view ops: ``data`` is a view of ``self``'s memory."""
    if not data.flags.writeable:
        _writeable_again(data)
    record_it = needs_grad(self)
    if record_it and self._base is not None:
        self.grad_fn  # noqa: B018 -- brings a stale view's history up to date before the bump
    self._data = data
    if self._inference:
        from .inplace import check_inference_write

        check_inference_write(self)
    self._vc[0] += 1
    if self._base is not None:
        self._attr_v = self._vc[0]
    if record_it:
        record(cls, self, (self,), None, args)  # the edge is taken from self's previous history
    return self


def squeeze_(self: Tensor, dim: Any = None) -> Tensor:
    from .inplace import check_inplace

    check_inplace(self)
    shape = self._data.shape
    if dim is None:
        return restride_(self, self._data.reshape(tuple(s for s in shape if s != 1)), SqueezeBackward3, shape)
    dims = wrap_dims(dim, len(shape))
    drop = tuple(sorted(d for d in dims if shape and shape[d] == 1))
    data = backend_of(self._data).squeeze(self._data, drop) if drop else self._data[...]
    return restride_(self, data, SqueezeBackward4 if isinstance(dim, int) else SqueezeBackward5, drop)


def unsqueeze_(self: Tensor, dim: int) -> Tensor:
    from .inplace import check_inplace

    check_inplace(self)
    d = wrap_dim(dim, self._data.ndim + 1)
    return restride_(self, backend_of(self._data).expand_dims(self._data, d), UnsqueezeBackward1, d)


def expand(self: Tensor, *sizes: Any) -> Tensor:
    sizes = _sizes(sizes)
    shape = self._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand(torch.{self._dtype._legacy}{{{list(shape)}}}, size={list(sizes)}): the number of sizes "
            f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in the tensor "
            f"({len(shape)})")
    lead = len(sizes) - len(shape)
    target = list(sizes)
    for i in reversed(range(len(sizes))):  # torch checks from the last dim
        s = sizes[i]
        own = shape[i - lead] if i >= lead else None
        if s == -1:
            if own is None:
                raise RuntimeError(
                    "The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension "
                    f"{i}")
            s = own
        elif own is not None and own != s and own != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({own}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: {list(shape)}")
        target[i] = s
    data = backend_of(self._data).broadcast_to(self._data, tuple(target))
    return _view_of(self, data, ExpandBackward0, shape)


def expand_as(self: Tensor, other: Tensor) -> Tensor:
    return expand(self, other._data.shape)


def sum_to_size(self: Tensor, *size: Any) -> Tensor:
    """torch's sum_to: ``()`` is a full sum(); otherwise a keepdim sum (only if needed) and a view."""
    from .reductions import sum as sum_

    shape, own = _sizes(size), self._data.shape
    lead = len(own) - len(shape)
    if lead < 0 or any(s != 1 and s != own[i + lead] for i, s in enumerate(shape)):
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size {{{list(own)}}}.")
    if not shape:
        return sum_(self)
    dims = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and own[i + lead] != 1)
    out = sum_(self, dims, keepdim=True) if dims else self
    return view(out, shape) if lead else out


# ---------------------------------------------------------------------------------------
# transpose / permute
# ---------------------------------------------------------------------------------------
TransposeBackward0 = node_class("TransposeBackward0", lambda g, d0, d1: transpose(g, d0, d1))
PermuteBackward0 = node_class("PermuteBackward0", lambda g, inverse: permute(g, inverse))


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    n = input._data.ndim
    d0, d1 = wrap_dim(dim0, n), wrap_dim(dim1, n)
    axes = list(range(n))
    if n:
        axes[d0], axes[d1] = d1, d0
    data = backend_of(input._data).transpose(input._data, axes)
    return _view_of(input, data, TransposeBackward0, d0, d1)


TransposeBackward1 = node_class("TransposeBackward1", lambda g, d0, d1: transpose(g, d0, d1))


def transpose_(self: Tensor, dim0: int, dim1: int) -> Tensor:
    from .inplace import check_inplace

    check_inplace(self)
    n = self._data.ndim
    d0, d1 = wrap_dim(dim0, n), wrap_dim(dim1, n)
    axes = list(range(n))
    if n:
        axes[d0], axes[d1] = d1, d0
    return restride_(self, backend_of(self._data).transpose(self._data, axes), TransposeBackward1, d0, d1)


def permute(input: Tensor, *dims: Any) -> Tensor:
    dims = _sizes(dims)
    n = input._data.ndim
    if len(dims) != n:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the "
            f"desired ordering of dimensions i.e. input.dim() = {n} is not equal to len(dims) = {len(dims)}")
    perm = tuple(wrap_dim(d, n) for d in dims)
    if len(set(perm)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    inverse = [0] * n
    for i, p in enumerate(perm):
        inverse[p] = i
    data = backend_of(input._data).transpose(input._data, perm)
    return _view_of(input, data, PermuteBackward0, tuple(inverse))


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    n = input._data.ndim
    source = [source] if isinstance(source, int) else list(source)
    destination = [destination] if isinstance(destination, int) else list(destination)
    if len(source) != len(destination):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({source} dims) should contain "
                           f"the same number of dims as destination ({destination} dims)")
    src = [wrap_dim(d, n) for d in source]
    dst = [wrap_dim(d, n) for d in destination]
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({source})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({destination})")
    if n == 0:  # torch: a scalar tensor is aliased
        return alias(input)
    order = [d for d in range(n) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


def alias(input: Tensor) -> Tensor:
    return _view_of(input, input._data[...], AliasBackward0)


# ---------------------------------------------------------------------------------------
# copies
# ---------------------------------------------------------------------------------------
def clone(self: Tensor, *, memory_format: Any = None) -> Tensor:
    out = Tensor._make(backend_of(self._data).copy(self._data), self._dtype)
    if self._inference:
        from_inference(out, 1, self)
    if needs_grad(self):
        record(CloneBackward0, out, (self,))
    return out


def contiguous(self: Tensor, memory_format: Any = None) -> Tensor:
    if self._data.flags.c_contiguous:
        return self
    return clone(self)


FUNCTIONS = {"reshape": reshape, "clone": clone, "flatten": flatten, "unflatten": unflatten,
             "squeeze": squeeze, "unsqueeze": unsqueeze, "transpose": transpose, "swapaxes": transpose,
             "swapdims": transpose, "permute": permute, "movedim": movedim}
METHODS = {**FUNCTIONS, "view": view, "expand": expand, "expand_as": expand_as, "sum_to_size": sum_to_size,
           "contiguous": contiguous, "squeeze_": squeeze_, "unsqueeze_": unsqueeze_, "transpose_": transpose_,
           "swapaxes_": transpose_, "swapdims_": transpose_}
