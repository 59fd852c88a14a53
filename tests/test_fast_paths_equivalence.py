"""The elementwise fast paths give exactly the values of the general NumPy computation."""

from __future__ import annotations

import numpy as np
import pytest

import reference_impl as ri


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_scalar_operand_matches_weak_scalar_promotion(dtype: str, op: str) -> None:
    """_fast_arith passes a Python scalar as a 0-d array of the tensor's dtype instead of NumPy's
    weak scalar: the values (and signs of zeros, infs, nans) must be the same."""
    rng = np.random.default_rng(0)
    scalars = [float(v) for v in rng.standard_normal(300) * 10.0 ** rng.integers(-50, 50, 300)]
    scalars += [1e39, -1e39, float("inf"), float("nan"), -0.0, 5e-46, 65520.0, 3.4028236e38, 0, 7, 2**24]
    np_dtype = getattr(np, dtype)
    x = np.array([1.5, -2.0, 0.0, -0.0, np.inf, 3e-5, 1e4], dtype=np_dtype)
    t = ri.tensor(x)
    ufunc = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide}[op]
    for s in scalars:
        with np.errstate(all="ignore"):
            expected = ufunc(x, s)
        got = getattr(t, f"__{'truediv' if op == 'div' else op}__")(s).numpy()
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
        assert np.array_equal(np.signbit(got), np.signbit(expected)), s
