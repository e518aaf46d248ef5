"""Retries: which outcomes are retried, how long the client waits, and that every attempt reuses the key."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import format_datetime

import httpx
import pytest
from client_fakes import Recorder, Sleeps, make_async_client, make_client, problem
from samples import BILL, CUSTOMER

from billkit import (
    APIConnectionError,
    APITimeoutError,
    ConflictError,
    InternalServerError,
    RateLimitError,
)
from billkit.client._retry import RetryPolicy, parse_retry_after, retry_delay
from billkit.errors import error_class_for

NOW = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_retries=10, base_delay=0.5, max_delay=8.0, max_retry_after=60.0)


def delay(
    status: int | None,
    headers: dict[str, str] | None = None,
    *,
    retries_done: int = 0,
    draw: float = 0.5,
    policy: RetryPolicy = POLICY,
) -> float | None:
    return retry_delay(
        policy,
        retries_done=retries_done,
        status_code=status,
        headers=headers,
        random=lambda: draw,
        now=lambda: NOW,
    )


# --- the pure decision -------------------------------------------------------------------------


@pytest.mark.parametrize("status", [None, 409, 429, 500, 502, 503, 504])
def test_retried_outcomes(status: int | None) -> None:
    assert delay(status) is not None


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 405, 413, 422])
def test_never_retried_statuses(status: int) -> None:
    assert delay(status) is None


def test_replayed_409_is_final() -> None:
    assert delay(409, {"Idempotent-Replayed": "true"}) is None
    assert delay(409, {"Idempotent-Replayed": "false"}) is not None


def test_no_retry_once_retries_are_used_up() -> None:
    policy = RetryPolicy(max_retries=2)
    assert delay(503, retries_done=1, policy=policy) is not None
    assert delay(503, retries_done=2, policy=policy) is None
    assert delay(None, retries_done=0, policy=RetryPolicy(max_retries=0)) is None


@pytest.mark.parametrize(
    ("retries_done", "ceiling"), [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (5, 8.0)]
)
def test_backoff_is_exponential_with_full_jitter_and_a_cap(
    retries_done: int, ceiling: float
) -> None:
    assert delay(503, retries_done=retries_done, draw=0.0) == 0.0
    assert delay(503, retries_done=retries_done, draw=0.5) == pytest.approx(ceiling / 2)
    assert delay(503, retries_done=retries_done, draw=0.999) == pytest.approx(ceiling * 0.999)


def test_backoff_cap_holds_for_many_retries() -> None:
    policy = RetryPolicy(max_retries=50, base_delay=0.5, max_delay=8.0)
    assert delay(503, retries_done=40, draw=0.999, policy=policy) == pytest.approx(8.0 * 0.999)


def test_retry_after_seconds_replaces_the_backoff() -> None:
    assert delay(429, {"Retry-After": "3"}) == 3.0
    assert delay(503, {"retry-after": "0.25"}) == 0.25


def test_retry_after_http_date() -> None:
    later = format_datetime(datetime(2025, 1, 15, 10, 0, 7, tzinfo=UTC), usegmt=True)
    assert delay(429, {"Retry-After": later}) == 7.0


def test_retry_after_is_capped() -> None:
    assert delay(429, {"Retry-After": "3600"}) == 60.0


@pytest.mark.parametrize("value", ["soon", "", "nan", "inf"])
def test_unreadable_retry_after_falls_back_to_backoff(value: str) -> None:
    assert delay(429, {"Retry-After": value}, draw=0.5) == 0.25


def test_parse_retry_after() -> None:
    assert parse_retry_after(None, now=lambda: NOW) is None
    assert parse_retry_after(" 12 ", now=lambda: NOW) == 12.0
    assert parse_retry_after("-5", now=lambda: NOW) == 0.0
    past = format_datetime(datetime(2025, 1, 15, 9, 0, tzinfo=UTC), usegmt=True)
    assert parse_retry_after(past, now=lambda: NOW) == 0.0
    assert parse_retry_after("Wed, 15 Jan 2025 10:00:30 -0000", now=lambda: NOW) == 30.0


# --- through the client ------------------------------------------------------------------------


def create_bill_with(recorder: Recorder, sleeps: Sleeps, **options: object) -> object:
    with make_client(recorder, sleeps, **options) as client:  # type: ignore[arg-type]
        return client.bills.create(
            external_reference="UBR1", currency="ZAR", amount_due=2000, customer="bcus_1"
        )


def test_every_attempt_sends_the_same_idempotency_key() -> None:
    recorder = Recorder(
        problem(503, "try later"),
        httpx.ConnectError("connection refused"),
        problem(500, "oops"),
        default=httpx.Response(201, json=BILL),
    )
    sleeps = Sleeps()
    bill = create_bill_with(recorder, sleeps, max_retries=3)
    keys = recorder.keys()
    assert len(keys) == 4
    assert keys[0] is not None
    assert set(keys) == {keys[0]}
    assert len(sleeps.calls) == 3
    assert bill.response.attempts == 4  # type: ignore[attr-defined]
    assert bill.response.idempotency_key == keys[0]  # type: ignore[attr-defined]


def test_body_is_identical_on_every_attempt() -> None:
    recorder = Recorder(problem(502, "bad gateway"), default=httpx.Response(201, json=BILL))
    create_bill_with(recorder, Sleeps())
    first, second = recorder.requests
    assert first.content == second.content


def test_retry_after_is_respected_through_the_client() -> None:
    rate_limited = problem(429, "slow down")
    rate_limited.headers["Retry-After"] = "3"
    recorder = Recorder(rate_limited, default=httpx.Response(201, json=BILL))
    sleeps = Sleeps()
    create_bill_with(recorder, sleeps)
    assert sleeps.calls == [3.0]


def test_default_is_two_retries_then_the_mapped_error() -> None:
    recorder = Recorder(default=problem(503, "maintenance"))
    sleeps = Sleeps()
    with pytest.raises(InternalServerError) as caught:
        create_bill_with(recorder, sleeps)
    assert len(recorder.requests) == 3
    assert len(sleeps.calls) == 2
    assert caught.value.attempts == 3
    assert "after 3 attempts" in str(caught.value)


@pytest.mark.parametrize("max_retries", [0, 1, 4])
def test_number_of_retries_is_configurable(max_retries: int) -> None:
    recorder = Recorder(default=problem(500, "down"))
    with pytest.raises(InternalServerError):
        create_bill_with(recorder, Sleeps(), max_retries=max_retries)
    assert len(recorder.requests) == max_retries + 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 422])
def test_client_errors_are_sent_once(status: int) -> None:
    recorder = Recorder(default=problem(status, "no"))
    sleeps = Sleeps()
    with pytest.raises(error_class_for(status)):
        create_bill_with(recorder, sleeps, max_retries=5)
    assert len(recorder.requests) == 1
    assert sleeps.calls == []


def test_rate_limit_exhausted_raises_rate_limit_error() -> None:
    recorder = Recorder(default=problem(429, "slow down"))
    with pytest.raises(RateLimitError):
        create_bill_with(recorder, Sleeps(), max_retries=1)
    assert len(recorder.requests) == 2


def test_conflict_is_retried_until_it_clears() -> None:
    recorder = Recorder(problem(409, "still processing"), default=httpx.Response(201, json=BILL))
    create_bill_with(recorder, Sleeps())
    assert len(recorder.requests) == 2


def test_replayed_conflict_stops_retrying() -> None:
    replayed = problem(409, "external_reference UBR1 already exists")
    replayed.headers["Idempotent-Replayed"] = "true"
    recorder = Recorder(default=replayed)
    with pytest.raises(ConflictError) as caught:
        create_bill_with(recorder, Sleeps(), max_retries=5)
    assert len(recorder.requests) == 1
    assert caught.value.replayed


def test_connection_errors_are_retried_then_reported_as_never_answered() -> None:
    recorder = Recorder(default=httpx.ConnectError("connection refused"))
    with pytest.raises(APIConnectionError) as caught:
        create_bill_with(recorder, Sleeps())
    assert not isinstance(caught.value, APITimeoutError)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert len(recorder.requests) == 3
    assert caught.value.attempts == 3
    assert "never answered" in str(caught.value)
    assert "POST /billing/bills" in str(caught.value)


def test_timeouts_are_retried_then_raise_api_timeout_error() -> None:
    recorder = Recorder(default=httpx.ReadTimeout("timed out"))
    with pytest.raises(APITimeoutError) as caught:
        create_bill_with(recorder, Sleeps(), max_retries=1)
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert len(set(recorder.keys())) == 1
    assert len(recorder.requests) == 2


def test_a_transport_error_that_would_repeat_is_not_retried() -> None:
    recorder = Recorder(default=httpx.UnsupportedProtocol("no such scheme"))
    with pytest.raises(APIConnectionError):
        create_bill_with(recorder, Sleeps(), max_retries=3)
    assert len(recorder.requests) == 1


def test_reads_are_retried_without_a_key() -> None:
    recorder = Recorder(problem(503, "busy"), default=httpx.Response(200, json=CUSTOMER))
    with make_client(recorder) as client:
        client.customers.retrieve("bcus_1")
    assert recorder.keys() == [None, None]


def test_async_client_retries_with_the_same_key_and_awaits_its_sleep() -> None:
    rate_limited = problem(429, "slow down")
    rate_limited.headers["Retry-After"] = "2"
    recorder = Recorder(
        rate_limited, httpx.ConnectError("reset"), default=httpx.Response(201, json=BILL)
    )
    sleeps = Sleeps()

    async def run() -> None:
        async with make_async_client(recorder, sleeps) as client:
            bill = await client.bills.create(
                external_reference="UBR1", currency="ZAR", amount_due=2000, customer="bcus_1"
            )
        assert bill.response is not None
        assert bill.response.attempts == 3

    asyncio.run(run())
    assert len(set(recorder.keys())) == 1
    assert sleeps.calls[0] == 2.0
    assert len(sleeps.calls) == 2


def test_async_client_gives_up_like_the_sync_one() -> None:
    recorder = Recorder(default=httpx.ConnectTimeout("slow"))

    async def run() -> None:
        async with make_async_client(recorder, max_retries=1) as client:
            await client.customers.retrieve("bcus_1")

    with pytest.raises(APITimeoutError):
        asyncio.run(run())
    assert len(recorder.requests) == 2
