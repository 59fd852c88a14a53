"""Random sampling from tensors (normal, bernoulli, multinomial) and the in-place samplers.

Split from ``random.py`` (generators and factories). Gradients through these ops are zero,
as in ``derivatives.yaml``; the nodes carry torch's names.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.graph import needs_grad, node_class, record
from . import inplace
from ._util import wrap
from .random import Generator, _factory, _normal, _rng, _shape, _uniform


# ---------------------------------------------------------------------------------------
# Sampling from tensors: normal, bernoulli, multinomial (gradients are zero, as in torch)
# ---------------------------------------------------------------------------------------
def _zeros_like(t: Tensor) -> Tensor:
    return t * 0


NormalBackward0 = node_class("NormalBackward0", lambda g: g * 0)  # normal_ (in place)
NormalBackward1 = node_class("NormalBackward1", lambda g, mean: _zeros_like(mean))
NormalBackward2 = node_class("NormalBackward2", lambda g, std: _zeros_like(std))
NormalBackward3 = node_class(
    "NormalBackward3", lambda g, mean, std: _zeros_like(mean), lambda g, mean, std: _zeros_like(std)
)
UniformBackward0 = node_class("UniformBackward0", lambda g: g * 0)
BernoulliBackward0 = node_class("BernoulliBackward0", lambda g: g * 0)
BernoulliBackward1 = node_class("BernoulliBackward1", lambda g, p: g * 0, lambda g, p: _zeros_like(p))
BernoulliBackward2 = node_class("BernoulliBackward2", lambda g: g * 0)


def _not_implemented(g: Tensor) -> Tensor:
    raise RuntimeError("derivative for aten::bernoulli is not implemented")


BernoulliNotImplemented = node_class("NotImplemented", _not_implemented)


def _check_std(std: Any) -> None:
    if isinstance(std, Tensor):
        if (std._data < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")


def normal(
    mean: Any,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
    pin_memory: bool = False,
) -> Tensor:
    """normal(Tensor, Tensor) / (Tensor, float) / (float, Tensor) / (float, float, size)."""
    rng = _rng(generator)
    mean_t, std_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mean_t and not std_t:
        if size is None:
            raise TypeError(
                "normal() received an invalid combination of arguments - got (float, float), but "
                "expected a size when mean and std are both floats"
            )
        _check_std(std)
        dt = dtype or D.get_default_dtype()
        data = _normal(rng, _shape((size,)), dt) * dt.np.type(std) + dt.np.type(mean)
        return _factory(data, dt, requires_grad, device)
    _check_std(std)
    dt = D.result_dtype(*(x for x in (mean, std) if isinstance(x, Tensor)))
    m = mean._data if mean_t else mean
    s = std._data if std_t else std
    shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    out_t = wrap(_normal(rng, shape, dt) * s + m, dt)
    if mean_t and std_t:
        if needs_grad(mean, std):
            record(NormalBackward3, out_t, (mean, std), (mean, std))
    elif mean_t:
        if needs_grad(mean):
            record(NormalBackward1, out_t, (mean,), (mean,))
    elif needs_grad(std):
        record(NormalBackward2, out_t, (std,), (std,))
    return out_t


def _check_p(p: Any) -> None:
    if (p < 0).any() or (p > 1).any():
        raise RuntimeError(
            "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error "
            "message be improved?  If so, please report an enhancement request to PyTorch.)"
        )


def bernoulli(
    input: Tensor, p: float | None = None, *, generator: Generator | None = None, out: Any = None
) -> Tensor:
    """Draws 1 with probability ``input`` (or with the scalar ``p`` for every element)."""
    dt = input._dtype
    if p is None:
        if not dt.is_floating_point:
            raise NotImplementedError(f"\"bernoulli_tensor_cpu_p_\" not implemented for '{dt._short}'")
        _check_p(input._data)
        out_t = wrap(_rng(generator).random(input._data.shape) < input._data, dt)
        if needs_grad(input):
            record(BernoulliBackward0, out_t, (input,))
        return out_t
    _check_p(np.asarray(p))
    out_t = wrap(_rng(generator).random(input._data.shape) < p, dt)
    if needs_grad(input):
        record(BernoulliNotImplemented, out_t, (input,))
    return out_t


def multinomial(
    input: Tensor,
    num_samples: int,
    replacement: bool = False,
    *,
    generator: Generator | None = None,
    out: Any = None,
) -> Tensor:
    """Category indices drawn row by row (1-D or 2-D weights, not necessarily normalised)."""
    if not input._dtype.is_floating_point:
        raise RuntimeError(
            f"multinomial only supports floating-point dtypes for input, got: {input._dtype._short}"
        )
    if input._data.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    weights = input._data.astype(np.float64).reshape(-1, input._data.shape[-1])
    n_cat = weights.shape[1]
    if not replacement and num_samples > n_cat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    totals = weights.sum(axis=1)
    if (totals <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement and ((weights > 0).sum(axis=1) < num_samples).any():
        raise RuntimeError(
            "invalid multinomial distribution (with replacement=False, not enough non-negative "
            "category to sample)"
        )
    rng = _rng(generator)
    rows = [rng.choice(n_cat, size=num_samples, replace=replacement, p=w / w.sum()) for w in weights]
    data = np.stack(rows).astype(np.int64)
    return wrap(data.reshape(input._data.shape[:-1] + (num_samples,)), D.int64)


# ---------------------------------------------------------------------------------------
# In-place samplers (nn.init uses these): torch's leaf check, version bump, zero-grad node
# ---------------------------------------------------------------------------------------
def _fill_inplace(self: Tensor, data: Any, cls: type, extra: tuple = ()) -> Tensor:
    result = wrap(data, self._dtype)
    if needs_grad(self, *extra):
        record(cls, result, (self, *extra), extra)
    return inplace.commit(self, result)


def uniform_(
    self: Tensor, from_: float = 0.0, to: float = 1.0, *, generator: Generator | None = None, **kwargs: Any
) -> Tensor:
    from_ = kwargs.pop("from", from_)
    inplace.check_inplace(self)
    u = _uniform(_rng(generator), self._data.shape, self._dtype)
    if from_ > to:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={from_:g} > to={to:g}"
        )
    return _fill_inplace(self, u * (to - from_) + from_, UniformBackward0)


def normal_(
    self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Generator | None = None
) -> Tensor:
    inplace.check_inplace(self)
    _check_std(std)
    return _fill_inplace(
        self, _normal(_rng(generator), self._data.shape, self._dtype) * std + mean, NormalBackward0
    )


def bernoulli_(self: Tensor, p: Any = 0.5, *, generator: Generator | None = None) -> Tensor:
    inplace.check_inplace(self)
    draws = _rng(generator).random(self._data.shape)
    if isinstance(p, Tensor):
        _check_p(p._data)
        return _fill_inplace(self, draws < p._data, BernoulliBackward1, (p,))
    _check_p(np.asarray(p))
    return _fill_inplace(self, draws < p, BernoulliBackward2)
