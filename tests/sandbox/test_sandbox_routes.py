"""Contract §6: webhook endpoint registration, the /_sandbox/billing lists, the clock and reset."""

from __future__ import annotations

import base64
import re
import sqlite3
import time
from contextlib import closing
from datetime import datetime, timedelta
from typing import Any

import pytest
from sandbox_helpers import Api, ref

from billkit.sandbox import Sandbox
from billkit.sandbox.clock import LATEST

# ---- webhook endpoints -------------------------------------------------------------------------


def test_register_list_replace_delete_endpoint(fresh_api: Api) -> None:
    assert fresh_api.get("/_sandbox/webhook_endpoints").json() == {"data": []}
    first = fresh_api.created("/_sandbox/webhook_endpoints", {"url": "http://127.0.0.1:9/a"})
    assert re.fullmatch(r"we_[a-zA-Z0-9]{21,}", first["id"])
    assert first["url"] == "http://127.0.0.1:9/a"
    assert len(base64.b64decode(first["secret"].removeprefix("whsec_"))) == 32
    assert fresh_api.get("/_sandbox/webhook_endpoints").json() == {"data": [first]}

    second = fresh_api.created("/_sandbox/webhook_endpoints", {"url": "https://example.test/b"})
    assert second["id"] != first["id"]
    assert second["secret"] == first["secret"]  # a receiver keeps verifying after a URL change
    assert fresh_api.get("/_sandbox/webhook_endpoints").json() == {"data": [second]}

    assert fresh_api.delete(f"/_sandbox/webhook_endpoints/{first['id']}").status_code == 404
    deleted = fresh_api.delete(f"/_sandbox/webhook_endpoints/{second['id']}")
    assert deleted.json() == {"id": second["id"], "deleted": True}
    assert fresh_api.get("/_sandbox/webhook_endpoints").json() == {"data": []}


def test_secret_matches_the_embedded_sandbox(fresh_api: Api) -> None:
    endpoint = fresh_api.created("/_sandbox/webhook_endpoints", {"url": "http://127.0.0.1:9/a"})
    assert endpoint["secret"] == fresh_api.sandbox.webhook_secret


def test_chaos_is_validated_stored_and_echoed(fresh_api: Api) -> None:
    chaos = {"duplicate_rate": 0.25, "delay_rate": 1, "max_delay_seconds": 300, "seed": 7}
    created = fresh_api.created(
        "/_sandbox/webhook_endpoints", {"url": "http://127.0.0.1:9/a", "chaos": chaos}
    )
    assert created["chaos"] == chaos
    assert fresh_api.get("/_sandbox/webhook_endpoints").json()["data"][0]["chaos"] == chaos


