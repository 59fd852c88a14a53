"""repr(tensor) must equal torch's character for character."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import reference_impl
from tests.helpers import SETTINGS

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64",
          "complex128"]


def assert_same_repr(*, make: Any) -> str:
    """``make(lib)`` builds a tensor; both reprs must be identical. Returns torch's."""
    expected = repr(make(torch))
    actual = repr(make(reference_impl))
    assert actual == expected, f"repr differs:\n--- torch ---\n{expected}\n--- ref ---\n{actual}"
    return expected


@pytest.mark.parametrize("data, dtype, expected", [
    ([1.0, 2.0], None, "tensor([1., 2.])"),
    ([109.1963, 4386.5327], None, "tensor([ 109.1963, 4386.5327])"),
    ([1e-5, 1e5], None, "tensor([1.0000e-05, 1.0000e+05])"),
    ([math.nan, math.inf, -math.inf, -0.0, 1.5], None, "tensor([   nan,    inf,   -inf, -0.0000, 1.5000])"),
    ([math.nan, -0.0], None, "tensor([nan, -0.])"),
    (3.5, None, "tensor(3.5000)"),
    (3, None, "tensor(3)"),
    ([], "float32", "tensor([])"),
    ([True, False], None, "tensor([ True, False])"),
    ([1, 2, 200], "uint8", "tensor([  1,   2, 200], dtype=torch.uint8)"),
    ([[1.5, 2], [3, 4]], "float64",
     "tensor([[1.5000, 2.0000],\n        [3.0000, 4.0000]], dtype=torch.float64)"),
    ([1 + 2j, -3.5 - 0j, 0.1j], None, "tensor([ 1.0000+2.0000j, -3.5000+0.0000j,  0.0000+0.1000j])"),
    (1 - 2j, None, "tensor(1.-2.j)"),
    ([1e10 + 1j], "complex128", "tensor([1.0000e+10+1.j], dtype=torch.complex128)"),
    ([1.0, 2.5], "float16", "tensor([1.0000, 2.5000], dtype=torch.float16)"),
    ([123456789.0], None, "tensor([1.2346e+08])"),
])
def test_pinned_reprs(data: Any, dtype: str | None, expected: str) -> None:
    def make(t):
        return t.tensor(data, dtype=getattr(t, dtype) if dtype else None)

    assert assert_same_repr(make=make) == expected


@pytest.mark.parametrize("shape, dtype", [((0, 3), "float32"), ((0, 3), "int64"), ((0,), "int64"),
                                          ((2, 0, 1), "float64")])
def test_empty(shape: tuple, dtype: str) -> None:
    assert_same_repr(make=lambda t: t.zeros(shape, dtype=getattr(t, dtype)))


@pytest.mark.parametrize("shape", [(100,), (5, 40), (2, 3, 4), (1001,), (40, 40), (3, 500), (20, 3, 30)])
@pytest.mark.parametrize("dtype", ["float32", "int64", "float64", "complex64"])
def test_wrapping_nesting_and_summarization(shape: tuple, dtype: str) -> None:
    rng = np.random.default_rng(sum(shape))
    data = (rng.standard_normal(shape) * 100).astype(dtype)
    if dtype.startswith("complex"):
        data = data + 1j * (rng.standard_normal(shape) * 0.01).astype(dtype)
    assert_same_repr(make=lambda t: t.tensor(data))


def test_autograd_suffixes_and_their_wrapping() -> None:
    assert assert_same_repr(make=lambda t: t.tensor([1.0, 2.0], requires_grad=True)) == (
        "tensor([1., 2.], requires_grad=True)")
    assert assert_same_repr(make=lambda t: t.tensor([1.0, 2.0], requires_grad=True) * 2) == (
        "tensor([2., 4.], grad_fn=<MulBackward0>)")
    assert_same_repr(make=lambda t: t.tensor([1.0, 2.0], dtype=t.float64, requires_grad=True) * 3.123456789)
    long_row = [[1.123456] * 6] * 2
    assert_same_repr(make=lambda t: t.tensor(long_row, dtype=t.float64, requires_grad=True).exp())
    assert_same_repr(make=lambda t: t.tensor([1 + 1j, 2], requires_grad=True).conj())


@pytest.mark.parametrize("options", [dict(precision=2), dict(threshold=5), dict(edgeitems=1, threshold=5),
                                     dict(linewidth=30), dict(sci_mode=True), dict(sci_mode=False),
                                     dict(profile="short"), dict(edgeitems=0, threshold=3)])
def test_printoptions(options: dict) -> None:
    def make(t):
        return t.tensor(np.linspace(-3.0, 1000.0, 24).reshape(4, 6).astype("float32"))

    try:
        torch.set_printoptions(**options)
        reference_impl.set_printoptions(**options)
        assert_same_repr(make=make)
        assert_same_repr(make=lambda t: t.arange(10))
    finally:
        torch.set_printoptions(profile="default")
        reference_impl.set_printoptions(profile="default")


def _values(dtype: str) -> st.SearchStrategy:
    if dtype == "bool":
        return st.booleans()
    if dtype.startswith(("int", "uint")):
        info = np.iinfo(dtype)
        return st.integers(int(info.min), int(info.max))
    width = 16 if dtype == "float16" else 32 if dtype in ("float32", "complex64") else 64
    floats = st.one_of(st.floats(width=width, allow_nan=True, allow_infinity=True),
                       st.integers(-1000, 1000).map(float),
                       st.sampled_from([0.0, -0.0, 1e-5, 1e8, 0.5, 1234.5678]))
    if dtype.startswith("complex"):
        return st.tuples(floats, floats).map(lambda p: complex(*p))
    return floats


@st.composite
def _arrays(draw: Any) -> np.ndarray:
    dtype = draw(st.sampled_from(DTYPES))
    shape = tuple(draw(st.lists(st.integers(0, 4), max_size=3)))
    if draw(st.booleans()):
        shape = (draw(st.integers(0, 1100)),)
    n = int(np.prod(shape))
    base = draw(st.lists(_values(dtype), min_size=1, max_size=8))
    picks = draw(st.lists(st.integers(0, len(base) - 1), min_size=n, max_size=n)) if n <= 64 else \
        list(np.arange(n) % len(base))
    with np.errstate(all="ignore"):
        return np.array([base[i] for i in picks], dtype=dtype).reshape(shape)


@SETTINGS
@given(data=_arrays(), requires_grad=st.booleans())
def test_random_tensors_print_identically(data: np.ndarray, requires_grad: bool) -> None:
    grad = requires_grad and data.dtype.kind in "fc"
    assert_same_repr(make=lambda t: t.tensor(data, requires_grad=grad))
