"""The torch buffer backend: its kernels agree with NumPy's, and the engine behaves the same on it.

Three layers: (1) every NumPy ufunc/function the engine calls gives NumPy's values *and dtypes*
on ``TorchArray`` operands; (2) a representative slice of engine behaviour (values, dtypes,
grad_fn names, gradients, errors) matches real torch with ``set_backend("torch")``, and results
stay on torch buffers; (3) the NumPy path never imports torch. The whole suite also runs under
``REFERENCE_IMPL_BACKEND=torch`` (see the report of this task / CI).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import reference_impl
from reference_impl import _backend
from reference_impl._backend import numpy_backend, torch_backend
from reference_impl._backend.torch_array import TorchArray, place
from reference_impl._backend.torch_functions import HANDLED
from reference_impl._backend.torch_ufuncs import KERNELS
from tests.helpers import SETTINGS, assert_same

CPU = torch_backend.cpu
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@contextlib.contextmanager
def backend(name: str) -> Iterator[None]:
    """Run a block with new CPU tensors on ``name``'s arrays, restoring the previous choice."""
    previous = _backend.get_backend()
    _backend.set_backend(name)
    try:
        yield
    finally:
        _backend.set_backend(previous)


def assert_same_array(*, actual: Any, expected: Any, what: str) -> None:
    """A TorchArray result equals NumPy's: same dtype, shape and values (NaN equal to NaN)."""
    assert isinstance(actual, TorchArray), f"{what}: torch backend returned {type(actual).__name__}, not a TorchArray"
    expected = np.asarray(expected)
    got = actual.t.numpy()
    assert got.dtype == expected.dtype, f"{what}: dtype differs: numpy {expected.dtype}, torch backend {got.dtype}"
    assert got.shape == expected.shape, f"{what}: shape differs: numpy {expected.shape}, torch backend {got.shape}"
    rtol = 1e-3 if got.dtype == np.float16 else 1e-6
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol, equal_nan=True, err_msg=what)


# ------------------------------------------------------------------------------------------
# (1) kernels: NumPy's answers on torch buffers
# ------------------------------------------------------------------------------------------
DTYPES = ("float32", "float64", "int64", "int32", "bool", "complex64", "float16", "uint8")


# NumPy orders complex numbers lexicographically; torch refuses, and so does the engine before any
# kernel runs (torch's own errors), so the torch backend leaves these loops out on purpose.
COMPLEX_ORDERING = {np.less, np.less_equal, np.greater, np.greater_equal, np.maximum, np.minimum, np.fmax, np.fmin}


def _sample(rng: np.random.Generator, dtype: str, shape: tuple) -> np.ndarray:
    if dtype == "bool":
        return np.asarray(rng.random(shape) < 0.5)
    if dtype.startswith("complex"):
        return np.asarray(rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    if dtype.startswith(("int", "uint")):
        return np.asarray(rng.integers(0 if dtype == "uint8" else -5, 6, shape)).astype(dtype)
    return np.asarray(rng.standard_normal(shape) * 2).astype(dtype)


def _numpy_answer(fn: Any, *args: Any) -> Any:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        try:
            return fn(*args), None
        except (TypeError, ValueError) as e:  # no loop for this dtype: the torch backend must refuse too
            return None, e


@SETTINGS
@given(data=st.data(), ufunc=st.sampled_from(sorted(KERNELS, key=lambda u: u.__name__)),
       dtype=st.sampled_from(DTYPES), scalar=st.sampled_from([None, 2, 0.5, True]))
def test_ufuncs_agree_with_numpy(data: st.DataObject, ufunc: np.ufunc, dtype: str, scalar: Any) -> None:
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16), label="seed"))
    shape_a, shape_b = data.draw(st.sampled_from([((2, 3), (3,)), ((4,), (4,)), ((), (2, 1)), ((3, 1), (1, 2))]))
    operands = [_sample(rng, dtype, shape_a), _sample(rng, dtype, shape_b)][:ufunc.nin]
    if ufunc.nin == 2 and scalar is not None:
        operands[1] = scalar  # a weak Python scalar (NEP 50) on the right
    if ufunc is np.matmul:
        operands = [_sample(rng, dtype, (2, 3)), _sample(rng, dtype, (3, 4))]
    expected, error = _numpy_answer(ufunc, *operands)
    wrapped = [CPU.asarray(x) if isinstance(x, np.ndarray) else x for x in operands]
    if ufunc in COMPLEX_ORDERING and dtype.startswith("complex"):
        with pytest.raises((RuntimeError, NotImplementedError)):
            ufunc(*wrapped)
        return
    if error is not None:
        with pytest.raises((TypeError, ValueError)):
            ufunc(*wrapped)
        return
    assert_same_array(actual=ufunc(*wrapped), expected=expected, what=f"np.{ufunc.__name__} on {dtype}")


