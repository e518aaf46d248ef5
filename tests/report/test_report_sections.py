"""The receivables sections on a small ledger whose every figure is worked out by hand, and on the demo month,
where each section must agree with the report's other figures on the same day."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest
from report_demo import DemoSandbox

from billkit.ledger import Ledger
from billkit.report.build import ReportScope, build_report
from billkit.report.sections import aged, cash, exceptions, headline, trends
from billkit.report.table import CURRENCY, TOTAL
from billkit.sandbox import Sandbox

TZ = "UTC"


@dataclass(frozen=True)
class Small:
    ledger: Ledger
    today: date


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Small]:
    """Ann (with account Data) and Ben owe ZAR, Cas owes USD; one part payment, one payment in full, one
    payment on a bill voided afterwards. Dates are relative to the sandbox clock's day, `today`."""
    with Sandbox() as sandbox, sandbox.client() as client:
        today = client.sandbox.clock.now().date()

        def ago(days: int) -> date:
            return today - timedelta(days=days)

        client.customers.create(external_reference="CUS-A", name="Ann Adams", currency="ZAR")
        client.accounts.create(
            external_reference="CUS-A-1", customer="CUS-A", name="Data", currency="ZAR"
        )
        client.customers.create(external_reference="CUS-B", name="Ben Botha", currency="ZAR")
        client.customers.create(external_reference="CUS-C", name="Cas Cele", currency="USD")
        bills = [
            # reference, owner, currency, amount, bill date, due date
            ("B1", {"account": "CUS-A-1"}, "ZAR", 10000, ago(40), ago(35)),
            ("B2", {"customer": "CUS-A"}, "ZAR", 5000, ago(2), today + timedelta(days=5)),
            ("B3", {"customer": "CUS-B"}, "ZAR", 20000, ago(20), ago(10)),
            ("B4", {"customer": "CUS-C"}, "USD", 3000, ago(110), ago(100)),
            ("B5", {"customer": "CUS-B"}, "ZAR", 1000, ago(3), today),
            ("B6", {"customer": "CUS-B"}, "ZAR", 2000, ago(1), today + timedelta(days=9)),
        ]
        for reference, owner, currency, amount, billed, due in bills:
            client.bills.create(
                external_reference=reference,
                currency=currency,
                amount_due=amount,
                bill_date=billed,
                due_date=due,
                **owner,  # type: ignore[arg-type]
            )
        client.sandbox.payments.create(bill="B1", amount=4000)
        client.sandbox.payments.create(bill="B5", amount=1000)
        client.sandbox.payments.create(bill="B6", amount=500)
        client.bills.void("B6")
        ledger = Ledger(tmp_path_factory.mktemp("sections") / "ledger.sqlite")
        ledger.import_sandbox(client, observed_at=client.sandbox.clock.now())
        yield Small(ledger, today)


def records(frame: pd.DataFrame, *columns: str) -> list[tuple[object, ...]]:
    """The rows' values, None where a value is missing (NA never equals anything)."""
    return [
        tuple(None if pd.isna(value) else value for value in row)
        for row in frame[list(columns)].itertuples(index=False)
    ]


def test_aged_summary_largest_first_accounts_nested_totals_per_currency(small: Small) -> None:
    table = aged.aged_summary(small.ledger.as_of(small.today, tz=TZ))
    assert records(
        table.frame, CURRENCY, "Customer", "Reference", "Current", "1-30 days", "31-60 days",
        "61-90 days", "90+ days", "Total owed",
    ) == [
        ("USD", "Cas Cele", "CUS-C", 0, 0, 0, 0, 3000, 3000),
        ("USD", TOTAL, None, 0, 0, 0, 0, 3000, 3000),
        ("ZAR", "Ben Botha", "CUS-B", 0, 20000, 0, 0, 0, 20000),
        ("ZAR", "Ann Adams", "CUS-A", 5000, 0, 6000, 0, 0, 11000),
        ("ZAR", "↳ Data", "CUS-A-1", 0, 0, 6000, 0, 0, 6000),
        ("ZAR", TOTAL, None, 5000, 20000, 6000, 0, 0, 31000),
    ]  # fmt: skip


