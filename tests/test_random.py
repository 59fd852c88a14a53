"""Random numbers: reproducibility, generator independence, shapes/dtypes/ranges, statistics,
and the parts that must equal torch exactly (errors, dtypes, autograd nodes)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import reference_impl as ri
from tests.helpers import SETTINGS, assert_same, graph_signature

SAMPLERS = {
    "rand": lambda g: ri.rand(3, 4, generator=g),
    "randn": lambda g: ri.randn((3, 4), generator=g, dtype=ri.float64),
    "randint": lambda g: ri.randint(2, 9, (5,), generator=g),
    "randperm": lambda g: ri.randperm(10, generator=g),
    "normal": lambda g: ri.normal(1.0, 2.0, (4,), generator=g),
    "bernoulli": lambda g: ri.bernoulli(ri.full((20,), 0.5), generator=g),
    "multinomial": lambda g: ri.multinomial(ri.tensor([0.1, 0.5, 0.4]), 2, generator=g),
    "uniform_": lambda g: ri.zeros(5).uniform_(-1, 1, generator=g),
    "normal_": lambda g: ri.zeros(5).normal_(2, 3, generator=g),
    "bernoulli_": lambda g: ri.zeros(20).bernoulli_(0.3, generator=g),
}


def _values(t: Any) -> np.ndarray:
    return t.detach().numpy().copy()


# ------------------------------------------------------------------------------------------
# Reproducibility and independence
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(SAMPLERS))
def test_same_seed_same_values_on_the_default_generator(name: str) -> None:
    ri.manual_seed(123)
    first = _values(SAMPLERS[name](None))
    ri.manual_seed(123)
    np.testing.assert_array_equal(_values(SAMPLERS[name](None)), first, err_msg=f"{name} not reproducible")


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_generators_are_independent_of_each_other_and_of_the_default(name: str) -> None:
    g1 = ri.Generator().manual_seed(7)
    expected = _values(SAMPLERS[name](g1))
    g1.manual_seed(7)
    g2 = ri.Generator().manual_seed(7)
    ri.rand(100)  # consuming the default stream must not move g1 or g2
    a = _values(SAMPLERS[name](g1))
    SAMPLERS[name](g1)  # nor does drawing from g1 move g2
    b = _values(SAMPLERS[name](g2))
    np.testing.assert_array_equal(a, expected)
    np.testing.assert_array_equal(b, expected)


def test_different_seeds_give_different_streams() -> None:
    assert not np.array_equal(
        ri.rand(10, generator=ri.Generator().manual_seed(1)).numpy(),
        ri.rand(10, generator=ri.Generator().manual_seed(2)).numpy(),
    )


def test_manual_seed_returns_default_generator_and_seeds_are_reported() -> None:
    g = ri.manual_seed(42)
    assert g is ri.default_generator and isinstance(g, ri.Generator)
    assert ri.initial_seed() == 42
    assert ri.random.initial_seed() == 42
    assert ri.Generator().initial_seed() == 67280421310721  # torch's default seed
    assert ri.manual_seed(-1).initial_seed() == 2**64 - 1  # wraps like torch's uint64
    s = ri.seed()
    assert isinstance(s, int) and ri.initial_seed() == s


def test_get_state_set_state_round_trip() -> None:
    g = ri.Generator().manual_seed(5)
    ri.rand(3, generator=g)
    state = g.get_state()
    assert str(state.dtype) == "torch.uint8" and state.dim() == 1
    first = ri.randn(6, generator=g).numpy().copy()
    g.set_state(state)
    np.testing.assert_array_equal(ri.randn(6, generator=g).numpy(), first)
    other = ri.Generator().set_state(state)
    assert other.initial_seed() == 5
    np.testing.assert_array_equal(ri.randn(6, generator=other).numpy(), first)
    ri.manual_seed(9)
    saved = ri.get_rng_state()
    x = ri.rand(4).numpy().copy()
    ri.set_rng_state(saved)
    np.testing.assert_array_equal(ri.rand(4).numpy(), x)


def test_set_state_rejects_non_byte_tensors() -> None:
    assert_same(lambda lib: lib.Generator().set_state(lib.zeros(3)), expect_error=True)
    with pytest.raises(RuntimeError, match="Expected a CPUGeneratorImplState of size"):
        ri.Generator().set_state(ri.zeros(3, dtype=ri.uint8))


# ------------------------------------------------------------------------------------------
# Shapes, dtypes, ranges, requires_grad: the same as torch
# ------------------------------------------------------------------------------------------
def _meta(t: Any) -> tuple:
    return tuple(t.shape), str(t.dtype), t.requires_grad, t.is_leaf


FACTORIES = {
    "rand": lambda lib: lib.rand(2, 3),
    "rand_tuple_f64": lambda lib: lib.rand((2, 3), dtype=lib.float64),
    "rand_half": lambda lib: lib.rand(4, dtype=lib.float16),
    "rand_rg": lambda lib: lib.rand(3, requires_grad=True),
    "randn": lambda lib: lib.randn(2, 3, requires_grad=True),
    "randint_high": lambda lib: lib.randint(3, (2,)),
    "randint_low_high": lambda lib: lib.randint(-3, 3, (2, 2), dtype=lib.float32),
    "randint_kw": lambda lib: lib.randint(low=1, high=4, size=(3,)),
    "randperm": lambda lib: lib.randperm(5),
    "randperm_f": lambda lib: lib.randperm(5, dtype=lib.float32),
    "rand_like": lambda lib: lib.rand_like(lib.ones(2, dtype=lib.float64)),
    "randn_like_rg": lambda lib: lib.randn_like(lib.ones(2), requires_grad=True),
    "randint_like": lambda lib: lib.randint_like(lib.ones(2), 5),
    "randint_like_lh": lambda lib: lib.randint_like(lib.ones(2, dtype=lib.int32), 2, 5),
    "normal_ff": lambda lib: lib.normal(0.0, 1.0, (2, 3)),
    "normal_ff_rg": lambda lib: lib.normal(0.0, 1.0, (2, 3), requires_grad=True),
    "bernoulli": lambda lib: lib.bernoulli(lib.full((3,), 0.5, dtype=lib.float64)),
    "bernoulli_p": lambda lib: lib.bernoulli(lib.ones(3), 0.3),
    "bernoulli_int_": lambda lib: lib.zeros(3, dtype=lib.int64).bernoulli_(0.5),
    "multinomial": lambda lib: lib.multinomial(lib.tensor([[0.2, 0.8], [0.5, 0.5]]), 2),
    "multinomial_r": lambda lib: lib.multinomial(lib.tensor([0.2, 0.8]), 5, replacement=True),
}


@pytest.mark.parametrize("name", list(FACTORIES))
def test_shapes_dtypes_and_flags_match_torch(name: str) -> None:
    assert_same(lambda lib: _meta(FACTORIES[name](lib)), expect_error=False)


RANDOM_ERRORS = {
    "rand_int": lambda lib: lib.rand(3, dtype=lib.int64),
    "randn_int": lambda lib: lib.randn(3, dtype=lib.int64),
    "rand_like_int": lambda lib: lib.rand_like(lib.ones(2, dtype=lib.int64)),
    "rand_negative": lambda lib: lib.rand(-1),
    "randperm_negative": lambda lib: lib.randperm(-1),
    "randint_rg": lambda lib: lib.randint(3, (2,), requires_grad=True),
    "randint_empty_range": lambda lib: lib.randint(3, 1, (2,)),
    "randint_equal": lambda lib: lib.randint(3, 3, (2,)),
    "normal_negative_std": lambda lib: lib.normal(0.0, -1.0, (2, 3)),
    "normal_negative_std_tensor_mean": lambda lib: lib.normal(lib.zeros(3), -1.0),
    "normal_negative_std_tensor": lambda lib: lib.normal(lib.zeros(3), -lib.ones(3)),
    "bernoulli_out_of_range": lambda lib: lib.bernoulli(lib.full((2,), 1.5)),
    "bernoulli_int": lambda lib: lib.bernoulli(lib.ones(3, dtype=lib.int64)),
    "uniform_int": lambda lib: lib.zeros(3, dtype=lib.int64).uniform_(),
    "uniform_bool": lambda lib: lib.zeros(3, dtype=lib.bool).uniform_(),
    "normal_int": lambda lib: lib.zeros(3, dtype=lib.int32).normal_(),
    "normal__negative_std": lambda lib: lib.zeros(3).normal_(0, -1),
    "uniform_bad_range": lambda lib: lib.zeros(3).uniform_(2, 1),
    "uniform_leaf": lambda lib: lib.zeros(3, requires_grad=True).uniform_(),
    "normal_leaf": lambda lib: lib.zeros(3, requires_grad=True).normal_(),
    "bernoulli_leaf": lambda lib: lib.zeros(3, requires_grad=True).bernoulli_(),
    "multinomial_too_many": lambda lib: lib.multinomial(lib.tensor([0.2, 0.8]), 3),
    "multinomial_negative": lambda lib: lib.multinomial(lib.tensor([-0.2, 0.8]), 1),
    "multinomial_zero_sum": lambda lib: lib.multinomial(lib.tensor([0.0, 0.0]), 1),
    "multinomial_zero_samples": lambda lib: lib.multinomial(lib.tensor([0.0, 1.0]), 0),
    "multinomial_3d": lambda lib: lib.multinomial(lib.ones(2, 2, 2), 1),
    "multinomial_int": lambda lib: lib.multinomial(lib.ones(2, dtype=lib.int64), 1),
}


@pytest.mark.parametrize("name", list(RANDOM_ERRORS))
def test_errors_match_torch(name: str) -> None:
    assert_same(lambda lib: RANDOM_ERRORS[name](lib), expect_error=True)


# ------------------------------------------------------------------------------------------
# Autograd: zero gradients through torch's random nodes; in-place version bumps
# ------------------------------------------------------------------------------------------
GRAPHS = {
    "normal_mean": lambda lib, m: lib.normal(m, 1.0),
    "normal_std": lambda lib, m: lib.normal(0.0, m + 1),
    "normal_both": lambda lib, m: lib.normal(m, m + 1),
    "bernoulli": lambda lib, m: lib.bernoulli(m * 0 + 0.5),
    "uniform_": lambda lib, m: (m * 2).uniform_(),
    "normal_": lambda lib, m: (m * 2).normal_(),
    "bernoulli_float": lambda lib, m: (m * 2).bernoulli_(0.5),
    "bernoulli_tensor": lambda lib, m: (m * 2).bernoulli_(m * 0 + 0.5),
}


@pytest.mark.parametrize("name", list(GRAPHS))
def test_random_nodes_and_zero_gradients_match_torch(name: str) -> None:
    def fn(lib: Any) -> tuple:
        m = lib.zeros(3, requires_grad=True)
        out = GRAPHS[name](lib, m)
        (grad,) = lib.autograd.grad(out.sum(), [m])
        return graph_signature(out), grad, str(out.dtype), tuple(out.shape)

    assert_same(fn, expect_error=False)


def test_bernoulli_with_scalar_p_has_not_implemented_backward() -> None:
    def fn(lib: Any) -> Any:
        out = lib.bernoulli(lib.zeros(3, requires_grad=True) + 0.5, 0.3)
        return graph_signature(out), out.sum().backward()

    assert_same(fn, expect_error=True)


def test_inplace_samplers_bump_version_and_work_under_no_grad() -> None:
    def fn(lib: Any) -> tuple:
        w = lib.zeros(4, requires_grad=True)
        with lib.no_grad():
            w.uniform_(-1, 1)
            w.normal_()
            w.bernoulli_(0.5)
        return w._version, w.requires_grad, w.is_leaf, w.grad_fn

    assert_same(fn, expect_error=False)


# ------------------------------------------------------------------------------------------
# Statistics (loose bounds) and ranges
# ------------------------------------------------------------------------------------------
def test_distribution_statistics() -> None:
    g = ri.Generator().manual_seed(2024)
    n = 20000
    u = ri.rand(n, generator=g).numpy()
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.01 and abs(u.var() - 1 / 12) < 0.005
    z = ri.randn(n, generator=g, dtype=ri.float64).numpy()
    assert abs(z.mean()) < 0.03 and abs(z.var() - 1) < 0.05
    nn = ri.normal(3.0, 2.0, (n,), generator=g).numpy()
    assert abs(nn.mean() - 3) < 0.06 and abs(nn.std() - 2) < 0.06
    uu = ri.zeros(n).uniform_(-2, 4, generator=g).numpy()
    assert uu.min() >= -2 and uu.max() < 4 and abs(uu.mean() - 1) < 0.06
    b = ri.zeros(n).bernoulli_(0.25, generator=g).numpy()
    assert set(np.unique(b)) <= {0.0, 1.0} and abs(b.mean() - 0.25) < 0.015
    bt = ri.bernoulli(ri.full((n,), 0.7), generator=g).numpy()
    assert abs(bt.mean() - 0.7) < 0.015
    ints = ri.randint(-3, 4, (n,), generator=g).numpy()
    assert set(np.unique(ints)) == set(range(-3, 4))
    counts = (
        np.bincount(
            ri.multinomial(ri.tensor([1.0, 2.0, 7.0]), n, replacement=True, generator=g).numpy(), minlength=3
        )
        / n
    )
    np.testing.assert_allclose(counts, [0.1, 0.2, 0.7], atol=0.015)


def test_half_uniform_stays_below_one() -> None:
    h = ri.rand(5000, dtype=ri.float16, generator=ri.Generator().manual_seed(0)).numpy()
    assert h.dtype == np.float16 and h.min() >= 0 and h.max() < 1


def test_multinomial_without_replacement_draws_distinct_categories() -> None:
    rows = ri.multinomial(ri.ones(50, 6), 6, generator=ri.Generator().manual_seed(3)).numpy()
    assert all(sorted(r) == list(range(6)) for r in rows)
    never = ri.multinomial(ri.tensor([0.0, 1.0, 1.0]), 2).numpy()
    assert sorted(never) == [1, 2], "a zero-weight category is never drawn"


@SETTINGS
@given(n=st.integers(0, 30), seed=st.integers(0, 2**32))
def test_randperm_is_a_permutation(n: int, seed: int) -> None:
    p = ri.randperm(n, generator=ri.Generator().manual_seed(seed)).numpy()
    assert sorted(p.tolist()) == list(range(n))


@SETTINGS
@given(shape=st.lists(st.integers(0, 4), max_size=3), seed=st.integers(0, 2**63))
def test_factories_take_any_shape_and_are_seeded(shape: list, seed: int) -> None:
    for fn in (ri.rand, ri.randn):
        a = fn(*shape, generator=ri.Generator().manual_seed(seed))
        b = fn(tuple(shape), generator=ri.Generator().manual_seed(seed))
        assert tuple(a.shape) == tuple(shape)
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("make", ["rand", "randn", "normal", "randint"])
def test_random_creation_honours_device(make: str) -> None:
    """``device=`` reaches the buffer: on a machine without CUDA both sides refuse "cuda" alike."""
    def f(t: Any) -> Any:
        return {"rand": lambda: t.rand(2, device="cuda"), "randn": lambda: t.randn(2, device="cuda"),
                "normal": lambda: t.normal(0.0, 1.0, (2,), device="cuda"),
                "randint": lambda: t.randint(0, 5, (2,), device="cuda")}[make]()

    if torch.cuda.is_available():
        pytest.skip("a CUDA device is present: tests/test_torch_backend.py covers creation on it")
    assert_same(f, expect_error=True)
