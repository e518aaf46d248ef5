"""WebhookHandler: the answer for each kind of delivery, deduplication, and the one 5xx (your code failing)."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Awaitable
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from samples import amount_applied
from starlette.concurrency import run_in_threadpool
from webhook_helpers import delivery, encode

from billkit.errors import InvalidArgumentError
from billkit.webhooks import (
    MemoryEventStore,
    ReceivedEvent,
    WebhookEvent,
    WebhookHandler,
    WebhookPayloadError,
    generate_secret,
    sign_headers,
)

SECRET = generate_secret()


class Recorder:
    """An on_event that remembers what it was called with, and can fail its first calls."""

    def __init__(self, failures: int = 0, message: str = "ledger unavailable") -> None:
        self.calls: list[str] = []
        self.failures = failures
        self.message = message
        self._lock = threading.Lock()

    def __call__(self, event: WebhookEvent) -> None:
        with self._lock:
            self.calls.append(event.id)
            if len(self.calls) <= self.failures:
                raise RuntimeError(self.message)


class BrokenStore(MemoryEventStore):
    def add(self, received: ReceivedEvent) -> bool:
        raise OSError("disk full")


class RefusingStore(MemoryEventStore):
    """A store that can never record this event (as a ledger refuses one it cannot read)."""

    def add(self, received: ReceivedEvent) -> bool:
        raise WebhookPayloadError("invalid_event", f"event {received.event.id}: 'amount' is wrong")


def answer(result_body: bytes) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(result_body)
    return decoded


def test_a_verified_event_is_acted_on_recorded_and_answered_200() -> None:
    on_event = Recorder()
    handler = WebhookHandler(SECRET, on_event=on_event)
    result = handler.handle(*delivery(amount_applied("evt_1"), SECRET))
    assert (result.status_code, result.ok, result.duplicate, result.reason) == (
        200,
        True,
        False,
        None,
    )
    assert answer(result.body) == {"received": True, "event_id": "evt_1", "duplicate": False}
    assert result.headers == {"Content-Type": "application/json"}
    assert on_event.calls == ["evt_1"]
    assert [r.event.id for r in handler.store.records()] == ["evt_1"]


def test_a_redelivery_is_200_without_calling_your_code_again() -> None:
    on_event = Recorder()
    handler = WebhookHandler(SECRET, on_event=on_event)
    first = handler.handle(*delivery(amount_applied("evt_1"), SECRET))
    # A retry: same event id, new webhook-id and timestamp.
    again = handler.handle(*delivery(amount_applied("evt_1"), SECRET))
    assert first.status_code == 200
    assert again.status_code == 200
    assert again.duplicate is True
    assert answer(again.body)["duplicate"] is True
    assert on_event.calls == ["evt_1"]
    assert len(handler.store.records()) == 1


def test_when_your_code_fails_the_answer_is_500_and_the_retry_records_it_once() -> None:
    on_event = Recorder(failures=1)
    handler = WebhookHandler(SECRET, on_event=on_event)
    failed = handler.handle(*delivery(amount_applied("evt_1"), SECRET))
    assert (failed.status_code, failed.reason) == (500, "handler_failed")
    assert handler.store.records() == []
    retried = handler.handle(*delivery(amount_applied("evt_1"), SECRET))
    assert (retried.status_code, retried.duplicate) == (200, False)
    assert on_event.calls == ["evt_1", "evt_1"]
    assert [r.event.id for r in handler.store.records()] == ["evt_1"]


def test_your_exception_text_stays_out_of_the_answer_but_in_the_rejections() -> None:
    handler = WebhookHandler(SECRET, on_event=Recorder(failures=1, message="customer 42 not found"))
    failed = handler.handle(*delivery(amount_applied("evt_1"), SECRET))
    assert "customer 42" not in failed.body.decode()
    [rejection] = handler.rejections
    assert rejection.reason == "handler_failed"
    assert "customer 42 not found" in rejection.message
    assert rejection.event_id == "evt_1"


def test_a_store_that_cannot_record_is_500_so_the_sender_retries() -> None:
    handler = WebhookHandler(SECRET, store=BrokenStore())
    result = handler.handle(*delivery(amount_applied("evt_1"), SECRET))
    assert (result.status_code, result.reason) == (500, "store_failed")


def test_an_event_the_store_can_never_record_is_400_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    handler = WebhookHandler(SECRET, store=RefusingStore())
    for _ in range(2):  # a retry is refused the same way, never a 5xx
        result = handler.handle(*delivery(amount_applied("evt_1"), SECRET))
        assert (result.status_code, result.reason) == (400, "invalid_event")
        assert "'amount' is wrong" in answer(result.body)["message"]
    assert [rejection.event_id for rejection in handler.rejections] == ["evt_1", "evt_1"]
    assert "refused a webhook delivery: 400 invalid_event" in caplog.text


def make_case(case: str) -> tuple[bytes, dict[str, str]]:
    body, headers = delivery(amount_applied("evt_1"), SECRET)
    if case == "tampered body":
        return body.replace(b"2000", b"9000"), headers
    if case == "wrong secret":
        return delivery(amount_applied("evt_1"), generate_secret())
    if case == "stale timestamp":
        return delivery(amount_applied("evt_1"), SECRET, timestamp=1_000_000_000)
    if case == "future timestamp":
        return delivery(amount_applied("evt_1"), SECRET, timestamp=4_000_000_000)
    if case == "missing headers":
        return body, {"content-type": "application/json"}
    if case == "signed non-JSON":
        return b"not json", sign_headers(b"not json", SECRET)
    if case == "signed wrong shape":
        bad = encode(amount_applied("evt_1", amount="lots"))
        return bad, sign_headers(bad, SECRET)
    if (
        case == "signed NaN"
    ):  # Python's json reads it, but it is not JSON and would not print as JSON
        bad = encode(amount_applied("evt_1")).replace(b'"sms"', b"NaN")
        return bad, sign_headers(bad, SECRET)
    if case == "signed deep nesting":  # deep enough to exhaust the stack of anything copying it
        deep: list[object] = []
        for _ in range(600):
            deep = [deep]
        bad = encode(amount_applied("evt_1", metadata={"deep": deep}))
        return bad, sign_headers(bad, SECRET)
    raise AssertionError(case)


@pytest.mark.parametrize(
    ("case", "status", "reason"),
    [
        ("tampered body", 401, "no_matching_signature"),
        ("wrong secret", 401, "no_matching_signature"),
        ("stale timestamp", 401, "timestamp_too_old"),
        ("future timestamp", 401, "timestamp_too_new"),
        ("missing headers", 400, "missing_header"),
        ("signed non-JSON", 400, "invalid_json"),
        ("signed wrong shape", 400, "invalid_event"),
        ("signed NaN", 400, "invalid_json"),
        ("signed deep nesting", 400, "invalid_event"),
    ],
)
def test_bad_deliveries_are_4xx_with_their_reason_and_nothing_runs(
    case: str, status: int, reason: str
) -> None:
    on_event = Recorder()
    handler = WebhookHandler(SECRET, on_event=on_event)
    result = handler.handle(*make_case(case))
    assert (result.status_code, result.reason) == (status, reason)
    assert answer(result.body)["error"] == reason
    assert on_event.calls == []
    assert handler.store.records() == []
    assert [r.reason for r in handler.rejections] == [reason]


def test_an_oversized_body_is_413_before_any_work() -> None:
    handler = WebhookHandler(SECRET, max_body_bytes=100)
    body, headers = delivery(amount_applied("evt_1"), SECRET)
    assert handler.handle(body, headers).status_code == 413


def test_no_tolerance_accepts_an_old_signature_for_an_advanced_sandbox_clock() -> None:
    handler = WebhookHandler(SECRET, tolerance=None)
    result = handler.handle(*delivery(amount_applied("evt_1"), SECRET, timestamp=1_000_000_000))
    assert result.status_code == 200


def test_concurrent_deliveries_of_one_event_run_your_code_once() -> None:
    release = threading.Event()
    calls: list[str] = []

    def slow(event: WebhookEvent) -> None:
        calls.append(event.id)
        release.wait(5)

    handler = WebhookHandler(SECRET, on_event=slow)
    deliveries = [delivery(amount_applied("evt_1"), SECRET) for _ in range(6)]
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda d=d: results.append(handler.handle(*d).status_code))
        for d in deliveries
    ]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join()
    assert calls == ["evt_1"]
    assert results == [200] * 6
    assert len(handler.store.records()) == 1


def test_an_async_on_event_is_refused_up_front() -> None:
    async def handle(event: WebhookEvent) -> None:
        return None

    with pytest.raises(InvalidArgumentError, match="not async"):
        WebhookHandler(SECRET, on_event=handle)


def test_an_on_event_that_returns_an_awaitable_fails_the_delivery() -> None:
    async def later() -> None:
        return None

    def hands_back(event: WebhookEvent) -> Awaitable[None]:
        return later()

    handler = WebhookHandler(SECRET, on_event=hands_back)
    result = handler.handle(*delivery(amount_applied("evt_1"), SECRET))
    assert (result.status_code, result.reason) == (500, "handler_failed")


def test_secrets_stay_out_of_repr_rejections_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    handler = WebhookHandler(SECRET, on_event=Recorder(failures=1, message=f"bad key {SECRET}"))
    with caplog.at_level(logging.DEBUG, logger="billkit.webhooks"):
        handler.handle(*delivery(amount_applied("evt_1"), SECRET))
        handler.handle(*delivery(amount_applied("evt_2"), generate_secret()))
    shown = [repr(handler), caplog.text, *(str(r) for r in handler.rejections)]
    assert all(SECRET not in text for text in shown)
    assert SECRET[-4:] in repr(handler)  # the masked tail, to tell secrets apart
    assert "handler_failed" in caplog.text


def test_bad_settings_are_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="max_body_bytes"):
        WebhookHandler(SECRET, max_body_bytes=0)


def test_the_documented_fastapi_integration_works() -> None:
    handler = WebhookHandler(SECRET)
    app = FastAPI()

    @app.post("/webhooks")
    async def webhooks(request: Request) -> Response:
        result = await run_in_threadpool(handler.handle, await request.body(), request.headers)
        return Response(result.body, result.status_code, media_type=result.content_type)

    async def post_twice() -> list[int]:
        body, headers = delivery(amount_applied("evt_1"), SECRET)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            good = await client.post("/webhooks", content=body, headers=headers)
            tampered = await client.post("/webhooks", content=body + b" ", headers=headers)
        return [good.status_code, tampered.status_code]

    assert asyncio.run(post_twice()) == [200, 401]
    assert [r.event.id for r in handler.store.records()] == ["evt_1"]


def test_the_tolerance_window_follows_the_given_clock() -> None:
    """A sandbox whose clock was moved ahead signs with future timestamps; its clock makes them current."""
    from datetime import UTC, datetime

    signed_at = 4_000_000_000
    body, headers = delivery(amount_applied("evt_1"), SECRET, timestamp=signed_at)
    wall = WebhookHandler(SECRET)
    assert wall.handle(body, headers).reason == "timestamp_too_new"
    ahead = WebhookHandler(SECRET, clock=lambda: datetime.fromtimestamp(signed_at + 10, UTC))
    assert ahead.handle(body, headers).status_code == 200
    behind = WebhookHandler(SECRET, clock=lambda: datetime.fromtimestamp(signed_at + 400, UTC))
    assert behind.handle(body, headers).reason == "timestamp_too_old"


class PlainStore:
    """A store of one's own with `add` only (no `submit`): the loop hands its add to a worker thread."""

    def __init__(self) -> None:
        self.inner = MemoryEventStore()
        self.adding_threads: set[str] = set()

    def seen(self, event_id: str) -> bool:
        return self.inner.seen(event_id)

    def add(self, received: ReceivedEvent) -> bool:
        self.adding_threads.add(threading.current_thread().name)
        return self.inner.add(received)

    def records(self, start: int = 0) -> list[ReceivedEvent]:
        return self.inner.records(start)

    def close(self) -> None:
        self.inner.close()


