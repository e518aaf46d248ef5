"""The ledger hears of every object the client creates, retrieves, updates or voids, and of nothing else."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from client_fakes import Recorder, make_async_client, make_client, problem
from samples import ACCOUNT, BILL, CUSTOMER, PAYMENT_REQUEST

from billkit import NotFoundError


class ListLedger:
    def __init__(self) -> None:
        self.records: list[tuple[str, dict[str, Any], datetime]] = []

    def record_object(self, kind: str, obj: Mapping[str, Any], observed_at: datetime) -> None:
        self.records.append((kind, dict(obj), observed_at))


def test_every_object_call_is_recorded() -> None:
    recorder = Recorder(
        httpx.Response(201, json=CUSTOMER),
        httpx.Response(200, json=CUSTOMER),
        httpx.Response(200, json=ACCOUNT),
        httpx.Response(201, json=BILL),
        httpx.Response(200, json={**BILL, "status": "voided"}),
        httpx.Response(201, json=PAYMENT_REQUEST),
        httpx.Response(200, json=PAYMENT_REQUEST),
    )
    ledger = ListLedger()
    before = datetime.now(UTC)
    with make_client(recorder, ledger=ledger) as client:
        client.customers.create(external_reference="UCR1")
        client.customers.update("UCR1", name="Jo")
        client.accounts.retrieve("bacc_1")
        client.bills.create(external_reference="B", currency="ZAR", amount_due=2000, customer="c")
        client.bills.void("B")
        client.payment_requests.create(amount=2000, currency="ZAR")
        client.payment_requests.update("pr_1", description="d")
    after = datetime.now(UTC)
    kinds = [kind for kind, _, _ in ledger.records]
    assert kinds == [
        "customer",
        "customer",
        "account",
        "bill",
        "bill",
        "payment_request",
        "payment_request",
    ]
    assert ledger.records[4][1] == {**BILL, "status": "voided"}
    for _, _, observed_at in ledger.records:
        assert observed_at.tzinfo is UTC
        assert before <= observed_at <= after


def test_failures_and_sandbox_routes_are_not_recorded() -> None:
    recorder = Recorder(
        problem(404, "no such bill"),
        httpx.Response(200, json={"data": [BILL], "has_more": False}),
    )
    ledger = ListLedger()
    with make_client(recorder, ledger=ledger) as client:
        with pytest.raises(NotFoundError):
            client.bills.retrieve("nope")
        list(client.sandbox.bills.list())
    assert ledger.records == []


def test_async_client_records_too() -> None:
    recorder = Recorder(default=httpx.Response(200, json=BILL))
    ledger = ListLedger()

    async def run() -> None:
        async with make_async_client(recorder, ledger=ledger) as client:
            await client.bills.retrieve("bill_1")

    asyncio.run(run())
    assert [(kind, obj) for kind, obj, _ in ledger.records] == [("bill", BILL)]
