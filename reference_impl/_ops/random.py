"""Random numbers: torch's API over NumPy's PCG64, reproducible but not torch's stream.

Values never equal torch's (its CPU generator is a Mersenne Twister with its own
transforms); what matches is the contract: the same seed gives the same values, separate
``Generator`` objects are independent, and shapes, dtypes, errors and autograd nodes are
torch's. Gradients through random ops are zero, as in ``derivatives.yaml``.

``Generator.get_state()`` returns a uint8 Tensor of ``_STATE_BYTES`` bytes (PCG64 state,
increment, buffered 32-bit word, and the initial seed; little endian). torch's CPU state
is 5056 bytes, so states do not transfer between the two.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd.graph import needs_grad, node_class, record
from . import inplace
from ._util import wrap

DEFAULT_SEED = 67280421310721  # torch's default_rng_seed_val
_U64 = (1 << 64) - 1
_STATE_BYTES = 16 + 16 + 4 + 4 + 8


class Generator:
    """torch.Generator: one independent PCG64 stream."""

    def __init__(self, device: Any = "cpu") -> None:
        self._set_seed(DEFAULT_SEED)

    def _set_seed(self, seed: int) -> None:
        self._initial = seed
        self._rng = np.random.Generator(np.random.PCG64(seed))

    @property
    def device(self) -> Any:
        from .._device import device

        return device("cpu")

    def manual_seed(self, seed: Any) -> Generator:
        self._set_seed(int(seed) & _U64)
        return self

    def seed(self) -> int:
        """Reseed from the OS entropy pool and return the new seed."""
        seed = int.from_bytes(os.urandom(8), "little") & ((1 << 63) - 1)
        self._set_seed(seed)
        return seed

    def initial_seed(self) -> int:
        return self._initial

    def get_state(self) -> Tensor:
        st = self._rng.bit_generator.state
        raw = (
            st["state"]["state"].to_bytes(16, "little")
            + st["state"]["inc"].to_bytes(16, "little")
            + int(st["has_uint32"]).to_bytes(4, "little")
            + int(st["uinteger"]).to_bytes(4, "little")
            + self._initial.to_bytes(8, "little")
        )
        return Tensor._make(np.frombuffer(raw, dtype=np.uint8).copy(), D.uint8)

    def set_state(self, new_state: Tensor) -> Generator:
        if not isinstance(new_state, Tensor) or new_state._dtype is not D.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if new_state._data.size != _STATE_BYTES:
            raise RuntimeError(
                f"Expected a CPUGeneratorImplState of size {_STATE_BYTES} but found the input "
                f"RNG state size to be {new_state._data.size}"
            )
        raw = new_state._data.tobytes()
        bitgen = np.random.PCG64()
        bitgen.state = {
            "bit_generator": "PCG64",
            "state": {
                "state": int.from_bytes(raw[0:16], "little"),
                "inc": int.from_bytes(raw[16:32], "little"),
            },
            "has_uint32": int.from_bytes(raw[32:36], "little"),
            "uinteger": int.from_bytes(raw[36:40], "little"),
        }
        self._rng = np.random.Generator(bitgen)
        self._initial = int.from_bytes(raw[40:48], "little")
        return self

    def __repr__(self) -> str:
        return f"<torch._C.Generator object at {hex(id(self))}>"


default_generator = Generator()


def manual_seed(seed: Any) -> Generator:
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    default_generator.set_state(new_state)


def _rng(generator: Generator | None) -> np.random.Generator:
    return (generator or default_generator)._rng


# ---------------------------------------------------------------------------------------
# Sampling kernels: uniform [0, 1) and standard normal in a given dtype
# ---------------------------------------------------------------------------------------
def _uniform(rng: np.random.Generator, shape: tuple, dt: D.dtype, op: str = "check_uniform_bounds") -> Any:
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"{op}\" not implemented for '{dt._short}'")
    if dt is D.float16:  # multiples of 2**-11 stay below 1 after the cast
        return (rng.integers(0, 1 << 11, shape) * 2.0**-11).astype(np.float16)
    return rng.random(shape, dtype=dt.np)


def _normal(rng: np.random.Generator, shape: tuple, dt: D.dtype) -> Any:
    if not dt.is_floating_point:
        raise NotImplementedError(f"\"normal_kernel_cpu\" not implemented for '{dt._short}'")
    if dt is D.float16:
        return rng.standard_normal(shape, dtype=np.float32).astype(np.float16)
    return rng.standard_normal(shape, dtype=dt.np)


def _shape(size: tuple) -> tuple:
    """Sizes given as ``f(2, 3)`` or ``f((2, 3))``; negative sizes raise torch's message."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    size = tuple(int(s) for s in size)
    for s in size:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
    return size


