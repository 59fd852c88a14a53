"""Known divergences: matching by test id or property:op:dtype, kind filters, stale detection."""

from __future__ import annotations

import pytest

from conformance import known


def _write(tmp_path, body):
    p = tmp_path / "known.toml"
    p.write_text(body)
    return p


ENTRIES = '''
[[divergence]]
key = "test_gradients[exp-*]"
kind = "gradient"
classification = "precision"
reason = "exp rounding"

[[divergence]]
key = "graph:remainder"
classification = "impl-bug"
reason = "wrong backward node name"
impl = "reference_impl"
'''


def test_matching_by_test_id_glob_and_property_op(tmp_path):
    entries = known.load(_write(tmp_path, ENTRIES), "reference_impl")
    assert known.find(entries, "test_gradients[exp-float32]", "gradients", "exp", "float32", "gradient")
    assert known.find(entries, "test_gradients[exp-float32]", "gradients", "exp", "float32", "value") is None
    assert known.find(entries, "test_graph[remainder.method]", "graph", "remainder", None, "grad_fn")
    assert known.find(entries, "test_graph[add]", "graph", "add", None, "grad_fn") is None


def test_impl_scoping(tmp_path):
    assert len(known.load(_write(tmp_path, ENTRIES), "torch")) == 1


def test_stale_only_when_a_covered_test_ran_without_matching(tmp_path):
    entries = known.load(_write(tmp_path, ENTRIES), "reference_impl")
    tests = [{"id": "m.py::test_gradients[exp-float32]", "property": "gradients", "op": "exp",
              "dtype": "float32", "outcome": "passed"}]
    stale = known.stale_entries(entries, tests, [])
    assert [e.key for e in stale] == ["test_gradients[exp-*]"]  # graph:remainder did not run
    divs = [{"status": "known", "known_key": known.entry_key(entries[0])}]
    assert known.stale_entries(entries, tests, divs) == []


def test_bad_files_give_one_line_errors(tmp_path):
    with pytest.raises(known.KnownFileError, match="lacks 'reason'"):
        known.load(_write(tmp_path, '[[divergence]]\nkey = "x"\nclassification = "impl-bug"\n'))
    with pytest.raises(known.KnownFileError, match="classification"):
        known.load(_write(tmp_path, '[[divergence]]\nkey="x"\nclassification="meh"\nreason="r"\n'))
    with pytest.raises(known.KnownFileError, match="not found"):
        known.load(tmp_path / "missing.toml")


def test_packaged_file_loads():
    for e in known.load():
        assert e.reason and e.classification in known.CLASSIFICATIONS
