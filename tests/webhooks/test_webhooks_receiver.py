"""WebhookReceiver over real loopback HTTP: record, refuse with reasons, deduplicate across restarts, never lose
or double an event under concurrent load, wait_for, and no 5xx for any bad input."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pandas as pd
import pytest
from samples import amount_applied
from slow_clients import dribble_until_dropped
from webhook_helpers import PATIENCE, SLOW_STARTS, delivery, encode

from billkit.errors import BillkitError, InvalidArgumentError
from billkit.webhooks import (
    ObligationAmountApplied,
    WebhookEvent,
    WebhookReceiver,
    WebhookReceiverError,
    WebhookTimeoutError,
    generate_secret,
    sign_headers,
)

SECRET = generate_secret()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(SECRET) as running:
        yield running


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=PATIENCE) as client:
        yield client


def post(
    http: httpx.Client, receiver: WebhookReceiver, event_id: str, **data: object
) -> httpx.Response:
    body, headers = delivery(amount_applied(event_id, **data), SECRET)
    return http.post(receiver.url, content=body, headers=headers)


def test_a_signed_delivery_is_answered_200_and_recorded(
    receiver: WebhookReceiver, http: httpx.Client
) -> None:
    response = post(http, receiver, "evt_1")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"received": True, "event_id": "evt_1", "duplicate": False}
    event = receiver.wait_for(event_id="evt_1", timeout=PATIENCE)
    assert isinstance(event, ObligationAmountApplied)
    assert event.data.amount == 2000
    assert [e.id for e in receiver.received] == ["evt_1"]
    assert receiver.records[0].webhook_id is not None
    assert receiver.url.startswith("http://127.0.0.1:")
    assert receiver.url.endswith("/webhooks")


def test_events_frame_has_explicit_dtypes_and_the_payment_fields(
    receiver: WebhookReceiver, http: httpx.Client
) -> None:
    empty = receiver.events
    assert list(empty.columns) == [
        "event_id", "type", "received_at", "created_at", "amount", "currency", "obligation_type",
        "obligation_id", "bill_id", "account_id", "customer_id", "payment_id", "data_id", "metadata",
        "body",
    ]  # fmt: skip
    assert len(empty) == 0
    post(http, receiver, "evt_1")
    post(http, receiver, "evt_2", amount=500, bill_id=None, account_id=None, customer_id="bcus_1")
    frame = receiver.events
    assert frame["event_id"].tolist() == ["evt_1", "evt_2"]
    assert frame["amount"].dtype == "Int64"
    assert frame["amount"].tolist() == [2000, 500]
    assert str(frame["received_at"].dtype) == "datetime64[ns, UTC]"
    assert frame["event_id"].dtype == pd.StringDtype()
    assert frame["obligation_type"].tolist() == ["bill", "customer"]
    assert frame["obligation_id"].tolist() == ["bill_H4jp6KnU5cPw263v1jyz4", "bcus_1"]
    assert frame["metadata"][0] == {"utm_source": "sms"}
    assert frame["body"][1]["id"] == "evt_2"
    assert [str(t) for t in frame.dtypes] == [str(t) for t in empty.dtypes[:1]] + [
        str(t) for t in frame.dtypes[1:]
    ]


def deliveries_for(case: str) -> tuple[bytes, dict[str, str]]:
    body, headers = delivery(amount_applied("evt_bad"), SECRET)
    return {
        "tampered body": (body.replace(b"2000", b"2001"), headers),
        "wrong secret": delivery(amount_applied("evt_bad"), generate_secret()),
        "stale timestamp": delivery(amount_applied("evt_bad"), SECRET, timestamp=1_000_000_000),
        "future timestamp": delivery(amount_applied("evt_bad"), SECRET, timestamp=4_000_000_000),
        "missing headers": (body, {}),
    }[case]


@pytest.mark.parametrize(
    ("case", "status", "reason"),
    [
        ("tampered body", 401, "no_matching_signature"),
        ("wrong secret", 401, "no_matching_signature"),
        ("stale timestamp", 401, "timestamp_too_old"),
        ("future timestamp", 401, "timestamp_too_new"),
        ("missing headers", 400, "missing_header"),
    ],
)
def test_bad_deliveries_are_refused_with_their_reason(
    receiver: WebhookReceiver, http: httpx.Client, case: str, status: int, reason: str
) -> None:
    body, headers = deliveries_for(case)
    response = http.post(receiver.url, content=body, headers=headers)
    assert response.status_code == status
    assert response.json()["error"] == reason
    assert len(receiver.received) == 0
    [rejection] = receiver.rejections
    assert (rejection.status_code, rejection.reason) == (status, reason)


def test_a_restart_on_the_same_file_keeps_events_and_deduplication(
    tmp_path: Path, http: httpx.Client
) -> None:
    db = tmp_path / "events.db"
    with WebhookReceiver(SECRET, db=db) as first:
        assert post(http, first, "evt_1").json()["duplicate"] is False
    with WebhookReceiver(SECRET, db=db) as second:
        assert [e.id for e in second.received] == ["evt_1"]
        assert post(http, second, "evt_1").json()["duplicate"] is True
        assert post(http, second, "evt_2").json()["duplicate"] is False
        assert len(second.received) == 2


def test_answering_500_then_200_records_exactly_one_event(http: httpx.Client) -> None:
    attempts: list[str] = []

    def flaky(event: WebhookEvent) -> None:
        attempts.append(event.id)
        if len(attempts) == 1:
            raise ConnectionError("ledger database is restarting")

    with WebhookReceiver(SECRET, on_event=flaky) as receiver:
        assert post(http, receiver, "evt_1").status_code == 500
        assert len(receiver.received) == 0
        assert post(http, receiver, "evt_1").status_code == 200
        assert post(http, receiver, "evt_1").status_code == 200
        assert [e.id for e in receiver.received] == ["evt_1"]
    assert attempts == ["evt_1", "evt_1"]


def test_a_thousand_events_from_several_threads_none_lost_none_doubled(tmp_path: Path) -> None:
    ids = [f"evt_{n:05d}" for n in range(1000)]
    with (
        WebhookReceiver(SECRET, db=tmp_path / "events.db") as receiver,
        httpx.Client(timeout=PATIENCE) as http,
        ThreadPoolExecutor(4) as pool,
    ):

        def send(event_id: str) -> bool:
            response = post(http, receiver, event_id)
            assert response.status_code == 200
            return bool(response.json()["duplicate"])

        assert not any(pool.map(send, ids))
        assert len(receiver.wait_for(count=1000, timeout=PATIENCE)) == 1000
        assert all(pool.map(send, ids))  # every redelivery is recognised
        recorded = [e.id for e in receiver.received]
    assert sorted(recorded) == ids
    with WebhookReceiver(SECRET, db=tmp_path / "events.db") as reopened:
        assert sorted(e.id for e in reopened.received) == ids


def test_wait_for_waits_for_an_event_that_arrives_later(
    receiver: WebhookReceiver, http: httpx.Client
) -> None:
    # The delivery is sent after wait_for has begun waiting (ordering only; nothing is timed).
    sender = threading.Timer(0.1, post, args=(http, receiver, "evt_late"))
    sender.start()
    try:
        event = receiver.wait_for(event_id="evt_late", timeout=PATIENCE)
    finally:
        sender.join()
    assert event.id == "evt_late"


def test_wait_for_counts_and_filters(receiver: WebhookReceiver, http: httpx.Client) -> None:
    for n in range(3):
        post(http, receiver, f"evt_{n}", amount=100 * (n + 1))
    big = receiver.wait_for(
        lambda e: isinstance(e, ObligationAmountApplied) and e.data.amount > 100, count=2
    )
    assert [e.id for e in big] == ["evt_1", "evt_2"]
    assert receiver.wait_for(type="obligation.amount_applied").id == "evt_0"


def test_wait_for_timeout_says_what_it_waited_for_saw_and_refused(
    receiver: WebhookReceiver, http: httpx.Client
) -> None:
    post(http, receiver, "evt_1")
    body, headers = delivery(amount_applied("evt_2"), generate_secret())
    http.post(receiver.url, content=body, headers=headers)
    with pytest.raises(WebhookTimeoutError) as caught:
        receiver.wait_for(event_id="evt_2", timeout=0.05)
    message = str(caught.value)
    assert "event_id='evt_2'" in message
    assert "saw 1 event(s) (1 obligation.amount_applied), 0 matching" in message
    assert "no_matching_signature" in message
    assert isinstance(caught.value, TimeoutError)
    assert isinstance(caught.value, BillkitError)
    assert [e.id for e in caught.value.seen] == ["evt_1"]


def test_wait_for_with_nothing_delivered_points_at_the_url(receiver: WebhookReceiver) -> None:
    with pytest.raises(
        WebhookTimeoutError, match="nothing was delivered: is the sender registered"
    ):
        receiver.wait_for(timeout=0)


def test_wait_for_refuses_bad_arguments(receiver: WebhookReceiver) -> None:
    with pytest.raises(InvalidArgumentError, match="count"):
        receiver.wait_for(count=0)
    with pytest.raises(InvalidArgumentError, match="timeout"):
        receiver.wait_for(timeout=-1)


def test_follow_yields_events_in_order_and_ends_when_stopped(http: httpx.Client) -> None:
    receiver = WebhookReceiver(SECRET).start()
    post(http, receiver, "evt_1")
    followed: list[str] = []
    follower = threading.Thread(target=lambda: followed.extend(e.id for e in receiver.follow()))
    follower.start()
    post(http, receiver, "evt_2")
    receiver.wait_for(event_id="evt_2")
    receiver.stop()
    follower.join(PATIENCE)
    assert not follower.is_alive()
    assert followed == ["evt_1", "evt_2"]


def test_follow_ends_after_an_idle_timeout(receiver: WebhookReceiver) -> None:
    assert list(receiver.follow(idle_timeout=0.01)) == []


def raw_exchange(receiver: WebhookReceiver, request: bytes) -> int:
    """Send raw bytes, return the status code of the answer."""
    with socket.create_connection(("127.0.0.1", receiver.port), timeout=PATIENCE) as connection:
        connection.sendall(request)
        answer = b""
        while b"\r\n" not in answer:
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
    return int(answer.split(b" ", 2)[1])


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"POST /webhooks HTTP/1.1\r\nHost: x\r\n\r\n", 411),
        (b"POST /webhooks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 411),
        (b"POST /webhooks HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n", 413),
        (b"POST /webhooks HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", 400),
        (b"POST /webhooks HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n", 400),
        (b"POST /webhooks HTTP/2.0\r\nHost: x\r\n\r\n", 400),
        (b"POST /webhooks HTTP/9\r\n\r\n", 400),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400),
        (b"BREW /webhooks HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        (b"POST /webhooks HTTP/1.1\r\n" + b"X-Big: " + b"a" * 70_000 + b"\r\n\r\n", 431),
        (b"POST /webhooks HTTP/1.1\r\n" + b"X: y\r\n" * 200 + b"\r\n", 431),
        (b"POST /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414),
    ],
)
def test_malformed_http_gets_a_4xx_never_a_5xx(
    receiver: WebhookReceiver, request_bytes: bytes, status: int
) -> None:
    assert raw_exchange(receiver, request_bytes) == status
    assert receiver.rejections[-1].status_code == status


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"])
def test_other_methods_get_405_with_allow(
    receiver: WebhookReceiver, http: httpx.Client, method: str
) -> None:
    response = http.request(method, receiver.url)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_a_wrong_path_is_404_and_shows_in_rejections(
    receiver: WebhookReceiver, http: httpx.Client
) -> None:
    body, headers = delivery(amount_applied("evt_1"), SECRET)
    assert http.post(receiver.url + "/extra", content=body, headers=headers).status_code == 404
    assert receiver.rejections[-1].reason == "wrong_path"
    assert http.post(receiver.url + "/?q=1", content=body, headers=headers).status_code == 200


def test_random_bodies_and_headers_never_earn_a_5xx(
    receiver: WebhookReceiver, http: httpx.Client
) -> None:
    import random

    rng = random.Random(5)
    valid = sign_headers(b"{}", SECRET)
    for _ in range(150):
        body = rng.randbytes(rng.randrange(0, 400))
        headers = {name: value for name, value in valid.items() if rng.random() < 0.7}
        if rng.random() < 0.5:
            headers["webhook-signature"] = "v1," + rng.randbytes(32).hex()
        if rng.random() < 0.3:
            headers["webhook-timestamp"] = str(rng.randrange(-(10**14), 10**14))
        status = http.post(receiver.url, content=body, headers=headers).status_code
        assert 400 <= status < 500
    assert post(http, receiver, "evt_afterFuzz").status_code == 200


def test_a_signed_body_that_is_not_an_event_is_400(
    receiver: WebhookReceiver, http: httpx.Client
) -> None:
    for body in (b"[]", b"{", encode({"id": "evt_1", "type": "obligation.amount_applied"})):
        response = http.post(receiver.url, content=body, headers=sign_headers(body, SECRET))
        assert response.status_code == 400


def test_url_before_start_and_start_after_stop_are_clear_errors() -> None:
    receiver = WebhookReceiver(SECRET)
    with pytest.raises(WebhookReceiverError, match="call start"):
        _ = receiver.url
    receiver.start()
    receiver.stop()
    with pytest.raises(WebhookReceiverError, match="stopped"):
        receiver.start()
    with pytest.raises(WebhookReceiverError, match="not listening"):
        receiver.wait_for(timeout=5)


def test_a_port_in_use_is_a_clear_error() -> None:
    with WebhookReceiver(SECRET) as taken:
        occupied = WebhookReceiver(SECRET, port=taken.port)
        with pytest.raises(WebhookReceiverError, match=f"cannot listen on 127.0.0.1:{taken.port}"):
            occupied.start()
        occupied.stop()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"port": 70000}, "port"),
        ({"port": "80"}, "port"),
        ({"path": "webhooks"}, "path"),
        ({"path": "/hooks?x=1"}, "path"),
        ({"host": " "}, "host"),
        ({"request_timeout": 0}, "request_timeout"),
        ({"request_timeout": float("nan")}, "request_timeout"),
    ],
)
def test_bad_settings_are_refused_before_listening(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidArgumentError, match=match):
        WebhookReceiver(SECRET, **kwargs)  # type: ignore[arg-type]


def test_repr_masks_the_secret(receiver: WebhookReceiver) -> None:
    shown = repr(receiver)
    assert SECRET not in shown
    assert SECRET[-4:] in shown
    assert receiver.url in shown


def test_stop_returns_while_a_sender_keeps_its_connection_open(http: httpx.Client) -> None:
    receiver = WebhookReceiver(SECRET).start()
    url = receiver.url
    assert post(http, receiver, "evt_1").status_code == 200  # leaves a keep-alive connection open
    receiver.stop()
    assert not receiver.running
    body, headers = delivery(amount_applied("evt_2"), SECRET)
    with pytest.raises(httpx.TransportError):
        http.post(url, content=body, headers=headers)
    assert [e.id for e in receiver.received] == ["evt_1"]


@pytest.mark.parametrize("part", ["headers", "body"])
def test_a_request_that_dribbles_in_is_dropped_at_the_request_timeout(part: str) -> None:
    with WebhookReceiver(SECRET, request_timeout=2) as receiver, ThreadPoolExecutor(4) as pool:
        slow = [
            pool.submit(dribble_until_dropped, receiver.port, SLOW_STARTS[part]) for _ in range(4)
        ]
        assert [future.result() for future in slow] == [True] * 4


def test_deliveries_are_answered_while_slow_clients_hold_connections(
    receiver: WebhookReceiver, http: httpx.Client
) -> None:
    held = []
    for start in [*SLOW_STARTS.values()] * 25:
        connection = socket.create_connection(("127.0.0.1", receiver.port), timeout=PATIENCE)
        connection.sendall(start)
        held.append(connection)
    try:
        assert post(http, receiver, "evt_1").status_code == 200
    finally:
        for connection in held:
            connection.close()


def test_importing_the_webhooks_package_stays_light() -> None:
    code = "import sys, billkit.webhooks; print([m for m in ('pandas', 'fastapi') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_ledger_records_every_event_the_receiver_accepts(
    tmp_path: Path, http: httpx.Client
) -> None:
    from billkit.ledger import Ledger

    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        with WebhookReceiver(SECRET, on_event=ledger.record_event) as receiver:
            post(http, receiver, "evt_1")
            post(http, receiver, "evt_1")
            post(http, receiver, "evt_2", amount=750)
        frame = ledger.events_frame()
    assert frame["event_id"].tolist() == ["evt_1", "evt_2"]
    assert frame["amount"].tolist() == [2000, 750]
