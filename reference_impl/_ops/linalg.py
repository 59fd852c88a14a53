"""Matrix products (mm, bmm, mv, dot, outer, matmul) and the transposes t / T / mT.

``matmul`` is composite in torch (ATen's ``_matmul_impl``): it folds batches into mm/mv,
or expands and flattens into bmm, and the graph it leaves (UnsafeViewBackward0 over
MmBackward0, ExpandBackward0 under BmmBackward0 ...) is observable through
``next_functions``. It is therefore written here as the same composition of ops.
Backward formulas follow derivatives.yaml (``conj`` is free on real tensors).
"""

from __future__ import annotations

import math
from typing import Any

from .. import _dtype as D
from .._backend import of as backend_of
from .._tensor import _GRAD_DTYPE_NAMES, Tensor
from .._warn import warn_once
from ..autograd.graph import needs_grad, node_class, record
from . import shape as shape_ops
from ._util import broadcast_error, loud, quiet, wrap
from .elementwise import conj, mul
from .shape import _unsafe_view, contiguous, make_view, reshape

# ---------------------------------------------------------------------------------------
# Views used by matmul and the transposes (shape.py's ops, plus squeeze_ which only matmul needs).
# ---------------------------------------------------------------------------------------
TBackward0 = node_class("TBackward0", lambda g: t(g))
TBackward1 = node_class("TBackward1", lambda g: t(g))
SqueezeBackward4 = node_class("SqueezeBackward4", lambda g, shape, dim: g.reshape(shape))


def _squeeze_dim(x: Tensor, dim: int) -> Tensor:
    return shape_ops.squeeze(x, dim)


def _squeeze_0_(x: Tensor) -> Tensor:
    """``x.squeeze_(0)`` on a fresh mm result: in place, so the version counter moves."""
    shape = x._data.shape
    x._data = backend_of(x._data).squeeze(x._data, 0)
    x._vc[0] += 1
    if x._grad_fn is not None:
        record(SqueezeBackward4, x, (x,), None, (shape, 0))
    return x


# ---------------------------------------------------------------------------------------
# Transposes: t (<= 2-D), T (reverse all dims), mT (swap the last two).
# ---------------------------------------------------------------------------------------
_T_WARNING = (
    "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it will "
    "throw an error in a future release. Consider `x.mT` to transpose batches of matrices or "
    "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor. (Triggered "
    "internally at /__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4314.)")
_ZERO_DIM_WARNING = ("Tensor.{} is deprecated on 0-D tensors. This function is the identity in these cases. "
                     "(Triggered internally at "
                     "/__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:{}.)")




def _warn_once(message: str) -> None:
    """torch raises these with TORCH_WARN_ONCE: once per process (always under set_warn_always)."""
    warn_once(message, stacklevel=3)


def t(input: Tensor) -> Tensor:
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    out = make_view(input, input._data.T)
    if needs_grad(input):
        record(TBackward0, out, (input,))
    return out


def t_(self: Tensor) -> Tensor:
    """In place: ``self`` takes the transposed strides (torch's TBackward1)."""
    from .inplace import check_inplace

    check_inplace(self)
    nd = self._data.ndim
    if nd > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {nd}D")
    return shape_ops.restride_(self, self._data.T, TBackward1)


def _T(self: Tensor) -> Tensor:
    nd = self._data.ndim
    if nd == 0:
        _warn_once(_ZERO_DIM_WARNING.format("T", 4321))
    elif nd != 2:
        _warn_once(_T_WARNING)
    return shape_ops.permute(self, tuple(range(nd - 1, -1, -1)))


def _mT(self: Tensor) -> Tensor:
    nd = self._data.ndim
    if nd == 0:
        _warn_once(_ZERO_DIM_WARNING.format("mT", 4373))
        return self
    if nd < 2:
        raise RuntimeError(
            f"tensor.mT is only supported on matrices or batches of matrices. Got {nd}-D tensor.")
    return shape_ops.transpose(self, -2, -1)


