"""The elementwise fast paths give exactly the values of the general NumPy computation."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import assert_same

import reference_impl as ri


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_scalar_operand_matches_weak_scalar_promotion(dtype: str, op: str) -> None:
    """_fast_arith passes a Python scalar as a 0-d array of the tensor's dtype instead of NumPy's
    weak scalar: the values (and signs of zeros, infs, nans) must be the same. Half mul/div by a
    scalar compute in float instead, as torch does: there torch itself is the expectation."""
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
        if dtype == "float16" and op in ("mul", "div"):  # torch computes these in float (see half_by_scalar)
            expected = (torch.from_numpy(x) * s if op == "mul" else torch.from_numpy(x) / s).numpy()
        got = getattr(t, f"__{'truediv' if op == 'div' else op}__")(s).numpy()
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(got, expected)
        assert np.array_equal(np.signbit(got), np.signbit(expected)), s


# The array-level backward of Add/Mul/Tanh/Relu (elementwise._*ArrayBackward) must keep every
# observable behaviour of the Tensor formulas: errors, dtypes, create_graph graphs, aliasing.
def _chain(t, case: str):
    x = t.tensor([0.5, -1.0, 2.0], requires_grad=True)
    w = t.tensor([1.5, 2.0, -0.5], requires_grad=True)
    if case == "twice":
        y = (x * w).tanh() + 1.0
        y.sum().backward()
        y.sum().backward()
    elif case == "modified_saved":
        y = x * w
        with t.no_grad():
            w.mul_(2)
        y.sum().backward()
    elif case == "modified_output":
        y = (x * 1.0).tanh()
        y.mul_(2)
        y.sum().backward()
    elif case == "mixed_dtype":
        y = x * w.double() + x.double() * 3
        y.tanh().sum().backward()
    elif case == "complex":
        c = t.tensor([1 + 2j, -1j, 0.5], requires_grad=True)
        (c * (1 - 1j) * x).abs().sum().backward()
        return c.grad, x.grad
    elif case == "create_graph":
        y = (x * w).tanh() * x + 2.0
        (gx,) = t.autograd.grad(y.sum(), x, create_graph=True)
        gx.sum().backward()
        return gx, x.grad, w.grad, gx.grad_fn.name()
    elif case == "same_input":
        (x * x + x).tanh().sum().backward()
    elif case == "broadcast":
        b = t.tensor(2.0, requires_grad=True)
        ((x * b).tanh() + b).sum().backward()
        return x.grad, b.grad
    elif case == "add_alpha":
        t.add(x, w, alpha=2).tanh().sum().backward()
    elif case == "relu":  # a NaN output passes its gradient, a masked one is +0.0 (also for a negative g)
        y = (x * t.tensor([float("nan"), 2.0, -1.0])).relu()
        (y * -3.0).sum().backward()
        return x.grad, 1.0 / x.grad  # the sign of a zero shows as +-inf
    elif case == "relu_twice":
        y = (x * w).relu()
        y.sum().backward()
        y.sum().backward()
    elif case == "relu_modified_output":
        y = (x * w).relu()
        y.add_(1)
        y.sum().backward()
    elif case == "relu_create_graph":
        (gx,) = t.autograd.grad((x * w).relu().sum(), x, create_graph=True)
        gx.sum().backward()
        return gx, x.grad, w.grad, gx.grad_fn.name()
    return x.grad, w.grad


@pytest.mark.parametrize("case", ["twice", "modified_saved", "modified_output", "mixed_dtype", "complex",
                                  "create_graph", "same_input", "broadcast", "add_alpha", "relu", "relu_twice",
                                  "relu_modified_output", "relu_create_graph"])
def test_array_backward_matches_torch(case: str) -> None:
    assert_same(lambda t: _chain(t, case))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("layout", ["c", "transposed", "0-d"])
def test_zero_unless_is_where(dtype: str, layout: str) -> None:
    """_util.zero_unless (ReLU's backward mask) gives np.where(mask, a, 0) bit for bit."""
    from reference_impl._ops._util import zero_unless

    rng = np.random.default_rng(1)
    a = rng.standard_normal((6, 5)).astype(dtype)
    a.flat[:4] = [np.nan, np.inf, -np.inf, -0.0]
    mask = rng.random((6, 5)) > 0.5
    if layout == "transposed":
        a, mask = a.T, mask.T
    elif layout == "0-d":
        a, mask = a[0, 0].reshape(()), mask[0, 0].reshape(())
    got, expected = zero_unless(mask, a), np.where(mask, a, 0)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert got.tobytes() == expected.tobytes()


# AddmmBackward0 / LogSoftmaxBackward0 array paths (nn._functional_activations).
def _mlp(t, case: str):
    x = t.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=case != "input_no_grad")
    w = t.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]], requires_grad=True)
    b = t.tensor([0.05, -0.05], requires_grad=True)
    if case == "half":
        x, w, b = (v.detach().half().requires_grad_() for v in (x, w, b))
    target = t.tensor([1, 0])
    loss = t.nn.functional.cross_entropy(t.nn.functional.linear(x, w, b).relu(), target)
    if case == "twice":
        loss.backward(retain_graph=False)
        loss.backward()
    elif case == "modified_weight":
        with t.no_grad():
            w.mul_(2)
        loss.backward()
    elif case == "create_graph":
        gw, gx = t.autograd.grad(loss, (w, x), create_graph=True)
        (gw.sum() + gx.pow(2).sum()).backward()
        return gw, gx, w.grad, x.grad, b.grad, gw.grad_fn.name()
    else:
        loss.backward()
    return w.grad, b.grad, x.grad, loss