# (name, call) for every NumPy function the engine calls with array operands.
FUNCTION_CASES = [
    ("sum axis", lambda a: np.sum(a, axis=1, keepdims=True)), ("sum all", lambda a: np.sum(a)),
    ("sum no axes", lambda a: np.sum(a, axis=())), ("prod", lambda a: np.prod(a, axis=(0, 2))),
    ("max", lambda a: np.max(a, axis=-1)), ("min keepdims", lambda a: np.min(a, axis=0, keepdims=True)),
    ("argmax", lambda a: np.argmax(a, axis=1)), ("argmin flat", lambda a: np.argmin(a)),
    ("all", lambda a: np.all(a, axis=2)), ("any", lambda a: np.any(a)),
    ("mean", lambda a: np.mean(a, axis=(0, 1))), ("var ddof", lambda a: np.var(a, axis=1, ddof=1)),
    ("cumsum", lambda a: np.cumsum(a, axis=1)), ("cumprod", lambda a: np.cumprod(a, axis=2)),
    ("reshape", lambda a: np.reshape(a, (6, -1))), ("transpose", lambda a: np.transpose(a, (2, 0, 1))),
    ("moveaxis", lambda a: np.moveaxis(a, 0, -1)), ("expand_dims", lambda a: np.expand_dims(a, (0, 3))),
    ("squeeze", lambda a: np.squeeze(a[:, :1], 1)), ("broadcast_to", lambda a: np.broadcast_to(a, (2, 2, 3, 4))),
    ("concatenate", lambda a: np.concatenate([a, a], axis=1)), ("stack", lambda a: np.stack([a, a], axis=-1)),
    ("flip", lambda a: np.flip(a, 1)), ("tile", lambda a: np.tile(a, (1, 2, 1))),
    ("take", lambda a: np.take(a, np.array([0, 2, 1]), axis=2)),
    ("take_along_axis", lambda a: np.take_along_axis(a, np.zeros((2, 3, 1), np.int64), 2)),
    ("where", lambda a: np.where(a > 0, a, 0)), ("clip", lambda a: np.clip(a, -1, 1)),
    ("nonzero", lambda a: np.stack(np.nonzero(a))),
    ("einsum", lambda a: np.einsum("ijk,ijk->ik", a, a)), ("dot", lambda a: np.dot(a[0], a[1].T)),
    ("outer", lambda a: np.outer(a[0, 0], a[1, 1])), ("matmul", lambda a: a @ np.swapaxes(a, 1, 2)),
    ("real", lambda a: np.real(a)), ("imag", lambda a: np.imag(a)), ("angle", lambda a: np.angle(a)),
    ("pad", lambda a: np.pad(a, [(0, 0), (1, 2), (0, 1)])),
    ("sliding_window_view", lambda a: np.lib.stride_tricks.sliding_window_view(a, (2, 2), axis=(1, 2))),
    ("getitem advanced", lambda a: a[[1, 0], :, np.array([3, 0])]), ("getitem mask", lambda a: a[a.real > 0]),
    ("astype", lambda a: a.astype(np.int16)), ("unravel_index", lambda a: np.stack(np.unravel_index(
        np.argmax(np.abs(a.reshape(-1, 6)), axis=1), a.shape))),
    # NumPy's C-level ascontiguousarray converts via __array__ rather than dispatching: ops call xp's
    ("xp.ascontiguousarray", lambda a: CPU.ascontiguousarray(a.T) if isinstance(a, TorchArray) else
     np.ascontiguousarray(a.T)),
]
ORDERING_CASES = {"max", "min keepdims", "argmax", "argmin flat", "where", "clip"}


