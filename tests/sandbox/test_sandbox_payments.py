"""Contract §4 and §6: POST /_sandbox/payments checks payment_rules, changes the obligation, stores one
`obligation.amount_applied` event, and never over-applies under concurrency; events list and read back."""

from __future__ import annotations

import re
import sqlite3
import threading
import uuid
from contextlib import closing
from typing import Any

import httpx
import pytest
from pydantic import TypeAdapter
from sandbox_helpers import Api, ref

from billkit.sandbox import Sandbox
from billkit.sandbox.schemas.sandbox import Event, Payment

TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def paid(api: Api, **fields: Any) -> dict[str, Any]:
    response = api.pay(**fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    TypeAdapter(Payment).validate_python(body, strict=False)
    return body


def refused(api: Api, **fields: Any) -> dict[str, Any]:
    response = api.pay(**fields)
    assert response.status_code == 422, response.text
    assert response.json()["type"].endswith("#unprocessable-content")
    body: dict[str, Any] = response.json()
    return body


def event_of(api: Api, payment: dict[str, Any]) -> dict[str, Any]:
    event: dict[str, Any] = api.get(f"/_sandbox/events/{payment['event_id']}").json()
    TypeAdapter(Event).validate_python(event, strict=False)
    return event


def test_paying_a_bill_on_an_account(api: Api) -> None:
    customer = api.customer()
    account = api.account(customer["id"])
    bill = api.bill(2000, account=account["id"])
    payment = paid(
        api, bill=bill["external_reference"], amount=1500, metadata={"utm_source": "sms"}
    )
    assert payment["obligation"] == {"type": "bill", "id": bill["id"]}
    assert (payment["status"], payment["channel"], payment["currency"]) == (
        "succeeded",
        "api",
        "ZAR",
    )
    assert TIMESTAMP.fullmatch(payment["created_at"])

    after = api.get(f"/billing/bills/{bill['id']}").json()
    assert (after["amount_paid"], after["amount_remaining"], after["status"]) == (
        1500,
        500,
        "unpaid",
    )

    event = event_of(api, payment)
    assert event == {
        "id": payment["event_id"],
        "type": "obligation.amount_applied",
        "data": {
            "id": payment["application_id"],
            "amount": 1500,
            "currency": "ZAR",
            "payment_id": payment["id"],
            "bill_id": bill["id"],
            "account_id": account["id"],
            "metadata": {"utm_source": "sms"},
            "created_at": payment["created_at"],
            "updated_at": payment["created_at"],
        },
    }
    assert re.fullmatch(r"evt_[a-zA-Z0-9]{20,}", event["id"])
    assert 24 <= len(event["id"]) <= 50


def test_paying_a_bill_in_full_marks_it_paid(api: Api) -> None:
    bill = api.bill(2000)
    paid(api, bill=bill["id"], amount=2000)
    after = api.get(f"/billing/bills/{bill['id']}").json()
    assert (after["amount_paid"], after["amount_remaining"], after["status"]) == (2000, 0, "paid")


def test_bill_on_a_customer_event_carries_bill_and_customer_ids(api: Api) -> None:
    bill = api.bill(1000)
    data = event_of(api, paid(api, bill=bill["id"], amount=1000))["data"]
    assert (data["bill_id"], data["customer_id"]) == (bill["id"], bill["customer_id"])
    assert "account_id" not in data


def test_paying_an_account_balance(api: Api) -> None:
    account = api.account(api.customer()["id"], currency="ZAR", balance=5000)
    payment = paid(api, account=account["external_reference"], amount=2000, channel="in_person")
    assert payment["channel"] == "in_person"
    assert api.get(f"/billing/accounts/{account['id']}").json()["balance"] == 3000
    data = event_of(api, payment)["data"]
    assert data["account_id"] == account["id"]
    assert "customer_id" not in data
    assert "bill_id" not in data


def test_paying_a_customer_balance(api: Api) -> None:
    customer = api.customer(currency="USD", balance=2000)
    payment = paid(api, customer=customer["id"], amount=2000, currency="USD")
    assert api.get(f"/billing/customers/{customer['id']}").json()["balance"] == 0
    data = event_of(api, payment)["data"]
    assert (data["customer_id"], data["currency"], data["metadata"]) == (customer["id"], "USD", {})
    assert "account_id" not in data
    assert "bill_id" not in data


def test_overpaying_a_bill_is_refused_and_changes_nothing(api: Api) -> None:
    bill = api.bill(2000)
    paid(api, bill=bill["id"], amount=1500)
    before_events = api.get("/_sandbox/events", params={"limit": 1}).json()["data"]
    body = refused(api, bill=bill["id"], amount=600)
    assert body["errors"][0]["field"] == "amount"
    assert api.get(f"/billing/bills/{bill['id']}").json()["amount_paid"] == 1500
    assert api.get("/_sandbox/events", params={"limit": 1}).json()["data"] == before_events


def test_a_paid_bill_cannot_be_paid_again(api: Api) -> None:
    bill = api.bill(100)
    paid(api, bill=bill["id"], amount=100)
    refused(api, bill=bill["id"], amount=100)


def test_amount_below_min_amount_is_refused(api: Api) -> None:
    bill = api.bill(2000)
    refused(api, bill=bill["id"], amount=99)
    customer = api.customer(currency="ZAR", balance=5000)
    refused(api, customer=customer["id"], amount=50)


def test_the_last_part_of_a_bill_can_be_paid_however_small(api: Api) -> None:
    """Contract §4: min(min_amount, outstanding) <= amount, so 64 cents left can be paid."""
    bill = api.bill(amount_due=10_000)
    assert api.pay(bill=bill["id"], amount=9_936).status_code == 201
    too_little = api.pay(bill=bill["id"], amount=50)
    assert too_little.status_code == 422
    assert "from 64 to 10000" in too_little.json()["detail"]
    assert api.pay(bill=bill["id"], amount=64).status_code == 201
    assert api.get(f"/billing/bills/{bill['id']}").json()["status"] == "paid"


def test_balance_payment_above_positive_balance_is_refused(api: Api) -> None:
    customer = api.customer(currency="ZAR", balance=1000)
    refused(api, customer=customer["id"], amount=1001)
    credit = api.customer(currency="ZAR", balance=-500)
    refused(api, customer=credit["id"], amount=100)  # a credit owes nothing


def test_voided_bill_cannot_be_paid(api: Api) -> None:
    bill = api.bill(2000)
    api.post(f"/billing/bills/{bill['id']}/void")
    refused(api, bill=bill["id"], amount=500)
    assert api.get(f"/billing/bills/{bill['id']}").json()["amount_paid"] == 0


def test_entity_without_payment_rules_cannot_be_paid(api: Api) -> None:
    customer = api.customer(currency="ZAR")  # tracks no balance
    body = refused(api, customer=customer["id"], amount=100)
    assert "payment_rules" in body["detail"]
    account = api.account(customer["id"])
    refused(api, account=account["id"], amount=100)


def test_payment_currency_must_match(api: Api) -> None:
    bill = api.bill(2000, currency="ZAR")
    body = refused(api, bill=bill["id"], amount=500, currency="USD")
    assert body["errors"][0]["field"] == "currency"


def test_unknown_obligation_is_404(api: Api) -> None:
    response = api.pay(bill=ref(), amount=100)
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "bill"


@pytest.mark.parametrize(
    "targets", [{}, {"bill": "a", "customer": "b"}, {"bill": "a", "account": "b", "customer": "c"}]
)
def test_exactly_one_obligation(api: Api, targets: dict[str, str]) -> None:
    response = api.pay(amount=100, **targets)
    assert response.status_code == 400


@pytest.mark.parametrize(
    "fields",
    [
        {"amount": 0},
        {"amount": -5},
        {"amount": 100_000_000},
        {"amount": "100"},
        {"amount": 100, "channel": "cash"},
        {"amount": 100, "surprise": 1},
        {},
    ],
)
def test_bad_payment_fields_are_400(api: Api, fields: dict[str, Any]) -> None:
    assert api.pay(bill="UBR-x", **fields).status_code == 400


def test_payment_replay_applies_once(api: Api) -> None:
    bill = api.bill(2000)
    key = str(uuid.uuid4())
    first = api.post("/_sandbox/payments", {"bill": bill["id"], "amount": 500}, key=key)
    again = api.post("/_sandbox/payments", {"bill": bill["id"], "amount": 500}, key=key)
    assert again.json() == first.json()
    assert api.get(f"/billing/bills/{bill['id']}").json()["amount_paid"] == 500


def test_twenty_payments_at_once_never_over_apply(sandbox: Sandbox, api: Api) -> None:
    bill = api.bill(1000)
    barrier = threading.Barrier(20)
    statuses: list[int] = []
    lock = threading.Lock()

    def pay() -> None:
        with httpx.Client(base_url=sandbox.base_url, timeout=30) as client:
            headers = {
                "Authorization": f"Bearer {sandbox.api_key}",
                "Idempotency-Key": str(uuid.uuid4()),
            }
            barrier.wait()
            response = client.post(
                "/_sandbox/payments", json={"bill": bill["id"], "amount": 300}, headers=headers
            )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=pay) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201] * 3 + [422] * 17
    after = api.get(f"/billing/bills/{bill['id']}").json()
    assert (after["amount_paid"], after["amount_remaining"]) == (900, 100)


