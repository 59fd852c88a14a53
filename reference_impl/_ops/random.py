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
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _dtype as D
from .._backend import for_device
from .._tensor import Tensor
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


def _factory(data: Any, dt: D.dtype, requires_grad: bool, device: Any = None, like: Tensor | None = None) -> Tensor:
    """The sampled NumPy values as a tensor on ``device`` (default: ``like``'s device, else the CPU backend)."""
    xp = like._backend if device is None and like is not None else for_device(device)
    t = wrap(xp.asarray(data), dt)
    if requires_grad:
        if not (dt.is_floating_point or dt.is_complex):
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._requires_grad = True
    return t


Sampler = Callable[[np.random.Generator, tuple, D.dtype], Any]


def _sized_factory(name: str, sample: Sampler) -> Callable[..., Tensor]:
    """rand / randn: ``sample`` values of the given size in ``dtype`` (default: the default dtype)."""

    def factory(
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
        return _factory(sample(_rng(generator), _shape(size), dt), dt, requires_grad, device)

    factory.__name__ = factory.__qualname__ = name
    return factory


rand = _sized_factory("rand", _uniform)
randn = _sized_factory("randn", _normal)


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
    return _factory(values, dt, requires_grad, device)


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
    return _factory(_rng(generator).permutation(int(n)), dtype or D.int64, requires_grad, device)


def _like_factory(name: str, sample: Sampler) -> Callable[..., Tensor]:
    """rand_like / randn_like: ``sample`` values of ``input``'s shape, dtype (by default) and device."""

    def factory(
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
        return _factory(sample(_rng(generator), input._data.shape, dt), dt, requires_grad, device, input)

    factory.__name__ = factory.__qualname__ = name
    return factory


rand_like = _like_factory("rand_like", _uniform)
randn_like = _like_factory("randn_like", _normal)


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
        _randint_values(_rng(generator), int(low), int(high), input._data.shape), dt, requires_grad, device, input
    )


# Defined after the generator machinery they use (see _random_tensors.py).
from ._random_tensors import (  # noqa: E402
    bernoulli,
    bernoulli_,
    multinomial,
    normal,
    normal_,
    uniform_,
)

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