def test_worklist_is_every_open_bill_most_overdue_first(small: Small) -> None:
    table = aged.aged_detail(small.ledger.as_of(small.today, tz=TZ))
    assert records(table.frame, "Bill", "Customer", "Days past due", "Amount due", "Remaining") == [
        ("B4", "Cas Cele", 100, 3000, 3000),
        ("B1", "Ann Adams", 35, 10000, 6000),
        ("B3", "Ben Botha", 10, 20000, 20000),
        ("B2", "Ann Adams", -5, 5000, 5000),
    ]
    assert list(table.frame["Due date"])[1] == small.today - timedelta(days=35)
    assert len(table.head(2).frame) == 2


def test_exceptions_list_each_bill_with_its_references(small: Small) -> None:
    table = exceptions.exceptions(small.ledger.as_of(small.today, tz=TZ))
    assert records(
        table.frame, "Exception", CURRENCY, "Customer", "Bill", "Expected", "Applied", "Difference"
    ) == [
        ("Underpaid", "ZAR", "Ann Adams", "B1", 10000, 4000, -6000),
        ("Voided with payment", "ZAR", "Ben Botha", "B6", 0, 500, 500),
    ]


def test_cash_received_counts_each_payment_on_its_day(small: Small) -> None:
    day = small.ledger.as_of(small.today, tz=TZ)
    table = cash.cash_received(day, start=small.today - timedelta(days=6), end=small.today)
    assert records(table.frame, CURRENCY, "Day", "Total received", "Payments") == [
        ("ZAR", small.today, 5500, 3),
        ("ZAR", TOTAL, 5500, 3),
    ]
    before = cash.cash_received(
        day, start=small.today - timedelta(days=9), end=small.today - timedelta(days=1)
    )
    assert before.is_empty
    assert "No payment was received" in before.empty


def test_headline_figures_this_period_and_the_one_before(small: Small) -> None:
    start, today = small.today - timedelta(days=44), small.today
    day = small.ledger.as_of(today, tz=TZ)
    before_start, before_end, before_day = headline.previous_dates(start, today, today)
    assert (before_start, before_end) == (start - timedelta(days=45), start - timedelta(days=1))
    before = small.ledger.as_of(before_day, tz=TZ)
    table = headline.headline(
        headline.Period(start, today, day, day),
        headline.Period(before_start, before_end, before, before),
    )
    zar_now, zar_before = (
        row for _, row in table.frame.loc[table.frame[CURRENCY] == "ZAR"].iterrows()
    )
    # Billed: B1 + B2 + B3 + B5 (B6 is voided); collected 4000 + 1000; open: B1 6000, B2, B3; overdue B1, B3.
    assert (zar_now["Billed"], zar_now["Collected"]) == (36000, 5000)
    assert (zar_now["Outstanding"], zar_now["Overdue"]) == (31000, 26000)
    assert zar_now["Collection rate"] == pytest.approx(5000 / 36000)
    assert zar_now["DSO (days)"] == pytest.approx(31000 / 36000 * 45)
    # Due by today: B1, B3 (unpaid) and B5 (paid today, its due day).
    assert zar_now["Paid on time"] == pytest.approx(1 / 3)
    assert (zar_before["Billed"], zar_before["Outstanding"]) == (0, 0)
    assert pd.isna(zar_before["Collection rate"])
    usd_now = table.frame.loc[table.frame[CURRENCY] == "USD"].iloc[0]
    assert (usd_now["Outstanding"], usd_now["Overdue"]) == (3000, 3000)
    assert pd.isna(usd_now["DSO (days)"]), "nothing billed in USD in the period: no DSO"


def test_trend_reads_each_day_as_of_itself(small: Small) -> None:
    start = small.today - timedelta(days=44)
    days = trends.trend_days(start, small.today)
    assert days[-1] == small.today
    assert all(day.weekday() == 6 for day in days[:-1]), "week ends for a short period"
    table = trends.month_ends([small.ledger.as_of(day, tz=TZ) for day in days])
    zar = table.frame.loc[table.frame[CURRENCY] == "ZAR"]
    for when, outstanding in zip(zar["As of"], zar["Outstanding"], strict=True):
        aging = small.ledger.as_of(when, tz=TZ).aging()
        assert outstanding == int(aging.loc[aging["currency"] == "ZAR", "amount"].sum())
    assert int(zar["Outstanding"].iloc[-1]) == 31000


