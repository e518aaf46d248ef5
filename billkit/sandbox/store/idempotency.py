"""Stored first responses for Idempotency-Key replays (contract §2)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

__all__ = ["IdempotencyRecords", "Scope", "StoredResponse"]


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose key, on which method and path: the same key elsewhere is a different request."""

    owner: str
    method: str
    path: str
    key: str


@dataclass(frozen=True, slots=True)
class StoredResponse:
    fingerprint: str
    status: int
    body: str
    created_at: float


class IdempotencyRecords:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def get(self, scope: Scope, *, not_before: float) -> StoredResponse | None:
        """The stored response, unless it was stored before `not_before` (then it has expired)."""
        row = self._connection.execute(
            "SELECT fingerprint, status, body, created_at FROM idempotency "
            "WHERE owner = ? AND method = ? AND path = ? AND key = ?",
            (scope.owner, scope.method, scope.path, scope.key),
        ).fetchone()
        if row is None or row[3] < not_before:
            return None
        return StoredResponse(*row)

    def put(self, scope: Scope, response: StoredResponse) -> None:
        """Store (or, once the old one expired, replace) the response for `scope`."""
        self._connection.execute(
            "INSERT OR REPLACE INTO idempotency "
            "(owner, method, path, key, fingerprint, status, body, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                scope.owner,
                scope.method,
                scope.path,
                scope.key,
                response.fingerprint,
                response.status,
                response.body,
                response.created_at,
            ),
        )

    def purge(self, *, before: float) -> int:
        """Forget responses stored before `before`; returns how many."""
        cursor = self._connection.execute("DELETE FROM idempotency WHERE created_at < ?", (before,))
        return cursor.rowcount
