"""Write the README's screenshots of the payments report and the dashboard at 1280 px, from a demo ledger,
`billkit report`, `billkit dashboard` and the system's headless Chromium:

    .venv/bin/python tests/browser/report_screenshots.py [OUTPUT_DIR]     # default: docs/screenshots
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from browser_helpers import CHROMIUM, LAUNCH_ARGS, PAGE_WIDTH, demo_ledger, running_dashboard
from playwright.sync_api import sync_playwright

from billkit.cli import main

DEFAULT_OUTPUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
REPORT = "report.png"
WORKLIST = "report-worklist.png"
DASHBOARD = "dashboard.png"
_HEIGHT = 1800


def take(output: Path) -> list[Path]:
    output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work, sync_playwright() as playwright:
        ledger = Path(work) / "ledger.sqlite"
        last_day = demo_ledger(ledger, customers=40)
        reports = Path(work) / "reports"
        main(["report", "--source", str(ledger), "--as-of", str(last_day), "--out", str(reports)])
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": PAGE_WIDTH, "height": _HEIGHT})
            page.goto((reports / "payments_report.html").as_uri())
            page.wait_for_selector(".plotly-graph-div .main-svg .trace")
            page.screenshot(path=output / REPORT)
            page.locator("h3", has_text="Worklist").scroll_into_view_if_needed()
            page.screenshot(path=output / WORKLIST)
            with running_dashboard(ledger) as url:
                page.goto(url, timeout=120_000)
                page.wait_for_selector(".jp-RenderedPlotly .main-svg .trace", timeout=120_000)
                page.screenshot(path=output / DASHBOARD)
        finally:
            browser.close()
    return [output / name for name in (REPORT, WORKLIST, DASHBOARD)]


if __name__ == "__main__":
    for written in take(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT):
        print(written)
