"""Moment-shaped objects the tests share: one bill, one customer, one account, one payment request and one
`obligation.amount_applied` event, as the contract shapes them. Build a variant with `bill(status="paid")`.
`ann_with_a_bill` makes the smallest customer with a bill in a sandbox, for tests that pay it."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from billkit.client import Client

CUSTOMER_ID = "bcus_H4jp6KnU5cPw263v1jyz4"
ACCOUNT_ID = "bacc_H4jp6KnU5cPw263v1jyz4"
BILL_ID = "bill_H4jp6KnU5cPw263v1jyz4"

CUSTOMER: dict[str, Any] = {"id": CUSTOMER_ID, "external_reference": "UCR1234567890"}
ACCOUNT: dict[str, Any] = {
    "id": ACCOUNT_ID,
    "external_reference": "UAR1234567890",
    "customer_id": CUSTOMER_ID,
}
BILL: dict[str, Any] = {
    "id": BILL_ID,
    "external_reference": "UBR1234567890",
    "customer_id": CUSTOMER_ID,
    "account_id": ACCOUNT_ID,
    "status": "unpaid",
    "currency": "ZAR",
    "amount_due": 2000,
    "amount_paid": 0,
    "amount_remaining": 2000,
    "bill_date": "2025-01-01",
    "due_date": "2025-01-31",
    "payment_rules": {
        "min_amount": 100,
        "max_amount": 2000,
        "underpayment_allowed": True,
        "overpayment_allowed": False,
    },
    "metadata": {"invoice_period": "January 2025"},
}
PAYMENT_REQUEST: dict[str, Any] = {
    "id": "pr_H4jp6KnU5cPw263v1jyz4",
    "type": "link",
    "status": "active",
    "amount": 2000,
    "currency": "ZAR",
    "expires_at": "2025-01-16T10:00:00Z",
    "link": {"checkout_session_id": "chk_1", "link_url": "http://sandbox.test/pay/pr_H4jp"},
}
CONTRACT_EVENT: dict[str, Any] = {
    "id": "evt_7kQ2mZ9xLp4Rt8Vb3Nc6Hd1",
    "type": "obligation.amount_applied",
    "data": {
        "id": "ob_N2a38DJQWPL8K4X42354234",
        "amount": 2000,
        "currency": "ZAR",
        "payment_id": "pay_1313235234843nmafdsa",
        "bill_id": BILL_ID,
        "account_id": ACCOUNT_ID,
        "metadata": {"utm_source": "sms"},
        "created_at": "2025-01-15T10:00:00Z",
        "updated_at": "2025-01-15T10:00:00Z",
    },
}


def bill(**changes: Any) -> dict[str, Any]:
    """The sample bill (a fresh copy) with `changes` applied."""
    return copy.deepcopy(BILL) | changes


def amount_applied(event_id: str, amount: object = 2000, **data: Any) -> dict[str, Any]:
    """An `obligation.amount_applied` event as the contract (§4) shapes it, for a bill unless told otherwise."""
    body = copy.deepcopy(CONTRACT_EVENT)
    body["id"] = event_id
    body["data"]["amount"] = amount
    body["data"].update(data)
    return body


def ann_with_a_bill(client: Client) -> date:
    """Customer CUS-A (Ann Adams, ZAR) with bill B1 of R100.00 dated today, due in 10 days; returns today."""
    today = client.sandbox.clock.now().date()
    client.customers.create(external_reference="CUS-A", name="Ann Adams", currency="ZAR")
    client.bills.create(
        external_reference="B1",
        customer="CUS-A",
        currency="ZAR",
        amount_due=10000,
        bill_date=today,
        due_date=today + timedelta(days=10),
    )
    return today