@pytest.mark.parametrize("dtype", ["float32", "int64", "complex128", "bool"])
@pytest.mark.parametrize("name, call", FUNCTION_CASES, ids=[c[0] for c in FUNCTION_CASES])
def test_functions_agree_with_numpy(name: str, call: Any, dtype: str) -> None:
    a = _sample(np.random.default_rng(0), dtype, (2, 3, 4))
    if name in ORDERING_CASES and dtype.startswith("complex"):  # see COMPLEX_ORDERING
        with pytest.raises((RuntimeError, NotImplementedError)):
            call(CPU.asarray(a))
        return
    expected, error = _numpy_answer(call, a)
    if error is not None:
        with pytest.raises((TypeError, ValueError)):
            call(CPU.asarray(a))
        return
    assert_same_array(actual=call(CPU.asarray(a)), expected=expected, what=f"{name} on {dtype}")


def test_mutating_functions_agree_with_numpy() -> None:
    """copyto (also into self-overlapping memory), put_along_axis, add.at and __setitem__ write alike."""
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3, 4))
    writes = [
        lambda x, xp: xp.copyto(x, 2.5),
        lambda x, xp: xp.put_along_axis(x, np.array([[0], [2], [1]]), -1.0, 1),
        lambda x, xp: xp.add_at(x, (np.array([0, 0, 2]), np.array([1, 1, 3])), 1.0),
        lambda x, xp: x.__setitem__((slice(None), np.array([3, 0])), 7.0),
    ]
    for i, write in enumerate(writes):
        n, t = a.copy(), CPU.asarray(a)
        write(n, numpy_backend)
        write(t, CPU)
        assert_same_array(actual=t, expected=n, what=f"write #{i}")
    n, t = np.broadcast_to(np.zeros(3), (2, 3)).copy(), CPU.asarray(np.zeros(3))
    t = CPU.broadcast_to(t, (2, 3))
    assert not t.flags.writeable, "an expanded buffer must report itself as self-overlapping"
    CPU.copyto(t, np.array([1.0, 2.0, 3.0]))
    assert_same_array(actual=t, expected=np.array([[1.0, 2.0, 3.0]] * 2), what="copyto into overlap")


def test_torch_backend_has_every_numpy_backend_name() -> None:
    """Ops call ``xp.<name>`` on either backend: a name added to numpy_backend must exist here too."""
    public = {n for n in vars(numpy_backend)
              if n.isidentifier() and not n.startswith("_") and n not in ("annotations", "np")}
    missing = sorted(n for n in public if not hasattr(CPU, n))
    assert not missing, f"torch backend lacks numpy_backend names: {missing}"


def test_unknown_numpy_function_is_refused_loudly() -> None:
    with pytest.raises(TypeError, match="torch backend has no kernel for numpy.sort"):
        np.sort(CPU.asarray(np.zeros(3)))
    assert np.median not in HANDLED  # the message above is what a missing kernel looks like


def test_device_placement_rule() -> None:
    """torch's rule, checked with meta tensors (no GPU needed): CPU 0-d operands follow, others raise."""
    meta, cpu2d, cpu0d = torch.ones(2, device="meta"), torch.ones(2, 2), torch.ones(())
    assert place([cpu0d, meta]).type == "meta"
    assert place([cpu2d, cpu0d]).type == "cpu"
    with pytest.raises(RuntimeError) as info:
        place([cpu2d, meta])
    assert str(info.value) == ("Expected all tensors to be on the same device, but found at least two devices, "
                               "meta:0 and cpu!")


# ------------------------------------------------------------------------------------------
# (2) the engine on torch buffers: same observable behaviour as torch
# ------------------------------------------------------------------------------------------
def _mlp_step(t: Any) -> Any:
    lin = t.nn.Linear(3, 2)
    with t.no_grad():
        lin.weight.copy_(t.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]))
        lin.bias.fill_(0.05)
    x = t.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]])
    loss = t.nn.functional.mse_loss(lin(x).tanh(), t.zeros(2, 2))
    loss.backward()
    return loss, lin.weight.grad, lin.bias.grad