# ---------------------------------------------------------------------------------------
# The kernels: argument checks in torch's order, then one backend call.
# ---------------------------------------------------------------------------------------
MmBackward0 = node_class("MmBackward0", lambda g, a, b, col_a, col_b: mm_mat1_backward(g, b, col_a),
                         lambda g, a, b, col_a, col_b: mm_mat2_backward(g, a, col_b))


def column_major(data: Any) -> bool:
    """torch's test in mm_mat*_backward (strides (1, rows)): such an input gets its gradient
    column-major too, so that e.g. ``weight.t()`` in linear gives ``weight`` a row-major grad."""
    strides, shape = data.strides, data.shape
    item = data.itemsize
    return strides[0] == item and strides[1] == shape[0] * item


def mm_mat1_backward(g: Tensor, mat2: Tensor, col_major: bool) -> Tensor:
    if col_major:
        return t(mm(conj(mat2), t(g)))
    return mm(g, conj(t(mat2)))


def mm_mat2_backward(g: Tensor, mat1: Tensor, col_major: bool) -> Tensor:
    if col_major:
        return t(mm(t(g), conj(mat1)))
    return mm(conj(t(mat1)), g)
BmmBackward0 = node_class("BmmBackward0", lambda g, a, b: bmm(g, conj(shape_ops.transpose(b, 1, 2))),
                          lambda g, a, b: bmm(conj(shape_ops.transpose(a, 1, 2)), g))
MvBackward0 = node_class("MvBackward0", lambda g, m, v: outer(g, conj(v)), lambda g, m, v: mv(conj(t(m)), g))
DotBackward0 = node_class("DotBackward0", lambda g, a, b: g * conj(b), lambda g, a, b: g * conj(a))


def _tensor_arg(fn: str, x: Any, name: str, pos: int) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _product(kernel: str, a: Tensor, b: Tensor, cpu_name: str) -> Tensor:
    """Run ``kernel`` on two same-dtype arrays (half accumulates in float as torch's CPU kernels)."""
    dt = a._dtype
    if dt is D.bool_:
        raise NotImplementedError(f"\"{cpu_name}\" not implemented for 'Bool'")
    x, y = a._data, b._data
    xp = backend_of(x)
    if dt is D.float16:
        x, y = xp.astype(x, D.float32.np), xp.astype(y, D.float32.np)
    token = quiet()  # NumPy's floating-point error state (np.errstate costs ~1.5 us)
    try:
        return wrap(getattr(xp, kernel)(x, y), dt)
    finally:
        loud(token)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    _tensor_arg("mm", input, "input", 1)
    _tensor_arg("mm", mat2, "mat2", 2)
    sa, sb = input._data.shape, mat2._data.shape
    if len(sa) != 2:
        raise RuntimeError("self must be a matrix")
    if len(sb) != 2:
        raise RuntimeError("mat2 must be a matrix")
    if sa[1] != sb[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa[0]}x{sa[1]} and {sb[0]}x{sb[1]})")
    if input._dtype is not mat2._dtype:
        raise RuntimeError("expected m1 and m2 to have the same dtype, but got: "
                           f"{_GRAD_DTYPE_NAMES[input._dtype.name]} != {_GRAD_DTYPE_NAMES[mat2._dtype.name]}")
    out = _product("matmul", input, mat2, "addmm_impl_cpu_")
    if needs_grad(input, mat2):
        record(MmBackward0, out, (input, mat2), (input, mat2),
               (column_major(input._data), column_major(mat2._data)))
    return out


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    _tensor_arg("bmm", input, "input", 1)
    _tensor_arg("bmm", mat2, "mat2", 2)
    sa, sb = input._data.shape, mat2._data.shape
    if len(sa) != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if len(sb) != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if sb[0] != sa[0] or sb[1] != sa[2]:
        raise RuntimeError("Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{sa[0]}, {sa[2]}] but got: [{sb[0]}, {sb[1]}].")
    if input._dtype is D.bool_:
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    if input._dtype is not mat2._dtype:
        raise RuntimeError(f"expected scalar type {input._dtype._short} but found {mat2._dtype._short}")
    out = _product("matmul", input, mat2, "bmm")
    if needs_grad(input, mat2):
        record(BmmBackward0, out, (input, mat2), (input, mat2))
    return out


