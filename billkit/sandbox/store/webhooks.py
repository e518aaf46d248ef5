"""The one webhook endpoint (Moment registers one per merchant) and what happens to owed deliveries when it
is replaced (they follow the new endpoint) or deleted (they are cancelled)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

__all__ = ["WebhookEndpoints"]


class WebhookEndpoints:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def current(self) -> dict[str, Any] | None:
        """`{"id", "url", "chaos"?}` of the registered endpoint, or None. The secret is kept in meta."""
        row = self._connection.execute(
            "SELECT id, url, chaos FROM webhook_endpoints ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        endpoint: dict[str, Any] = {"id": row[0], "url": row[1]}
        if row[2] is not None:
            endpoint["chaos"] = json.loads(row[2])
        return endpoint

    def replace(
        self, endpoint_id: str, url: str, chaos: Mapping[str, Any] | None, *, now: float
    ) -> None:
        """Register `url` in place of any endpoint; pending deliveries move to the new one."""
        previous = self.current()
        self._connection.execute("DELETE FROM webhook_endpoints")
        self._connection.execute(
            "INSERT INTO webhook_endpoints (id, url, chaos, created_at) VALUES (?, ?, ?, ?)",
            (endpoint_id, url, None if chaos is None else json.dumps(chaos), now),
        )
        if previous is not None:
            self._connection.execute(
                "UPDATE outbox SET endpoint_id = ? WHERE endpoint_id = ? AND status = 'pending'",
                (endpoint_id, previous["id"]),
            )

    def delete(self, endpoint_id: str) -> bool:
        """Remove the endpoint and cancel what was still owed to it; False if there was no such endpoint."""
        cursor = self._connection.execute(
            "DELETE FROM webhook_endpoints WHERE id = ?", (endpoint_id,)
        )
        if cursor.rowcount == 0:
            return False
        self._connection.execute(
            "UPDATE outbox SET status = 'cancelled' WHERE endpoint_id = ? AND status = 'pending'",
            (endpoint_id,),
        )
        return True