ENGINE_CASES = {
    "arithmetic and grads": lambda t: (lambda x: ((x * 2 + 1).exp().log1p() / 3, t.autograd.grad(
        (x * x).sum(), x)))(t.tensor([0.5, -1.0, 2.0], requires_grad=True)),
    "promotion": lambda t: (t.tensor([1, 2]) + 1.5, t.tensor([1, 2], dtype=t.int8) * t.tensor(300),
                            t.tensor([True]) + t.tensor([2], dtype=t.uint8), t.tensor([3]) / 2),
    "reductions": lambda t: (lambda x: (x.sum(1), x.mean(0), x.max(1), x.var(), x.argmax(), x.cumsum(0),
                                        x.prod(1)))(t.tensor([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]],
                                                             requires_grad=True)),
    "matmul graph": lambda t: (lambda a, b: (a @ b, t.autograd.grad((a @ b).sum(), (a, b))))(
        t.arange(6.0).reshape(2, 3).requires_grad_(), t.arange(12.0).reshape(3, 4).requires_grad_()),
    "views and indexing": lambda t: (lambda x: (x[1:, [0, 2]], x.t()[0], x.view(3, 2), x.unsqueeze(0).expand(
        2, 2, 3), x[x > 2], x.flip(0), t.cat([x, x]), x.gather(1, t.tensor([[0], [2]]))))(
        t.arange(6.0).reshape(2, 3).requires_grad_()),
    "in-place and version error": lambda t: (lambda x: (lambda y: (y.mul_(2), y.sin().sum().backward()))(
        x.exp()))(t.ones(3, requires_grad=True)),
    "saved tensor modified": lambda t: (lambda x: (lambda y: (y.exp().sum().backward(), y.add_(1), (
        y * y).sum().backward()))(x * 1))(t.ones(2, requires_grad=True)),
    "setitem": lambda t: (lambda z: (z.__setitem__((slice(None), 1), t.tensor([7.0, 8.0])), z))(t.zeros(2, 3)),
    "broadcast error": lambda t: t.ones(2, 3) + t.ones(4),
    "int division by zero error": lambda t: t.tensor([4, 5]) // t.tensor([2, 0]),
    "nn step": _mlp_step,
    "softmax/log_softmax": lambda t: (lambda x, F: (F.softmax(x, 1), F.log_softmax(x, 0), F.gelu(x),
                                                    F.cross_entropy(x, t.tensor([1, 0]))))(
        t.tensor([[1.0, 2.0, 0.5], [-1.0, 0.0, 3.0]], requires_grad=True), t.nn.functional),
    "complex": lambda t: (lambda z: (z.abs(), z.conj() * z, z.angle(), t.view_as_real(z)))(
        t.tensor([1 + 2j, -3 + 0.5j])),
}


@pytest.mark.parametrize("name", list(ENGINE_CASES))
def test_engine_on_torch_buffers_matches_torch(name: str) -> None:
    with backend("torch"):
        assert_same(ENGINE_CASES[name])


def _buffers(value: Any) -> Iterator[Any]:
    if isinstance(value, reference_impl.Tensor):
        yield value._data
        if value._grad is not None:
            yield value._grad._data
    elif isinstance(value, (tuple, list)):
        for v in value:
            yield from _buffers(v)


@pytest.mark.parametrize("name", [n for n in ENGINE_CASES if "error" not in n and "modified" not in n])
def test_results_stay_on_torch_buffers(name: str) -> None:
    """Nothing falls back to NumPy arrays halfway: every result tensor (and grad) holds a TorchArray."""
    with backend("torch"):
        out = ENGINE_CASES[name](reference_impl)
    kinds = {type(b).__name__ for b in _buffers(out)}
    assert kinds <= {"TorchArray"}, f"{name}: results on {kinds}"


def test_set_backend_switches_new_cpu_tensors_only() -> None:
    with backend("numpy"):
        _check_switch()


