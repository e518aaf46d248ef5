"""Every state each customer, account and bill has had, oldest first (`GET /_sandbox/versions`).

`ObjectTable` writes a version with every insert and update, in the same transaction, so the history can
never disagree with the objects. A ledger imports it to know when each change happened.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

__all__ = ["Version", "Versions"]


@dataclass(frozen=True, slots=True)
class Version:
    seq: int
    kind: str
    id: str
    #: Sandbox-clock seconds when this state began.
    at: float
    #: The object as it was, as stored JSON text.
    object: str


class Versions:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def add(self, kind: str, object_id: str, *, at: float, text: str) -> None:
        self._connection.execute(
            "INSERT INTO versions (kind, id, at, object) VALUES (?, ?, ?, ?)",
            (kind, object_id, at, text),
        )

    def list(
        self, *, limit: int, after_seq: int | None, kind: str | None, since: float | None
    ) -> tuple[list[Version], bool]:
        """Up to `limit` versions after `after_seq`, oldest first, and whether more follow."""
        where: list[str] = ["seq > ?"]
        values: list[int | float | str] = [after_seq or 0]
        if kind is not None:
            where.append("kind = ?")
            values.append(kind)
        if since is not None:
            where.append("at >= ?")
            values.append(since)
        rows = self._connection.execute(
            f"SELECT seq, kind, id, at, object FROM versions WHERE {' AND '.join(where)}"
            " ORDER BY seq LIMIT ?",
            (*values, limit + 1),
        ).fetchall()
        return [Version(*row) for row in rows[:limit]], len(rows) > limit
