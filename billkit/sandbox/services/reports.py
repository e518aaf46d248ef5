"""Writing Moment's reconciliation and settlement reports (contract §10), on the sandbox clock.

When the clock passes the end of a day (UTC) that held applied payments, that day's reconciliation report
is written; when it passes the end of the following day, its settlement report. `write_due` is the one
place that decides what is due: the clock route calls it when the clock is moved (so the reports are there
when `POST /_sandbox/clock` answers) and `report_service` calls it on the event loop as wall time passes
day boundaries. `write_day` writes a past day's two reports on demand.

Each report is written once: its record (name, uuid, bytes) is kept in the store in one transaction, and
asking again finds it. When SFTP is served it is then filed into `/outbound/reports/`, written under a
temporary name outside the visible tree and renamed in, so a listing never shows half a file; reports
written while SFTP was off are filed when it starts.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from billkit.sandbox.domain.errors import RuleViolation
from billkit.sandbox.domain.reports import (
    ReconciliationRow,
    ReportKind,
    reconciliation_row,
    render_report,
    report_name,
    settlement_rows,
)
from billkit.sandbox.store import Store
from billkit.sandbox.store.reports import DAY_SECONDS, StoredReport

if TYPE_CHECKING:
    from billkit.sandbox.runtime import Runtime

__all__ = [
    "KINDS",
    "ReportFolder",
    "ReportWriter",
    "day_number",
    "report_service",
]

KINDS: tuple[ReportKind, ...] = ("reconciliation", "settlement")
#: The first day (Unix seconds // 86400) that may still be owed a report; every earlier one has both.
_CHECKED_FROM = "reports_checked_from"
_EPOCH = date(1970, 1, 1)
#: Reports the background service writes between two turns of the event loop.
BATCH = 8
#: The background service looks at least this often (wall seconds), in case the wall clock jumps.
_LONGEST_NAP = 60.0
_RECOVERY_PAUSE = 5.0

logger = logging.getLogger("billkit.sandbox")


def day_number(timestamp: float) -> int:
    return int(timestamp // DAY_SECONDS)


def day_date(day: int) -> date:
    return _EPOCH + timedelta(days=day)


@dataclass(frozen=True)
class ReportFolder:
    """Where reports are filed: `/outbound/reports/` of the SFTP tree, and a staging folder outside it
    on the same disk to write them in first."""

    reports: Path
    staging: Path

    def file(self, report: StoredReport) -> None:
        partial = self.staging / f"{report.name}.{report.uuid}.part"
        try:
            partial.write_bytes(report.content)
            os.replace(partial, self.reports / report.name)
        finally:
            partial.unlink(missing_ok=True)


class ReportWriter:
    """The reports of one sandbox: its merchant alias, fee and, when SFTP is served, its folder."""

    def __init__(self, store: Store, *, merchant: str, fee_percent: Decimal) -> None:
        self._store = store
        self._merchant = merchant
        self._fee_percent = fee_percent
        self.folder: ReportFolder | None = None

    # -- what is due, and on demand ----------------------------------------------------------

    def write_due(self, now: float, *, limit: int | None = None) -> bool:
        """Write the reports due at `now` (inside the caller's transaction), at most `limit` of them;
        True if more are still due. Only days holding applied payments are looked at, from the first
        that may still be owed one, so the work is that of the reports written."""
        today = day_number(now)
        meta = self._store.meta
        checked_from = int(meta.get(_CHECKED_FROM) or 0)
        days = self._store.reports.payment_days(checked_from * DAY_SECONDS, today * DAY_SECONDS)
        written = self._store.reports.written_since(day_date(checked_from).isoformat())
        due = [
            (kind, day)
            for day in days
            for kind in KINDS
            if (kind == "reconciliation" or day + 1 < today)
            and (kind, day_date(day).isoformat()) not in written
        ]
        for kind, day in due[:limit]:
            self._write(kind, day_date(day), now)
        if limit is not None and len(due) > limit:
            (_, first_left) = due[limit]
            meta.set(_CHECKED_FROM, str(first_left))
            return True
        # Yesterday may still be owed its settlement; payments only ever land on today or later.
        meta.set(_CHECKED_FROM, str(max(checked_from, today - 1)))
        return False

    def write_day(self, period: date, now: float) -> list[StoredReport]:
        """Both reports of `period`, written now if they were not before (inside the caller's
        transaction). The day must have ended: until then its payments are not all in."""
        if period >= day_date(day_number(now)):
            raise RuleViolation(
                f"{period.isoformat()} has not ended on the sandbox clock yet: a day's reports "
                "are written once all its payments are in",
                code="report_day_not_ended",
                field="date",
            )
        return [
            self._store.reports.find(kind, period.isoformat()) or self._write(kind, period, now)
            for kind in KINDS
        ]

    # -- filing into SFTP --------------------------------------------------------------------

    def file_pending(self, *, limit: int | None = None) -> bool:
        """Put reports not yet in the SFTP folder there (each in its own transaction); True if more
        wait. Does nothing without SFTP: they are filed when it starts."""
        if self.folder is None:
            return False
        batch = self._store.reports.unfiled(limit=-1 if limit is None else limit + 1)
        for report in batch[:limit]:
            try:
                self.folder.file(report)
            except OSError as exc:  # a full disk, say: it stays unfiled, for the writer's next turn
                logger.warning("report %s could not be filed into SFTP: %s", report.name, exc)
                return False
            with self._store.transaction():
                self._store.reports.mark_filed(report.name)
        return limit is not None and len(batch) > limit

    def file_written(self) -> None:
        """After a request that wrote reports has committed: file them now (any left, later)."""
        self.file_pending()

    # -- one report --------------------------------------------------------------------------

    def _write(self, kind: ReportKind, period: date, now: float) -> StoredReport:
        start = (period - _EPOCH).days * DAY_SECONDS
        payments = self._store.reports.applied_payments(start, start + DAY_SECONDS)
        recon = [self._row(payment) for payment in payments]
        table = (
            [row.cells() for row in recon]
            if kind == "reconciliation"
            else settlement_rows(period, recon)
        )
        content = render_report(kind, merchant=self._merchant, period=period, rows=table)
        generated_on = day_date(day_number(now))
        report_id = str(uuid.uuid4())
        report = StoredReport(
            kind=kind,
            period=period.isoformat(),
            generated_on=generated_on.isoformat(),
            uuid=report_id,
            name=report_name(kind, generated_on=generated_on, uuid=report_id, period=period),
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            rows=len(table),
            written_at=now,
        )
        self._store.reports.add(report)
        logger.info("report %s written (%d rows)", report.name, report.rows)
        return report

    def _row(self, payment: dict[str, Any]) -> ReconciliationRow:
        obligation = payment["obligation"]
        paid = self._store.objects(obligation["type"]).find(obligation["id"]) or {}
        if obligation["type"] == "customer":
            customer = paid
        else:
            customer = self._store.customers.find(paid.get("customer_id", "")) or {}
        return reconciliation_row(
            payment,
            merchant_reference_id=paid.get("external_reference", ""),
            customer_reference=customer.get("external_reference", ""),
            fee_percent=self._fee_percent,
        )


@asynccontextmanager
async def report_service(runtime: Runtime) -> AsyncIterator[None]:
    """Write reports as wall time carries the sandbox clock past day boundaries, and file those written
    before SFTP started: a background task on the sandbox's event loop, a few reports per turn."""
    task = asyncio.create_task(_run(runtime), name="billkit-sandbox-reports")
    try:
        yield
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _run(runtime: Runtime) -> None:
    writer = runtime.reports
    while True:
        try:
            more = writer.file_pending(limit=BATCH)
            if not more:
                with runtime.store.transaction():
                    more = writer.write_due(runtime.clock.timestamp(), limit=BATCH)
                more = writer.file_pending(limit=BATCH) or more
            nap = 0.0 if more else _until_midnight(runtime.clock.timestamp())
        except Exception:  # a full disk, say: try again later rather than stop for good
            logger.exception("reports could not be written; trying again shortly")
            nap = _RECOVERY_PAUSE
        if nap == 0.0:
            await asyncio.sleep(0)  # let requests in between batches
        else:
            await runtime.clock_signal.wait(nap)


def _until_midnight(now: float) -> float:
    """Wall seconds until the sandbox clock's next day begins (capped, so a jumping wall clock is caught)."""
    return min(DAY_SECONDS - now % DAY_SECONDS + 0.001, _LONGEST_NAP)
