"""Billing files received over SFTP and the result of each of their rows (contract §9).

Each processing of a file is one entry (the same name uploaded again is processed again, and listed
again); `GET /_sandbox/files/{name}` shows the latest one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

__all__ = ["FILE_STATUSES", "BillFiles", "ResultRow"]

#: `processing` while its rows are applied, then `processed`, or `rejected` when refused whole.
FILE_STATUSES = ("processing", "processed", "rejected")
#: row, external_reference, bill_reference, status, customer_id, bill_id, errors
ResultRow = tuple[int, str, str, str, str, str, str]
_COUNTS = ("created", "updated", "unchanged", "rejected")
_SUMMARY = "seq, name, received_at, status, created, updated, unchanged, rejected"


class BillFiles:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def start(self, name: str, *, received_at: str) -> int:
        """A new entry for a file about to be processed; returns its number."""
        cursor = self._connection.execute(
            "INSERT INTO bill_files (name, received_at, status) VALUES (?, ?, 'processing')",
            (name, received_at),
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def add_results(self, seq: int, rows: Iterable[ResultRow]) -> None:
        self._connection.executemany(
            "INSERT INTO bill_file_rows (file_seq, row, external_reference, bill_reference, status, "
            "customer_id, bill_id, errors) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ((seq, *row) for row in rows),
        )

    def finish(self, seq: int, *, status: str, counts: dict[str, int]) -> None:
        self._connection.execute(
            "UPDATE bill_files SET status = ?, created = ?, updated = ?, unchanged = ?, "
            "rejected = ? WHERE seq = ?",
            (status, *(counts.get(name, 0) for name in _COUNTS), seq),
        )

    def list(self, *, limit: int, before: int | None) -> tuple[list[dict[str, Any]], bool]:
        """Entries newest first, `before` an entry's number; and whether more follow."""
        rows = self._connection.execute(
            f"SELECT {_SUMMARY} FROM bill_files WHERE seq < ? ORDER BY seq DESC LIMIT ?",
            (before if before is not None else 2**63 - 1, limit + 1),
        ).fetchall()
        return [_summary(row) for row in rows[:limit]], len(rows) > limit

    def latest(self, name: str) -> dict[str, Any] | None:
        """The latest entry for `name`, with its result rows."""
        row = self._connection.execute(
            f"SELECT {_SUMMARY} FROM bill_files WHERE name = ? ORDER BY seq DESC LIMIT 1", (name,)
        ).fetchone()
        if row is None:
            return None
        summary = _summary(row)
        results = self._connection.execute(
            "SELECT row, external_reference, bill_reference, status, customer_id, bill_id, errors "
            "FROM bill_file_rows WHERE file_seq = ? ORDER BY row",
            (row[0],),
        ).fetchall()
        columns = ("row", "external_reference", "bill_reference", "status")
        summary["results"] = [
            {
                **dict(zip(columns, result[:4], strict=True)),
                "customer_id": result[4] or None,
                "bill_id": result[5] or None,
                "errors": result[6] or None,
            }
            for result in results
        ]
        return summary


def _summary(row: tuple[Any, ...]) -> dict[str, Any]:
    return {
        "id": row[0],
        "name": row[1],
        "received_at": row[2],
        "status": row[3],
        "rows": dict(zip(_COUNTS, row[4:8], strict=True)),
    }
