"""Numeric kernel details against torch: NaN handling in derivative masks, half-precision
accumulation (opmath), and the boundaries of piecewise derivatives.

Each case comes from a divergence found by a conformance run on a non-default seed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from helpers import assert_same


def test_relu_gradient_passes_nan() -> None:
    """threshold_backward is ``self <= threshold ? 0 : grad``: a NaN input keeps its gradient."""
    def fn(lib: Any) -> Any:
        x = lib.tensor([float("nan"), 1.0, -1.0, 0.0], requires_grad=True)
        y = lib.relu(x)
        (g,) = lib.autograd.grad(y, x, lib.ones(4), create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x, allow_unused=True)
        return y.detach(), g.detach(), gg  # node names differ by design (elementary nodes)
    assert_same(fn)


def _half_data(shape: tuple, seed: int = 0) -> list:
    return (np.random.default_rng(seed).standard_normal(shape) * 2).astype(np.float16).tolist()


# torch computes these half ops in float (opmath / acc type) and rounds once; exact comparison.
HALF_CASES = {
    "sum_dim0": lambda lib, x: x.sum(0),
    "sum_all": lambda lib, x: x.sum(),
    "sum_to_size": lambda lib, x: x.sum_to_size(1, 30),
    "cumsum_dim0": lambda lib, x: x.cumsum(0),
    "cumsum_dim1": lambda lib, x: x.cumsum(1),
    "cumsum_from_float": lambda lib, x: x.float().cumsum(1, dtype=lib.float16),
    "cumprod_dim1": lambda lib, x: (x * 0.1 + 1).cumprod(1),
    "mul_scalar": lambda lib, x: x * 0.1,
    "rmul_scalar": lambda lib, x: 3.3 * x,
    "mul_int": lambda lib, x: x * 2049,
    "div_scalar": lambda lib, x: x / 3.3,
    "mean_dim0": lambda lib, x: x.mean(0),
    "mean_dtype_half": lambda lib, x: (x.float() * 3.3).mean(1, dtype=lib.float16),
    "mean_all_dtype_half": lambda lib, x: (x.float() / 3.3).mean(dtype=lib.float16),
    "var_dim0": lambda lib, x: x.var(0),
    "var_all_correction0": lambda lib, x: x.var(correction=0),
    "std_dim1": lambda lib, x: (x + 3).std(1),
    "std_all": lambda lib, x: x.std(),
    "norm_dim1": lambda lib, x: x.norm(dim=1),
    "norm_all": lambda lib, x: x.norm(),
    "vector_norm_p1_dim0": lambda lib, x: lib.linalg.vector_norm(x, 1, 0),
    "vector_norm_p3_dim1": lambda lib, x: lib.linalg.vector_norm(x, 3, 1),
    "logsumexp_dim0": lambda lib, x: lib.logsumexp(x, 0),
    "logsumexp_dim1": lambda lib, x: lib.logsumexp(x * 2, 1, keepdim=True),
    "logsumexp_all": lambda lib, x: lib.logsumexp(x, (0, 1)),
    "log_softmax_lastdim": lambda lib, x: lib.nn.functional.log_softmax(x, 1),
    "log_softmax_dim0": lambda lib, x: lib.nn.functional.log_softmax(x, 0),
    "cross_entropy_label_smoothing": lambda lib, x: lib.nn.functional.cross_entropy(
        x[0], lib.tensor(0), label_smoothing=0.1),
}


@pytest.mark.parametrize("case", list(HALF_CASES))
@pytest.mark.parametrize("seed", range(4))
def test_half_computes_in_float(case: str, seed: int) -> None:
    data = _half_data((7, 30), seed)
    assert_same(lambda lib: HALF_CASES[case](lib, lib.tensor(data, dtype=lib.float16)), rtol=0, atol=0)


@pytest.mark.parametrize("beta, threshold", [(1.0, 20.0), (2.0, 1.0), (0.5, 1.5)])
def test_softplus_double_backward_is_zero_at_the_threshold(beta: float, threshold: float) -> None:
    """softplus_double_backward masks with ``x * beta < threshold`` (strict), the first derivative
    is linear only where ``x * beta > threshold``: at equality the second derivative is 0."""
    def fn(lib: Any) -> Any:
        x = lib.tensor([threshold / beta, threshold / beta - 0.5, threshold / beta + 0.5], requires_grad=True)
        y = lib.nn.functional.softplus(x, beta, threshold)
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        return y.detach(), g.detach(), gg  # node names differ by design (elementary nodes)
    assert_same(fn)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_huber_loss_double_backward_is_zero_at_delta(reduction: str) -> None:
    """huber_loss_double_backward keeps the curvature only where ``|x - t| < delta`` (strict); clamp's
    backward would pass it at ``|x - t| == delta`` too."""
    def fn(lib: Any) -> Any:
        x = lib.tensor([0.0, 0.64, 0.5, -1.5], dtype=lib.float64, requires_grad=True)
        t = lib.tensor([0.0, -0.36, 0.0, 0.5], dtype=lib.float64, requires_grad=True)
        y = lib.nn.functional.huber_loss(x, t, reduction=reduction, delta=1.0)
        (gi,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        gi.backward(lib.tensor([0.3, -0.69, 0.7, 1.1], dtype=lib.float64))
        return y.detach(), gi.detach(), x.grad, t.grad
    assert_same(fn)


@pytest.mark.parametrize("op", ["mul", "div"])
def test_half_by_scalar_backward_computes_in_float(op: str) -> None:
    """The gradient of ``x * 1.3`` (and ``/``) in half multiplies the incoming gradient by the
    scalar in float, like the forward; the engine's array-level MulBackward must not round the
    scalar to half first (433 vs 432.75 here)."""
    def f(t: Any) -> Any:
        x = t.tensor([1.0, 1.0], dtype=t.float16, requires_grad=True)
        w = t.tensor([333.0, 2047.0], dtype=t.float16)
        y = x * 1.3 if op == "mul" else x / 1.3
        (y * w).sum().backward()
        return x.grad

    assert_same(f, rtol=0, atol=0)
