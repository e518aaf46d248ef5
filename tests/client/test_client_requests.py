"""Each endpoint sends the request Moment documents: method, path, headers and body."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from client_fakes import API_KEY, Recorder, make_async_client, make_client
from samples import ACCOUNT, BILL, CUSTOMER, PAYMENT_REQUEST

from billkit import Client, InvalidArgumentError, NewAccount, NewCustomer

Call = Callable[[Client], object]

# (what the caller does, answer, method, path, JSON body or None)
ENDPOINTS: list[tuple[str, Call, dict[str, Any], str, str, Any]] = [
    (
        "customers.create",
        lambda c: c.customers.create(
            external_reference="UCR1", name="John Doe", balance=2000, currency="ZAR"
        ),
        CUSTOMER,
        "POST",
        "/billing/customers",
        {"external_reference": "UCR1", "name": "John Doe", "balance": 2000, "currency": "ZAR"},
    ),
    (
        "customers.retrieve",
        lambda c: c.customers.retrieve("bcus_1"),
        CUSTOMER,
        "GET",
        "/billing/customers/bcus_1",
        None,
    ),
    (
        "customers.update",
        lambda c: c.customers.update("UCR1", balance=5000),
        CUSTOMER,
        "PATCH",
        "/billing/customers/UCR1",
        {"balance": 5000},
    ),
    (
        "accounts.create",
        lambda c: c.accounts.create(customer="bcus_1", external_reference="UAR1", name="Primary"),
        ACCOUNT,
        "POST",
        "/billing/accounts",
        {"customer": "bcus_1", "external_reference": "UAR1", "name": "Primary"},
    ),
    (
        "accounts.retrieve",
        lambda c: c.accounts.retrieve("bacc_1"),
        ACCOUNT,
        "GET",
        "/billing/accounts/bacc_1",
        None,
    ),
    (
        "accounts.update",
        lambda c: c.accounts.update("bacc_1", name="Premium", metadata={"tier": "gold"}),
        ACCOUNT,
        "PATCH",
        "/billing/accounts/bacc_1",
        {"name": "Premium", "metadata": {"tier": "gold"}},
    ),
    (
        "bills.create",
        lambda c: c.bills.create(
            external_reference="UBR1",
            currency="ZAR",
            amount_due=2000,
            account="bacc_1",
            bill_date=date(2025, 1, 1),
            due_date="2025-01-31",
        ),
        BILL,
        "POST",
        "/billing/bills",
        {
            "external_reference": "UBR1",
            "currency": "ZAR",
            "amount_due": 2000,
            "account": "bacc_1",
            "bill_date": "2025-01-01",
            "due_date": "2025-01-31",
        },
    ),
    (
        "bills.retrieve",
        lambda c: c.bills.retrieve("bill_1"),
        BILL,
        "GET",
        "/billing/bills/bill_1",
        None,
    ),
    (
        "bills.update",
        lambda c: c.bills.update("bill_1", amount_paid=1500, currency="ZAR"),
        BILL,
        "PATCH",
        "/billing/bills/bill_1",
        {"amount_paid": 1500, "currency": "ZAR"},
    ),
    (
        "bills.void",
        lambda c: c.bills.void("bill_1"),
        BILL,
        "POST",
        "/billing/bills/bill_1/void",
        None,
    ),
    (
        "payment_requests.create",
        lambda c: c.payment_requests.create(
            amount=2000,
            currency="ZAR",
            description="Invoice 1",
            expires_at=datetime(2025, 1, 16, 12, 0, tzinfo=timezone(timedelta(hours=2))),
            metadata={"bill_id": "bill_1"},
        ),
        PAYMENT_REQUEST,
        "POST",
        "/collect/payment_requests",
        {
            "amount": 2000,
            "currency": "ZAR",
            "description": "Invoice 1",
            "expires_at": "2025-01-16T10:00:00Z",
            "metadata": {"bill_id": "bill_1"},
        },
    ),
    (
        "payment_requests.retrieve",
        lambda c: c.payment_requests.retrieve("pr_1"),
        PAYMENT_REQUEST,
        "GET",
        "/collect/payment_requests/pr_1",
        None,
    ),
    (
        "payment_requests.update",
        lambda c: c.payment_requests.update("pr_1", description="Invoice 1 (corrected)"),
        PAYMENT_REQUEST,
        "PATCH",
        "/collect/payment_requests/pr_1",
        {"description": "Invoice 1 (corrected)"},
    ),
]


@pytest.mark.parametrize(
    ("call", "answer", "method", "path", "body"),
    [case[1:] for case in ENDPOINTS],
    ids=[case[0] for case in ENDPOINTS],
)
def test_endpoint_request(
    call: Call, answer: dict[str, Any], method: str, path: str, body: Any
) -> None:
    recorder = Recorder(default=httpx.Response(200, json=answer))
    with make_client(recorder) as client:
        call(client)
    (request,) = recorder.requests
    assert (request.method, request.url.raw_path.decode()) == (method, path)
    assert request.url.host == "sandbox.test"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["accept"] == "application/json"
    assert (json.loads(request.content) if request.content else None) == body
    if body is not None:
        assert request.headers["content-type"] == "application/json"
    if method == "GET":
        assert "idempotency-key" not in request.headers
    else:
        assert uuid.UUID(request.headers["idempotency-key"]).version == 4


def test_each_call_gets_its_own_idempotency_key() -> None:
    recorder = Recorder(default=httpx.Response(200, json=CUSTOMER))
    with make_client(recorder) as client:
        client.customers.create(external_reference="A")
        client.customers.create(external_reference="B")
    first, second = recorder.keys()
    assert first != second


def test_caller_idempotency_key_is_sent_as_given() -> None:
    recorder = Recorder(default=httpx.Response(201, json=BILL))
    with make_client(recorder) as client:
        bill = client.bills.void("bill_1", idempotency_key="void-bill-1")
    assert recorder.last.headers["idempotency-key"] == "void-bill-1"
    assert bill.response is not None
    assert bill.response.idempotency_key == "void-bill-1"


@pytest.mark.parametrize("key", ["", "has space", "under_score", "x" * 256, 42])
def test_malformed_idempotency_key_is_refused_before_sending(key: Any) -> None:
    recorder = Recorder()
    with (
        make_client(recorder) as client,
        pytest.raises(InvalidArgumentError, match="idempotency_key"),
    ):
        client.bills.void("bill_1", idempotency_key=key)
    assert recorder.requests == []


@pytest.mark.parametrize(
    ("identifier", "quoted"),
    [
        ("INV/2024/001", "INV%2F2024%2F001"),
        ("a b?c#d", "a%20b%3Fc%23d"),
        ("../admin", "..%2Fadmin"),
        ("ünï", "%C3%BCn%C3%AF"),
    ],
)
def test_path_identifiers_are_url_quoted(identifier: str, quoted: str) -> None:
    recorder = Recorder()
    with make_client(recorder) as client:
        client.bills.retrieve(identifier)
    assert recorder.last.url.raw_path.decode() == f"/billing/bills/{quoted}"


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.bills.retrieve(""),
        lambda c: c.bills.void("   "),
        lambda c: c.customers.update("", name="x"),
        lambda c: c.accounts.retrieve(None),
        lambda c: c.payment_requests.retrieve(123),
    ],
)
def test_empty_or_non_string_identifier_is_refused_before_sending(call: Call) -> None:
    recorder = Recorder()
    with make_client(recorder) as client, pytest.raises(InvalidArgumentError):
        call(client)
    assert recorder.requests == []


def test_composite_bill_create_with_typed_objects() -> None:
    recorder = Recorder(default=httpx.Response(201, json=BILL))
    with make_client(recorder) as client:
        client.bills.create(
            external_reference="UBR1",
            currency="ZAR",
            amount_due=2000,
            account=NewAccount(
                "UAR1",
                name="Primary Account",
                customer=NewCustomer("UCR1", name="John Doe", email="john@example.com"),
            ),
        )
    assert recorder.bodies()[0]["account"] == {
        "external_reference": "UAR1",
        "customer": {"external_reference": "UCR1", "name": "John Doe", "email": "john@example.com"},
        "name": "Primary Account",
    }


def test_composite_creates_accept_plain_dicts_and_drop_none() -> None:
    recorder = Recorder(httpx.Response(201, json=ACCOUNT), default=httpx.Response(201, json=BILL))
    with make_client(recorder) as client:
        client.accounts.create(
            customer={"external_reference": "UCR1", "name": None, "currency": "ZAR", "balance": 0},
            external_reference="UAR1",
        )
        client.bills.create(
            external_reference="UBR1",
            currency="ZAR",
            amount_due=500,
            customer="bcus_1",
            account=NewAccount("UAR2"),
        )
    accounts_body, bills_body = recorder.bodies()
    assert accounts_body["customer"] == {
        "external_reference": "UCR1",
        "currency": "ZAR",
        "balance": 0,
    }
    assert bills_body["customer"] == "bcus_1"
    assert bills_body["account"] == {"external_reference": "UAR2"}


def test_none_arguments_are_omitted_but_none_metadata_values_are_sent() -> None:
    recorder = Recorder(default=httpx.Response(200, json=CUSTOMER))
    with make_client(recorder) as client:
        client.customers.update("bcus_1", name=None, metadata={"old": None, "new": "1"})  # type: ignore[typeddict-item]
    assert recorder.bodies() == [{"metadata": {"old": None, "new": "1"}}]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda c: c.customers.create(external_reference="A", nmae="typo"),
            "unknown argument.*nmae",
        ),
        (lambda c: c.customers.create(name="no reference"), "missing required.*external_reference"),
        (
            lambda c: c.bills.create(external_reference="B", currency="ZAR", customer="bcus_1"),
            "amount_due",
        ),
        (
            lambda c: c.bills.create(
                external_reference="B", currency="ZAR", amount_due=20.5, customer="c"
            ),
            "amount_due must be an int of minor units",
        ),
        (
            lambda c: c.customers.update("bcus_1", balance=True),
            "balance must be an int",
        ),
        (
            lambda c: c.bills.create(external_reference="B", currency="ZAR", amount_due=100),
            "customer=... or account=...",
        ),
        (lambda c: c.bills.update("bill_1"), "nothing to update"),
        (
            lambda c: c.payment_requests.update("pr_1", expires_at=datetime(2025, 1, 1)),
            "timezone-aware",
        ),
        (
            lambda c: c.accounts.update("bacc_1", metadata={"k": 1}),
            "metadata must map str keys to str values",
        ),
        (
            lambda c: c.bills.update("bill_1", currency=object()),
            "cannot be sent as JSON",
        ),
    ],
)
def test_bad_arguments_are_refused_before_sending(call: Call, message: str) -> None:
    recorder = Recorder()
    with make_client(recorder) as client, pytest.raises(InvalidArgumentError, match=message):
        call(client)
    assert recorder.requests == []


def test_aware_datetimes_are_sent_in_utc() -> None:
    recorder = Recorder(default=httpx.Response(200, json=PAYMENT_REQUEST))
    with make_client(recorder) as client:
        client.payment_requests.update("pr_1", expires_at=datetime(2025, 3, 1, 8, 30, tzinfo=UTC))
    assert recorder.bodies() == [{"expires_at": "2025-03-01T08:30:00Z"}]


def test_base_url_path_prefix_is_kept() -> None:
    recorder = Recorder()
    with make_client(recorder, base_url="http://proxy.test/moment/") as client:
        client.bills.retrieve("bill_1")
    assert str(recorder.last.url) == "http://proxy.test/moment/billing/bills/bill_1"


@pytest.mark.parametrize(
    ("call", "answer", "method", "path", "body"),
    [case[1:] for case in ENDPOINTS],
    ids=[case[0] for case in ENDPOINTS],
)
def test_async_client_sends_the_same_requests(
    call: Callable[[Any], Any], answer: dict[str, Any], method: str, path: str, body: Any
) -> None:
    sync_recorder = Recorder(default=httpx.Response(200, json=answer))
    async_recorder = Recorder(default=httpx.Response(200, json=answer))
    with make_client(sync_recorder) as client:
        expected = call(client)

    async def run() -> Any:
        async with make_async_client(async_recorder) as client:
            return await call(client)

    result = asyncio.run(run())
    (sent,) = async_recorder.requests
    (reference,) = sync_recorder.requests
    assert (sent.method, sent.url, sent.content) == (
        reference.method,
        reference.url,
        reference.content,
    )
    assert ("idempotency-key" in sent.headers) == (method != "GET")
    assert type(result) is type(expected)
    assert result.to_dict() == expected.to_dict()
