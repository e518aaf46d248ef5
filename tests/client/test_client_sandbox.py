"""`client.sandbox`: the sandbox-only routes, their requests and answers, paging, and the real-host guard."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from client_fakes import Recorder, make_async_client, make_client, paths
from samples import BILL, CUSTOMER

from billkit import (
    Bill,
    ConfigurationError,
    Customer,
    InvalidArgumentError,
    UnexpectedResponseError,
)
from billkit.client import Delivery, Page, SandboxPayment, WebhookEndpoint

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
PAYMENT = {
    "id": "pay_1",
    "amount": 2000,
    "currency": "ZAR",
    "channel": "api",
    "status": "succeeded",
    "obligation": {"type": "bill", "id": "bill_1"},
    "application_id": "ob_1",
    "event_id": "evt_1",
    "created_at": "2025-01-15T10:00:00Z",
}


def event(number: int) -> dict[str, Any]:
    return {"id": f"evt_{number}", "type": "obligation.amount_applied", "data": {"amount": number}}


def test_register_a_webhook_endpoint_with_chaos() -> None:
    answer = httpx.Response(
        201, json={"id": "we_1", "url": "http://127.0.0.1:9/hook", "secret": SECRET}
    )
    recorder = Recorder(default=answer)
    chaos = {"duplicate_rate": 0.2, "delay_rate": 0.5, "max_delay_seconds": 30, "seed": 7}
    with make_client(recorder) as client:
        endpoint = client.sandbox.webhook_endpoints.create("http://127.0.0.1:9/hook", chaos=chaos)
    assert paths(recorder.requests) == ["POST /_sandbox/webhook_endpoints"]
    assert recorder.bodies() == [{"url": "http://127.0.0.1:9/hook", "chaos": chaos}]
    assert "idempotency-key" in recorder.last.headers
    assert isinstance(endpoint, WebhookEndpoint)
    assert endpoint.secret == SECRET
    assert SECRET not in repr(endpoint)
    assert SECRET not in str(endpoint)


def test_webhook_endpoint_without_chaos_sends_only_the_url() -> None:
    answer = httpx.Response(201, json={"id": "we_1", "url": "http://127.0.0.1:9/hook"})
    recorder = Recorder(default=answer)
    with make_client(recorder) as client:
        client.sandbox.webhook_endpoints.create("http://127.0.0.1:9/hook")
    assert recorder.bodies() == [{"url": "http://127.0.0.1:9/hook"}]


def test_an_unreadable_answer_does_not_show_the_secret_it_holds() -> None:
    answer = httpx.Response(201, json=[{"id": "we_1", "secret": SECRET}])
    recorder = Recorder(default=answer)
    with (
        make_client(recorder) as client,
        pytest.raises(UnexpectedResponseError, match="expected a JSON object") as caught,
    ):
        client.sandbox.webhook_endpoints.create("http://127.0.0.1:9/hook")
    assert SECRET not in str(caught.value)
    assert "whsec_…LaSw" in str(caught.value)


@pytest.mark.parametrize(
    ("url", "chaos"), [("127.0.0.1:9/hook", None), ("http://x/hook", [("seed", 1)])]
)
def test_bad_webhook_endpoint_arguments(url: str, chaos: Any) -> None:
    recorder = Recorder()
    with make_client(recorder) as client, pytest.raises(InvalidArgumentError):
        client.sandbox.webhook_endpoints.create(url, chaos=chaos)
    assert recorder.requests == []


def test_list_and_delete_webhook_endpoints() -> None:
    listed = httpx.Response(
        200, json={"data": [{"id": "we_1", "url": "http://h/x", "secret": SECRET}]}
    )
    recorder = Recorder(listed, httpx.Response(204))
    with make_client(recorder) as client:
        (endpoint,) = client.sandbox.webhook_endpoints.list()
        assert client.sandbox.webhook_endpoints.delete(endpoint.id) is None
    assert paths(recorder.requests) == [
        "GET /_sandbox/webhook_endpoints",
        "DELETE /_sandbox/webhook_endpoints/we_1",
    ]


def test_pay_a_bill() -> None:
    recorder = Recorder(default=httpx.Response(201, json=PAYMENT))
    with make_client(recorder) as client:
        payment = client.sandbox.payments.create(
            bill="UBR1", amount=2000, channel="in_person", metadata={"agent": "A7"}
        )
    assert paths(recorder.requests) == ["POST /_sandbox/payments"]
    assert recorder.bodies() == [
        {"bill": "UBR1", "amount": 2000, "channel": "in_person", "metadata": {"agent": "A7"}}
    ]
    assert "idempotency-key" in recorder.last.headers
    assert isinstance(payment, SandboxPayment)
    assert payment.obligation is not None
    assert payment.obligation.id == "bill_1"
    assert payment.event_id == "evt_1"


@pytest.mark.parametrize(
    "targets",
    [{}, {"bill": "bill_1", "account": "bacc_1"}, {"customer": "c", "payment_request": "pr_1"}],
)
def test_a_payment_needs_exactly_one_target(targets: dict[str, str]) -> None:
    recorder = Recorder()
    with make_client(recorder) as client, pytest.raises(InvalidArgumentError, match="exactly one"):
        client.sandbox.payments.create(amount=100, **targets)  # type: ignore[arg-type]
    assert recorder.requests == []


def test_a_payment_amount_must_be_minor_units() -> None:
    recorder = Recorder()
    with make_client(recorder) as client, pytest.raises(InvalidArgumentError, match="minor units"):
        client.sandbox.payments.create(bill="bill_1", amount=20.0)  # type: ignore[arg-type]
    assert recorder.requests == []


def test_events_list_is_a_page_of_raw_events() -> None:
    answer = httpx.Response(200, json={"data": [event(3), event(2)], "has_more": True})
    recorder = Recorder(default=answer)
    with make_client(recorder) as client:
        page = client.sandbox.events.list(limit=2, starting_after="evt_4")
    assert isinstance(page, Page)
    assert page.data == [event(3), event(2)]
    assert page.has_more
    assert page.next_cursor == "evt_2"
    assert recorder.last.url.params == httpx.QueryParams({"limit": "2", "starting_after": "evt_4"})


def test_events_iterate_follows_the_cursor_until_the_end() -> None:
    recorder = Recorder(
        httpx.Response(200, json={"data": [event(5), event(4)], "has_more": True}),
        httpx.Response(200, json={"data": [event(3), event(2)], "has_more": True}),
        httpx.Response(200, json={"data": [event(1)], "has_more": False}),
    )
    with make_client(recorder) as client:
        ids = [e["id"] for e in client.sandbox.events.iterate(page_size=2)]
    assert ids == ["evt_5", "evt_4", "evt_3", "evt_2", "evt_1"]
    cursors = [r.url.params.get("starting_after") for r in recorder.requests]
    assert cursors == [None, "evt_4", "evt_2"]


def test_iteration_fetches_lazily() -> None:
    recorder = Recorder(
        default=httpx.Response(200, json={"data": [event(2), event(1)], "has_more": True})
    )
    with make_client(recorder) as client:
        events = client.sandbox.events.iterate(page_size=2)
        assert recorder.requests == []
        assert next(events)["id"] == "evt_2"
    assert len(recorder.requests) == 1


@pytest.mark.parametrize("limit", [0, 101, True])
def test_page_size_is_checked_before_sending(limit: Any) -> None:
    recorder = Recorder()
    with make_client(recorder) as client:
        with pytest.raises(InvalidArgumentError, match="limit"):
            client.sandbox.events.list(limit=limit)
        with pytest.raises(InvalidArgumentError, match="limit"):
            client.sandbox.events.iterate(page_size=limit)
        with pytest.raises(InvalidArgumentError, match="limit"):
            client.sandbox.bills.list(page_size=limit)
    assert recorder.requests == []


def test_event_retrieve_deliveries_and_redeliver() -> None:
    deliveries = {
        "data": [
            {
                "webhook_id": "msg_1",
                "attempt": 1,
                "timestamp": 1736935200,
                "status_code": 500,
                "error": None,
                "duration_ms": 12,
            },
            {
                "webhook_id": "msg_2",
                "attempt": 2,
                "timestamp": 1736935205,
                "status_code": None,
                "error": "connection refused",
                "duration_ms": 3.5,
            },
        ]
    }
    recorder = Recorder(
        httpx.Response(200, json=event(1)),
        httpx.Response(200, json=deliveries),
        httpx.Response(202, json={"queued": True}),
    )
    with make_client(recorder) as client:
        assert client.sandbox.events.retrieve("evt_1") == event(1)
        first, second = client.sandbox.events.deliveries("evt_1")
        assert client.sandbox.events.redeliver("evt_1") is None
    assert paths(recorder.requests) == [
        "GET /_sandbox/events/evt_1",
        "GET /_sandbox/events/evt_1/deliveries",
        "POST /_sandbox/events/evt_1/redeliver",
    ]
    assert isinstance(first, Delivery)
    assert first.timestamp == datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
    assert second.error == "connection refused"
    assert second.to_dict() == deliveries["data"][1]


def test_billing_lists_are_typed_and_filtered() -> None:
    second_bill = {**BILL, "id": "bill_2"}
    recorder = Recorder(
        httpx.Response(200, json={"data": [BILL], "has_more": True}),
        httpx.Response(200, json={"data": [second_bill], "has_more": False}),
    )
    with make_client(recorder) as client:
        bills = list(client.sandbox.bills.list(customer="bcus_1", status="unpaid", page_size=1))
    assert [b.id for b in bills] == [BILL["id"], "bill_2"]
    assert all(isinstance(b, Bill) for b in bills)
    first, second = (r.url.params for r in recorder.requests)
    assert first == httpx.QueryParams({"customer": "bcus_1", "status": "unpaid", "limit": "1"})
    assert second["starting_after"] == BILL["id"]
    assert {r.url.path for r in recorder.requests} == {"/_sandbox/billing/bills"}


def test_customer_and_account_lists() -> None:
    recorder = Recorder(
        httpx.Response(200, json={"data": [CUSTOMER], "has_more": False}),
        httpx.Response(200, json={"data": [], "has_more": False}),
    )
    with make_client(recorder) as client:
        customers = list(client.sandbox.customers.list())
        accounts = list(client.sandbox.accounts.list(customer="UCR1"))
    assert [type(c) for c in customers] == [Customer]
    assert accounts == []
    assert paths(recorder.requests) == [
        "GET /_sandbox/billing/customers?limit=100",
        "GET /_sandbox/billing/accounts?customer=UCR1&limit=100",
    ]


def test_clock_now_and_advance() -> None:
    recorder = Recorder(
        httpx.Response(200, json={"now": "2025-01-15T10:00:00Z"}),
        httpx.Response(200, json={"now": "2025-01-16T10:00:00Z"}),
    )
    with make_client(recorder) as client:
        assert client.sandbox.clock.now() == datetime(2025, 1, 15, 10, tzinfo=UTC)
        assert client.sandbox.clock.advance(timedelta(days=1)) == datetime(
            2025, 1, 16, 10, tzinfo=UTC
        )
    assert paths(recorder.requests) == ["GET /_sandbox/clock", "POST /_sandbox/clock"]
    assert recorder.last.content == b'{"advance_seconds":86400}'


def test_fractional_clock_advances_are_kept() -> None:
    recorder = Recorder(default=httpx.Response(200, json={"now": "2025-01-15T10:00:01.5Z"}))
    with make_client(recorder) as client:
        client.sandbox.clock.advance(1.5)
    assert json.loads(recorder.last.content) == {"advance_seconds": 1.5}


@pytest.mark.parametrize("seconds", [0, -5, timedelta(seconds=-1), True, "60"])
def test_the_clock_only_moves_forward(seconds: Any) -> None:
    recorder = Recorder()
    with make_client(recorder) as client, pytest.raises(InvalidArgumentError, match="forward"):
        client.sandbox.clock.advance(seconds)
    assert recorder.requests == []


def test_reset() -> None:
    recorder = Recorder(default=httpx.Response(204))
    with make_client(recorder) as client:
        assert client.sandbox.reset() is None
    assert paths(recorder.requests) == ["POST /_sandbox/reset"]


@pytest.mark.parametrize("base_url", ["https://api.momentpay.net", "https://api.momentco.io/"])
def test_sandbox_routes_are_refused_on_moments_hosts(base_url: str) -> None:
    recorder = Recorder()
    with make_client(recorder, base_url=base_url) as client:
        with pytest.raises(ConfigurationError, match="only on billkit's local sandbox"):
            client.sandbox.reset()
        with pytest.raises(ConfigurationError, match="only on billkit's local sandbox"):
            list(client.sandbox.events.iterate())
    assert recorder.requests == []


def test_async_sandbox_routes_page_and_pay() -> None:
    recorder = Recorder(
        httpx.Response(200, json={"data": [event(2)], "has_more": True}),
        httpx.Response(200, json={"data": [event(1)], "has_more": False}),
        httpx.Response(201, json=PAYMENT),
        httpx.Response(200, json={"now": "2025-01-15T10:00:00Z"}),
    )

    async def run() -> tuple[list[str], SandboxPayment, datetime]:
        async with make_async_client(recorder) as client:
            ids = [e["id"] async for e in client.sandbox.events.iterate(page_size=1)]
            payment = await client.sandbox.payments.create(customer="UCR1", amount=2000)
            now = await client.sandbox.clock.now()
        return ids, payment, now

    ids, payment, now = asyncio.run(run())
    assert ids == ["evt_2", "evt_1"]
    assert payment.id == "pay_1"
    assert now.tzinfo is not None
    assert recorder.bodies()[2] == {"customer": "UCR1", "amount": 2000}