@pytest.mark.parametrize(
    ("store", "expected"),
    [
        (MemoryEventStore(), [(200, None), (200, None)]),
        (PlainStore(), [(200, None), (200, None)]),
        (BrokenStore(), [(500, "store_failed"), (500, "store_failed")]),
        (RefusingStore(), [(400, "invalid_event"), (400, "invalid_event")]),
    ],
    ids=["submit", "add-only", "broken", "refusing"],
)
def test_on_the_event_loop_a_delivery_gets_the_same_answers(
    store: Any, expected: list[tuple[int, str | None]]
) -> None:
    handler = WebhookHandler(SECRET, store=store)

    async def twice() -> list[tuple[int, str | None]]:
        results = [
            await handler.handle_on_loop(*delivery(amount_applied("evt_1"), SECRET))
            for _ in range(2)
        ]
        return [(result.status_code, result.reason) for result in results]

    assert asyncio.run(twice()) == expected
    if expected[0][0] == 200:
        assert [r.event.id for r in store.records()] == ["evt_1"]  # the second was a duplicate
    if isinstance(store, PlainStore):
        assert threading.current_thread().name not in store.adding_threads


def test_on_the_event_loop_a_bad_signature_is_refused_without_the_store() -> None:
    handler = WebhookHandler(SECRET, store=BrokenStore())
    body, headers = delivery(amount_applied("evt_1"), generate_secret())
    result = asyncio.run(handler.handle_on_loop(body, headers))
    assert (result.status_code, result.reason) == (401, "no_matching_signature")


def test_on_the_event_loop_your_on_event_runs_in_a_worker_thread() -> None:
    threads: list[str] = []
    handler = WebhookHandler(
        SECRET, on_event=lambda event: threads.append(threading.current_thread().name)
    )
    result = asyncio.run(handler.handle_on_loop(*delivery(amount_applied("evt_1"), SECRET)))
    assert result.status_code == 200
    assert threads
    assert threads[0] != threading.current_thread().name
