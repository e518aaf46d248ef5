"""`bills.create_many`: keys from the load and the row, one outcome per row, 429s waited out."""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import httpx
import pandas as pd
import pytest
from client_fakes import API_KEY, BASE_URL, BILL, problem

from billkit import AsyncClient, Client
from billkit.client.bulk import OUTCOME_COLUMNS, idempotency_key_for
from billkit.errors import InvalidArgumentError
from billkit.sandbox import Sandbox


def _rows(count: int, prefix: str = "INV") -> list[dict[str, Any]]:
    return [
        {
            "external_reference": f"{prefix}{i}",
            "currency": "ZAR",
            "amount_due": 1000 + i,
            "customer": "UCR1",
        }
        for i in range(1, count + 1)
    ]


def _bill_for(request: httpx.Request) -> dict[str, Any]:
    body = json.loads(request.content)
    return {
        **BILL,
        "id": "bill_" + body["external_reference"].ljust(21, "x"),
        "external_reference": body["external_reference"],
    }


def test_each_row_gets_a_key_from_the_load_and_its_content() -> None:
    keys: list[str] = []
    lock = threading.Lock()

    def answer(request: httpx.Request) -> httpx.Response:
        with lock:
            keys.append(request.headers["Idempotency-Key"])
        return httpx.Response(201, json=_bill_for(request))

    with Client(API_KEY, BASE_URL, transport=httpx.MockTransport(answer)) as client:
        first = client.bills.create_many(
            _rows(5), source="za_acme_dailyfile_2025-02-02.csv", progress=False
        )
        client.bills.create_many(
            _rows(5), source="za_acme_dailyfile_2025-02-02.csv", progress=False
        )
    assert list(first.columns) == OUTCOME_COLUMNS
    assert first["row"].tolist() == [1, 2, 3, 4, 5]
    assert first["status"].tolist() == ["created"] * 5
    assert sorted(keys[:5]) == sorted(keys[5:])  # the same load sends the same keys again
    expected = idempotency_key_for("za_acme_dailyfile_2025-02-02.csv", _rows(5)[0])
    assert expected in keys
    assert expected != idempotency_key_for("other.csv", _rows(5)[0])
    assert expected != idempotency_key_for(
        "za_acme_dailyfile_2025-02-02.csv", {**_rows(5)[0], "amount_due": 1}
    )


def test_a_429_waits_for_retry_after_and_failures_do_not_stop_the_load() -> None:
    slept: list[float] = []
    seen: dict[str, int] = {}
    lock = threading.Lock()

    def answer(request: httpx.Request) -> httpx.Response:
        reference = json.loads(request.content)["external_reference"]
        with lock:
            seen[reference] = seen.get(reference, 0) + 1
            attempt = seen[reference]
        if reference == "INV2" and attempt == 1:
            return httpx.Response(429, headers={"Retry-After": "3"}, json={"status": 429})
        if reference == "INV3":
            return problem(422, "the bill's currency ZAR differs from the customer's USD")
        if reference == "INV4":
            return problem(409, "A bill with external_reference 'INV4' already exists")
        return httpx.Response(201, json=_bill_for(request))

    with Client(
        API_KEY, BASE_URL, transport=httpx.MockTransport(answer), sleep=slept.append
    ) as client:
        outcome = client.bills.create_many(_rows(4), concurrency=2, progress=False)
    assert outcome["status"].tolist() == ["created", "created", "failed", "exists"]
    assert 3.0 in slept  # Retry-After; the 409 is retried on the client's own backoff too
    assert "differs from the customer's USD" in outcome.loc[2, "error"]
    assert outcome["bill_id"].isna().tolist() == [False, False, True, True]


def test_at_most_concurrency_rows_are_in_flight_async() -> None:
    in_flight = 0
    most = 0

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0)  # let the other workers send theirs
        in_flight -= 1
        return httpx.Response(201, json=_bill_for(request))

    async def load() -> pd.DataFrame:
        async with AsyncClient(API_KEY, BASE_URL, transport=httpx.MockTransport(answer)) as client:
            return await client.bills.create_many(
                pd.DataFrame(_rows(30)), concurrency=4, progress=False
            )

    outcome = asyncio.run(load())
    assert outcome["status"].tolist() == ["created"] * 30
    assert outcome["row"].tolist() == list(range(1, 31))
    assert 1 < most <= 4


def test_bad_arguments_are_refused_before_anything_is_sent() -> None:
    with Client(
        API_KEY, BASE_URL, transport=httpx.MockTransport(lambda r: httpx.Response(500))
    ) as client:
        with pytest.raises(InvalidArgumentError, match="concurrency must be 1 to 64"):
            client.bills.create_many(_rows(1), concurrency=0)
        with pytest.raises(InvalidArgumentError, match="source must name the load"):
            client.bills.create_many(_rows(1), source="")


def test_an_interrupted_load_run_again_creates_nothing_twice_on_the_sandbox() -> None:
    with Sandbox() as sandbox, sandbox.client() as client:
        client.customers.create(external_reference="UCRBULK")
        rows = [{**row, "customer": "UCRBULK"} for row in _rows(40, "BULK")]
        first = client.bills.create_many(rows[:15], source="load-1", progress=False)
        assert first["status"].tolist() == ["created"] * 15
        again = client.bills.create_many(pd.DataFrame(rows), source="load-1", progress=False)
        assert again["status"].tolist() == ["replayed"] * 15 + ["created"] * 25
        assert again["bill_id"][:15].tolist() == first["bill_id"].tolist()
        assert len(list(client.sandbox.bills.list(customer="UCRBULK"))) == 40
        other = client.bills.create_many(rows[:3], source="load-2", progress=False)
        assert other["status"].tolist() == ["exists"] * 3
