"""`SQLiteEventStore`: verified events in a SQLite file, so deduplication and the record survive a restart.

Each event is committed (WAL journal, `synchronous=FULL`: on disk, not just handed to the OS) before `add`
returns, and so before the receiver answers 2xx. Events added at the same time share one transaction, so one
fsync (`billkit.webhooks._group_commit`). The event id is the primary key, so recording an event again is a
no-op even if two processes share the file. Reads are served from memory: the file is loaded once at open.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Final

from billkit._json import json_text
from billkit.webhooks._errors import WebhookPayloadError, WebhookStoreError
from billkit.webhooks._group_commit import GroupCommit, GroupCommitted
from billkit.webhooks.events import parse_event
from billkit.webhooks.stores import MemoryEventStore, ReceivedEvent

__all__ = ["SQLiteEventStore"]

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS webhook_events (
    event_id    TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    received_at TEXT NOT NULL,  -- ISO 8601 UTC
    webhook_id  TEXT,
    body        TEXT NOT NULL   -- the body exactly as received: UTF-8 text, or a BLOB if it was not UTF-8
)
"""
_INSERT: Final = (
    "INSERT OR IGNORE INTO webhook_events (event_id, type, received_at, webhook_id, body) "
    "VALUES (?, ?, ?, ?, ?)"
)
_LOAD: Final = "SELECT event_id, received_at, webhook_id, body FROM webhook_events ORDER BY rowid"


def _row(received: ReceivedEvent) -> tuple[str, str, str, str | None, str | bytes]:
    event = received.event
    return (
        event.id,
        event.type,
        received.received_at.isoformat(),
        received.webhook_id,
        _stored_body(received),
    )


def _stored_body(received: ReceivedEvent) -> str | bytes:
    """The body as it arrived; as text when it is UTF-8 (readable with any SQLite tool), else byte for byte."""
    if received.body is None:
        return json_text(received.event.to_dict())
    try:
        return received.body.decode()
    except UnicodeDecodeError:  # e.g. JSON in UTF-16, which json.loads reads too
        return received.body


class SQLiteEventStore(GroupCommitted):
    """Events in the SQLite file at `path` (created, with its folder, if missing)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._cache = MemoryEventStore()
        self._connection: sqlite3.Connection | None = self._open()
        try:
            self._load()
        except BaseException:
            self.close()
            raise
        self._writer = GroupCommit(self._commit, name=f"billkit-event-file:{self.path.name}")

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit: each INSERT is its own transaction, committed before execute() returns.
            connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise WebhookStoreError(f"cannot open the event file {self.path}: {exc}") from exc
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            connection.execute("PRAGMA busy_timeout=5000")
            connection.execute(_SCHEMA)
        except sqlite3.Error as exc:
            connection.close()
            raise WebhookStoreError(
                f"{self.path} cannot be used as an event file (is it a SQLite database?): {exc}"
            ) from exc
        return connection

    def _load(self) -> None:
        connection = self._require_open()
        for event_id, received_at, webhook_id, body in connection.execute(_LOAD):
            try:
                event = parse_event(body)
                stamp = datetime.fromisoformat(received_at)
            except (WebhookPayloadError, ValueError) as exc:
                raise WebhookStoreError(
                    f"{self.path}: recorded event {event_id} cannot be read back: {exc}"
                ) from exc
            raw = body if isinstance(body, bytes) else body.encode()
            self._cache.add(ReceivedEvent(event, stamp, webhook_id, raw))

    def _require_open(self) -> sqlite3.Connection:
        if self._connection is None:
            raise WebhookStoreError(f"the event file {self.path} is closed")
        return self._connection

    def seen(self, event_id: str) -> bool:
        return self._cache.seen(event_id)

    def _commit(self, batch: Sequence[ReceivedEvent]) -> list[bool]:
        """One transaction for `batch` (the writer thread's only): for each event, whether it is new."""
        rows = [_row(received) for received in batch]
        with self._lock:
            connection = self._require_open()
            try:
                connection.execute("BEGIN IMMEDIATE")
                try:
                    # Not inserted means recorded already: by another process sharing the file, or earlier
                    # in this batch.
                    inserted = [
                        not self._cache.seen(row[0])
                        and connection.execute(_INSERT, row).rowcount == 1
                        for row in rows
                    ]
                    connection.execute("COMMIT")
                except BaseException:
                    if connection.in_transaction:
                        connection.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                what = f"event {rows[0][0]}" if len(rows) == 1 else f"{len(rows)} events"
                raise WebhookStoreError(f"cannot record {what} in {self.path}: {exc}") from exc
            return [
                new and self._cache.add(received)
                for new, received in zip(inserted, batch, strict=True)
            ]

    def records(self, start: int = 0) -> list[ReceivedEvent]:
        return self._cache.records(start)

    def close(self) -> None:
        writer = getattr(self, "_writer", None)  # absent when the file could not be loaded
        if writer is not None:
            writer.close()  # what is queued is committed first
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def __len__(self) -> int:
        return len(self._cache)

    def __repr__(self) -> str:
        state = "closed" if self._connection is None else "open"
        return f"SQLiteEventStore({str(self.path)!r}, events={len(self)}, {state})"
