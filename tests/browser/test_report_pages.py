"""The payments report and the dashboard as an analyst sees them: headless Chromium at 1280 px, no horizontal
overflow, no table wider than the page, every chart drawn; the dashboard's controls redraw in place."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from browser_helpers import LAYOUT_PROBE, PAGE_WIDTH, demo_ledger, running_dashboard
from demo_report import DemoReport
from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, date]:
    path = tmp_path_factory.mktemp("pages") / "ledger.sqlite"
    return path, demo_ledger(path)


@pytest.fixture
def report_html(demo_report: DemoReport) -> Path:
    """`billkit report`'s page of the demo month (its run is shared with the report tests)."""
    assert demo_report.code == 0
    return demo_report.html


@pytest.fixture
def wide_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": PAGE_WIDTH, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def assert_fits_and_draws(page: Page, *, charts: int) -> None:
    layout = page.evaluate(LAYOUT_PROBE)
    assert layout["scrollWidth"] <= PAGE_WIDTH, "no horizontal scrolling at 1280 px"
    assert layout["widestTable"] <= PAGE_WIDTH, "no table wider than the page"
    assert layout["tables"] > 0
    assert layout["charts"] == charts
    assert layout["drawn"] == charts, "every chart drew its traces"


def test_report_fits_1280_px_and_draws_every_chart(report_html: Path, wide_page: Page) -> None:
    wide_page.goto(report_html.as_uri())
    wide_page.wait_for_selector(".plotly-graph-div .main-svg .trace")
    assert_fits_and_draws(wide_page, charts=6)
    captions = wide_page.locator("caption").all_inner_texts()
    assert "Aged receivables summary: ZAR" in captions
    assert (
        any(text.startswith("Exceptions") for text in captions)
        or wide_page.get_by_text("No exception").count()
    )


@pytest.mark.slow
def test_dashboard_redraws_in_place_and_fits(ledger: tuple[Path, date], wide_page: Page) -> None:
    path, _ = ledger
    with running_dashboard(path) as url:
        wide_page.goto(url, timeout=120_000)
        wide_page.wait_for_selector(".billkit-table", timeout=120_000)
        wide_page.wait_for_selector(".jp-RenderedPlotly .main-svg .trace", timeout=60_000)
        assert_fits_and_draws(wide_page, charts=2)
        captions = wide_page.locator("caption").all_inner_texts()
        assert "Headline figures: USD" in captions
        assert "Headline figures: ZAR" in captions
        wide_page.get_by_label("Currency").select_option("ZAR")
        wide_page.wait_for_function(
            "![...document.querySelectorAll('caption')].some(c => c.innerText.endsWith('USD'))",
            timeout=60_000,
        )
        assert "Headline figures: ZAR" in wide_page.locator("caption").all_inner_texts()
        assert_fits_and_draws(wide_page, charts=2)
