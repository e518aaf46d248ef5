"""What the browser tests and the screenshot script share: how Chromium is launched, and a small API
client for setting up bills and reading them back."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from billkit.sandbox import Sandbox

__all__ = [
    "CHROMIUM",
    "LAUNCH_ARGS",
    "LAYOUT_PROBE",
    "PAGE_WIDTH",
    "SandboxApi",
    "demo_ledger",
    "free_port",
    "running_dashboard",
]

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


def demo_ledger(path: Path, *, seed: int = 7, customers: int = 12) -> date:
    """A ledger file of a demo month imported from an embedded sandbox; returns the month's last day."""
    from billkit.demo import populate
    from billkit.ledger import Ledger

    with Sandbox() as sandbox, sandbox.client() as client, Ledger(path) as ledger:
        summary = populate(client, seed=seed, customers=customers)
        ledger.import_sandbox(client, observed_at=client.sandbox.clock.now())
    return summary.last_day


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def running_dashboard(ledger: Path, *, startup_seconds: float = 120.0) -> Iterator[str]:
    """`billkit dashboard` on `ledger` in its own process group, until its page answers; yields its URL."""
    port = free_port()
    command = [sys.executable, "-m", "billkit.cli", "dashboard", "--source", str(ledger)]
    server = subprocess.Popen(
        [*command, "--port", str(port)],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + startup_seconds
        while True:  # wait for the condition itself: the server accepting connections
            if server.poll() is not None:
                raise RuntimeError(f"billkit dashboard exited with {server.returncode}")
            try:
                # Not a GET of the page: each one runs the notebook in a kernel of its own.
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the dashboard did not listen on {url}")
            time.sleep(0.25)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