@pytest.mark.parametrize(
    "chaos",
    [
        {"duplicate_rate": 1.5},
        {"delay_rate": -0.1},
        {"max_delay_seconds": 301},
        {"seed": 1.5},
        {"seed": "7"},
        {"jitter": 1},
        "lots",
    ],
)
def test_bad_chaos_is_400(api: Api, chaos: Any) -> None:
    response = api.post(
        "/_sandbox/webhook_endpoints", {"url": "http://127.0.0.1:9/a", "chaos": chaos}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"].startswith("chaos")


@pytest.mark.parametrize(
    "url", ["ftp://example.test/hook", "example.test/hook", "http://", "http://exa mple.test"]
)
def test_bad_endpoint_url_is_400(api: Api, url: str) -> None:
    response = api.post("/_sandbox/webhook_endpoints", {"url": url})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "url"


# ---- lists -------------------------------------------------------------------------------------


def test_lists_newest_first_with_filters(fresh_api: Api) -> None:
    alice = fresh_api.customer(currency="ZAR")
    bob = fresh_api.customer(currency="ZAR")
    alice_account = fresh_api.account(alice["id"])
    first = fresh_api.bill(100, account=alice_account["id"])
    second = fresh_api.bill(200, customer=alice["id"])
    third = fresh_api.bill(300, customer=bob["id"])
    fresh_api.post(f"/billing/bills/{second['id']}/void")

    def ids(path: str, **params: Any) -> list[str]:
        return [item["id"] for item in fresh_api.get(path, params=params).json()["data"]]

    assert ids("/_sandbox/billing/customers")[:2] == [bob["id"], alice["id"]]
    assert ids("/_sandbox/billing/accounts", customer=alice["external_reference"]) == [
        alice_account["id"]
    ]
    assert ids("/_sandbox/billing/accounts", customer=bob["id"]) == []
    assert ids("/_sandbox/billing/bills") == [third["id"], second["id"], first["id"]]
    assert ids("/_sandbox/billing/bills", customer=alice["id"]) == [second["id"], first["id"]]
    assert ids("/_sandbox/billing/bills", account=alice_account["external_reference"]) == [
        first["id"]
    ]
    assert ids("/_sandbox/billing/bills", status="voided") == [second["id"]]
    assert ids("/_sandbox/billing/bills", status="unpaid", customer=alice["id"]) == [first["id"]]
    assert ids("/_sandbox/billing/bills", customer=ref()) == []


def test_list_pages_follow_the_cursor(fresh_api: Api) -> None:
    created = [fresh_api.customer()["id"] for _ in range(5)][::-1]
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["starting_after"] = cursor
        page = fresh_api.get("/_sandbox/billing/customers", params=params).json()
        seen += [item["id"] for item in page["data"]]
        if not page["has_more"]:
            break
        cursor = page["data"][-1]["id"]
    assert seen == created


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/_sandbox/billing/bills", {"status": "late"}, "status"),
        ("/_sandbox/billing/bills", {"starting_after": "UBR-1"}, "starting_after"),
        ("/_sandbox/billing/customers", {"customer": "x"}, "customer"),
        ("/_sandbox/billing/customers", {"limit": 1000}, "limit"),
        ("/billing/customers/x", {"expand": "all"}, "expand"),
    ],
)
def test_bad_list_queries_are_400(api: Api, path: str, params: dict[str, Any], field: str) -> None:
    response = api.get(path, params=params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field


# ---- clock -------------------------------------------------------------------------------------


def _now(api: Api) -> datetime:
    text = api.get("/_sandbox/clock").json()["now"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", text)
    return datetime.fromisoformat(text)


def test_clock_moves_forward_and_stamps_everything(fresh_api: Api) -> None:
    before = _now(fresh_api)
    moved = fresh_api.post("/_sandbox/clock", {"advance_seconds": 86_400 * 3})
    assert moved.status_code == 200
    reported = datetime.fromisoformat(moved.json()["now"])
    # Upper bounds generous for a loaded machine: what matters is the three days.
    assert timedelta(days=3) <= reported - before < timedelta(days=3, seconds=60)
    assert timedelta(days=3) <= _now(fresh_api) - before < timedelta(days=3, seconds=60)
    bill = fresh_api.bill(500)
    assert bill["bill_date"] == reported.date().isoformat()
    payment = fresh_api.pay(bill=bill["id"], amount=500).json()
    assert datetime.fromisoformat(payment["created_at"]) >= reported


@pytest.mark.parametrize("seconds", [0, -5, "60", None, 10 * 366 * 86_400 + 1])
def test_clock_never_moves_back_or_by_nonsense(api: Api, seconds: Any) -> None:
    before = _now(api)
    response = api.post("/_sandbox/clock", {"advance_seconds": seconds})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "advance_seconds"
    assert _now(api) - before < timedelta(seconds=60)


def _sandbox_with_clock_at(db_file: str, seconds_before_the_end: float) -> Sandbox:
    """A sandbox on `db_file` whose stored clock offset puts it that close to 9999-12-31T23:59:59Z."""
    Sandbox(db=db_file).start().stop()
    with closing(sqlite3.connect(db_file)) as connection, connection:
        offset = LATEST - time.time() - seconds_before_the_end
        connection.execute("UPDATE meta SET value = ? WHERE name = 'clock_offset'", (repr(offset),))
        if connection.total_changes == 0:
            connection.execute("INSERT INTO meta VALUES ('clock_offset', ?)", (repr(offset),))
    return Sandbox(db=db_file)


def test_the_clock_never_passes_the_year_9999(db_file: str) -> None:
    with _sandbox_with_clock_at(db_file, 3600) as sandbox, Api(sandbox) as api:
        before = api.get("/_sandbox/clock").json()["now"]
        assert before.startswith("9999-12-31T2")
        refused = api.post("/_sandbox/clock", {"advance_seconds": 86_400})
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "advance_seconds"
        assert api.get("/_sandbox/clock").json()["now"] >= before  # not moved by the refusal
        assert api.post("/_sandbox/clock", {"advance_seconds": 60}).status_code == 200
        assert api.bill(500)["bill_date"] == "9999-12-31"
        request = api.created("/collect/payment_requests", {"amount": 900, "currency": "ZAR"})
        assert request["expires_at"] == "9999-12-31T23:59:59Z"  # 24 hours on, held at the end


def test_a_database_whose_clock_ran_past_the_year_9999_still_works(db_file: str) -> None:
    with _sandbox_with_clock_at(db_file, -(10**9)) as sandbox, Api(sandbox) as api:
        assert api.get("/_sandbox/clock").json()["now"] == "9999-12-31T23:59:59Z"
        assert api.bill(500)["status"] == "unpaid"


def test_fractional_advance_is_accepted(fresh_api: Api) -> None:
    assert fresh_api.post("/_sandbox/clock", {"advance_seconds": 0.5}).status_code == 200


# ---- reset -------------------------------------------------------------------------------------


def test_reset_deletes_billing_data_and_events_but_keeps_key_endpoint_and_clock(
    fresh_api: Api,
) -> None:
    endpoint = fresh_api.created("/_sandbox/webhook_endpoints", {"url": "http://127.0.0.1:9/a"})
    fresh_api.post("/_sandbox/clock", {"advance_seconds": 7 * 86_400})
    moved = _now(fresh_api)
    bill = fresh_api.bill(2000, account=fresh_api.account(fresh_api.customer()["id"])["id"])
    fresh_api.pay(bill=bill["id"], amount=500)

    response = fresh_api.post("/_sandbox/reset")
    assert response.status_code == 200
    assert response.json() == {
        "deleted": {"customers": 1, "accounts": 1, "bills": 1, "payments": 1, "events": 1}
    }
    assert fresh_api.get(f"/billing/bills/{bill['id']}").status_code == 404
    assert fresh_api.get("/_sandbox/events").json() == {"data": [], "has_more": False}
    for kind in ("customers", "accounts", "bills"):
        assert fresh_api.get(f"/_sandbox/billing/{kind}").json()["data"] == []
    assert fresh_api.get("/_sandbox/webhook_endpoints").json()["data"] == [endpoint]
    assert _now(fresh_api) >= moved


def test_after_reset_references_and_keys_can_be_used_again(fresh_api: Api) -> None:
    body = {"external_reference": "UCR1234567890"}
    first = fresh_api.post("/billing/customers", body, key="reused-key")
    fresh_api.post("/_sandbox/reset")
    again = fresh_api.post("/billing/customers", body, key="reused-key")
    assert again.status_code == 201
    assert "idempotent-replayed" not in again.headers
    assert again.json()["id"] != first.json()["id"]