@pytest.mark.parametrize("case", ["plain", "input_no_grad", "half", "twice", "modified_weight", "create_graph"])
def test_linear_log_softmax_array_backward_matches_torch(case: str) -> None:
    # half: the formulas round x.grad in half where torch accumulates in float (pre-existing, both paths)
    tol = {"rtol": 1e-2, "atol": 1e-3} if case == "half" else {}
    assert_same(lambda t: _mlp(t, case), **tol)


def test_array_backward_layouts_and_bits_match_the_formulas(monkeypatch: pytest.MonkeyPatch) -> None:
    """The array paths give the formulas' bits and gradient layouts (which decide whether
    AccumulateGrad can take a buffer without a copy)."""
    import reference_impl as ri
    from reference_impl.autograd.graph import Node
    from reference_impl.nn import _functional_activations as fa

    def grads() -> list:
        rng = np.random.default_rng(3)
        model = ri.nn.Sequential(ri.nn.Linear(7, 5), ri.nn.ReLU(), ri.nn.Linear(5, 3))
        for p in model.parameters():
            p.data = ri.tensor(rng.standard_normal(tuple(p.shape)).astype(np.float32))
        x = ri.tensor(rng.standard_normal((4, 7)).astype(np.float32), requires_grad=True)
        ri.nn.functional.cross_entropy(model(x), ri.tensor([0, 2, 1, 2])).backward()
        return [(p.grad._data.tobytes(), p.grad._data.strides, p.grad._version) for p in [*model.parameters(), x]]

    fast = grads()
    monkeypatch.setattr(fa._AddmmArrayBackward, "apply", Node.apply)
    monkeypatch.setattr(fa._LogSoftmaxArrayBackward, "apply", Node.apply)
    assert grads() == fast


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("dim", [0, 1])
def test_log_softmax_array_backward_equals_the_formula(monkeypatch: pytest.MonkeyPatch, dtype: str, dim: int) -> None:
    """The array-level LogSoftmaxBackward0 gives the formula's bits in every dtype (half must not
    take it: the formula's sum accumulates half in float)."""
    from reference_impl.autograd.graph import Node
    from reference_impl.nn import _functional_activations as fa

    def grad() -> bytes:
        rng = np.random.default_rng(5)
        x = ri.tensor(rng.standard_normal((4, 300)).astype(dtype), requires_grad=True)
        w = ri.tensor(rng.standard_normal((4, 300)).astype(dtype))
        (ri.nn.functional.log_softmax(x, dim=dim) * w).sum().backward()
        return x.grad._data.tobytes()

    fast = grad()
    monkeypatch.setattr(fa._LogSoftmaxArrayBackward, "apply", Node.apply)
    assert grad() == fast, f"{dtype} dim={dim}: the array path differs from the formula"


