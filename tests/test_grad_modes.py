"""Grad modes: no_grad, enable_grad, set_grad_enabled, inference_mode; nesting; threads."""

from __future__ import annotations

import threading

import pytest
from helpers import assert_same


def test_no_grad_context_and_decorator() -> None:
    def f(t):
        a = t.ones(2, requires_grad=True)
        with t.no_grad():
            inside = t.is_grad_enabled()
            b = a * 2

        @t.no_grad()
        def g(x):
            return x * 3, t.is_grad_enabled()

        c, mode = g(a)
        return inside, b.requires_grad, c.requires_grad, mode, t.is_grad_enabled()

    assert_same(f)


def test_enable_grad_inside_no_grad() -> None:
    def f(t):
        a = t.ones(2, requires_grad=True)
        with t.no_grad():
            with t.enable_grad():
                b = a * 2
            c = a * 2

        @t.enable_grad()
        def g(x):
            return x * 3

        with t.no_grad():
            d = g(a)
        return b.requires_grad, c.requires_grad, d.requires_grad

    assert_same(f)


def test_set_grad_enabled_forms() -> None:
    def f(t):
        a = t.ones(2, requires_grad=True)
        with t.set_grad_enabled(False):
            b = a * 2
        after_ctx = t.is_grad_enabled()
        t.set_grad_enabled(False)
        plain = t.is_grad_enabled()
        c = a * 2
        t.set_grad_enabled(True)

        @t.set_grad_enabled(False)
        def g(x):
            return x * 3

        decorated_defined = t.is_grad_enabled()
        d = g(a)
        return b.requires_grad, after_ctx, plain, c.requires_grad, decorated_defined, d.requires_grad

    assert_same(f)


def test_set_grad_enabled_requires_bool() -> None:
    assert_same(lambda t: t.set_grad_enabled(1), expect_error=None)


def test_nesting_restores_modes() -> None:
    def f(t):
        seen = []
        with t.no_grad():
            seen.append(t.is_grad_enabled())
            with t.enable_grad():
                seen.append(t.is_grad_enabled())
                with t.set_grad_enabled(False):
                    seen.append(t.is_grad_enabled())
                seen.append(t.is_grad_enabled())
            seen.append(t.is_grad_enabled())
        seen.append(t.is_grad_enabled())
        return seen

    assert_same(f)


def test_mode_restored_after_exception() -> None:
    def f(t):
        try:
            with t.no_grad():
                raise KeyError("x")
        except KeyError:
            pass
        return t.is_grad_enabled()

    assert_same(f)


def test_inference_mode() -> None:
    def f(t):
        a = t.ones(2, requires_grad=True)
        with t.inference_mode():
            b = a * 2
            inside = (t.is_grad_enabled(), t.is_inference_mode_enabled())
        with t.inference_mode(False):
            c = a * 2
        return (inside, b.requires_grad, b.is_inference(), a.is_inference(), c.requires_grad,
                c.is_inference(), t.is_inference_mode_enabled())

    assert_same(f)


def test_inference_mode_decorator() -> None:
    def f(t):
        @t.inference_mode()
        def g(x):
            return x * 2

        @t.inference_mode
        def h(x):
            return x * 3

        a = t.ones(2, requires_grad=True)
        return g(a).is_inference(), h(a).is_inference()

    assert_same(f)


@pytest.mark.parametrize("use", [
    "x * y",                 # saving an inference tensor for backward
    "x + y",                 # nothing saved: allowed
    "x.add_(1)",             # in-place on an inference tensor outside inference mode
    "x.requires_grad_()",    # requires_grad on inference tensor
    "x.view(2)",
])
def test_inference_tensors_used_later(use: str) -> None:
    def f(t):
        with t.inference_mode():
            x = t.ones(2)
        y = t.ones(2, requires_grad=True)
        r = eval(use, {"x": x, "y": y, "t": t})  # noqa: S307 - fixed expressions above
        return r, r.is_inference()

    assert_same(f)


def test_new_thread_starts_with_grad_enabled() -> None:
    def f(t):
        seen = []
        with t.no_grad():
            th = threading.Thread(target=lambda: seen.append(t.is_grad_enabled()))
            th.start()
            th.join()
            seen.append(t.is_grad_enabled())
        return seen

    assert_same(f)


def test_mode_is_thread_local() -> None:
    def f(t):
        seen = []
        gate = threading.Event()
        done = threading.Event()

        def worker():
            with t.no_grad():
                gate.set()
                done.wait()
                seen.append(("worker", t.is_grad_enabled()))

        th = threading.Thread(target=worker)
        th.start()
        gate.wait()
        seen.append(("main", t.is_grad_enabled()))
        done.set()
        th.join()
        return seen

    assert_same(f)


def test_inference_tensors_have_no_version_counter() -> None:
    """torch: reading ``_version`` of an inference tensor raises, inside inference mode or not;
    a view of a normal tensor made in inference mode is not an inference tensor."""
    def f(t):
        x = t.ones(2)
        with t.inference_mode():
            y = x + 1
            v = x[0:1]
            inside = y._version
        return inside, y._version, v.is_inference(), v._version
    assert_same(f, expect_error=True)

    def g(t):
        x = t.ones(2)
        with t.inference_mode():
            v = x[0:1]
            y = x * 2
        return v._version, y.is_inference()
    assert_same(g)
