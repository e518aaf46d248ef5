"""Group commit: one writer thread commits every event waiting at once, each caller still waiting for its own.

A durable commit (an fsync on SQLite, a round trip and an fsync on PostgreSQL) costs far more than the row
it carries, and a receiver's deliveries arrive together. Callers of `GroupCommit.record` queue their event
and block; the writer takes everything queued, commits it in one transaction, and only then wakes each
caller with its own outcome. Nobody waits for a batch to fill: a lone event is committed at once, and
events that arrive during a commit go together in the next one. So a delivery is still answered only after
its own row is committed, and concurrent deliveries share the commit.

A batch the database refuses as a whole (a row it cannot take, a broken connection) is retried one event
at a time, so one bad event fails only its own delivery.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Final, Generic, TypeVar

from billkit.webhooks._errors import WebhookStoreError
from billkit.webhooks.stores import MemoryEventStore, ReceivedEvent, done

__all__ = ["GroupCommit", "GroupCommitted"]

Item = TypeVar("Item")
#: The most events one transaction carries: bounds a batch's time, so the first in it is not kept long.
MAX_BATCH: Final = 256


class GroupCommit(Generic[Item]):
    """A writer thread that commits queued items with `commit(items)`, which returns, for each item, whether
    it was new (False: already recorded) in one transaction, all or none, or raises."""

    def __init__(self, commit: Callable[[Sequence[Item]], list[bool]], *, name: str) -> None:
        self._commit = commit
        self._queue: queue.SimpleQueue[tuple[Item, Future[bool]] | None] = queue.SimpleQueue()
        self._closed = False
        self._guard = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def record(self, item: Item) -> bool:
        """Commit `item` (with whatever else is waiting) and return whether it was new; raises what its
        commit raised."""
        return self.submit(item).result()

    def submit(self, item: Item) -> Future[bool]:
        """Queue `item`; the future is done once its commit is (for callers that must not block)."""
        waiter: Future[bool] = Future()
        with self._guard:
            if self._closed:
                raise WebhookStoreError("the event store is closed")
            self._queue.put((item, waiter))
        return waiter

    def close(self) -> None:
        """Commit what is queued, then stop the writer."""
        with self._guard:
            if self._closed:
                return
            self._closed = True
            self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < MAX_BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._write(batch)
            if stop:
                return

    def _write(self, batch: list[tuple[Item, Future[bool]]]) -> None:
        try:
            outcomes = self._commit([item for item, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                batch[0][1].set_exception(exc)
                return
            for one in batch:  # find the one event at fault: the others are committed on their own
                self._write([one])
            return
        for (_, waiter), new in zip(batch, outcomes, strict=True):
            waiter.set_result(new)


class GroupCommitted:
    """`add` and `submit` of a store whose events go through its `_writer`, and are kept in `_cache`
    once committed (its `_commit` adds them)."""

    _cache: MemoryEventStore
    _writer: GroupCommit[ReceivedEvent]

    def add(self, received: ReceivedEvent) -> bool:
        return self.submit(received).result()

    def submit(self, received: ReceivedEvent) -> Future[bool]:
        """`add` without waiting: the future is done once the event is committed."""
        if self._cache.seen(received.event.id):
            return done(False)
        return self._writer.submit(received)
