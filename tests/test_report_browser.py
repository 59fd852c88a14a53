"""Drive the rendered report in real headless Chromium (Debian's package, via Playwright).

Needs `apt-get install -y chromium` and `pip install playwright`; Playwright never downloads
a browser here, it launches shutil.which("chromium"). Set REPORT_DOCS_SCREENSHOT=1 to also
refresh docs/report-screenshot.png from a non-hostile fixture.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance import report

try:
    from report_fixtures import HOSTILE_OP, LONG_MESSAGE, XSS, make_benchmarks, make_results, write_json
except ImportError:  # tests/ became a package
    from tests.report_fixtures import HOSTILE_OP, LONG_MESSAGE, XSS, make_benchmarks, make_results, write_json

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright not installed (pip install playwright)"
)
CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not on PATH (apt-get install -y chromium)")

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "reports" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sync_api.BrowserContext]:
    user_data = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(user_data),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 900},
        )
        ctx.set_default_timeout(15_000)
        ctx.grant_permissions(["clipboard-read", "clipboard-write"])
        try:
            yield ctx
        finally:
            ctx.close()


@pytest.fixture(scope="module")
def report_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    d = tmp_path_factory.mktemp("report")
    write_json(d / "benchmarks.json", make_benchmarks())
    results = write_json(d / "in" / "results.json", make_results(seed=7, hostile=True))
    baseline = write_json(d / "in" / "old.json", make_results(seed=8, hostile=True))
    return report.render(results, d / "index.html", baseline=baseline).as_uri()


class PageEvents:
    """Console errors, page errors and dialogs seen while the page was open."""

    def __init__(self, page: sync_api.Page) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", self._dialog)

    def _dialog(self, dialog: sync_api.Dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def page(
    browser_context: sync_api.BrowserContext, report_url: str
) -> Iterator[tuple[sync_api.Page, PageEvents]]:
    pg = browser_context.new_page()
    events = PageEvents(pg)
    pg.goto(report_url)
    pg.wait_for_load_state("load")
    yield pg, events
    assert events.errors == [], f"console errors: {events.errors}"
    assert events.dialogs == [], f"a dialog fired (script injection?): {events.dialogs}"
    pg.close()


def visible_divergence_props(pg: sync_api.Page) -> list[str]:
    return pg.eval_on_selector_all(
        "article.div:not([hidden])",
        "els => els.map(e => e.querySelector('.div-head code + code').textContent)",
    )


def test_loads_and_renders_matrix_and_divergences(page) -> None:
    pg, _ = page
    assert pg.locator("#matrix-op table.matrix").is_visible()
    assert pg.locator("#matrix-op td.cell.st-diverged").count() > 0
    assert pg.locator("article.div").first.is_visible()
    assert pg.locator("article.div .obs tr.differs").count() > 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SCREENSHOTS / "report.png"))
    pg.locator("article.div").first.screenshot(path=str(SCREENSHOTS / "divergence.png"))


def test_hostile_strings_stay_inert_text(page) -> None:
    pg, events = page
    assert pg.locator("script").count() == 2
    assert pg.locator("img").count() == 0
    assert pg.get_by_text(XSS, exact=True).first.is_visible()  # ledger reason shown literally
    assert pg.locator("#matrix-op th.op code", has_text=HOSTILE_OP).count() == 1
    assert pg.locator("code", has_text="Float but found Double <script>").count() > 0
    assert events.dialogs == []


def test_filters_change_what_is_visible(page) -> None:
    pg, _ = page
    total = pg.locator("article.div").count()
    pg.select_option("#f-property", "gradient")
    props = visible_divergence_props(pg)
    assert 0 < len(props) < total and set(props) == {"gradient"}
    assert pg.locator("#matrix-op th[data-property='forward_value']").is_hidden()
    assert "showing" in pg.locator("#f-count").text_content()

    pg.select_option("#f-property", "")
    pg.select_option("#f-status", "known")
    known = pg.locator("article.div.st-known:not([hidden])").count()
    assert known == pg.locator("article.div:not([hidden])").count() > 0

    pg.click("#f-reset")
    assert pg.locator("article.div:not([hidden])").count() == total
    pg.fill("#f-search", "no such thing anywhere 1234")
    assert pg.locator("article.div:not([hidden])").count() == 0
    assert pg.locator("#div-none").is_visible()
    pg.fill("#f-search", "alert(1)")
    assert pg.locator("article.div:not([hidden])").count() >= 1

    pg.click("#f-reset")
    pg.select_option("#f-op", HOSTILE_OP)
    ops = pg.eval_on_selector_all("article.div:not([hidden]) .where-op", "els => els.map(e => e.textContent)")
    assert ops and set(ops) == {HOSTILE_OP}


def test_dtype_toggle_and_cell_click_jumps_to_divergence(page) -> None:
    pg, _ = page
    assert pg.locator("#matrix-dtype").is_hidden()
    pg.check("#by-dtype")
    assert pg.locator("#matrix-dtype").is_visible() and pg.locator("#matrix-op").is_hidden()
    cell = pg.locator("#matrix-dtype td.cell.st-diverged a.jump").first
    op, prop, dtype = (cell.get_attribute(a) for a in ("data-op", "data-property", "data-dtype"))
    cell.click()
    anchor = pg.evaluate("location.hash").lstrip("#")
    target = pg.locator(f"article[id='{anchor}']")
    assert target.is_visible()
    assert target.locator(".where-op").text_content() == op
    assert pg.input_value("#f-property") == prop and pg.input_value("#f-dtype") == dtype
    assert set(visible_divergence_props(pg)) == {prop}


def test_long_text_expands_and_copy_button(page, browser_context) -> None:
    pg, _ = page
    details = pg.locator("details", has_text=LONG_MESSAGE[:40]).first
    details.scroll_into_view_if_needed()
    assert not details.locator(".full").is_visible()
    details.locator("summary").click()
    assert details.locator(".full").is_visible()

    button = pg.locator("article.div button.copy").first
    button.click()
    pg.wait_for_function("b => b.textContent !== 'Copy'", arg=button.element_handle())
    assert button.text_content() == "Copied"
    script = pg.locator("article.div pre code").first.text_content()
    assert script.startswith("import torch") and pg.evaluate("navigator.clipboard.readText()") == script


@pytest.mark.skipif(
    not os.environ.get("REPORT_DOCS_SCREENSHOT"), reason="set REPORT_DOCS_SCREENSHOT=1 to refresh"
)
def test_refresh_docs_screenshot(browser_context, tmp_path: Path) -> None:
    write_json(tmp_path / "benchmarks.json", make_benchmarks())
    src = write_json(tmp_path / "results.json", make_results(seed=11, hostile=False))
    old = write_json(tmp_path / "old.json", make_results(seed=12, hostile=False))
    pg = browser_context.new_page()
    pg.set_viewport_size({"width": 1400, "height": 1500})
    pg.goto(report.render(src, tmp_path / "index.html", baseline=old).as_uri())
    (ROOT / "docs").mkdir(exist_ok=True)
    pg.screenshot(path=str(ROOT / "docs" / "report-screenshot.png"))
    pg.close()
