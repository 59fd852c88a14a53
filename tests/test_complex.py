"""Complex tensors in autograd vs torch (conjugate-Wirtinger convention) and vs finite differences."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import reference_impl
from tests.helpers import SETTINGS, assert_same, graph_signature, numerical_grad

Z = np.array([1 + 2j, -0.5 + 0.3j, 2 - 1j])
W = np.array([0.3 - 1j, 1.5 + 0.5j, -1 + 2j])
X = np.array([0.7, -1.2, 2.0])

# Real-valued losses of complex z, w and real x: the gradient of each input is compared.
LOSSES = {
    "z_times_conj_z": lambda t, z, w, x: (z * z.conj()).real.sum(),
    "mul_abs": lambda t, z, w, x: (z * w).abs().sum(),
    "div_real": lambda t, z, w, x: (z / w).real.sum(),
    "add_complex_scalar_imag": lambda t, z, w, x: (z + 2j * w).imag.sum(),
    "sub_mixed_real": lambda t, z, w, x: (z - w * x).abs().sum(),
    "exp": lambda t, z, w, x: z.exp().real.sum(),
    "log": lambda t, z, w, x: z.log().imag.sum(),
    "abs": lambda t, z, w, x: z.abs().sum(),
    "angle": lambda t, z, w, x: z.angle().sum(),
    "angle_of_real": lambda t, z, w, x: x.angle().sum(),
    "complex_from_parts": lambda t, z, w, x: t.complex(x, x * 2).mul(z).real.sum(),
    "view_as_real": lambda t, z, w, x: (t.view_as_real(z) ** 2).sum(),
    "view_as_complex": lambda t, z, w, x: t.view_as_complex(t.view_as_real(z) * 2).abs().sum(),
    "conj_view_imag": lambda t, z, w, x: (z.conj().imag * x).sum(),
    "conj_view_real": lambda t, z, w, x: (z.conj().real * x).sum(),
    "sum_product": lambda t, z, w, x: (z.sum() * w.sum()).real,
    "mean": lambda t, z, w, x: (z.mean() * w).real.sum(),
    "pow_scalar": lambda t, z, w, x: (z ** 2).real.sum(),
    "pow_tensor": lambda t, z, w, x: (z ** w).real.sum(),
    "sqrt": lambda t, z, w, x: z.sqrt().imag.sum(),
    "sin": lambda t, z, w, x: z.sin().real.sum(),
    "tanh": lambda t, z, w, x: z.tanh().real.sum(),
    "sigmoid": lambda t, z, w, x: z.sigmoid().imag.sum(),
    "reciprocal": lambda t, z, w, x: z.reciprocal().real.sum(),
    "rdiv": lambda t, z, w, x: (1 / z).imag.sum(),
    "neg": lambda t, z, w, x: (-z).real.sum(),
    "square": lambda t, z, w, x: z.square().real.sum(),
    "sgn": lambda t, z, w, x: (z.sgn() * w).real.sum(),
    "rsqrt": lambda t, z, w, x: z.rsqrt().real.sum(),
    "log1p": lambda t, z, w, x: z.log1p().real.sum(),
    "conj_physical": lambda t, z, w, x: (z.conj_physical() * w).imag.sum(),
    "resolve_conj": lambda t, z, w, x: (z.conj().resolve_conj() * w).real.sum(),
}


def _inputs(t: Any, dtype: str = "complex128") -> tuple:
    real_dt = "float64" if dtype == "complex128" else "float32"
    return (t.tensor(Z, dtype=getattr(t, dtype), requires_grad=True),
            t.tensor(W, dtype=getattr(t, dtype), requires_grad=True),
            t.tensor(X, dtype=getattr(t, real_dt), requires_grad=True))


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_gradients_match_torch(name: str, dtype: str) -> None:
    def f(t):
        z, w, x = _inputs(t, dtype)
        loss = LOSSES[name](t, z, w, x)
        sig = graph_signature(loss)
        loss.backward()
        return loss, sig, z.grad, w.grad, x.grad

    assert_same(f)


@pytest.mark.parametrize("name", ["z_times_conj_z", "div_real", "exp", "log", "abs", "angle", "sgn", "sqrt",
                                  "conj_view_imag", "view_as_complex", "pow_tensor", "tanh", "sigmoid"])
def test_gradients_match_finite_differences(name: str) -> None:
    """torch's convention: the gradient of a real loss is dL/dRe(z) + i dL/dIm(z)."""
    ri = reference_impl
    z, w, x = _inputs(ri)
    LOSSES[name](ri, z, w, x).backward()

    def loss_of(parts: np.ndarray) -> float:
        with ri.no_grad():
            zz = ri.tensor(parts[0] + 1j * parts[1])
            return float(LOSSES[name](ri, zz, ri.tensor(W), ri.tensor(X)).item())

    fd = numerical_grad(loss_of, np.stack([Z.real, Z.imag]))
    np.testing.assert_allclose(z.grad.numpy(), fd[0] + 1j * fd[1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("expr", ["z.real", "z.imag", "z.conj()", "z.conj().real", "z.conj().imag",
                                  "z.conj().conj()", "z.conj().resolve_conj()", "z.abs()", "z.angle()",
                                  "t.view_as_real(z)", "t.real(z)", "t.imag(z)", "t.conj(z)",
                                  "t.view_as_complex(t.view_as_real(z))", "z.conj_physical()", "z.sum()"])
def test_views_flags_and_node_chains(expr: str) -> None:
    def f(t):
        z = t.tensor(Z, requires_grad=True)
        out = eval(expr, {"t": t, "z": z})
        return out, graph_signature(out), out.is_conj(), out._is_view(), out._base is z, repr(out)

    assert_same(f)


def test_real_tensors_conj_and_real_are_identity_imag_raises() -> None:
    def same(t):
        x = t.tensor([1.0, -2.0], requires_grad=True)
        return x.conj() is x, x.real is x, t.real(x) is x, x.conj().is_conj(), x.resolve_conj() is x

    def imag(t):
        return t.tensor([1.0]).imag

    assert_same(same)
    assert_same(imag, expect_error=True)


def test_conj_view_shares_version_counter() -> None:
    def f(t):
        z = t.tensor(Z)
        c = z.conj()
        z.mul_(2)
        return c._version, z.real._version, (c + 1).is_conj(), c.clone().is_conj()

    assert_same(f)


@pytest.mark.parametrize("case", ["view_as_real_of_real", "view_as_real_of_conj", "view_as_complex_bad_last",
                                  "complex_dtype_mismatch", "complex_int_inputs", "backward_complex_scalar",
                                  "backward_complex_vector", "grad_dtype_mismatch"])
def test_errors(case: str) -> None:
    def f(t):
        z = t.tensor(Z, requires_grad=True)
        x = t.tensor([1.0, 2.0])
        if case == "view_as_real_of_real":
            t.view_as_real(x)
        elif case == "view_as_real_of_conj":
            t.view_as_real(z.conj())
        elif case == "view_as_complex_bad_last":
            t.view_as_complex(t.ones(2, 3))
        elif case == "complex_dtype_mismatch":
            t.complex(x, x.double())
        elif case == "complex_int_inputs":
            t.complex(x.long(), x.long())
        elif case == "backward_complex_scalar":
            z.sum().backward()
        elif case == "backward_complex_vector":
            (z * 2).backward()
        else:
            (z * 2).backward(t.ones(3, dtype=t.float64))

    assert_same(f, expect_error=True)


def test_complex_broadcasts_and_dtype() -> None:
    def f(t):
        a = t.ones(2, dtype=t.float64, requires_grad=True)
        b = t.ones(3, 1, dtype=t.float64, requires_grad=True)
        c = t.complex(a, b)
        c.abs().sum().backward()
        return c, a.grad, b.grad

    assert_same(f)


@SETTINGS
@given(re=st.lists(st.floats(-3, 3), min_size=1, max_size=5), im_seed=st.integers(0, 1000),
       dtype=st.sampled_from(["complex64", "complex128"]))
def test_random_elementwise_chains(re: list, im_seed: int, dtype: str) -> None:
    im = np.random.default_rng(im_seed).uniform(-3, 3, len(re))
    data = np.array(re) + 1j * im

    def f(t):
        z = t.tensor(data, dtype=getattr(t, dtype), requires_grad=True)
        y = (z * z.conj() + z.exp() * 0.5 - z * (1 + 2j)).abs() + z.angle() * z.real
        y.sum().backward()
        return y, z.grad

    assert_same(f, rtol=1e-4, atol=1e-4)


def test_conj_physical_of_real_tensor_is_the_tensor_itself() -> None:
    """torch returns a non-complex input itself (no copy, no node), so it keeps requiring grad."""
    def f(t):
        x = t.tensor([1.0, 2.0], requires_grad=True)
        i = t.tensor([1, 2])
        z = t.tensor([1 + 1j], requires_grad=True)
        cz = t.conj_physical(z)
        return (t.conj_physical(x) is x, x.conj_physical() is x, t.conj_physical(i) is i, cz is z,
                graph_signature(cz), t.autograd.grad(t.conj_physical(x).sum(), x))
    assert_same(f)
