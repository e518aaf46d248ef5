"""The merchant's local bill record, updated from obligation.amount_applied events (quickstart step 5)."""

from __future__ import annotations

from typing import Any

from billkit.client import Bill
from billkit.notebook.quickstart.local_bills import LocalBillBook


def bill(bill_id: str, *, account_id: str | None, amount_due: int = 2000) -> Bill:
    body: dict[str, Any] = {
        "id": bill_id,
        "external_reference": f"ref-{bill_id}",
        "customer_id": "bcus_1",
        "status": "unpaid",
        "currency": "ZAR",
        "amount_due": amount_due,
        "amount_paid": 0,
        "amount_remaining": amount_due,
    }
    if account_id:
        body["account_id"] = account_id
    return Bill.from_api(body)


def applied(event_id: str, amount: int, currency: str = "ZAR", **ids: str) -> dict[str, Any]:
    return {
        "id": event_id,
        "type": "obligation.amount_applied",
        "data": {"id": f"ob_{event_id}", "amount": amount, "currency": currency, **ids},
    }


def test_account_payments_find_the_bill_by_account_id_and_add_up() -> None:
    book = LocalBillBook()
    book.add(bill("bill_a", account_id="bacc_1"))
    first = book.apply(applied("evt_1", 500, account_id="bacc_1"))
    assert first is not None
    assert (first.amount_paid, first.status) == (500, "partially paid")
    second = book.apply(applied("evt_2", 1500, account_id="bacc_1"))
    assert second is first
    assert (first.amount_paid, first.status) == (2000, "paid")


def test_a_bill_on_a_customer_is_found_by_customer_id() -> None:
    book = LocalBillBook()
    book.add(bill("bill_a", account_id="bacc_1"))
    book.add(bill("bill_c", account_id=None, amount_due=700))
    updated = book.apply(applied("evt_1", 700, customer_id="bcus_1"))
    assert updated is not None
    assert updated.bill_id == "bill_c"
    assert book.get("bill_a").status == "unpaid"


def test_bill_id_pins_the_bill_when_present() -> None:
    book = LocalBillBook()
    book.add(bill("bill_a", account_id="bacc_1"))
    book.add(bill("bill_b", account_id="bacc_1"))
    updated = book.apply(applied("evt_1", 100, bill_id="bill_b", account_id="bacc_1"))
    assert updated is not None
    assert updated.bill_id == "bill_b"


def test_a_repeated_delivery_changes_nothing() -> None:
    book = LocalBillBook()
    book.add(bill("bill_a", account_id="bacc_1"))
    book.apply(applied("evt_1", 500, account_id="bacc_1"))
    book.apply(applied("evt_1", 500, account_id="bacc_1"))
    assert book.get("bill_a").amount_paid == 500
    assert book.rows()[0]["events"] == 1


def test_unknown_obligations_and_other_currencies_are_set_aside() -> None:
    book = LocalBillBook()
    book.add(bill("bill_a", account_id="bacc_1"))
    assert book.apply(applied("evt_1", 500, account_id="bacc_other")) is None
    assert book.apply(applied("evt_2", 500, currency="USD", account_id="bacc_1")) is None
    assert [event["id"] for event in book.unmatched] == ["evt_1", "evt_2"]
    assert book.get("bill_a").amount_paid == 0


def test_other_event_types_are_ignored() -> None:
    book = LocalBillBook()
    assert book.apply({"id": "evt_9", "type": "payment_request.paid", "data": {}}) is None
    assert book.unmatched == []
