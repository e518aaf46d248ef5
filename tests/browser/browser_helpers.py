"""What the browser tests and the screenshot script share: how Chromium is launched, and a small API
client for setting up bills and reading them back."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from billkit.sandbox import Sandbox

__all__ = ["CHROMIUM", "LAUNCH_ARGS", "SandboxApi"]

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


class SandboxApi:
    """httpx with the sandbox's key and a fresh Idempotency-Key on every POST."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.http = httpx.Client(
            base_url=sandbox.base_url,
            headers={"Authorization": f"Bearer {sandbox.api_key}"},
            timeout=10,
        )

    def create(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(path, json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
        response.raise_for_status()
        created: dict[str, Any] = response.json()
        return created

    def get(self, path: str) -> dict[str, Any]:
        response = self.http.get(path)
        response.raise_for_status()
        found: dict[str, Any] = response.json()
        return found

    def bill(self, *, name: str, amount_due: int, due_date: str = "2025-02-20") -> dict[str, Any]:
        reference = f"INV-{uuid.uuid4().hex[:8].upper()}"
        return self.create(
            "/billing/bills",
            {
                "external_reference": reference,
                "currency": "ZAR",
                "amount_due": amount_due,
                "due_date": due_date,
                "customer": {
                    "external_reference": f"CUS-{uuid.uuid4().hex[:8].upper()}",
                    "name": name,
                    "currency": "ZAR",
                },
            },
        )

    def close(self) -> None:
        self.http.close()


#: The width the report and the dashboard must fit: a common laptop browser window.
PAGE_WIDTH = 1280

#: JavaScript returning what a reader would see overflow: the page's width, the widest table, and for each
#: plotly chart whether it drew its plot (an SVG with a plotted area).
LAYOUT_PROBE = """() => {
  const tables = [...document.querySelectorAll('table')];
  // A report's charts are .plotly-graph-div; in JupyterLab and Voila, plotly's renderer draws .jp-RenderedPlotly.
  const charts = [...document.querySelectorAll('.plotly-graph-div, .jp-RenderedPlotly')];
  return {
    scrollWidth: document.documentElement.scrollWidth,
    widestTable: Math.max(0, ...tables.map(t => t.getBoundingClientRect().right)),
    tables: tables.length,
    charts: charts.length,
    drawn: charts.filter(c => c.querySelector('svg.main-svg .trace') !== null).length,
  };
}"""