def mv(input: Tensor, vec: Tensor) -> Tensor:
    _tensor_arg("mv", input, "input", 1)
    _tensor_arg("mv", vec, "vec", 2)
    sa, sb = input._data.shape, vec._data.shape
    if len(sa) != 2 or len(sb) != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {len(sa)}, {len(sb)}")
    if sa[1] != sb[0]:
        raise RuntimeError(f"size mismatch, got input ({sa[0]}), mat ({sa[0]}x{sa[1]}), vec ({sb[0]})")
    if input._dtype is not vec._dtype:
        v, m = vec._dtype._short, input._dtype._short
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {v}, {m}, and {v}")
    out = _product("matmul", input, vec, "addmv_impl_cpu")
    if input._inference:
        shape_ops.from_inference(out, 1, input, vec)
    if needs_grad(input, vec):
        record(MvBackward0, out, (input, vec), (input, vec))
    return out


def dot(input: Tensor, tensor: Tensor) -> Tensor:
    _tensor_arg("dot", input, "input", 1)
    _tensor_arg("dot", tensor, "tensor", 2)
    sa, sb = input._data.shape, tensor._data.shape
    if len(sa) != 1 or len(sb) != 1:
        raise RuntimeError(f"1D tensors expected, but got {len(sa)}D and {len(sb)}D tensors")
    if input._dtype is not tensor._dtype:
        raise RuntimeError("dot : expected both vectors to have same dtype, but found "
                           f"{input._dtype._short} and {tensor._dtype._short}")
    if sa[0] != sb[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{sa[0]}] and src [{sb[0]}] to have "
                           f"the same number of elements, but got {sa[0]} and {sb[0]} elements respectively")
    out = _product("dot", input, tensor, "dot")
    if input._inference:
        shape_ops.from_inference(out, 1, input, tensor)
    if needs_grad(input, tensor):
        record(DotBackward0, out, (input, tensor), (input, tensor))
    return out


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """torch composes outer as ``input.reshape(-1, 1) * vec2`` (ViewBackward0 under MulBackward0)."""
    _tensor_arg("outer", input, "input", 1)
    _tensor_arg("outer", vec2, "vec2", 2)
    for name, x in (("self", input), ("vec2", vec2)):
        if x._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {x._data.ndim}-D")
    return mul(reshape(input, (input._data.shape[0], 1)), vec2)


