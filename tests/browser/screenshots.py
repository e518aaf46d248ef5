"""Write the README's screenshots of the hosted bill page and its receipt, from a real sandbox and the
system's headless Chromium:

    .venv/bin/python tests/browser/screenshots.py [OUTPUT_DIR]     # default: docs/screenshots
"""

from __future__ import annotations

import sys
from pathlib import Path

from browser_helpers import CHROMIUM, LAUNCH_ARGS, SandboxApi
from playwright.sync_api import expect, sync_playwright

from billkit.sandbox import Sandbox

DEFAULT_OUTPUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
BILL_PAGE = "bill-page.png"
RECEIPT = "receipt.png"


def take(output: Path) -> list[Path]:
    output.mkdir(parents=True, exist_ok=True)
    with Sandbox() as sandbox, sync_playwright() as playwright:
        api = SandboxApi(sandbox)
        try:
            bill = api.bill(name="Thandi Nkosi", amount_due=123450, due_date="2025-02-28")
        finally:
            api.close()
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 520, "height": 760}, device_scale_factor=2)
            page.goto(f"{sandbox.base_url}/pay/{bill['id']}?utm_source=newsletter")
            page.fill("#amount", "500.00")
            page.screenshot(path=output / BILL_PAGE, full_page=True)
            page.click("button[type=submit]")
            expect(page.get_by_role("heading", name="Payment received")).to_be_visible()
            page.screenshot(path=output / RECEIPT, full_page=True)
        finally:
            browser.close()
    return [output / BILL_PAGE, output / RECEIPT]


if __name__ == "__main__":
    for written in take(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUTPUT):
        print(written)
