"""Event stores: record once, survive a reopen (SQLite), refuse files they cannot use with a clear error."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from webhook_helpers import amount_applied

from billkit.webhooks import (
    MemoryEventStore,
    ReceivedEvent,
    SQLiteEventStore,
    WebhookStoreError,
    parse_event,
)

AT = datetime(2025, 1, 15, 10, 0, 1, 123456, tzinfo=UTC)


def received(event_id: str, webhook_id: str = "msg_1") -> ReceivedEvent:
    return ReceivedEvent(parse_event(amount_applied(event_id)), AT, webhook_id)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_an_event_id_is_recorded_once(kind: str, tmp_path: Path) -> None:
    store = MemoryEventStore() if kind == "memory" else SQLiteEventStore(tmp_path / "events.db")
    assert store.seen("evt_1") is False
    assert store.add(received("evt_1")) is True
    assert store.add(received("evt_1", "msg_2")) is False
    assert store.add(received("evt_2")) is True
    assert store.seen("evt_1") is True
    assert [r.event.id for r in store.records()] == ["evt_1", "evt_2"]
    assert [r.event.id for r in store.records(1)] == ["evt_2"]
    assert store.records()[0].webhook_id == "msg_1"
    store.close()


def test_a_reopened_file_has_every_event_as_recorded(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "events.db"
    first = SQLiteEventStore(path)
    first.add(received("evt_1", "msg_a"))
    first.add(received("evt_2", "msg_b"))
    first.close()

    reopened = SQLiteEventStore(path)
    assert [(r.event.id, r.webhook_id, r.received_at) for r in reopened.records()] == [
        ("evt_1", "msg_a", AT),
        ("evt_2", "msg_b", AT),
    ]
    assert reopened.records()[0].event.to_dict() == amount_applied("evt_1")
    assert reopened.add(received("evt_1")) is False
    reopened.close()


ODD = amount_applied("evt_1", metadata={"note": "\udfff Zoë"})


@pytest.mark.parametrize(
    "body",
    [
        json.dumps(
            ODD, indent=2
        ).encode(),  # UTF-8 text (the surrogate as its \u escape): kept as text
        json.dumps(ODD, ensure_ascii=False).encode("utf-16", "surrogatepass"),  # kept as bytes
    ],
    ids=["utf-8", "utf-16"],
)
def test_the_file_keeps_each_body_exactly_as_it_arrived(body: bytes, tmp_path: Path) -> None:
    store = SQLiteEventStore(tmp_path / "e.db")
    assert store.add(ReceivedEvent(parse_event(body), AT, "msg_1", body)) is True
    store.close()
    reopened = SQLiteEventStore(tmp_path / "e.db")
    [record] = reopened.records()
    assert record.body == body
    assert record.event.to_dict() == ODD
    reopened.close()


def test_two_stores_on_one_file_still_record_an_event_once(tmp_path: Path) -> None:
    first, second = SQLiteEventStore(tmp_path / "e.db"), SQLiteEventStore(tmp_path / "e.db")
    assert first.add(received("evt_1")) is True
    assert second.add(received("evt_1")) is False
    first.close()
    second.close()


def test_each_add_is_committed_before_it_returns(tmp_path: Path) -> None:
    store = SQLiteEventStore(tmp_path / "e.db")
    store.add(received("evt_1"))
    with sqlite3.connect(tmp_path / "e.db") as other:
        assert other.execute("SELECT event_id FROM webhook_events").fetchall() == [("evt_1",)]
    other.close()
    store.close()


def test_a_file_that_is_not_sqlite_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"these are my notes, not a database" * 100)
    with pytest.raises(WebhookStoreError, match=r"notes\.txt"):
        SQLiteEventStore(path)


def test_a_stored_event_that_cannot_be_read_back_is_named(tmp_path: Path) -> None:
    path = tmp_path / "e.db"
    SQLiteEventStore(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO webhook_events VALUES ('evt_bad', 'x', '2025-01-15T10:00:00+00:00', NULL, '{')"
        )
    connection.close()
    with pytest.raises(WebhookStoreError, match="evt_bad"):
        SQLiteEventStore(path)


def test_a_closed_store_refuses_writes_but_keeps_its_records(tmp_path: Path) -> None:
    store = SQLiteEventStore(tmp_path / "e.db")
    store.add(received("evt_1"))
    store.close()
    with pytest.raises(WebhookStoreError, match="closed"):
        store.add(received("evt_2"))
    assert [r.event.id for r in store.records()] == ["evt_1"]
    assert "closed" in repr(store)
