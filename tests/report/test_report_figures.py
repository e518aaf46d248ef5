"""The report's figures, built from a ledger of the demo sandbox, against sums the test makes itself from the
sandbox's lists and events; and its filters."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from report_demo import DemoSandbox

from billkit.errors import InvalidArgumentError
from billkit.ledger import Ledger
from billkit.report.build import PaymentsReport, ReportScope, build_report


@pytest.fixture(scope="module")
def ledger(demo: DemoSandbox, tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    imported = Ledger(tmp_path_factory.mktemp("report") / "ledger.sqlite")
    imported.import_sandbox(demo.client, observed_at=demo.client.sandbox.clock.now())
    return imported


def scope_of(demo: DemoSandbox, **narrowed: Any) -> ReportScope:
    summary = demo.summary
    return ReportScope(
        as_of=summary.last_day,
        timezone="Africa/Johannesburg",
        start=summary.first_day,
        end=summary.last_day,
        **narrowed,
    )


def report_of(demo: DemoSandbox, ledger: Ledger, **narrowed: Any) -> PaymentsReport:
    return build_report(ledger, scope_of(demo, **narrowed))


def test_key_figures_match_the_sandbox(demo: DemoSandbox, ledger: Ledger) -> None:
    figures = report_of(demo, ledger).key_figures()
    bills = list(demo.client.sandbox.bills.list())
    applied = [
        event["data"]
        for event in demo.client.sandbox.events.iterate()
        if event["type"] == "obligation.amount_applied"
    ]
    received: Counter[str] = Counter()
    for data in applied:
        received[data["currency"]] += data["amount"]
    outstanding: Counter[str] = Counter()
    for bill in bills:
        if bill.status == "unpaid":
            outstanding[bill.currency] += bill.amount_remaining
    assert figures["bills_by_status"] == dict(Counter(bill.status for bill in bills))
    assert figures["partially_paid_bills"] == sum(
        bill.status == "unpaid" and bill.amount_paid > 0 for bill in bills
    )
    assert figures["payments"] == len(applied)
    assert figures["payments_received"] == dict(received)
    assert figures["outstanding"] == dict(outstanding)
    assert figures["currencies"] == sorted(received)


def test_collection_rate_counts_the_period_bills_only(demo: DemoSandbox, ledger: Ledger) -> None:
    figures = report_of(demo, ledger).key_figures()
    summary = demo.summary
    in_month = [
        bill
        for bill in demo.client.sandbox.bills.list()
        if bill.status != "voided" and bill.bill_date and bill.bill_date >= summary.first_day
    ]
    billed: Counter[str] = Counter()
    collected: Counter[str] = Counter()
    for bill in in_month:
        billed[bill.currency] += bill.amount_due
        collected[bill.currency] += bill.amount_paid
    assert figures["billed_in_period"] == dict(billed)
    assert figures["collected_in_period"] == dict(collected)
    for currency, rate in figures["collection_rate"].items():
        assert rate == round(collected[currency] / billed[currency], 4)
    assert figures["reconciliation"]["voided"] == summary.bills_by_status["voided"]
    assert figures["reconciliation"]["underpaid"] == summary.partially_paid_bills


def test_a_day_early_in_the_month_counts_only_payments_until_then(
    demo: DemoSandbox, ledger: Ledger
) -> None:
    first_week = demo.summary.first_day.replace(day=7)
    report = build_report(
        ledger,
        ReportScope(as_of=first_week, timezone="UTC", start=demo.summary.first_day, end=first_week),
    )
    assert report.payments["created_at"].max().date() <= first_week
    assert 0 < len(report.payments) < demo.summary.payments


def test_currency_filter_keeps_one_currency(demo: DemoSandbox, ledger: Ledger) -> None:
    figures = report_of(demo, ledger, currency="USD").key_figures()
    assert figures["currencies"] == ["USD"]
    assert set(figures["payments_received"]) == {"USD"}
    assert figures["payments_received"]["USD"] == demo.summary.collected["USD"]


def test_customer_filter_by_external_reference(demo: DemoSandbox, ledger: Ledger) -> None:
    customer = next(
        c for c in demo.client.sandbox.customers.list() if c.external_reference.endswith("C001")
    )
    report = report_of(demo, ledger, customer=customer.external_reference)
    theirs = list(demo.client.sandbox.bills.list(customer=customer.id))
    assert sorted(report.bills["bill_id"]) == sorted(bill.id for bill in theirs)
    assert set(report.balances["customer_id"]) <= {customer.id}
    by_id = report_of(demo, ledger, customer=customer.id)
    assert by_id.key_figures() == report.key_figures()


def test_account_filter_narrows_to_that_account(demo: DemoSandbox, ledger: Ledger) -> None:
    account = next(iter(demo.client.sandbox.accounts.list()))
    report = report_of(demo, ledger, account=account.id)
    assert set(report.bills["account_id"]) == {account.id}
    assert set(report.payments["account_id"].dropna()) <= {account.id}


@pytest.mark.parametrize(
    ("narrowed", "message"),
    [
        ({"customer": "NO-SUCH-CUSTOMER"}, "customer 'NO-SUCH-CUSTOMER' is not in the ledger"),
        ({"account": "NO-SUCH-ACCOUNT"}, "account 'NO-SUCH-ACCOUNT' is not in the ledger"),
    ],
)
def test_unknown_filters_are_refused_by_name(
    demo: DemoSandbox, ledger: Ledger, narrowed: dict[str, str], message: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        report_of(demo, ledger, **narrowed)


def test_account_of_another_customer_is_refused(demo: DemoSandbox, ledger: Ledger) -> None:
    accounts = list(demo.client.sandbox.accounts.list())
    other = next(a for a in accounts if a.customer_id != accounts[0].customer_id)
    with pytest.raises(InvalidArgumentError, match="belongs to another customer"):
        report_of(demo, ledger, customer=accounts[0].customer_id, account=other.id)


def test_figures_draw_every_chart(demo: DemoSandbox, ledger: Ledger) -> None:
    figures = report_of(demo, ledger).figures()
    assert set(figures) == {"payments", "aging", "balances", "funnel", "cash", "trend", "cohorts"}
    for figure in figures.values():
        assert len(figure.data) >= 2, "one trace per currency at least"
