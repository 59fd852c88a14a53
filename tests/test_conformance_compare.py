"""Comparator: tolerances per dtype, NaN == NaN, classification into kinds, error handling."""

from __future__ import annotations

import math

from conformance.compare import close, compare, normalize_message
from conformance.tolerances import GRAD_TOL, VALUE_TOL, tolerance


def _tensor(values, dtype="torch.float32", **kw):
    obs = {"type": "tensor", "dtype": dtype, "shape": [len(values)] if isinstance(values, list) else [],
           "values": values, "requires_grad": False, "is_leaf": True, "grad_fn": None,
           "graph": {"nodes": [], "edges": [], "truncated": False}, "version": 0}
    obs.update(kw)
    return obs


def _obs(*steps, final=None):
    out = []
    for i, s in enumerate(steps):
        rec = {"index": i, "code": "y = f(x)", "error": None, "warnings": [], "outputs": {}}
        rec.update(s)
        out.append(rec)
    return {"steps": out, "final": final or {"hook_calls": [], "tensors": {}}}


def test_value_tolerances_match_assert_close_defaults():
    assert tolerance("torch.float32") == (1.3e-6, 1e-5)
    assert tolerance("torch.float64") == (1e-7, 1e-7)
    assert tolerance("torch.float16") == (1e-3, 1e-5)
    assert tolerance("torch.int64") == (0.0, 0.0)
    assert all(GRAD_TOL[k][0] >= VALUE_TOL[k][0] for k in VALUE_TOL)


def test_close_within_and_outside_float32_tolerance():
    assert close([1.0, 2.0], [1.0 + 1e-6, 2.0], 1.3e-6, 1e-5) is None
    err = close([1.0, 2.0], [1.0, 2.1], 1.3e-6, 1e-5)
    assert err["where"] == [1]
    assert math.isclose(err["max_abs_err"], 0.1, rel_tol=1e-9)
    assert math.isclose(err["max_rel_err"], 0.05, rel_tol=1e-9)


def test_nan_equals_nan_but_not_a_number():
    assert close(["nan", 1.0], ["nan", 1.0], 1e-7, 1e-7) is None
    assert close(["nan"], [1.0], 1e-7, 1e-7) is not None
    assert close(["inf"], ["inf"], 1e-7, 1e-7) is None
    assert close(["inf"], ["-inf"], 1e-7, 1e-7) is not None


def test_integers_are_exact():
    assert close([3, 4], [3, 4], 0.0, 0.0) is None
    assert close([3, 4], [3, 5], 0.0, 0.0)["where"] == [1]


def test_classification_of_tensor_fields():
    t = _obs({"outputs": {"y": _tensor([1.0], requires_grad=True, grad_fn="ExpBackward0", is_leaf=False)}})
    i = _obs({"outputs": {"y": _tensor([1.5], dtype="torch.float64", requires_grad=False, grad_fn=None,
                                       is_leaf=True, version=1)}})
    kinds = {d.kind: d for d in compare(t, i)}
    assert set(kinds) == {"requires_grad", "grad_fn", "graph", "dtype", "value"}
    assert kinds["value"].field == "y.values" and kinds["value"].step == 0
    assert kinds["grad_fn"].torch in (False, "ExpBackward0")


def test_kinds_filter_and_first_per_kind():
    t = _obs({"outputs": {"a": _tensor([1.0]), "b": _tensor([1.0])}})
    i = _obs({"outputs": {"a": _tensor([2.0]), "b": _tensor([3.0])}})
    divs = compare(t, i)
    assert [d.kind for d in divs] == ["value"] and divs[0].field == "a.values"
    assert compare(t, i, kinds={"gradient"}) == []


def test_gradients_use_gradient_kind_and_looser_tolerance():
    t = _obs({"grads": {"x": _tensor([1.0])}})
    i = _obs({"grads": {"x": _tensor([1.0 + 5e-5])}})
    assert compare(t, i) == []  # inside float32 gradient tolerance (1e-4 relative)
    i = _obs({"grads": {"x": _tensor([1.1])}})
    (d,) = compare(t, i)
    assert d.kind == "gradient" and d.field == "x.grad.values"
    none = _obs({"grads": {"x": {"type": "none"}}})
    assert compare(t, none)[0].kind == "gradient"


def test_error_type_stops_comparison_and_messages_are_optional():
    err = {"type": "RuntimeError", "message": "boom\nmore"}
    t = _obs({"error": err}, {"outputs": {"y": _tensor([1.0])}})
    i = _obs({"error": None, "outputs": {}}, {"outputs": {"y": _tensor([9.0])}})
    (d,) = compare(t, i)
    assert d.kind == "error_type" and d.step == 0
    i2 = _obs({"error": {"type": "RuntimeError", "message": "other"}}, {"outputs": {"y": _tensor([1.0])}})
    assert compare(t, i2) == []
    assert [d.kind for d in compare(t, i2, messages=True)] == ["error_message"]
    assert normalize_message("  a   b \nsecond line") == "a b"


def test_warnings_compare_categories_then_messages():
    w = [{"category": "UserWarning", "message": "careful"}]
    t, i = _obs({"warnings": w}), _obs({"warnings": []})
    assert compare(t, i)[0].kind == "warning"
    i2 = _obs({"warnings": [{"category": "UserWarning", "message": "different"}]})
    assert compare(t, i2) == []
    assert compare(t, i2, messages=True)[0].kind == "warning"


def test_hook_calls_and_final_versions():
    t = _obs(final={"hook_calls": [["log", [2]]], "tensors": {"x": {"version": 1, "requires_grad": True}}})
    i = _obs(final={"hook_calls": [], "tensors": {"x": {"version": 0, "requires_grad": True}}})
    kinds = {d.kind: d.field for d in compare(t, i)}
    assert kinds == {"gradient": "hook_calls", "graph": "x._version"}


def test_scale_widens_tolerances():
    t = _obs({"outputs": {"y": _tensor([1.0])}})
    i = _obs({"outputs": {"y": _tensor([1.0 + 5e-5])}})
    assert compare(t, i, kinds={"value"}) != []
    assert compare(t, i, kinds={"value"}, scale=10.0) == []