# ---- events ------------------------------------------------------------------------------------


def test_events_are_listed_newest_first_with_cursor_pagination(fresh_api: Api) -> None:
    bill = fresh_api.bill(5000)
    event_ids = [paid(fresh_api, bill=bill["id"], amount=1000)["event_id"] for _ in range(5)]
    first = fresh_api.get("/_sandbox/events", params={"limit": 2}).json()
    assert [e["id"] for e in first["data"]] == event_ids[::-1][:2]
    assert first["has_more"] is True
    second = fresh_api.get(
        "/_sandbox/events", params={"limit": 2, "starting_after": first["data"][-1]["id"]}
    ).json()
    assert [e["id"] for e in second["data"]] == event_ids[::-1][2:4]
    last = fresh_api.get(
        "/_sandbox/events", params={"limit": 2, "starting_after": second["data"][-1]["id"]}
    ).json()
    assert ([e["id"] for e in last["data"]], last["has_more"]) == ([event_ids[0]], False)


def test_events_default_page_is_twenty(fresh_api: Api) -> None:
    customer = fresh_api.customer(currency="ZAR", balance=99_999_999)
    for _ in range(21):
        paid(fresh_api, customer=customer["id"], amount=100)
    page = fresh_api.get("/_sandbox/events").json()
    assert (len(page["data"]), page["has_more"]) == (20, True)


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 101},
        {"limit": "ten"},
        {"starting_after": "evt_unknown"},
        {"colour": "red"},
    ],
)
def test_bad_event_list_queries_are_400(api: Api, params: dict[str, Any]) -> None:
    response = api.get("/_sandbox/events", params=params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == next(iter(params))


def test_cursor_naming_no_event_is_404(api: Api) -> None:
    response = api.get("/_sandbox/events", params={"starting_after": "evt_000000000000000000000"})
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "starting_after"


def test_repeated_query_parameter_is_400(api: Api) -> None:
    assert api.get("/_sandbox/events?limit=1&limit=2").status_code == 400


def test_unknown_event_is_404(api: Api) -> None:
    assert api.get("/_sandbox/events/evt_00000000000000000000000").status_code == 404


def test_outbox_row_is_written_with_the_event_only_when_an_endpoint_is_registered(
    db_file: str,
) -> None:
    with Sandbox(db=db_file) as running, Api(running) as api:
        bill = api.bill(2000)
        quiet = paid(api, bill=bill["id"], amount=500)
        endpoint = api.created("/_sandbox/webhook_endpoints", {"url": "http://127.0.0.1:9/hooks"})
        heard = paid(api, bill=bill["id"], amount=500)
    with closing(sqlite3.connect(db_file)) as db:
        rows = db.execute("SELECT event_id, endpoint_id, created_at FROM outbox").fetchall()
        event_time = db.execute(
            "SELECT created_at FROM events WHERE id = ?", (heard["event_id"],)
        ).fetchone()[0]
    # The delivery worker may have tried it since; what matters is that it was queued with its event.
    assert rows == [(heard["event_id"], endpoint["id"], event_time)]
    assert quiet["event_id"] not in {row[0] for row in rows}