def test_trend_days_are_month_ends_for_a_long_period() -> None:
    assert trends.trend_days(date(2027, 1, 1), date(2027, 3, 15)) == [
        date(2027, 1, 31),
        date(2027, 2, 28),
        date(2027, 3, 15),
    ]


def test_cohorts_by_billing_month(small: Small) -> None:
    table = trends.cohorts(small.ledger.as_of(small.today, tz=TZ))
    zar = table.frame.loc[table.frame[CURRENCY] == "ZAR"]
    assert int(zar["Billed"].sum()) == 36000
    assert int(zar["Collected"].sum()) == 5000


def test_sections_agree_with_the_report_on_the_demo_month(
    demo: DemoSandbox, tmp_path_factory: pytest.TempPathFactory
) -> None:
    ledger = Ledger(tmp_path_factory.mktemp("demo-sections") / "ledger.sqlite")
    ledger.import_sandbox(demo.client, observed_at=demo.client.sandbox.clock.now())
    summary = demo.summary
    report = build_report(
        ledger,
        ReportScope(
            as_of=summary.last_day,
            timezone="Africa/Johannesburg",
            start=summary.first_day,
            end=summary.last_day,
        ),
    )
    sections = report.sections
    outstanding = report.key_figures()["outstanding"]
    totals = sections.aged_summary.frame.loc[sections.aged_summary.frame["Customer"] == TOTAL]
    assert dict(zip(totals[CURRENCY], totals["Total owed"].astype(int), strict=True)) == outstanding
    worklist = sections.aged_detail.frame
    assert worklist.groupby(CURRENCY)["Remaining"].sum().astype(int).to_dict() == outstanding
    past_due = worklist["Days past due"].astype("float64").fillna(float("-inf")).tolist()
    assert past_due == sorted(past_due, reverse=True)
    heads = sections.headline.frame.groupby(CURRENCY).first()
    assert heads["Outstanding"].astype(int).to_dict() == outstanding
    assert heads["Billed"].astype(int).to_dict() == report.key_figures()["billed_in_period"]
    cash_total = sections.cash_by_month.frame.loc[
        sections.cash_by_month.frame["Month from"] == TOTAL
    ]
    received = report.payments.groupby(report.payments["currency"].astype(str))["amount"].sum()
    assert dict(
        zip(cash_total[CURRENCY], cash_total["Total received"].astype(int), strict=True)
    ) == {code: int(value) for code, value in received.items()}
    flagged = report.reconciled_bills["result"].astype(str).isin(["underpaid", "overpaid"]).sum()
    listed = sections.exceptions.frame["Exception"].isin(
        ["Underpaid", "Overpaid", "Voided with payment"]
    )
    assert int(listed.sum()) == int(flagged)


def test_aged_summary_can_name_only_the_largest_customers(small: Small) -> None:
    table = aged.aged_summary(small.ledger.as_of(small.today, tz=TZ), top=1)
    zar = table.frame.loc[table.frame[CURRENCY] == "ZAR"]
    assert records(zar, "Customer", "Total owed") == [
        ("Ben Botha", 20000),
        (f"{aged.OTHERS} (1)", 11000),
        (TOTAL, 31000),
    ]
    with pytest.raises(ValueError, match="top must be a positive whole number"):
        aged.aged_summary(small.ledger.as_of(small.today, tz=TZ), top=0)


def test_each_section_is_made_when_first_asked_for_and_once(
    small: Small, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []

    def counted(name: str, make: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            made.append(name)
            return make(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(aged, "aged_summary", counted("aged_summary", aged.aged_summary))
    monkeypatch.setattr(trends, "cohorts", counted("cohorts", trends.cohorts))
    report = build_report(
        small.ledger,
        ReportScope(
            as_of=small.today,
            timezone=TZ,
            start=small.today - timedelta(days=30),
            end=small.today,
        ),
    )
    sections = report.sections
    assert sections.cohorts is sections.cohorts
    assert made == ["cohorts"]  # an HTML report never asks for the whole aged summary
    tables = sections.tables()
    assert made == ["cohorts", "aged_summary"]
    assert tables[1] is sections.aged_summary
    assert tables[6] is sections.cohorts
    assert made == ["cohorts", "aged_summary"]