def _check_switch() -> None:
    x = reference_impl.ones(2)
    with backend("torch"):
        assert reference_impl._backend_name == "torch" and reference_impl.get_backend() == "torch"
        y = reference_impl.ones(2)
        assert type(y._data) is TorchArray and type(x._data) is np.ndarray
        mixed = x + y  # both are CPU tensors: mixing backends is fine
        assert mixed.tolist() == [2.0, 2.0] and y.device == x.device == reference_impl.device("cpu")
        assert type(reference_impl.zeros_like(x)._data) is np.ndarray, "*_like follows its input's backend"
        assert type(reference_impl.from_numpy(np.ones(2))._data) is TorchArray
    assert reference_impl._backend_name == "numpy"
    with pytest.raises(ValueError, match="unknown backend 'jax'"):
        reference_impl.set_backend("jax")


def test_from_numpy_shares_memory_on_torch_backend() -> None:
    a = np.zeros(3)
    with backend("torch"):
        t = reference_impl.from_numpy(a)
    a[1] = 5.0
    assert t.tolist() == [0.0, 5.0, 0.0]


def test_pickle_and_deepcopy_keep_the_backend() -> None:
    import copy
    import pickle

    with backend("torch"):
        p = reference_impl.nn.Parameter(reference_impl.ones(2))
    for clone in (copy.deepcopy(p), pickle.loads(pickle.dumps(reference_impl.ones(2) + p.detach()))):
        assert type(clone._data) is TorchArray


# ------------------------------------------------------------------------------------------
# devices (CPU here; CUDA only where a GPU exists)
# ------------------------------------------------------------------------------------------
DEVICE_CASES = {
    "device objects": lambda t: (repr(t.device("cpu")), str(t.device("cuda:1")), repr(t.device("cuda", 0)),
                                 t.device("cuda") == t.device("cuda:0"), t.device("cpu") == "cpu"),
    "bad device string": lambda t: t.device("gpu"),
    "malformed index": lambda t: t.device("cuda:x"),
    "tensor device": lambda t: (repr(t.ones(2).device), t.ones(2).is_cuda, str(t.zeros(1, device="cpu").device)),
    "to cpu is self": lambda t: (lambda x: (x.to("cpu") is x, x.cpu() is x, x.to(t.device("cpu")) is x,
                                            x.to("cpu", t.float64).dtype))(t.ones(2)),
    "to cuda": lambda t: t.ones(2).to("cuda"),
    "cuda()": lambda t: t.ones(2).cuda(),
    "create on cuda": lambda t: t.zeros(2, device="cuda"),
    "tensor on cuda": lambda t: t.tensor([1.0], device="cuda:0"),
    "cuda availability": lambda t: (t.cuda.is_available(), t.cuda.device_count()),
}


@pytest.mark.parametrize("name", list(DEVICE_CASES))
@pytest.mark.parametrize("backend_name", ["numpy", "torch"])
def test_devices_match_torch(name: str, backend_name: str) -> None:
    if torch.cuda.is_available() and "cuda" in name and name != "cuda availability":
        pytest.skip("compares the no-CUDA errors; CUDA tests are below")
    with backend(backend_name):
        assert_same(DEVICE_CASES[name])


# ------------------------------------------------------------------------------------------
# (3) the NumPy path is torch-free; the environment variable selects the backend
# ------------------------------------------------------------------------------------------
def _python(code: str, env: dict | None = None) -> str:
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                         env={**os.environ, "REFERENCE_IMPL_BACKEND": "", **(env or {})}, timeout=120)
    assert run.returncode == 0, f"subprocess failed:\n{run.stderr}"
    return run.stdout.strip()


def test_numpy_path_never_imports_torch() -> None:
    out = _python("import sys, reference_impl as t\n"
                  "x = t.ones(2, requires_grad=True); (x * 2).sum().backward(); print(t.ones(1).device)\n"
                  "print('torch' in sys.modules, t._backend_name)")
    assert out.splitlines() == ["cpu", "False numpy"], out


