"""Unit tests for conformance.report: escaping, atomic write, baseline diff, benchmarks, CLI."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from conformance import report
from conformance.report import cli, model
from conformance.report import renderer as render_mod
from conformance.report.baseline import diff_runs
from conformance.report.benchmarks import load_benchmarks

try:
    from report_fixtures import HOSTILE_OP, LONG_MESSAGE, XSS, make_benchmarks, make_results, write_json
except ImportError:  # tests/ became a package
    from tests.report_fixtures import HOSTILE_OP, LONG_MESSAGE, XSS, make_benchmarks, make_results, write_json


@pytest.fixture
def results_file(tmp_path: Path) -> Path:
    return write_json(tmp_path / "in" / "results.json", make_results(seed=3))


def _render(tmp_path: Path, data: dict, **kw) -> str:
    src = write_json(tmp_path / "in" / "r.json", data)
    out = report.render(src, tmp_path / "out" / "index.html", **kw)
    return out.read_text(encoding="utf-8")


def _json_block(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, re.S)
    assert m, "embedded JSON block missing"
    return json.loads(m.group(1))


# ---------------------------------------------------------------- escaping


def test_hostile_strings_are_escaped_everywhere(tmp_path: Path) -> None:
    html = _render(tmp_path, make_results(hostile=True))
    assert XSS not in html
    assert HOSTILE_OP not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # Exactly our two script elements: the JSON data block and the inline JS.
    assert len(re.findall(r"<script\b", html)) == 2
    assert "<img" not in html


def test_embedded_json_is_inert_and_round_trips(tmp_path: Path) -> None:
    html = _render(tmp_path, make_results(hostile=True))
    block = re.search(r'id="report-data">(.*?)</script>', html, re.S).group(1)
    assert "<" not in block and ">" not in block and "&" not in block
    data = _json_block(html)
    assert any(XSS.lower() in d["text"] for d in data["divergences"])
    assert any(d["op"] == HOSTILE_OP for d in data["divergences"])


def test_html_ids_unique_even_with_duplicate_divergence_ids(tmp_path: Path) -> None:
    data = make_results(hostile=True)
    data["divergences"][1]["id"] = data["divergences"][0]["id"]
    html = _render(tmp_path, data)
    ids = re.findall(r'\sid="([^"]*)"', html)
    assert len(ids) == len(set(ids))
    assert html.count('<article class="div') == len(data["divergences"])


def test_script_json_escapes_html_significant_characters_and_nan() -> None:
    out = str(render_mod.script_json({"a": "</script><!--&", "b": float("nan"), "c": "\u2028"}))
    assert "<" not in out and ">" not in out and "&" not in out and "\u2028" not in out
    assert json.loads(out) == {"a": "</script><!--&", "b": "nan", "c": "\u2028"}


def test_autoescape_is_on_for_all_templates() -> None:
    env = render_mod.make_env()
    for name in env.list_templates():  # every partial compiles
        env.get_template(name)
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"
    assert env.autoescape("report.js") and env.autoescape("style.css") and env.autoescape("_chart.svg.j2")


def test_long_strings_are_truncated_with_details(tmp_path: Path) -> None:
    html = _render(tmp_path, make_results(hostile=True))
    idx = html.index(LONG_MESSAGE[:60])
    tail = html[idx : idx + 400]
    assert "…" in tail
    assert "<details><summary>show all" in html
    assert LONG_MESSAGE in html  # the full text is still there, inside <details>


def test_self_contained_no_external_resources(tmp_path: Path) -> None:
    html = _render(tmp_path, make_results())
    assert "<link" not in html
    assert not re.search(r'\b(src|href)="(https?:)?//', html)
    assert "default-src 'none'" in html


def test_nan_and_missing_optional_fields_render(tmp_path: Path) -> None:
    data = make_results(hostile=True)
    for key in ("max_abs_err", "fd_verdict", "where", "reproducer", "program", "torch_observation"):
        data["divergences"][2].pop(key, None)
    data["run"].pop("versions")
    data["summary"].pop("per_property")
    html = _render(tmp_path, data)
    assert "nan" in html
    assert "# no reproducer recorded" in html


# ---------------------------------------------------------------- content


def test_header_summary_matrix_and_blocks(tmp_path: Path) -> None:
    data = make_results(seed=5, hostile=False)
    html = _render(tmp_path, data)
    for text in ("reference_impl", "2.13.0", "3.11.7", "numpy / cpu", "12m 14s", "2025-11-25 18:40:12"):
        assert text in html
    assert html.count('<article class="div') == len(data["divergences"])
    assert 'id="matrix-op"' in html and 'id="matrix-dtype"' in html
    assert "stale — no longer diverges" in html
    assert "(no op)" in html


def test_matrix_aggregates_worst_outcome() -> None:
    tests = [
        {"property": "p", "op": "add", "dtype": "float32", "outcome": "passed", "divergence_ids": []},
        {"property": "p", "op": "add", "dtype": "float64", "outcome": "known", "divergence_ids": ["k"]},
        {"property": "q", "op": "add", "dtype": "float32", "outcome": "skipped", "divergence_ids": []},
        {"property": "p", "op": None, "dtype": None, "outcome": "diverged", "divergence_ids": ["d"]},
    ]
    rows = model.build_matrix(tests, ["p", "q"], {"k": "a-k", "d": "a-d"}, by_dtype=False)
    assert [r.op for r in rows] == ["add", model.NO_OP]
    add_p, add_q = rows[0].cells
    assert add_p.state == "known" and add_p.counts["passed"] == 1 and add_p.anchors == ["a-k"]
    assert add_q.state == "skipped"
    assert rows[1].cells[0].state == "diverged" and rows[1].cells[1] is None
    split = model.build_matrix(tests, ["p", "q"], {}, by_dtype=True)
    assert [(r.op, r.dtype) for r in split] == [("add", "float32"), ("add", "float64"), (model.NO_OP, "—")]


def test_observation_diff_marks_differing_and_focus_fields() -> None:
    rows = model.diff_observations(
        {"out": {"v": 1, "dtype": "f32"}, "only_torch": 1}, {"out": {"v": 2, "dtype": "f32"}}, "out.v"
    )
    by_key = {r.key: r for r in rows}
    assert by_key["out.v"].differs and by_key["out.v"].focus
    assert not by_key["out.dtype"].differs
    assert by_key["only_torch"].impl_missing and by_key["only_torch"].differs


def test_formatters() -> None:
    assert model.fmt_num(None) == "—"
    assert model.fmt_num(float("inf")) == "inf"
    assert model.fmt_num(12345) == "12,345"
    assert model.fmt_num(0.000123456) == "0.000123"
    assert model.fmt_duration(4.24) == "4.2 s"
    assert model.fmt_duration(3725) == "1h 02m"
    assert model.fmt_date("not a date") == "not a date"


# ---------------------------------------------------------------- atomic write


def test_atomic_write_keeps_old_report_when_rendering_fails(
    tmp_path: Path, results_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out" / "index.html"
    out.parent.mkdir()
    out.write_text("OLD REPORT")

    def boom(*a, **k):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(render_mod, "render_html", boom)
    with pytest.raises(RuntimeError):
        report.render(results_file, out)
    assert out.read_text() == "OLD REPORT"
    assert list(out.parent.iterdir()) == [out]


def test_atomic_write_cleans_temp_file_when_replace_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "index.html"
    out.write_text("OLD")

    def fail(src, dst):
        raise OSError("disk on fire")

    monkeypatch.setattr(render_mod.os, "replace", fail)
    with pytest.raises(OSError):
        render_mod.write_atomic(out, "NEW")
    assert out.read_text() == "OLD"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html"]


def test_render_creates_directory_and_readable_file(tmp_path: Path, results_file: Path) -> None:
    out = report.render(results_file, tmp_path / "a" / "b" / "index.html")
    assert out.exists() and out.stat().st_mode & 0o444 == 0o444
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# ---------------------------------------------------------------- baseline


def _div(id_: str, test_id: str = "t", kind: str = "value", field: str = "out") -> dict:
    return {"id": id_, "test_id": test_id, "kind": kind, "field": field}


def test_baseline_diff_matches_by_id_then_fallback_key() -> None:
    base = [_div("a"), _div("b", "t2"), _div("old-c", "t3", "gradient", "grads.x"), _div("gone", "t4")]
    cur = [_div("a"), _div("b2", "t2"), _div("new-c", "t3", "gradient", "grads.x"), _div("fresh", "t9")]
    d = diff_runs(cur, base)
    assert [x["id"] for x in d.unchanged] == ["a", "b2", "new-c"]
    assert [x["id"] for x in d.new] == ["fresh"]
    assert [x["id"] for x in d.fixed] == ["gone"]
    assert d.change_of == {"a": "unchanged", "b2": "unchanged", "new-c": "unchanged", "fresh": "new"}


def test_baseline_entry_matches_only_once() -> None:
    d = diff_runs([_div("x"), _div("y")], [_div("z")])  # same fallback key for all three
    assert len(d.unchanged) == 1 and len(d.new) == 1 and d.fixed == []


def test_baseline_id_match_not_stolen_by_key_match() -> None:
    base = [_div("keep", "t", "value", "out")]
    cur = [_div("other", "t", "value", "out"), _div("keep", "t", "value", "out")]
    d = diff_runs(cur, base)
    assert [x["id"] for x in d.unchanged] == ["keep"] and [x["id"] for x in d.new] == ["other"]


def test_baseline_section_rendered(tmp_path: Path) -> None:
    cur = make_results(seed=3)
    old = copy.deepcopy(cur)
    fixed = old["divergences"][0]
    old["divergences"].append({**fixed, "id": "only-in-old", "test_id": "tests/x.py::gone", "field": "zz"})
    cur["divergences"] = cur["divergences"][1:]
    base = write_json(tmp_path / "in" / "old.json", old)
    html = _render(tmp_path, cur, baseline=base)
    assert 'id="baseline"' in html
    assert "Fixed (2)" in html and "New (0)" in html
    assert f"Unchanged ({len(cur['divergences'])})" in html
    assert "tests/x.py::gone" in html
    assert 'id="baseline"' not in _render(tmp_path, cur)


# ---------------------------------------------------------------- benchmarks


def test_benchmarks_absent_means_no_section(tmp_path: Path) -> None:
    html = _render(tmp_path, make_results())
    assert 'id="benchmarks"' not in html
    assert load_benchmarks(tmp_path / "out") is None


def test_benchmarks_present_table_and_svg(tmp_path: Path) -> None:
    bench = make_benchmarks(("w1", "w2"))
    write_json(tmp_path / "out" / "benchmarks.json", bench)
    html = _render(tmp_path, make_results())
    assert 'id="benchmarks"' in html and "<svg" in html and "<rect" in html
    med = {b["name"]: b["stats"]["median"] for b in bench["benchmarks"]}
    ratio = med["test_w1_per_op[reference_impl]"] / med["test_w1_per_op[torch]"]
    assert f"{ratio:.3g}×" in html


def test_benchmark_medians_across_files_and_name_fallbacks(tmp_path: Path) -> None:
    def entry(name: str, median: float, group: str | None = None) -> dict:
        return {"name": name, "group": group, "stats": {"median": median}}

    write_json(tmp_path / "benchmarks.json", {"benchmarks": [entry("test_w1_per_op[torch]", 1.0, "w1")]})
    write_json(
        tmp_path / "benchmarks-2.json",
        {
            "benchmarks": [
                entry("test_w1_per_op[reference_impl]", 4.0, "w1"),
                entry("test_w1_per_op[reference_impl]", 6.0, "w1"),
                entry("test_w1_per_op[reference_impl]", 8.0, "w1"),
                entry("test_w1_per_op[numpy]", 2.0, "w1"),
                entry("test_w9_per_op[reference_impl]", 3.0),  # no group, no baselines
            ]
        },
    )
    (tmp_path / "benchmarks-broken.json").write_text("{not json")
    b = load_benchmarks(tmp_path)
    assert b is not None and len(b.problems) == 1 and "benchmarks-broken.json" in b.problems[0]
    w1 = next(g for g in b.groups if g.name == "w1")
    (row,) = w1.rows
    assert row.median_s == 6.0 and row.vs == {"torch": 6.0, "numpy": 3.0}
    w9 = next(g for g in b.groups if g.name == "test_w9_per_op")
    assert w9.rows[0].vs == {"torch": None, "numpy": None}
    assert b.impls == ["torch", "numpy", "reference_impl"]


# ---------------------------------------------------------------- CLI


def _run_cli(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    rc = cli.main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no such file"),
        ("{oops", "invalid JSON"),
        (
            '{"schema_version": 2, "run": {}, "summary": {}, "tests": [], "divergences": []}',
            "schema_version 2",
        ),
        ("[1, 2]", "JSON object"),
        ('{"schema_version": 1, "run": {}, "summary": {}, "tests": {}, "divergences": []}', "'tests'"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, message: str
) -> None:
    src = tmp_path / "results.json"
    if content is not None:
        src.write_text(content)
    rc, out, err = _run_cli(capsys, [str(src), "-o", str(tmp_path / "index.html")])
    assert rc == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and message in err
    assert "Traceback" not in err
    assert not (tmp_path / "index.html").exists()


def test_cli_bad_baseline_exits_2(
    tmp_path: Path, results_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc, _, err = _run_cli(capsys, [str(results_file), "--baseline", str(tmp_path / "missing.json")])
    assert rc == 2 and "missing.json" in err and err.count("\n") == 1


def test_cli_success(tmp_path: Path, results_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "r" / "index.html"
    rc, stdout, err = _run_cli(capsys, [str(results_file), "-o", str(out), "--baseline", str(results_file)])
    assert rc == 0 and out.exists() and str(out) in stdout and err == ""
    assert "Unchanged (" in out.read_text(encoding="utf-8")
