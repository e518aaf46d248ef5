"""`GET /_sandbox/versions` (contract §6): every state of every billing object, oldest first, stored in the
same transaction as the change; and `client.sandbox.versions` over it."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta

import pytest
from sandbox_helpers import Api, ref

from billkit import AsyncClient
from billkit.errors import InvalidArgumentError
from billkit.sandbox import Sandbox
from billkit.sandbox.store import Store
from billkit.sandbox.store.migrations import MIGRATIONS


def versions(api: Api, **query: str | int) -> dict[str, object]:
    response = api.get("/_sandbox/versions", params=query)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_every_change_of_a_bill_is_a_version_oldest_first(fresh_api: Api) -> None:
    bill = fresh_api.bill(
        amount_due=5000, customer={"external_reference": ref(), "currency": "ZAR"}
    )
    assert fresh_api.pay(bill=bill["id"], amount=2000).status_code == 201
    assert (
        fresh_api.patch(f"/billing/bills/{bill['id']}", {"metadata": {"a": "1"}}).status_code == 200
    )
    fresh_api.post("/_sandbox/clock", {"advance_seconds": 86_400})
    assert fresh_api.post(f"/billing/bills/{bill['id']}/void").status_code == 200

    page = versions(fresh_api, kind="bill")
    states = page["data"]
    assert isinstance(states, list)
    assert [v["object"]["amount_paid"] for v in states] == [0, 2000, 2000, 2000]
    assert [v["object"]["status"] for v in states] == ["unpaid", "unpaid", "unpaid", "voided"]
    assert states[2]["object"]["metadata"] == {"a": "1"}
    assert states[-1]["object"] == fresh_api.get(f"/billing/bills/{bill['id']}").json()
    assert {v["id"] for v in states} == {bill["id"]}
    seqs = [v["seq"] for v in states]
    assert seqs == sorted(seqs)
    first_at = datetime.fromisoformat(states[0]["at"])
    assert datetime.fromisoformat(states[-1]["at"]) - first_at >= timedelta(days=1)
    assert page["has_more"] is False
    # The composite create wrote the customer first, then the bill.
    everything = versions(fresh_api)["data"]
    assert isinstance(everything, list)
    assert [v["kind"] for v in everything][:2] == ["customer", "bill"]


def test_a_refused_change_leaves_no_version(fresh_api: Api) -> None:
    bill = fresh_api.bill(amount_due=1000)
    before = versions(fresh_api)["data"]
    assert fresh_api.pay(bill=bill["id"], amount=5000).status_code == 422
    taken = {
        "external_reference": ref(),
        "currency": "ZAR",
        "amount_due": 100,
        "customer": {"external_reference": bill["external_reference"]},
    }
    fresh_api.created(
        "/billing/customers", {"external_reference": taken["customer"]["external_reference"]}
    )
    assert fresh_api.post("/billing/bills", taken).status_code == 409
    after = versions(fresh_api)["data"]
    assert isinstance(before, list)
    assert isinstance(after, list)
    assert len(after) == len(before) + 1  # only the customer created on its own


def test_filters_and_paging(fresh_api: Api) -> None:
    customer = fresh_api.customer(currency="USD")
    bills = [fresh_api.bill(currency="USD", customer=customer["id"]) for _ in range(3)]
    fresh_api.post("/_sandbox/clock", {"advance_seconds": 3600})
    later = fresh_api.bill(currency="USD", customer=customer["id"])
    now = fresh_api.get("/_sandbox/clock").json()["now"]

    first = versions(fresh_api, kind="bill", limit=2)
    assert [v["id"] for v in first["data"]] == [b["id"] for b in bills[:2]]
    assert first["has_more"] is True
    rest = versions(fresh_api, kind="bill", limit=2, starting_after=first["data"][-1]["seq"])
    assert [v["id"] for v in rest["data"]] == [bills[2]["id"], later["id"]]
    assert rest["has_more"] is False
    since = (datetime.fromisoformat(now) - timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert [v["id"] for v in versions(fresh_api, since=since)["data"]] == [later["id"]]
    assert [v["kind"] for v in versions(fresh_api, kind="customer")["data"]] == ["customer"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 1001}, "limit"),
        ({"kind": "payment"}, "kind"),
        ({"since": "yesterday"}, "since"),
        ({"starting_after": "bill_1"}, "starting_after"),
    ],
)
def test_bad_queries_are_400_naming_the_parameter(
    api: Api, query: dict[str, str | int], field: str
) -> None:
    response = api.get("/_sandbox/versions", params=query)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_reset_forgets_versions(fresh_api: Api) -> None:
    fresh_api.bill()
    assert versions(fresh_api)["data"]
    fresh_api.post("/_sandbox/reset")
    assert versions(fresh_api)["data"] == []


def test_the_route_is_in_openapi(api: Api) -> None:
    operation = api.get("/openapi.json").json()["paths"]["/_sandbox/versions"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {
        "kind",
        "since",
        "limit",
        "starting_after",
    }


def test_objects_from_before_the_upgrade_get_one_version(db_file: str) -> None:
    with closing(sqlite3.connect(db_file)) as db:  # a database as the previous billkit left it
        for step in MIGRATIONS[:-1]:
            db.executescript(step)
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) - 1}")
        db.execute(
            "INSERT INTO customers (id, external_reference, object) VALUES ('bcus_old', 'OLD', ?)",
            ('{"id":"bcus_old","external_reference":"OLD"}',),
        )
        db.commit()
    store = Store.open(db_file)
    try:
        (version,), has_more = store.versions.list(limit=10, after_seq=None, kind=None, since=None)
    finally:
        store.close()
    assert (version.kind, version.id, has_more) == ("customer", "bcus_old", False)
    assert abs(version.at - datetime.now(UTC).timestamp()) < 3600


def test_client_lists_and_iterates_versions() -> None:
    with Sandbox() as sandbox, sandbox.client() as client:
        customer = client.customers.create(external_reference=ref(), currency="ZAR", balance=500)
        client.customers.update(customer.id, balance=800)
        page = client.sandbox.versions.list(kind="customer", limit=1)
        assert page.has_more
        assert page.data[0].object["balance"] == 500
        assert page.data[0].at.tzinfo is not None
        balances = [v.object["balance"] for v in client.sandbox.versions.iterate(page_size=1)]
        assert balances == [500, 800]
        since = datetime.now(UTC) + timedelta(days=1)
        assert client.sandbox.versions.list(since=since).data == []
        with pytest.raises(InvalidArgumentError, match="limit"):
            client.sandbox.versions.list(limit=1001)
        with pytest.raises(InvalidArgumentError, match="since"):
            client.sandbox.versions.list(since=datetime(2025, 1, 1))  # naive

        async def listed() -> list[int]:
            async with AsyncClient(api_key=sandbox.api_key, base_url=sandbox.base_url) as aclient:
                page = await aclient.sandbox.versions.list(kind="customer")
                return [v.seq for v in page.data]

        assert asyncio.run(listed()) == [v.seq for v in client.sandbox.versions.iterate()]


def test_a_seq_past_sqlite_s_integers_is_400_not_500(api: Api) -> None:
    response = api.get("/_sandbox/versions", params={"starting_after": str(2**63)})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "starting_after"