# ``_quiet.quiet_call`` runs hot kernels inside a prebuilt context whose NumPy error state ignores
# everything; a context admits one thread at a time, so a busy one must fall back, not fail.
def test_hot_kernels_are_silent_and_leave_the_users_error_state_alone() -> None:
    x = ri.tensor([3e38, -1.0, 0.0])
    with np.errstate(all="raise"):
        y = (x * 10.0 + 1.0).tanh()  # overflow, then finite: raises nothing, as in torch
        np.testing.assert_array_equal(y.numpy(), np.tanh(np.array([np.inf, -9.0, 1.0], np.float32)))
        with pytest.raises(FloatingPointError):
            np.float32(3e38) * np.float32(10)  # the user's own state still applies to the user's code
    assert np.geterr()["over"] == "warn"


def test_a_busy_quiet_context_falls_back_to_setting_the_state() -> None:
    from reference_impl._quiet import quiet_call

    def inside() -> np.ndarray:  # the context is entered, as when another thread holds it
        with np.errstate(all="raise"):
            return (ri.tensor([3e38]) * 10.0).exp().numpy()

    np.testing.assert_array_equal(quiet_call(inside), [np.inf])


def test_quietly_raises_the_kernels_own_runtime_error() -> None:
    from reference_impl._quiet import quietly

    def kernel() -> None:
        raise RuntimeError("the kernel's own error")

    with pytest.raises(RuntimeError, match="the kernel's own error"):
        quietly(kernel)


def test_remembered_scalar_arrays_keep_signed_zeros_and_stay_bounded() -> None:
    """_fast_arith remembers the 0-d arrays of Python scalars per dtype: 0.0 and -0.0 are one dict
    key and must not be, NaNs never compare equal and must not pile up, and 1 and 1.0 may share."""
    from reference_impl._ops.elementwise import _SCALAR_ARRAYS

    x = ri.tensor([-0.0, 2.0])
    for s in (0.0, -0.0, 0.0, -0.0):
        got = (x + s).numpy()
        assert np.array_equal(np.signbit(got), np.signbit(np.array([-0.0, 2.0], np.float32) + np.float32(s)))
    np.testing.assert_array_equal((x * 3).numpy(), (x * 3.0).numpy())
    for _ in range(200):
        assert np.isnan((x + float("nan")).numpy()).all()
    for i in range(1, 300):
        x + float(i)
    cache = _SCALAR_ARRAYS[ri.float32]
    assert len(cache) <= 64
    assert all(not a.flags.writeable for a in cache.values())


def test_threads_share_the_quiet_context_without_errors() -> None:
    """Large ufunc loops release the GIL, so a second thread finds the quiet context entered and
    must take the fallback; every result must still be the single-threaded one."""
    import threading

    x = ri.tensor(np.linspace(-3, 3, 200_000, dtype=np.float32))
    expected = ((x * 1.0001 + 1.0).tanh() * 3e38 * 10.0).numpy()
    errors: list = []
    results: list = []

    def work() -> None:
        try:
            with np.errstate(all="raise"):  # a thread starts with NumPy's default state
                for _ in range(30):
                    results.append(((x * 1.0001 + 1.0).tanh() * 3e38 * 10.0).numpy())
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    assert len(results) == 90 and all(np.array_equal(r, expected) for r in results)
