"""The receiver and the ledger agree on what an event is (one ID rule, `billkit.ids`): an event the ledger could
never record is refused with a 4xx on every retry, logged, on a SQLite receiver file and on a PostgreSQL team
ledger alike; never a 5xx that the sender would retry forever."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from samples import amount_applied
from webhook_helpers import PATIENCE, delivery

from billkit.ledger import Ledger, is_postgres_url
from billkit.webhooks import WebhookReceiver, generate_secret

SECRET = generate_secret()


@pytest.fixture
def receiver(ledger_location: str) -> Iterator[WebhookReceiver]:
    """A receiver recording into a SQLite event file or straight into a PostgreSQL team ledger."""
    with WebhookReceiver(SECRET, db=ledger_location) as running:
        yield running


def _recorded_in_a_ledger(receiver: WebhookReceiver, location: str, tmp_path: Path) -> list[str]:
    """The event IDs a ledger holds after the receiver: the team ledger itself, or a SQLite ledger fed the
    receiver's events (which it must accept, every one)."""
    if is_postgres_url(location):
        with Ledger(location) as team:
            return sorted(team.events_frame()["event_id"])
    with Ledger(tmp_path / "analyst.sqlite") as ledger:
        ledger.record_events(receiver.received)
        return sorted(ledger.events_frame()["event_id"])


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (amount_applied("evt_with_underscores_0001"), "id"),
        (amount_applied("evt_dashed-000000000000001"), "id"),
        (amount_applied("msg_2341234567890abcdef"), "id"),
        (amount_applied("evt_" + "a" * 252), "id"),
        (amount_applied("evt_okay00000000000000001", bill_id="bill_not_an_id"), "bill_id"),
    ],
    ids=["underscores", "dash", "other prefix", "too long", "bad bill id"],
)
def test_an_event_the_ledger_refuses_is_answered_400_on_every_retry(
    receiver: WebhookReceiver,
    ledger_location: str,
    tmp_path: Path,
    event: dict[str, object],
    field: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with httpx.Client(timeout=PATIENCE) as http:
        for _ in range(3):  # each retry is a new delivery attempt, signed again
            body, headers = delivery(event, SECRET)
            answer = http.post(receiver.url, content=body, headers=headers)
            assert answer.status_code == 400, answer.text
            assert answer.json()["error"] == "invalid_event"
            assert field in answer.json()["message"]
        body, headers = delivery(amount_applied("evt_good00000000000000001"), SECRET)
        assert http.post(receiver.url, content=body, headers=headers).status_code == 200
    assert [rejection.reason for rejection in receiver.rejections] == ["invalid_event"] * 3
    assert "refused a webhook delivery" in caplog.text
    assert _recorded_in_a_ledger(receiver, ledger_location, tmp_path) == [
        "evt_good00000000000000001"
    ]


def test_a_payment_without_its_own_time_is_recorded_and_counts_from_its_arrival(
    receiver: WebhookReceiver, ledger_location: str, tmp_path: Path
) -> None:
    event = amount_applied("evt_quickstart0000000000001")
    del event["data"]["created_at"], event["data"]["updated_at"]  # as Moment's quickstart sends it
    with httpx.Client(timeout=PATIENCE) as http:
        body, headers = delivery(event, SECRET)
        assert http.post(receiver.url, content=body, headers=headers).status_code == 200
    assert _recorded_in_a_ledger(receiver, ledger_location, tmp_path) == [
        "evt_quickstart0000000000001"
    ]
    location = ledger_location if is_postgres_url(ledger_location) else tmp_path / "analyst.sqlite"
    with Ledger(location) as ledger:
        events = ledger.events_frame()
    assert events["created_at"].iloc[0] == events["received_at"].iloc[0]
