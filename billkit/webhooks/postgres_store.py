"""`PostgresEventStore`: verified events straight into a team's PostgreSQL ledger, shared by many receivers.

Each event becomes a row of the ledger's `events` table by `INSERT ... ON CONFLICT (event_id) DO NOTHING`,
committed before `add` returns (and so before the receiver answers 2xx); events added at the same time share
one transaction, so one commit (`billkit.webhooks._group_commit`). The primary key decides which of
several receivers records an event: one insert wins, every other sees it already there and answers
"duplicate". The receiver needs INSERT (and SELECT on its `event_id` column, for ON CONFLICT) on `events` and SELECT on
`billkit_ledger` only (docs/team-ledger.md).
What this process recorded is kept in memory for `records` (`billkit receive` prints those); a broken
connection (the server restarted) is opened again on the next delivery, and the one in between answers 500,
so the sender retries it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from billkit.errors import InvalidArgumentError
from billkit.ledger import Ledger, is_postgres_url, shown
from billkit.webhooks._errors import WebhookPayloadError, WebhookStoreError
from billkit.webhooks._group_commit import GroupCommit, GroupCommitted
from billkit.webhooks.stores import MemoryEventStore, ReceivedEvent

__all__ = ["PostgresEventStore"]


class PostgresEventStore(GroupCommitted):
    """Events in the PostgreSQL ledger at `url` (`postgresql://user@host/db`); its tables must exist or be
    creatable by this user (a receiver with INSERT only needs them made first, by `Ledger(url)` as the owner)."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._lock = threading.Lock()
        self._cache = MemoryEventStore()
        if not is_postgres_url(url):
            raise WebhookStoreError(
                f"{shown(url)!r}: the only database URLs known are postgresql:// ones"
            )
        try:
            self._ledger: Ledger | None = Ledger(url)
        except Exception as exc:
            raise WebhookStoreError(str(exc)) from None
        self._writer = GroupCommit(self._commit, name="billkit-team-ledger")

    def seen(self, event_id: str) -> bool:
        # Only what this process recorded: another receiver's events are found by the insert itself.
        return self._cache.seen(event_id)

    def _commit(self, batch: Sequence[ReceivedEvent]) -> list[bool]:
        """One transaction for `batch` (the writer thread's only): for each event, whether it is new."""
        with self._lock:
            if self._ledger is None:
                raise WebhookStoreError(f"the event store {shown(self._url)} is closed")
            try:
                new = self._ledger.record_arrivals(
                    [(received.event.to_dict(), received.received_at) for received in batch]
                )
            except InvalidArgumentError as exc:  # never recordable: refused (4xx), not retried
                raise WebhookPayloadError("invalid_event", str(exc)) from None
            # Not inserted means another receiver sharing the database recorded it first.
            return [
                recorded and self._cache.add(received)
                for recorded, received in zip(new, batch, strict=True)
            ]

    def records(self, start: int = 0) -> list[ReceivedEvent]:
        return self._cache.records(start)

    def close(self) -> None:
        self._writer.close()  # what is queued is committed first
        with self._lock:
            if self._ledger is not None:
                self._ledger.close()
                self._ledger = None

    def __len__(self) -> int:
        return len(self._cache)

    def __repr__(self) -> str:
        state = "closed" if self._ledger is None else "open"
        return f"PostgresEventStore({shown(self._url)!r}, events={len(self)}, {state})"
