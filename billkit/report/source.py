"""Where a report's data comes from: a sandbox (the embedded one, filled with a demo month), a ledger file or a
PostgreSQL ledger (a `postgresql://` URL).

Moment has no list endpoints, so a report always reads a `billkit.Ledger`. For the sandbox the ledger is
built here, in memory (a run writes no file), by importing everything the sandbox lists, stamped with the
sandbox clock's time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from billkit.client import Client
from billkit.demo import DEMO_MONTH, DemoSummary, populate
from billkit.demo import sandbox as demo_sandbox
from billkit.ledger import Ledger, is_postgres_url, shown
from billkit.notebook.runner.parameters import reveal
from billkit.notebook.specs import PaymentsReportParameters

__all__ = ["ReportData", "load_source"]


@dataclass(frozen=True)
class ReportData:
    """A ledger to report on, what it holds in words, and the last day it has data for (if known)."""

    ledger: Ledger
    description: str
    last_day: date | None
    demo: DemoSummary | None = None


def load_source(params: PaymentsReportParameters) -> ReportData:
    """The report's ledger per `params.source`; a sandbox is imported into a new in-memory ledger."""
    if is_postgres_url(params.source):
        return ReportData(
            Ledger(params.source), f"the PostgreSQL ledger {shown(params.source)}", None
        )
    if params.source != "sandbox":
        path = Path(params.source)
        if (
            not path.is_file()
        ):  # checked again here: the file may have gone since the parameters were
            raise FileNotFoundError(f"source {params.source!r}: no ledger file there")
        return ReportData(Ledger(path), f"the ledger file {path.name}", None)
    ledger_path = ":memory:"  # a fresh ledger per run, and nothing left behind
    if params.base_url is not None:
        with Client(api_key=reveal(params.api_key), base_url=params.base_url) as client:
            return _import(
                client, Ledger(ledger_path), f"the billkit sandbox at {params.base_url}", None
            )
    with demo_sandbox(api_key=reveal(params.api_key)) as sandbox, sandbox.client() as client:
        demo = populate(client, month=DEMO_MONTH, seed=params.demo_seed)
        return _import(
            client,
            Ledger(ledger_path),
            f"an embedded sandbox holding the demo month {demo.month} (seed {params.demo_seed})",
            demo,
        )


def _import(
    client: Client, ledger: Ledger, description: str, demo: DemoSummary | None
) -> ReportData:
    now = client.sandbox.clock.now()
    ledger.import_sandbox(client, observed_at=now)
    return ReportData(ledger, description, demo.last_day if demo else now.date(), demo)
