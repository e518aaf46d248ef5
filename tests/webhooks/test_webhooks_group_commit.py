"""Group commit: concurrent events share a transaction, each caller learns its own outcome, one bad event
fails only its own caller, and closing commits what is queued."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from samples import amount_applied

from billkit.webhooks import ReceivedEvent, SQLiteEventStore, WebhookStoreError, parse_event
from billkit.webhooks._group_commit import GroupCommit


class Recorder:
    """A commit that records batches; the first one waits for `release`, so others queue behind it."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.committed: set[str] = set()

    def commit(self, items: Sequence[str]) -> list[bool]:
        if not self.started.is_set():
            self.started.set()
            self.release.wait()
        self.batches.append(list(items))
        if "bad" in items:
            raise ValueError("cannot take 'bad'")
        new = []
        for item in items:
            new.append(item not in self.committed)
            self.committed.add(item)
        return new


def _queued(writer: GroupCommit[str], count: int) -> None:
    """Wait until `count` items are queued behind the commit in progress."""
    polled = threading.Event()
    while writer._queue.qsize() < count:
        polled.wait(0.001)


def test_events_queued_during_a_commit_share_the_next_one() -> None:
    recorder = Recorder()
    writer: GroupCommit[str] = GroupCommit(recorder.commit, name="test-writer")
    with ThreadPoolExecutor(8) as pool:
        first = pool.submit(writer.record, "a")
        assert recorder.started.wait(10)  # "a" is being committed
        later = []
        for count, item in enumerate(("b", "c", "b", "d"), start=1):
            later.append(pool.submit(writer.record, item))
            _queued(writer, count)  # queued in this order
        recorder.release.set()
        assert first.result() is True
        assert [future.result() for future in later] == [True, True, False, True]
    writer.close()
    assert recorder.batches == [["a"], ["b", "c", "b", "d"]]


def test_one_bad_event_fails_its_own_caller_only() -> None:
    recorder = Recorder()
    writer: GroupCommit[str] = GroupCommit(recorder.commit, name="test-writer")
    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(writer.record, "a")
        assert recorder.started.wait(10)
        later = {}
        for count, item in enumerate(("b", "bad", "c"), start=1):
            later[item] = pool.submit(writer.record, item)
            _queued(writer, count)
        recorder.release.set()
        assert first.result() is True
        assert later["b"].result() is True
        assert later["c"].result() is True
        with pytest.raises(ValueError, match="bad"):
            later["bad"].result()
    writer.close()
    assert recorder.batches[1] == ["b", "bad", "c"]  # refused whole, then one at a time
    assert recorder.batches[2:] == [["b"], ["bad"], ["c"]]


def test_a_closed_writer_refuses_new_events() -> None:
    recorder = Recorder()
    recorder.release.set()
    writer: GroupCommit[str] = GroupCommit(recorder.commit, name="test-writer")
    assert writer.record("a") is True
    writer.close()
    writer.close()  # harmless
    with pytest.raises(WebhookStoreError, match="closed"):
        writer.record("b")


def test_concurrent_adds_to_a_file_record_each_event_once(tmp_path: Path) -> None:
    store = SQLiteEventStore(tmp_path / "events.db")
    ids = [f"evt_concurrent{number:04d}" for number in range(200)]
    at = datetime(2025, 1, 15, tzinfo=UTC)
    jobs = [ReceivedEvent(parse_event(amount_applied(i)), at, f"msg_{i}") for i in ids * 2]
    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(store.add, jobs))
    store.close()
    assert sum(outcomes) == len(ids)  # each event new exactly once
    reopened = SQLiteEventStore(tmp_path / "events.db")
    assert sorted(r.event.id for r in reopened.records()) == ids
    reopened.close()
