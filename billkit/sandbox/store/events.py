"""Payments and events: what a payment leaves behind besides the changed obligation."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from billkit.sandbox.store.objects import dumps, loads
from billkit.sandbox.store.paging import Page, paginate

__all__ = ["EventLog"]


class EventLog:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def add_payment(self, payment: Mapping[str, Any], *, created_at: float) -> None:
        """`created_at`: sandbox clock seconds, which the reports find a day's payments by."""
        self._connection.execute(
            "INSERT INTO payments (id, object, created_at) VALUES (?, ?, ?)",
            (payment["id"], dumps(payment), created_at),
        )

    def add_event(self, event: Mapping[str, Any], *, created_at: float) -> None:
        self._connection.execute(
            "INSERT INTO events (id, type, created_at, object) VALUES (?, ?, ?, ?)",
            (event["id"], event["type"], created_at, dumps(event)),
        )

    def event(self, event_id: str) -> dict[str, Any] | None:
        row = self._connection.execute(
            "SELECT object FROM events WHERE id = ?", (event_id,)
        ).fetchone()
        return None if row is None else loads(row[0])

    def events(self, *, limit: int, starting_after: str | None) -> Page:
        return paginate(self._connection, "events", limit=limit, starting_after=starting_after)
