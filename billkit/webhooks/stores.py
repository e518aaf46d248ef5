"""Where a receiver records events: the `EventStore` protocol and the in-memory store.

A store answers "seen this event id before?" and records an event durably before the receiver answers 2xx;
recording the same event id twice is a no-op, which is what makes at-least-once delivery exactly-once here.
`SQLiteEventStore` (billkit.webhooks.sqlite_store) keeps events across restarts. A store may also offer
`submit(received) -> concurrent.futures.Future[bool]`, `add` without blocking: the receiver's event loop then
awaits the commit instead of holding a worker thread for it.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from billkit.webhooks.events import WebhookEvent

__all__ = ["EventStore", "MemoryEventStore", "ReceivedEvent"]


def done(outcome: bool) -> Future[bool]:
    """A future already holding `outcome` (an event found recorded without a commit)."""
    future: Future[bool] = Future()
    future.set_result(outcome)
    return future


@dataclass(frozen=True, slots=True)
class ReceivedEvent:
    """A verified event as recorded: when it arrived (UTC), which delivery attempt brought it, and the body
    exactly as it arrived (None for an event built in code rather than received)."""

    event: WebhookEvent
    received_at: datetime
    webhook_id: str | None = None
    body: bytes | None = None


class EventStore(Protocol):
    """What `WebhookHandler` needs to deduplicate and record events; implementations must be thread-safe."""

    def seen(self, event_id: str) -> bool:
        """Whether an event with this id is already recorded."""
        ...

    def add(self, received: ReceivedEvent) -> bool:
        """Record `received`, durably before returning; False (and no change) if its id was already recorded."""
        ...

    def records(self, start: int = 0) -> list[ReceivedEvent]:
        """Recorded events in the order they were recorded, from position `start` on."""
        ...

    def close(self) -> None:
        """Release what the store holds open; records stay readable."""
        ...


class MemoryEventStore:
    """Events in memory for the life of the process: the receiver's default, and the cache of the SQLite store."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids: set[str] = set()
        self._records: list[ReceivedEvent] = []

    def seen(self, event_id: str) -> bool:
        with self._lock:
            return event_id in self._ids

    def add(self, received: ReceivedEvent) -> bool:
        with self._lock:
            if received.event.id in self._ids:
                return False
            self._ids.add(received.event.id)
            self._records.append(received)
            return True

    def submit(self, received: ReceivedEvent) -> Future[bool]:
        """`add`, which never waits here, as a future already done (holding what `add` raised, if it did)."""
        try:
            return done(self.add(received))
        except Exception as exc:
            failed: Future[bool] = Future()
            failed.set_exception(exc)
            return failed

    def records(self, start: int = 0) -> list[ReceivedEvent]:
        with self._lock:
            return self._records[start:]

    def close(self) -> None:
        """Nothing to release: memory is the record."""

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)
