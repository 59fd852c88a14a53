"""Regressions from the ``programs`` conformance property (seed 123): grad modes, inference
tensors, repeated backward, version counters. Each runs on torch and reference_impl."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import assert_same


@pytest.mark.parametrize("op", ["scatter_add", "index_add"])
def test_second_backward_when_only_self_requires_grad(op: str) -> None:
    """torch saves the index only for src's gradient, so without it nothing is freed by backward."""
    def fn(lib: Any) -> Any:
        out = []
        for src_grad in (False, True):
            x = lib.tensor([0.0, 1.0], requires_grad=True)
            src = lib.tensor([2.0], requires_grad=src_grad)
            y = getattr(lib, op)(x, 0, lib.tensor([1]), src)
            y.sum().backward()
            try:
                y.sum().backward()
            except RuntimeError as e:
                out.append(str(e))
            out.append(x.grad)
        return out

    assert_same(fn)


@pytest.mark.parametrize("shape,reps", [((1,), (1,)), ((2, 3), (1, 1)), ((2, 3), (2, 1)), ((2,), (3, 1)),
                                        ((2, 3), (1, 2)), ((), (2,)), ((2,), (0,)), ((2, 1), (1, 1, 2))])
def test_repeat_backward_versions(shape: tuple, reps: tuple) -> None:
    """torch's repeat_backward returns the incoming gradient itself when nothing is folded (all
    repeats 1, no new dims): an expanded sum gradient is then copied into ``.grad`` (version 1)."""
    def fn(lib: Any) -> Any:
        x = lib.ones(shape, requires_grad=True)
        y = x.repeat(reps)
        y.sum().backward()
        g = x.grad
        (y * 2).sum().backward()
        return g, g._version, x.grad
    assert_same(fn)


def _inference(lib: Any, values: list) -> Any:
    with lib.inference_mode():
        return lib.tensor(values) * 1


@pytest.mark.parametrize("exponent", [0, 1, 1.0, True, 2, 0.5])
def test_pow_of_inference_tensor_outside_inference_mode(exponent: Any) -> None:
    """torch's pow kernel fills (exponent 0) or copies (exponent 1) into its output in place, and
    a scalar base redispatches as pow_out: outside inference mode that bumps the new output."""
    def fn(lib: Any) -> Any:
        a = _inference(lib, [2.0, 3.0])
        x, y = a ** exponent, 2 ** a
        return x, x._version, x.is_inference(), y._version
    assert_same(fn)


def test_detach_of_inference_tensor_has_a_version_counter() -> None:
    """torch: outside inference mode, detach's shallow copy of an inference tensor gets its own
    enabled counter: ``_version`` reads 0 and in-place writes are allowed (and counted)."""
    def fn(lib: Any) -> Any:
        a = _inference(lib, [2.0, 3.0])
        d = a.detach()
        out = [d.is_inference(), d._version]
        d.add_(1)
        out += [d._version, a, d.detach()._version]
        for t in (a, d.view(2)):
            try:
                out.append(t._version)
            except RuntimeError as e:
                out.append(str(e))
        return out
    assert_same(fn)


@pytest.mark.parametrize("op", ["mul_", "add_", "exp_", "sigmoid_", "copy_", "fill_", "zero_", "unsqueeze_",
                                "index_add_"])
def test_inplace_on_inference_tensor_writes_then_raises(op: str) -> None:
    """torch refuses an in-place write to an inference tensor outside inference mode only at the
    version bump, after the kernel has written."""
    def fn(lib: Any) -> Any:
        a = _inference(lib, [2.0, 3.0])
        args = {"mul_": (0.5,), "add_": (0.5,), "copy_": (lib.tensor([7.0, 8.0]),), "fill_": (5.0,),
                "unsqueeze_": (0,), "index_add_": (0, lib.tensor([1]), lib.tensor([1.0]))}.get(op, ())
        try:
            getattr(a, op)(*args)
        except RuntimeError as e:
            return str(e), a
        return a
    assert_same(fn)
