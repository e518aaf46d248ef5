"""The demo month holds what its summary says, checked through the sandbox's own lists and events."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import timedelta

import pytest
from report_demo import SEED, DemoSandbox

from billkit.demo import populate
from billkit.errors import InvalidArgumentError
from billkit.sandbox import Sandbox


def test_customers_and_accounts_match_the_summary(demo: DemoSandbox) -> None:
    customers = list(demo.client.sandbox.customers.list())
    accounts = list(demo.client.sandbox.accounts.list())
    assert len(customers) == demo.summary.customers == 30
    assert len(accounts) == demo.summary.accounts > 0
    with_accounts = {account.customer_id for account in accounts}
    assert len(with_accounts) == demo.summary.customers_with_accounts < demo.summary.customers
    balances: Counter[str] = Counter()
    for entity in (*customers, *accounts):
        if entity.balance is not None and entity.currency is not None:
            balances[entity.currency] += entity.balance
    assert dict(balances) == demo.summary.balances


def test_bills_match_the_summary(demo: DemoSandbox) -> None:
    bills = list(demo.client.sandbox.bills.list())
    summary = demo.summary
    assert len(bills) == summary.bills
    assert dict(Counter(bill.status for bill in bills)) == summary.bills_by_status
    assert set(summary.bills_by_status) == {"paid", "unpaid", "voided"}
    partial = [bill for bill in bills if bill.status == "unpaid" and bill.amount_paid > 0]
    assert len(partial) == summary.partially_paid_bills > 0
    carried = [bill for bill in bills if bill.bill_date and bill.bill_date < summary.first_day]
    assert len(carried) == summary.carried_over_bills > 0
    billed: Counter[str] = Counter()
    outstanding: Counter[str] = Counter()
    for bill in bills:
        if bill.status != "voided":
            billed[bill.currency] += bill.amount_due
            outstanding[bill.currency] += bill.amount_remaining
        assert bill.due_date is not None
        assert bill.bill_date is not None
        assert bill.due_date == bill.bill_date + timedelta(days=14)
    assert dict(billed) == summary.billed
    assert dict(outstanding) == summary.outstanding


def test_payments_match_the_summary_and_fall_in_the_month(demo: DemoSandbox) -> None:
    events = list(demo.client.sandbox.events.iterate())
    summary = demo.summary
    applied = [event["data"] for event in events if event["type"] == "obligation.amount_applied"]
    assert len(applied) == summary.payments
    collected: Counter[str] = Counter()
    for data in applied:
        collected[data["currency"]] += data["amount"]
    assert dict(collected) == summary.collected
    days = {data["created_at"][:10] for data in applied}
    assert min(days) >= summary.first_day.isoformat()
    assert max(days) <= summary.last_day.isoformat()
    assert len(days) > 10, "payments are spread across the month"
    assert sum(not data.get("bill_id") for data in applied) == summary.balance_payments > 0
    assert set(summary.payments_by_channel) == {"api", "ebp", "in_person"}
    assert sum(summary.payments_by_channel.values()) == summary.payments
    assert summary.refused_overpayments >= 0


def test_late_payers_pay_after_the_due_date(demo: DemoSandbox) -> None:
    bills = {bill.id: bill for bill in demo.client.sandbox.bills.list()}
    late = 0
    for event in demo.client.sandbox.events.iterate():
        bill = bills.get(event["data"].get("bill_id", ""))
        if bill is not None and bill.due_date is not None:
            late += event["data"]["created_at"][:10] > bill.due_date.isoformat()
    assert late == demo.summary.late_payments > 0


def test_same_seed_same_shape_and_a_passed_month_is_refused(demo: DemoSandbox) -> None:
    with Sandbox() as sandbox, sandbox.client() as client:
        again = populate(client, seed=SEED, customers=30)
        with pytest.raises(InvalidArgumentError, match="month 2025-01 has already begun"):
            populate(client, month="2025-01")
        assert len(list(client.sandbox.customers.list())) == 30, "a refused month creates nothing"
    assert dataclasses.replace(again, finished_at=demo.summary.finished_at) == demo.summary


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"month": "2026/12"}, "month must be written YYYY-MM"),
        ({"customers": 0}, "customers must be a whole number"),
        ({"customers": True}, "customers must be a whole number"),
        ({"seed": "7"}, "seed must be an integer"),
    ],
)
def test_bad_arguments_are_refused_by_name(
    demo: DemoSandbox, arguments: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        populate(demo.client, **arguments)  # type: ignore[arg-type]
