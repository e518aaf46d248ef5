"""The delivery worker's pure parts: the retry schedule, chaos dice, and the outbox queue on an in-memory store."""

from __future__ import annotations

import pytest

from billkit.sandbox.delivery.chaos import (
    DEFAULT_MAX_DELAY_SECONDS,
    ChaosDecision,
    ChaosDice,
    ChaosPlan,
)
from billkit.sandbox.delivery.schedule import next_attempt_at
from billkit.sandbox.settings import DEFAULT_RETRY_SCHEDULE, FAST_RETRY_SCHEDULE
from billkit.sandbox.store import Store
from billkit.sandbox.store.outbox import Attempt, Outbox


def test_each_retry_waits_its_scheduled_delay_after_the_failure() -> None:
    waits = [next_attempt_at(DEFAULT_RETRY_SCHEDULE, n, 1000.0) for n in range(1, 8)]
    assert waits == [1000.0 + delay for delay in (5, 300, 1800, 7200, 18000, 36000, 36000)]


def test_the_schedule_ends_after_its_last_retry() -> None:
    assert next_attempt_at(FAST_RETRY_SCHEDULE, len(FAST_RETRY_SCHEDULE), 0.0) == 2
    assert next_attempt_at(FAST_RETRY_SCHEDULE, len(FAST_RETRY_SCHEDULE) + 1, 0.0) is None


def test_attempts_are_counted_from_one() -> None:
    with pytest.raises(ValueError, match="attempts_made"):
        next_attempt_at(FAST_RETRY_SCHEDULE, 0, 0.0)


def test_no_chaos_settings_mean_no_plan() -> None:
    assert ChaosPlan.from_settings(None) is None
    assert ChaosPlan.from_settings({}) is None
    assert ChaosPlan.from_settings({"seed": 4, "duplicate_rate": 0}) is None
    assert ChaosPlan.from_settings({"delay_rate": 1, "max_delay_seconds": 0}) is None
    plan = ChaosPlan.from_settings({"delay_rate": 0.5})
    assert plan == ChaosPlan(delay_rate=0.5, max_delay_seconds=DEFAULT_MAX_DELAY_SECONDS)


def test_a_seed_makes_chaos_reproducible() -> None:
    plan = ChaosPlan(duplicate_rate=0.5, delay_rate=0.5, max_delay_seconds=60, seed=42)
    sequences = [
        [dice.roll(may_duplicate=True) for _ in range(50)]
        for dice in (ChaosDice(plan), ChaosDice(plan))
    ]
    assert sequences[0] == sequences[1]
    assert {roll.duplicate for roll in sequences[0]} == {True, False}
    assert all(0 <= roll.delay <= 60 for roll in sequences[0])
    assert any(roll.delay > 0 for roll in sequences[0])
    assert any(r.delay == 0 for r in sequences[0])


def test_rates_of_one_and_zero_are_certain() -> None:
    always = ChaosDice(ChaosPlan(duplicate_rate=1, delay_rate=1, max_delay_seconds=5, seed=1))
    never = ChaosDice(ChaosPlan(duplicate_rate=0, delay_rate=0, seed=1))
    for _ in range(20):
        assert always.roll(may_duplicate=True).duplicate
        assert not always.roll(may_duplicate=False).duplicate  # copies are never copied again
        assert never.roll(may_duplicate=True) == ChaosDecision(duplicate=False, delay=0.0)


@pytest.fixture
def store() -> Store:
    opened = Store.open(":memory:")
    with opened.transaction():
        opened.events.add_event({"id": "evt_1", "type": "t", "data": {}}, created_at=0.0)
        opened.events.add_event({"id": "evt_2", "type": "t", "data": {}}, created_at=0.0)
    return opened


def _attempt(number: int, status: int | None) -> Attempt:
    return Attempt(f"msg_{number}", number, 100, status, None if status else "refused", 1.5)


def test_due_rows_come_oldest_first_and_skip_those_in_flight(store: Store) -> None:
    queue = Outbox(store.database.connection)
    with store.transaction():
        queue.enqueue("evt_2", "we_a", origin="event", now=5.0)
        queue.enqueue("evt_1", "we_a", origin="event", now=1.0)
        queue.enqueue("evt_1", "we_other", origin="event", now=1.0)
        queue.enqueue("evt_1", "we_a", origin="event", now=50.0)
    due = queue.due("we_a", now=10.0, skip=(), limit=10)
    assert [row.event_id for row in due] == ["evt_1", "evt_2"]
    assert due[0].body == b'{"id":"evt_1","type":"t","data":{}}'
    assert [r.event_id for r in queue.due("we_a", now=10.0, skip={due[0].seq}, limit=10)] == [
        "evt_2"
    ]
    assert queue.next_due_at("we_a", skip={due[0].seq, due[1].seq}) == 50.0


def test_a_failure_reschedules_then_fails_and_a_success_settles(store: Store) -> None:
    queue = Outbox(store.database.connection)
    with store.transaction():
        queue.enqueue("evt_1", "we_a", origin="event", now=0.0)
        queue.enqueue("evt_2", "we_a", origin="event", now=0.0)
    first, second = queue.due("we_a", now=0.0, skip=(), limit=10)
    with store.transaction():
        queue.record(first.seq, "evt_1", _attempt(1, 500), retry_at=30.0)
        queue.record(second.seq, "evt_2", _attempt(1, None), retry_at=None)
    assert queue.due("we_a", now=29.0, skip=(), limit=10) == []
    [again] = queue.due("we_a", now=30.0, skip=(), limit=10)
    assert (again.seq, again.attempts) == (first.seq, 1)
    with store.transaction():
        queue.record(first.seq, "evt_1", _attempt(2, 204), retry_at=None)
        queue.record(first.seq, "evt_1", _attempt(3, 200), retry_at=None)  # settled: not logged
    assert queue.next_due_at("we_a", skip=()) is None
    assert [(a["attempt"], a["status_code"]) for a in queue.attempts("evt_1")] == [
        (1, 500),
        (2, 204),
    ]
    [failed] = queue.attempts("evt_2")
    assert (failed["status_code"], failed["error"]) == (None, "refused")


def test_a_reset_while_in_flight_logs_nothing(store: Store) -> None:
    queue = Outbox(store.database.connection)
    with store.transaction():
        queue.enqueue("evt_1", "we_a", origin="event", now=0.0)
    [row] = queue.due("we_a", now=0.0, skip=(), limit=1)
    with store.transaction():
        store.reset()
    with store.transaction():
        queue.record(row.seq, "evt_1", _attempt(1, 200), retry_at=None)
    assert queue.attempts("evt_1") == []


def test_a_reset_forgets_the_attempts_with_their_events(store: Store) -> None:
    queue = Outbox(store.database.connection)
    with store.transaction():
        queue.enqueue("evt_1", "we_a", origin="event", now=0.0)
    [row] = queue.due("we_a", now=0.0, skip=(), limit=1)
    with store.transaction():
        queue.record(row.seq, "evt_1", _attempt(1, 200), retry_at=None)
    assert len(queue.attempts("evt_1")) == 1
    with store.transaction():
        store.reset()
    assert queue.attempts("evt_1") == []
