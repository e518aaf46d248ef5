"""Single values the sandbox keeps between runs: the generated API key, the webhook secret, the clock offset."""

from __future__ import annotations

import sqlite3

__all__ = ["API_KEY", "CLOCK_OFFSET", "WEBHOOK_SECRET", "Meta"]

API_KEY = "api_key"
WEBHOOK_SECRET = "webhook_secret"
CLOCK_OFFSET = "clock_offset"


class Meta:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def get(self, name: str) -> str | None:
        row = self._connection.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set(self, name: str, value: str) -> None:
        self._connection.execute(
            "INSERT INTO meta (name, value) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )
