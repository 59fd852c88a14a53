"""torch.tensor's dtype inference and the factory functions, against torch."""

from __future__ import annotations

import pytest

from tests.helpers import assert_same

INFERENCE_CASES = {
    "empty list": lambda t: t.tensor([]),
    "nested empty": lambda t: t.tensor([[], []]),
    "bools": lambda t: t.tensor([True, False]),
    "ints": lambda t: t.tensor([1, 2]),
    "mixed int float": lambda t: t.tensor([1, 2.5]),
    "complex": lambda t: t.tensor([1, 2j]),
    "0-d int tensor in list": lambda t: t.tensor([t.tensor(1)]),
    "0-d int tensor and float": lambda t: t.tensor([t.tensor(1), 2.5]),
    "0-d bool tensor and int": lambda t: t.tensor([t.tensor(True), 1]),
    "scalar float": lambda t: t.tensor(3.5),
    "explicit dtype": lambda t: t.tensor([1, 2], dtype=t.float64),
}


@pytest.mark.parametrize("case", INFERENCE_CASES.values(), ids=list(INFERENCE_CASES))
def test_tensor_infers_torch_dtype(case) -> None:
    assert_same(case, check_warnings=False, expect_error=False)


FACTORIES = {
    "zeros": lambda t: t.zeros(2, 3),
    "ones tuple": lambda t: t.ones((2, 1), dtype=t.int32),
    "full int": lambda t: t.full((2,), 7),
    "full float": lambda t: t.full((2,), 7.0),
    "arange ints": lambda t: t.arange(5),
    "arange float step": lambda t: t.arange(0, 1, 0.25),
    "linspace": lambda t: t.linspace(0, 1, 5),
    "eye": lambda t: t.eye(2, 3),
    "zeros_like keeps dtype": lambda t: t.zeros_like(t.tensor([1, 2])),
    "zeros negative size": lambda t: t.zeros(2, -3),
    "ones negative size": lambda t: t.ones(-1),
}


@pytest.mark.parametrize("case", FACTORIES.values(), ids=list(FACTORIES))
def test_factories_match_torch(case) -> None:
    assert_same(case)