def test_works_without_torch_installed() -> None:
    code = ("import sys; sys.modules['torch'] = None\n"
            "import reference_impl as t\n"
            "x = t.ones(2, requires_grad=True); (x * 2).sum().backward(); print(x.grad.tolist())\n"
            "print(t.cuda.is_available(), t.cuda.device_count())\n"
            "try:\n    t.ones(2).to('cuda')\nexcept AssertionError as e:\n    print(e)\n")
    assert _python(code).splitlines() == ["[2.0, 2.0]", "False 0", "Torch not compiled with CUDA enabled"]


def test_environment_variable_selects_torch_backend() -> None:
    out = _python("import reference_impl as t; print(t._backend_name, type(t.ones(1)._data).__name__)",
                  env={"REFERENCE_IMPL_BACKEND": "torch"})
    assert out == "torch TorchArray"


# ------------------------------------------------------------------------------------------
# CUDA (skipped without a GPU)
# ------------------------------------------------------------------------------------------
needs_cuda = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")

CUDA_CASES = {
    "ops and grads on cuda": lambda t: (lambda x: (x, (x * x).sum(), t.autograd.grad((x.exp() * 2).sum(), x),
                                                   x.device, x.is_cuda))(
        t.tensor([1.0, 2.0], device="cuda", requires_grad=True)),
    "move and grad back": lambda t: (lambda x: (lambda y: (y.device, t.autograd.grad(y.sum(), x)[0].device))(
        x.to("cuda") * 3))(t.ones(2, requires_grad=True)),
    "mixing devices": lambda t: t.ones(2, device="cuda") + t.ones(2),
    "cpu scalar with cuda": lambda t: t.ones(2, device="cuda") * t.tensor(2.0),
    "numpy of cuda": lambda t: t.ones(2, device="cuda").numpy(),
    "repr on cuda": lambda t: repr(t.ones(2, device="cuda", requires_grad=True) * 2),
    "leaf grad device": lambda t: (lambda w: ((w * 2).sum().backward(), w.grad.device))(
        t.ones(3, device="cuda", requires_grad=True)),
    "cpu()": lambda t: (lambda x: (x.cpu().device, x.cpu().tolist()))(t.arange(3.0, device="cuda")),
}


@needs_cuda
@pytest.mark.parametrize("name", list(CUDA_CASES))
def test_cuda_matches_torch(name: str) -> None:
    assert_same(CUDA_CASES[name])


@needs_cuda
def test_cuda_results_stay_on_the_gpu() -> None:
    x = reference_impl.randn(4, 3, device="cuda", requires_grad=True)
    loss = reference_impl.nn.functional.mse_loss(x.tanh(), reference_impl.zeros(4, 3, device="cuda"))
    loss.backward()
    assert {str(b.device) for b in _buffers([x, loss])} == {"cuda:0"}


# ------------------------------------------------------------------------------------------
# conformance: both backends show the same results (same seed, same ops)
# ------------------------------------------------------------------------------------------
def _conformance(backend_name: str, out_dir: str) -> dict:
    import json

    cmd = [sys.executable, "-m", "conformance", "run", "--ops", "add,mul,sum,matmul,exp",
           "--properties", "dtypes,gradients,errors", "--max-examples", "3", "--seed", "7", "--no-report",
           "--output-dir", out_dir]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO, timeout=300,
                         env={**os.environ, "REFERENCE_IMPL_BACKEND": backend_name})
    assert run.returncode in (0, 1), f"conformance CLI failed on {backend_name}:\n{run.stdout}\n{run.stderr}"
    with open(os.path.join(out_dir, "results.json"), encoding="utf-8") as f:
        return json.load(f)


def test_conformance_is_the_same_on_both_backends(tmp_path: Any) -> None:
    """The conformance report labels the backend and finds exactly the same outcomes on both.

    (Selected with REFERENCE_IMPL_BACKEND; the CLI's own --backend/--device flags are not there yet.)
    """
    results = {name: _conformance(name, str(tmp_path / name)) for name in ("numpy", "torch")}
    for name, data in results.items():
        assert data["run"]["backend"] == name, f"report labels the {name} run as {data['run']['backend']!r}"
    outcomes = {name: {t["id"]: t["outcome"] for t in data["tests"]} for name, data in results.items()}
    torch_outcomes = outcomes["torch"]
    differing = {k: (v, torch_outcomes.get(k)) for k, v in outcomes["numpy"].items() if torch_outcomes.get(k) != v}
    assert outcomes["numpy"] and not differing, f"outcomes differ (numpy, torch): {differing}"


