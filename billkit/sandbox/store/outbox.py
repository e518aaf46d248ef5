"""The webhook outbox, its one writer: owed deliveries, due deliveries, attempts, outcomes.

A row in `outbox` is one delivery series of one event to the endpoint: written with its event (origin
`event`), by a redelivery (`redeliver`) or by chaos (`copy`). It stays `pending` until an attempt gets a 2xx
(`delivered`) or the retry schedule runs out (`failed`). The worker's claim on a row lives only in its memory,
never in the table, so a row whose attempt a crash interrupted is simply due again when the sandbox restarts.
Every attempt is logged in `webhook_attempts`, which `GET /_sandbox/events/{evt}/deliveries` lists.

All methods run inside the caller's transaction (or, for reads, outside any), on the event loop's thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

from billkit.sandbox.clock import iso_utc

__all__ = ["Attempt", "DueDelivery", "Origin", "Outbox"]

Origin = Literal["event", "redeliver", "copy"]


@dataclass(frozen=True, slots=True)
class DueDelivery:
    seq: int
    event_id: str
    #: Attempts already made in this series.
    attempts: int
    origin: Origin
    chaos_rolled: bool
    #: The event exactly as stored: the body of every attempt, byte for byte.
    body: bytes


@dataclass(frozen=True, slots=True)
class Attempt:
    """One POST to the endpoint and how it went."""

    webhook_id: str
    #: 1 for the first attempt of a series.
    number: int
    #: `webhook-timestamp` as sent: Unix seconds of the wall clock at signing.
    timestamp: int
    #: The receiver's status; None when it never answered (then `error` says why).
    status_code: int | None
    error: str | None
    duration_ms: float

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class Outbox:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        #: Set when a delivery is queued; the store reads and clears it at commit to wake the worker.
        self.written = False

    def due(
        self, endpoint_id: str, *, now: float, skip: Collection[int], limit: int
    ) -> list[DueDelivery]:
        """Up to `limit` pending deliveries due by `now`, oldest due first, leaving out the `skip` rows
        (those the worker is attempting already)."""
        rows = self._connection.execute(
            "SELECT o.seq, o.event_id, o.attempts, o.origin, o.chaos_rolled, e.object"
            " FROM outbox o JOIN events e ON e.id = o.event_id"
            " WHERE o.status = 'pending' AND o.due_at <= ? AND o.endpoint_id = ?"
            " ORDER BY o.due_at, o.seq LIMIT ?",
            (now, endpoint_id, limit + len(skip)),
        ).fetchall()
        return [
            DueDelivery(seq, event_id, attempts, origin, bool(rolled), body.encode())
            for seq, event_id, attempts, origin, rolled, body in rows
            if seq not in skip
        ][:limit]

    def next_due_at(self, endpoint_id: str, *, skip: Collection[int]) -> float | None:
        """When the next pending delivery (not among `skip`) falls due, on the sandbox clock."""
        rows = self._connection.execute(
            "SELECT seq, due_at FROM outbox WHERE status = 'pending' AND endpoint_id = ?"
            " ORDER BY due_at LIMIT ?",
            (endpoint_id, len(skip) + 1),
        ).fetchall()
        return next((due_at for seq, due_at in rows if seq not in skip), None)

    def enqueue(
        self,
        event_id: str,
        endpoint_id: str,
        *,
        origin: Origin,
        now: float,
        chaos_rolled: bool = False,
    ) -> None:
        """A new delivery series of `event_id`, due at once."""
        self.written = True
        self._connection.execute(
            "INSERT INTO outbox (event_id, endpoint_id, due_at, created_at, origin, chaos_rolled)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (event_id, endpoint_id, now, now, origin, int(chaos_rolled)),
        )

    def mark_chaos_rolled(self, seq: int, *, due_at: float) -> None:
        """Chaos was decided for this row; `due_at` holds it back when a delay was drawn."""
        self._connection.execute(
            "UPDATE outbox SET chaos_rolled = 1, due_at = ? WHERE seq = ?", (due_at, seq)
        )

    def record(self, seq: int, event_id: str, attempt: Attempt, *, retry_at: float | None) -> None:
        """Log `attempt` and settle the row: delivered on a 2xx, else due again at `retry_at`, or failed
        when there is no retry left. Nothing is written if the row is gone (a reset while in flight)."""
        if attempt.succeeded:
            status = "delivered"
        else:
            status = "pending" if retry_at is not None else "failed"
        cursor = self._connection.execute(
            "UPDATE outbox SET status = ?, attempts = ?, due_at = coalesce(?, due_at)"
            " WHERE seq = ? AND status = 'pending'",
            (status, attempt.number, None if attempt.succeeded else retry_at, seq),
        )
        if cursor.rowcount == 0:
            return
        self._connection.execute(
            "INSERT INTO webhook_attempts (event_id, outbox_seq, webhook_id, attempt, timestamp,"
            " status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                event_id,
                seq,
                attempt.webhook_id,
                attempt.number,
                attempt.timestamp,
                attempt.status_code,
                attempt.error,
                attempt.duration_ms,
            ),
        )

    def attempts(self, event_id: str) -> list[dict[str, Any]]:
        """Every attempt at delivering `event_id`, in the order made, as the deliveries route shows them."""
        rows = self._connection.execute(
            "SELECT webhook_id, attempt, timestamp, status_code, error, duration_ms"
            " FROM webhook_attempts WHERE event_id = ? ORDER BY seq",
            (event_id,),
        ).fetchall()
        return [
            {
                "webhook_id": webhook_id,
                "attempt": number,
                "timestamp": iso_utc(timestamp),
                "status_code": status_code,
                "error": error,
                "duration_ms": duration_ms,
            }
            for webhook_id, number, timestamp, status_code, error, duration_ms in rows
        ]
