"""Browser fixtures: one real sandbox server and one headless Debian Chromium driven by Playwright.

Playwright's own browser downloads are never used: Chromium is the system's `/usr/bin/chromium`. Tests
here are marked `browser`; they are skipped, saying why, when that binary is missing.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from browser_helpers import CHROMIUM, LAUNCH_ARGS
from playwright.sync_api import Browser, Page, sync_playwright

from billkit.sandbox import Sandbox


@pytest.fixture(
    scope="module"
)  # Playwright runs an event loop while started: end it with the module
def browser() -> Iterator[Browser]:
    if shutil.which(CHROMIUM) is None:
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def browser_sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 480, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()