# ---------------------------------------------------------------------------------------
# matmul: ATen's _matmul_impl, step for step.
# ---------------------------------------------------------------------------------------
def _strides(x: Tensor) -> tuple:
    item = x._data.itemsize
    return tuple(s // item for s in x._data.strides)


def _should_fold(a: Tensor, b: Tensor) -> bool:
    """Whether the larger operand (>= 3-D) can be folded into a matrix for mm/mv without a copy."""
    a_larger = a._data.ndim >= b._data.ndim
    t1 = a._data if a_larger else b._data.swapaxes(-1, -2)
    dim_t2 = b._data.ndim if a_larger else a._data.ndim
    if not (t1.ndim >= 3 and dim_t2 <= 2):
        return False
    t2 = b if a_larger else a
    if t2.requires_grad:
        return True
    if a._data.ndim == 2:
        return False
    if t1.size == 0:
        return True
    item = t1.itemsize
    st, sh = [s // item for s in t1.strides], t1.shape
    return all(st[i] == st[i + 1] * sh[i + 1] for i in range(t1.ndim - 2))


def matmul(input: Tensor, other: Tensor) -> Tensor:
    _tensor_arg("matmul", input, "input", 1)
    _tensor_arg("matmul", other, "other", 2)
    d1, d2 = input._data.ndim, other._data.ndim
    if d1 == 0 or d2 == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {d1}D and {d2}D")
    if d1 == 1 and d2 == 1:
        return dot(input, other)
    if d1 == 2 and d2 == 1:
        return mv(input, other)
    if d1 == 1 and d2 == 2:
        return _squeeze_0_(mm(shape_ops.unsqueeze(input, 0), other))
    if d1 == 2 and d2 == 2:
        return mm(input, other)
    if d1 == 3 and d2 == 3:  # a batch of one that needs grad is squeezed so that the batch folds into mm
        b1, b2 = input._data.shape[0], other._data.shape[0]
        if b1 != b2 and b2 == 1 and other.requires_grad:
            other = _squeeze_dim(other, 0)
        elif b1 != b2 and b1 == 1 and input.requires_grad:
            input = _squeeze_dim(input, 0)
    if _should_fold(input, other):
        return _matmul_folded(input, other)
    return _matmul_batched(input, other)


def _matmul_folded(input: Tensor, other: Tensor) -> Tensor:
    """[..., n, m] @ [m(, p)]: fold the batch into rows and call mm / mv once."""
    transpose = other._data.ndim > input._data.ndim
    t1 = _mT(other) if transpose else input
    t2 = (t(input) if input._data.ndim == 2 else input) if transpose else other
    sizes = t1._data.shape
    out_shape = sizes[:-1]
    rows = 1
    for s in out_shape:
        rows *= s
    folded = reshape(t1, (rows, sizes[-1]))
    if t2._data.ndim == 2:
        out = _unsafe_view(mm(folded, t2), out_shape + (t2._data.shape[1],))
        return contiguous(_mT(out)) if transpose else out
    return _unsafe_view(mv(folded, t2), out_shape)


def _matmul_batched(input: Tensor, other: Tensor) -> Tensor:
    """Broadcast the batch dims, flatten them and call bmm."""
    s1, s2 = input._data.shape, other._data.shape
    d1, d2 = len(s1), len(s2)
    n = s1[-2] if d1 > 1 else 1
    m1, p = s1[-1], (s2[-1] if d2 > 1 else 1)
    m2 = s2[-2] if d2 > 1 else s2[0]
    b1, b2 = s1[:max(d1 - 2, 0)], s2[:max(d2 - 2, 0)]
    batch = _broadcast_shape(b1, b2)
    count = 1
    for s in batch:
        count *= s
    left = reshape(input.expand(batch + (n, m1)), (count, n, m1))
    vector_rhs = d2 == 1
    if vector_rhs:
        right = shape_ops.unsqueeze(reshape(other.expand(batch + (m2,)), (count, m2)), 2)
    else:
        right = reshape(other.expand(batch + (m2, p)), (count, m2, p))
    out_shape = batch + ((n,) if d1 > 1 else ()) + ((p,) if d2 > 1 else ())
    prod = bmm(left, right)
    if vector_rhs:
        prod = _squeeze_dim(prod, 2)
    return _unsafe_view(prod, out_shape)


def _broadcast_shape(a: tuple, b: tuple) -> tuple:
    n = max(len(a), len(b))
    out = []
    for i in range(n):
        sa = a[i - n + len(a)] if i - n + len(a) >= 0 else 1
        sb = b[i - n + len(b)] if i - n + len(b) >= 0 else 1
        if sa != sb and sa != 1 and sb != 1:
            raise broadcast_error(a, b)
        out.append(sb if sa == 1 else sa)
    return tuple(out)


def _matmul_method(self: Tensor, other: Any) -> Any:
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(self, other)


def _rmatmul_method(self: Tensor, other: Any) -> Any:
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(other, self)


FUNCTIONS = {"matmul": matmul, "mm": mm, "bmm": bmm, "mv": mv, "dot": dot, "outer": outer,
             "ger": outer, "t": t}
METHODS = {"matmul": matmul, "mm": mm, "bmm": bmm, "mv": mv, "dot": dot, "outer": outer, "ger": outer, "t": t, "t_": t_,
           "__matmul__": _matmul_method, "__rmatmul__": _rmatmul_method,
           "T": property(_T), "mT": property(_mT)}


# ---------------------------------------------------------------------------------------
# norm: torch.norm dispatches every vector order to linalg.vector_norm.
# ---------------------------------------------------------------------------------------
def _norm_grad(g: Tensor, x: Tensor, y: Tensor, p: float, dims: tuple, keepdim: bool) -> Tensor | None:
    """torch's norm_backward; each order masks the points where the norm is 0 as torch does."""
    from .elementwise import where
    from .reductions import _restore

    if not keepdim and x._data.ndim:
        g, y = _restore(g, dims, False), _restore(y, dims, False)
    if p == 0.0:
        return None
    if p == 1.0:
        return x.sgn() * g
    if p == 2.0:
        return g * where(y == 0, 0.0, x / y)
    if math.isinf(p):
        ax = x.abs()
        mask = (ax == y) | ax.isnan()
        return x.sgn() * ((g / mask.sum(dims, keepdim=True)) * mask)
    if p < 1.0:
        scaled = x.sgn() * where(x == 0, 0.0, x.abs().pow(p - 1))
        return scaled * g * y.pow(1 - p)
    scaled = x.sgn() * x.abs().pow(p - 1) if p < 2.0 else x * x.abs().pow(p - 2)
    return scaled * where(y == 0, 0.0, g / y.pow(p - 1))


LinalgVectorNormBackward0 = node_class("LinalgVectorNormBackward0", _norm_grad)


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: D.dtype | None = None) -> Tensor:
    if not (x._dtype.is_floating_point or x._dtype.is_complex):
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{x._dtype._short}")
    p = float(ord)
    data = x._data if dtype is None else backend_of(x._data).astype(x._data, dtype.np)
    real = (dtype or x._dtype).to_real()
    xp = backend_of(data)
    all_dims = dim is None or (isinstance(dim, (tuple, list)) and not dim)
    dims = tuple(range(data.ndim)) if all_dims else _wrap_dims(dim, data.ndim)
    if math.isinf(p) and (data.size == 0 if all_dims else any(data.shape[d] == 0 for d in dims)):
        sign = "-" if p < 0 else ""
        raise RuntimeError(f"linalg.vector_norm cannot compute the {sign}inf norm on an empty tensor because "
                           "the operation does not have an identity")
    axes = dims if data.ndim else None
    half = real is D.float16  # torch computes a half norm in float (its acc type) and rounds once
    acc = D.float32 if half else real
    with xp.errstate(all="ignore"):
        a = xp.absolute(xp.astype(data, acc.np) if half else data)
        if p == 0:
            res = xp.sum(xp.not_equal(a, 0), axis=axes, keepdims=keepdim, dtype=acc.np)
        elif p == 1:
            res = xp.sum(a, axis=axes, keepdims=keepdim)
        elif p == 2:
            res = xp.sqrt(xp.sum(a * a, axis=axes, keepdims=keepdim))
        elif math.isinf(p):
            res = (xp.max if p > 0 else xp.min)(a, axis=axes, keepdims=keepdim)
        else:
            res = xp.power(xp.sum(xp.power(a, p), axis=axes, keepdims=keepdim), 1.0 / p)
        if half:
            res = xp.astype(res, real.np)
    out = wrap(res, real)
    if needs_grad(x):
        record(LinalgVectorNormBackward0, out, (x,), (x, out), (p, dims if data.ndim else (), keepdim))
    return out


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: D.dtype | None = None
         ) -> Tensor:
    """torch.norm: 'fro' and numeric orders are vector norms over ``dim`` (all dims by default)."""
    if isinstance(p, str):
        if p != "fro":
            raise NotImplementedError(f"norm(p={p!r}) (matrix norms) is not supported")
        if dim is not None and not isinstance(dim, int) and len(dim) > 2:
            got = " ".join(str(d) for d in dim)
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {got}")
        p = 2
    if p is None:
        p = 2
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


def _wrap_dims(dim: Any, ndim: int) -> tuple:
    from .shape import wrap_dims

    return wrap_dims(dim, ndim)


FUNCTIONS["norm"] = norm
METHODS["norm"] = norm
