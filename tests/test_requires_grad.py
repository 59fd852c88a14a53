"""requires_grad: defaults, the three ways to set it, its errors, propagation, detach."""

from __future__ import annotations

import pytest
from helpers import SETTINGS, assert_same
from hypothesis import given
from hypothesis import strategies as st

INT_DTYPES = ["int64", "int32", "int16", "int8", "uint8", "bool"]
FLOAT_DTYPES = ["float16", "float32", "float64", "complex64", "complex128"]


def test_default_is_false() -> None:
    assert_same(lambda t: (t.ones(2).requires_grad, t.tensor(1.0).requires_grad, t.zeros(()).is_leaf))


@pytest.mark.parametrize("dt", FLOAT_DTYPES)
def test_creation_kwarg_on_float_and_complex(dt: str) -> None:
    assert_same(lambda t: t.ones(2, dtype=getattr(t, dt), requires_grad=True), expect_error=False)


@pytest.mark.parametrize("dt", INT_DTYPES)
def test_creation_kwarg_on_integer_raises(dt: str) -> None:
    assert_same(lambda t: t.ones(2, dtype=getattr(t, dt), requires_grad=True), expect_error=True)
    assert_same(lambda t: t.tensor([1, 2], dtype=getattr(t, dt), requires_grad=True), expect_error=True)


@pytest.mark.parametrize("dt", INT_DTYPES)
def test_requires_grad_method_on_integer_raises(dt: str) -> None:
    assert_same(lambda t: t.ones(2, dtype=getattr(t, dt)).requires_grad_(), expect_error=True)


@pytest.mark.parametrize("dt", INT_DTYPES)
def test_requires_grad_setter_on_integer_raises(dt: str) -> None:
    def f(t):
        x = t.ones(2, dtype=getattr(t, dt))
        x.requires_grad = True

    assert_same(f, expect_error=True)


@pytest.mark.parametrize("dt", INT_DTYPES)
def test_setting_false_on_integer_is_allowed(dt: str) -> None:
    def f(t):
        x = t.ones(2, dtype=getattr(t, dt))
        x.requires_grad = False
        return x.requires_grad_(False).requires_grad

    assert_same(f, expect_error=False)


def test_requires_grad_method_returns_self() -> None:
    def f(t):
        x = t.ones(3)
        return x.requires_grad_() is x, x.requires_grad, x.requires_grad_(False) is x, x.requires_grad

    assert_same(f)


@pytest.mark.parametrize("value", [1, 0, None, "yes", 1.0])
def test_setter_requires_a_bool(value: object) -> None:
    def f(t):
        x = t.ones(3)
        x.requires_grad = value

    assert_same(f, expect_error=True)


@pytest.mark.parametrize("value", [1, None, "yes"])
def test_method_requires_a_bool(value: object) -> None:
    assert_same(lambda t: t.ones(3).requires_grad_(value), expect_error=True)


@pytest.mark.parametrize("value", [1, None])
def test_creation_kwarg_requires_a_bool(value: object) -> None:
    assert_same(lambda t: t.ones(3, requires_grad=value))


def test_non_leaf_flag_changes() -> None:
    def y(t):
        return t.ones(2, requires_grad=True) * 2

    def set_false(t):
        y(t).requires_grad = False

    def set_true(t):
        y(t).requires_grad = True

    assert_same(set_false, expect_error=True)
    assert_same(set_true, expect_error=True)
    assert_same(lambda t: y(t).requires_grad_(False), expect_error=True)

    def method_true(t):  # a silent no-op in torch
        z = y(t)
        return z.requires_grad_(True) is z, z.requires_grad, z.is_leaf

    assert_same(method_true, expect_error=False)


@SETTINGS
@given(a_req=st.booleans(), b_req=st.booleans(), op=st.sampled_from(["add", "mul", "sub", "div", "pow"]))
def test_propagation_through_binary_ops(a_req: bool, b_req: bool, op: str) -> None:
    def f(t):
        a = t.tensor([1.0, 2.0], requires_grad=a_req)
        b = t.tensor([3.0, 4.0], requires_grad=b_req)
        c = getattr(a, op)(b)
        return c.requires_grad, c.is_leaf, c

    assert_same(f)


def test_propagation_through_integer_result_is_false() -> None:
    def f(t):
        a = t.tensor([1.5, -2.0], requires_grad=True)
        return (a > 0), (a > 0).requires_grad, (a == a).requires_grad, (a.floor()).requires_grad

    assert_same(f)


def test_under_no_grad_results_do_not_require_grad() -> None:
    def f(t):
        a = t.ones(2, 3, requires_grad=True)
        with t.no_grad():
            b = a * 2
            v = a.view(6)
            e = a.expand(2, 2, 3)
        return b.requires_grad, b.is_leaf, v.requires_grad, v.is_leaf, v.grad_fn, e.requires_grad, e.is_leaf

    assert_same(f)


def test_view_made_under_no_grad_is_leaf_but_shares_data() -> None:
    def f(t):
        a = t.zeros(2, 3)
        with t.no_grad():
            v = a.view(6)
        v.add_(5.0)
        return a, v._is_view(), v._base is a, a._version

    assert_same(f)


def test_detach() -> None:
    def f(t):
        a = t.ones(2, requires_grad=True)
        b = (a * 3).detach()
        c = a.detach()
        return b, b.requires_grad, b.is_leaf, b.grad_fn, c._base is a, c.requires_grad

    assert_same(f)


def test_detach_shares_storage() -> None:
    def f(t):
        a = t.ones(2, requires_grad=True)
        d = a.detach()
        d.add_(1)
        return a, a._version, d._version

    assert_same(f)


def test_requires_grad_false_then_true_on_leaf() -> None:
    def f(t):
        x = t.ones(2)
        x.requires_grad = True
        y = (x * x).sum()
        y.backward()
        return x.grad, x.requires_grad

    assert_same(f)


def test_detach_inplace() -> None:
    def f(t):
        x = t.ones(2, requires_grad=True)
        y = x * 2
        y.detach_()
        return y.requires_grad, y.is_leaf, y.grad_fn

    assert_same(f)


def test_inplace_on_no_grad_view_with_grad_mode_on_raises() -> None:
    def leaf_base(t):
        a = t.ones(2, 3, requires_grad=True)
        with t.no_grad():
            v = a.view(6)
        v.mul_(2)

    def non_leaf_base(t):
        a = t.ones(2, 3, requires_grad=True) * 1
        with t.no_grad():
            v = a.view(6)
        v.mul_(2)

    def both_in_no_grad(t):
        a = t.ones(2, 3, requires_grad=True)
        with t.no_grad():
            v = a.view(6)
            v.mul_(2)
        return a, a._version

    assert_same(leaf_base, expect_error=True)
    assert_same(non_leaf_base, expect_error=True)
    assert_same(both_in_no_grad, expect_error=False)
