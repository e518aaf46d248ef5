"""Reconciliation and settlement reports the sandbox has written (contract §10), and the payments they
are read from.

A report is kept whole, once per (kind, day): writing a day's report again finds it here and changes
nothing, so its name (with its uuid) and its bytes never change. `filed` records whether it has been put
into the SFTP folder `/outbound/reports/` yet.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from billkit.sandbox.store.objects import loads

__all__ = ["DAY_SECONDS", "Reports", "StoredReport"]

DAY_SECONDS = 86_400
_COLUMNS = "kind, period, generated_on, uuid, name, content, sha256, row_count, written_at"
#: Payments applied to no obligation (an unlinked payment request's) are in no reconciliation report.
_APPLIED = "json_extract(object, '$.obligation.type') != 'payment_request'"


@dataclass(frozen=True, slots=True)
class StoredReport:
    kind: str
    #: The day reported on, YYYY-MM-DD (UTC).
    period: str
    #: The sandbox clock's date when it was written, YYYY-MM-DD.
    generated_on: str
    uuid: str
    name: str
    content: bytes
    sha256: str
    #: Rows of its table (payments, or currencies for a settlement).
    rows: int
    #: Sandbox clock seconds when it was written.
    written_at: float


class Reports:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def add(self, report: StoredReport) -> None:
        self._connection.execute(
            f"INSERT INTO reports ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                report.kind,
                report.period,
                report.generated_on,
                report.uuid,
                report.name,
                report.content,
                report.sha256,
                report.rows,
                report.written_at,
            ),
        )

    def find(self, kind: str, period: str) -> StoredReport | None:
        row = self._connection.execute(
            f"SELECT {_COLUMNS} FROM reports WHERE kind = ? AND period = ?", (kind, period)
        ).fetchone()
        return None if row is None else StoredReport(*row)

    def named(self, name: str) -> StoredReport | None:
        row = self._connection.execute(
            f"SELECT {_COLUMNS} FROM reports WHERE name = ?", (name,)
        ).fetchone()
        return None if row is None else StoredReport(*row)

    def listed(self, *, kind: str | None = None, since: str | None = None) -> list[StoredReport]:
        """Oldest day first, a day's reconciliation before its settlement."""
        rows = self._connection.execute(
            f"SELECT {_COLUMNS} FROM reports WHERE (?1 IS NULL OR kind = ?1) "
            "AND (?2 IS NULL OR period >= ?2) ORDER BY period, kind",
            (kind, since),
        ).fetchall()
        return [StoredReport(*row) for row in rows]

    def written_since(self, period: str) -> set[tuple[str, str]]:
        """(kind, period) of every report of `period` or later."""
        rows = self._connection.execute(
            "SELECT kind, period FROM reports WHERE period >= ?", (period,)
        ).fetchall()
        return {(kind, day) for kind, day in rows}

    def unfiled(self, limit: int) -> list[StoredReport]:
        """Reports not yet in the SFTP folder, oldest first (`limit` -1: all)."""
        rows = self._connection.execute(
            f"SELECT {_COLUMNS} FROM reports WHERE filed = 0 ORDER BY seq LIMIT ?", (limit,)
        ).fetchall()
        return [StoredReport(*row) for row in rows]

    def mark_filed(self, name: str) -> None:
        self._connection.execute("UPDATE reports SET filed = 1 WHERE name = ?", (name,))

    # -- the payments reports are made of ------------------------------------------------------

    def payment_days(self, start: float, end: float) -> list[int]:
        """Days (Unix seconds // 86400) from `start` to before `end` that hold an applied payment."""
        rows = self._connection.execute(
            f"SELECT DISTINCT CAST(created_at / {DAY_SECONDS} AS INTEGER) FROM payments "
            f"WHERE created_at >= ? AND created_at < ? AND {_APPLIED} ORDER BY 1",
            (start, end),
        ).fetchall()
        return [day for (day,) in rows]

    def applied_payments(self, start: float, end: float) -> list[dict[str, Any]]:
        """The applied payments from `start` to before `end`, in the order they were made."""
        rows = self._connection.execute(
            f"SELECT object FROM payments WHERE created_at >= ? AND created_at < ? AND {_APPLIED} "
            "ORDER BY created_at, seq",
            (start, end),
        ).fetchall()
        return [loads(text) for (text,) in rows]
