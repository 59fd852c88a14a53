"""utils.data and transforms against torch: batching, collate structure, samplers, splits, errors."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np
import pytest
import torch

import reference_impl
from tests.helpers import assert_close, assert_same

Point = namedtuple("Point", "x y")


def tensor_dataset(lib: Any) -> Any:
    return lib.utils.data.TensorDataset(lib.arange(14.0).reshape(7, 2), lib.arange(7))


@pytest.mark.parametrize("batch_size,drop_last", [(1, False), (3, False), (3, True), (7, False), (10, True)])
def test_sequential_batches(batch_size: int, drop_last: bool) -> None:
    def run(lib: Any) -> Any:
        loader = lib.utils.data.DataLoader(tensor_dataset(lib), batch_size=batch_size, drop_last=drop_last)
        return len(loader), list(loader)

    assert_same(run)


@pytest.mark.parametrize("name,samples", [
    ("floats", [1.5, 2.5, 3.5]),
    ("ints", [1, 2, 3]),
    ("tuples", [(1, 2.0), (3, 4.0), (5, 6.0)]),
    ("lists", [[1, 2], [3, 4], [5, 6]]),
    ("dicts", [{"a": 1, "b": (2.0, 3)}, {"a": 4, "b": (5.0, 6)}, {"a": 7, "b": (8.0, 9)}]),
    ("strings", ["x", "y", "z"]),
    ("namedtuple", [Point(1, 2.0), Point(3, 4.0), Point(5, 6.0)]),
    ("numpy", [np.arange(3, dtype=np.int32) + i for i in range(3)]),
    ("numpy_scalar", [np.float32(1.0), np.float32(2.0), np.float32(3.0)]),
])
def test_default_collate_structure(name: str, samples: list) -> None:
    def run(lib: Any) -> Any:
        batches = list(lib.utils.data.DataLoader(samples, batch_size=2))
        return [type(b).__name__ for b in batches], batches

    assert_same(run)


def test_tensor_samples_and_custom_collate_and_no_autobatch() -> None:
    def run(lib: Any) -> Any:
        samples = [lib.ones(2) * i for i in range(5)]
        stacked = list(lib.utils.data.DataLoader(samples, batch_size=2))
        custom = list(lib.utils.data.DataLoader(samples, batch_size=2, collate_fn=lambda b: len(b)))
        unbatched = list(lib.utils.data.DataLoader([np.ones(2), (np.zeros(1), 3)], batch_size=None))
        return stacked, custom, unbatched

    assert_same(run)
    assert_same(lambda lib: list(lib.utils.data.DataLoader([[1, 2], [3]], batch_size=2)), expect_error=True)
    assert_same(lambda lib: list(lib.utils.data.DataLoader([object()], batch_size=1)), expect_error=True)


def test_samplers_and_batch_sampler() -> None:
    def run(lib: Any) -> Any:
        data = tensor_dataset(lib)
        seq = lib.utils.data.SequentialSampler(data)
        bs = lib.utils.data.BatchSampler(seq, 3, drop_last=False)
        via_batch_sampler = list(lib.utils.data.DataLoader(data, batch_sampler=bs))
        via_sampler = list(lib.utils.data.DataLoader(data, batch_size=4, sampler=[6, 0, 3]))
        return list(seq), list(bs), len(bs), via_batch_sampler, via_sampler

    assert_same(run)


@pytest.mark.parametrize("case", ["sampler_shuffle", "batch_sampler_mix", "none_drop_last", "bad_batch_size",
                                  "bad_drop_last", "iterable_shuffle", "bad_num_samples", "tensor_size"])
def test_loader_argument_errors(case: str) -> None:
    def run(lib: Any) -> Any:
        data = tensor_dataset(lib)
        DL, D = lib.utils.data.DataLoader, lib.utils.data  # noqa: N806
        if case == "sampler_shuffle":
            return DL(data, sampler=[0], shuffle=True)
        if case == "batch_sampler_mix":
            return DL(data, batch_sampler=[[0]], batch_size=2)
        if case == "none_drop_last":
            return DL(data, batch_size=None, drop_last=True)
        if case == "bad_batch_size":
            return D.BatchSampler(range(3), 0, False)
        if case == "bad_drop_last":
            return D.BatchSampler(range(3), 2, 1)
        if case == "iterable_shuffle":
            class It(D.IterableDataset):
                def __iter__(self) -> Any:
                    return iter(range(3))
            return DL(It(), shuffle=True)
        if case == "bad_num_samples":
            return D.RandomSampler(data, num_samples=0)
        return D.TensorDataset(lib.ones(3), lib.ones(4))

    assert_same(run, expect_error=True)


def test_shuffle_is_a_permutation_and_reproducible_with_generator() -> None:
    lib = reference_impl
    data = tensor_dataset(lib)

    def epoch(seed: int) -> list:
        g = lib.Generator().manual_seed(seed)
        loader = lib.utils.data.DataLoader(data, batch_size=3, shuffle=True, generator=g)
        return [b[1].tolist() for b in loader]

    first = epoch(5)
    assert [len(b) for b in first] == [3, 3, 1], f"shuffled batch sizes wrong: {first}"
    assert sorted(i for b in first for i in b) == list(range(7)), f"not a permutation: {first}"
    assert epoch(5) == first, "same generator seed must give the same order"
    orders = {tuple(i for b in epoch(s) for i in b) for s in range(6)}
    assert len(orders) > 1, "shuffle never changed the order"
    with_replacement = list(lib.utils.data.RandomSampler(data, replacement=True, num_samples=40))
    assert len(with_replacement) == 40 and set(with_replacement) <= set(range(7)), "replacement sampler range"


def test_subset_concat_and_random_split() -> None:
    def run(lib: Any) -> Any:
        D = lib.utils.data  # noqa: N806
        data = tensor_dataset(lib)
        sub = D.Subset(data, [5, 1])
        cat = D.ConcatDataset([sub, data])
        added = sub + sub
        return len(sub), sub[0], sub[[0, 1]], len(cat), cat[2], cat[-1], len(added), cat.cumulative_sizes

    assert_same(run)
    assert_same(lambda lib: lib.utils.data.ConcatDataset([[1]])[-3], expect_error=True)

    def split_sizes(lib: Any) -> Any:
        D = lib.utils.data  # noqa: N806
        parts = D.random_split(range(10), [0.5, 0.3, 0.2], generator=lib.Generator().manual_seed(0))
        uneven = D.random_split(range(7), [0.5, 0.5])
        return [len(p) for p in parts], [len(p) for p in uneven], \
            sorted(i for p in parts for i in p) == list(range(10))

    assert_same(split_sizes)
    assert_same(lambda lib: lib.utils.data.random_split(range(5), [2, 2]), expect_error=True)
    assert_same(lambda lib: [len(p) for p in lib.utils.data.random_split(range(2), [0.9, 0.1])])


def test_iterable_dataset_batching() -> None:
    def run(lib: Any) -> Any:
        class Count(lib.utils.data.IterableDataset):
            def __iter__(self) -> Any:
                return iter(range(5))

        return list(lib.utils.data.DataLoader(Count(), batch_size=2)), \
            list(lib.utils.data.DataLoader(Count(), batch_size=2, drop_last=True)), \
            list(lib.utils.data.DataLoader(Count(), batch_size=None))

    assert_same(run)


def test_num_workers_runs_in_process_with_same_batches() -> None:
    data = tensor_dataset(reference_impl)
    plain = list(reference_impl.utils.data.DataLoader(data, batch_size=2))
    workers = list(reference_impl.utils.data.DataLoader(data, batch_size=2, num_workers=2))
    for a, b in zip(plain, workers):
        for x, y in zip(a, b):
            assert x.tolist() == y.tolist(), "num_workers changed the batches"


# --- transforms (torchvision is not installed: expected values are computed with torch) ------
def test_to_tensor_and_normalize() -> None:
    T = reference_impl.transforms  # noqa: N806
    img = np.random.RandomState(0).randint(0, 256, (4, 5, 3)).astype(np.uint8)
    out = T.ToTensor()(img)
    expected = torch.from_numpy(img).permute(2, 0, 1).float().div(255)
    assert_close(actual=out, expected=expected, what="ToTensor(uint8)")
    fimg = np.random.RandomState(1).rand(4, 5).astype(np.float32)
    assert_close(actual=T.ToTensor()(fimg), expected=torch.from_numpy(fimg)[None], what="ToTensor(float HW)")
    mean, std = [0.5, 0.4, 0.3], [0.2, 0.25, 0.5]
    pipeline = T.Compose([T.ToTensor(), T.Normalize(mean, std), T.Lambda(lambda t: t * 2)])
    ref = pipeline(img)
    expected = (expected - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[:, None, None] * 2
    assert_close(actual=ref, expected=expected, what="Compose(ToTensor, Normalize, Lambda)")
    with pytest.raises(ValueError, match="std evaluated to zero"):
        T.Normalize([0.0], [0.0])(reference_impl.ones(1, 2, 2))
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional"):
        T.ToTensor()(np.ones(3))