def _factory(data: Any, dt: D.dtype, requires_grad: bool) -> Tensor:
    t = wrap(data, dt)
    if requires_grad:
        if not (dt.is_floating_point or dt.is_complex):
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._requires_grad = True
    return t


def rand(
    *size: Any,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
    pin_memory: bool = False,
) -> Tensor:
    dt = dtype or D.get_default_dtype()
    return _factory(_uniform(_rng(generator), _shape(size), dt), dt, requires_grad)


def randn(
    *size: Any,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
    pin_memory: bool = False,
) -> Tensor:
    dt = dtype or D.get_default_dtype()
    return _factory(_normal(_rng(generator), _shape(size), dt), dt, requires_grad)


def _randint_values(rng: np.random.Generator, low: int, high: int, shape: tuple) -> Any:
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    return rng.integers(low, high, shape, dtype=np.int64)


def randint(
    *args: Any,
    size: Any = None,
    low: Any = None,
    high: Any = None,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
    pin_memory: bool = False,
) -> Tensor:
    """randint(high, size) or randint(low, high, size); all may also be keywords."""
    pos = list(args)
    if size is None and pos and isinstance(pos[-1], (tuple, list)):
        size = pos.pop()
    if len(pos) == 2:
        low, high = pos
    elif len(pos) == 1:
        low, high = (0, pos[0]) if high is None else (pos[0], high)
    low = 0 if low is None else low
    if high is None or size is None:
        raise TypeError(
            "randint() received an invalid combination of arguments - expected (int high, tuple "
            "of ints size) or (int low, int high, tuple of ints size)"
        )
    dt = dtype or D.int64
    values = _randint_values(_rng(generator), int(low), int(high), _shape((size,)))
    return _factory(values, dt, requires_grad)


def randperm(
    n: int,
    *,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
    pin_memory: bool = False,
) -> Tensor:
    _shape((n,))
    return _factory(_rng(generator).permutation(int(n)), dtype or D.int64, requires_grad)


def rand_like(
    input: Tensor,
    *,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
    layout: Any = None,
) -> Tensor:
    dt = dtype or input._dtype
    return _factory(_uniform(_rng(generator), input._data.shape, dt), dt, requires_grad)


def randn_like(
    input: Tensor,
    *,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
    layout: Any = None,
) -> Tensor:
    dt = dtype or input._dtype
    return _factory(_normal(_rng(generator), input._data.shape, dt), dt, requires_grad)


def randint_like(
    input: Tensor,
    low: int = 0,
    high: int | None = None,
    *,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    memory_format: Any = None,
    layout: Any = None,
) -> Tensor:
    """randint_like(input, high) or randint_like(input, low, high)."""
    if high is None:
        low, high = 0, low
    dt = dtype or input._dtype
    return _factory(
        _randint_values(_rng(generator), int(low), int(high), input._data.shape), dt, requires_grad
    )


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
        return _factory(data, dt, requires_grad)
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


FUNCTIONS = {
    "Generator": Generator,
    "default_generator": default_generator,
    "manual_seed": manual_seed,
    "seed": seed,
    "initial_seed": initial_seed,
    "get_rng_state": get_rng_state,
    "set_rng_state": set_rng_state,
    "rand": rand,
    "randn": randn,
    "randint": randint,
    "randperm": randperm,
    "rand_like": rand_like,
    "randn_like": randn_like,
    "randint_like": randint_like,
    "normal": normal,
    "bernoulli": bernoulli,
    "multinomial": multinomial,
}
METHODS = {
    "uniform_": uniform_,
    "normal_": normal_,
    "bernoulli_": bernoulli_,
    "bernoulli": bernoulli,
    "multinomial": multinomial,
}