@pytest.mark.parametrize("case", ["unbind", "custom_function"])
def test_missing_output_gradients_are_zeros_on_the_tensors_backend(case: str) -> None:
    """An op's output that got no gradient is filled with zeros on its siblings' backend (their
    device), not on the default backend: tensors made on torch buffers, backward run after the
    default went back to NumPy, the leaf's gradient must still be a torch buffer. (The custom
    Function's backward returns the filled-in zeros of its unused output as they are.)"""
    class Pair(reference_impl.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> tuple:
            return x * 2, x * 3

        @staticmethod
        def backward(ctx: Any, ga: Any, gb: Any) -> Any:
            return gb

    with backend("torch"):
        x = reference_impl.tensor([[1.0, 5.0], [4.0, 2.0]], requires_grad=True)
    out = x.unbind(0)[1] if case == "unbind" else Pair.apply(x)[0]
    out.sum().backward()
    assert isinstance(x.grad._data, TorchArray), f"{case}: gradient on {type(x.grad._data).__name__}"
    expected = [[0.0, 0.0], [1.0, 1.0]] if case == "unbind" else [[0.0, 0.0], [0.0, 0.0]]
    assert x.grad.tolist() == expected, f"{case}: gradient {x.grad.tolist()}, expected {expected}"


def test_engine_zero_fill_follows_the_sibling_gradients_backend() -> None:
    """The engine's zero fill for a multi-output node takes the device of a gradient that came."""
    from reference_impl.autograd.engine import zeros_for

    with backend("torch"):
        like = reference_impl.ones(2)
    filled = zeros_for(((3,), reference_impl.float64), like)
    assert isinstance(filled._data, TorchArray), f"zeros on {type(filled._data).__name__}, not the sibling's"
    assert filled.dtype is reference_impl.float64 and filled.tolist() == [0.0, 0.0, 0.0]
    with backend("numpy"):  # no gradient came: the default backend
        assert isinstance(zeros_for(((1,), reference_impl.float32), None)._data, np.ndarray)


GRAD_ADOPTION_CASES = {
    # the gradient reaching AccumulateGrad is a view of a temporary (expand's sum_to): adopted, version 0
    "expand": lambda t, x: x.expand(2, 3, 2).sum().backward(),
    "sum_dim": lambda t, x: x.sum(0).sum().backward(),
    "reshape": lambda t, x: (x.reshape(6) * 2).sum().backward(),
    # a hook keeps the incoming gradient alive: torch copies it (version 1)
    "held_by_hook": lambda t, x: (x.register_hook(_KEEP.append), (x * 3).sum().backward()),
}
_KEEP: list = []


@pytest.mark.parametrize("case", sorted(GRAD_ADOPTION_CASES))
def test_accumulate_grad_adopts_unshared_torch_buffers_like_torch(case: str) -> None:
    """On torch buffers the engine adopts an unshared incoming gradient as ``.grad`` exactly where
    torch does (storage use counts, views of temporaries included), so ``.grad._version`` and
    the identity with the hook's tensor match torch."""
    def f(t: Any) -> tuple:
        _KEEP.clear()
        x = t.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
        GRAD_ADOPTION_CASES[case](t, x)
        held = _KEEP[0] is x.grad if _KEEP else None
        return x.grad, x.grad._version, held

    with backend("torch"):
        assert_same(f)


@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_scalars_that_overflow_the_dtype_give_inf_without_warnings(dtype: str) -> None:
    """A Python scalar beyond the tensor's dtype becomes inf silently in torch; the torch backend
    must not leak NumPy's "overflow encountered in cast" RuntimeWarning."""
    def f(t: Any) -> tuple:
        x = t.tensor([1.0, -2.0], dtype=getattr(t, dtype))
        return x + 1e39, x * 1e39, x - 1e39

    with backend("torch"):
        assert_same(f)
