"""The report agrees with itself on every day: for each as-of day across the demo month and the months either
side of it, per currency, outstanding in aging = receivables in DSO = what reconciliation says is still owed =
the sum of the per-customer rows, and the funnel's billed stage is the collection table's cohort."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from report_demo import DemoSandbox

from billkit.ledger import Ledger
from billkit.report.build import PaymentsReport, ReportScope, build_report
from billkit.report.sections import aged
from billkit.report.table import CURRENCY, TOTAL

TZ = "Africa/Johannesburg"


@pytest.fixture(scope="module")
def ledger(demo: DemoSandbox, tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    imported = Ledger(tmp_path_factory.mktemp("identities") / "ledger.sqlite")
    result = imported.import_sandbox(demo.client, observed_at=demo.client.sandbox.clock.now())
    assert result.with_history, "the sandbox lists every state with its time"
    return imported


def grid(demo: DemoSandbox) -> list[date]:
    """Every day of the month before the demo month, the demo month and the month after it."""
    first = (demo.summary.first_day - timedelta(days=1)).replace(day=1)
    month_after = demo.summary.last_day + timedelta(days=1)
    last = (month_after.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def per_currency(frame: pd.DataFrame, column: str) -> dict[str, int]:
    sums = frame.groupby(frame["currency"].astype(str))[column].sum()
    return {str(currency): int(value) for currency, value in sums.items() if int(value)}


def check(report: PaymentsReport) -> None:
    outstanding = per_currency(report.aging, "amount")
    assert per_currency(report.dso, "receivables") == outstanding
    owed = report.reconciliation.loc[report.reconciliation["check"] == "still_owed"]
    assert per_currency(owed, "amount") == outstanding
    assert per_currency(report.by_customer, "outstanding") == outstanding
    summary = aged.aged_summary(report.day).frame
    totals = summary.loc[summary["Customer"] == TOTAL]
    assert {
        c: int(v) for c, v in zip(totals[CURRENCY], totals["Total owed"], strict=True) if v
    } == outstanding
    billed = report.funnel.loc[report.funnel["stage"] == "billed"]
    assert per_currency(billed, "bills") == per_currency(report.collection_rate, "bills")
    assert per_currency(billed, "amount_due") == per_currency(report.collection_rate, "billed")
    assert per_currency(billed, "amount_paid") == per_currency(report.collection_rate, "collected")


@pytest.mark.slow
def test_the_report_agrees_with_itself_on_every_day(demo: DemoSandbox, ledger: Ledger) -> None:
    days = grid(demo)
    assert days[0].day == 1
    assert days[-1] > demo.summary.last_day
    assert len(days) >= 89
    seen_open = 0
    for day in days:
        report = build_report(
            ledger, ReportScope(as_of=day, timezone=TZ, start=day.replace(day=1), end=day)
        )
        check(report)
        seen_open += bool(report.key_figures()["outstanding"])
    assert seen_open > 60, (
        "most days have something outstanding, so the identities were not vacuous"
    )


def test_a_day_before_the_demo_month_counts_only_the_carried_over_bills(
    demo: DemoSandbox, ledger: Ledger
) -> None:
    eve = demo.summary.first_day - timedelta(days=1)
    report = build_report(
        ledger, ReportScope(as_of=eve, timezone=TZ, start=eve.replace(day=1), end=eve)
    )
    assert len(report.bills) == demo.summary.carried_over_bills
    assert report.payments.empty
    assert (report.bills["bill_date"] <= pd.Timestamp(eve)).all()
    assert set(report.bills["status"].astype(str)) == {"unpaid"}, "nothing was paid or voided yet"


def test_a_period_that_ends_before_the_as_of_day_takes_dso_at_its_end(
    demo: DemoSandbox, ledger: Ledger
) -> None:
    summary = demo.summary
    middle = summary.first_day.replace(day=15)
    whole = build_report(
        ledger,
        ReportScope(as_of=summary.last_day, timezone=TZ, start=summary.first_day, end=middle),
    )
    at_middle = build_report(
        ledger, ReportScope(as_of=middle, timezone=TZ, start=summary.first_day, end=middle)
    )
    pd.testing.assert_frame_equal(whole.dso, at_middle.dso)
    assert set(whole.dso["days"]) == {15}
    assert (whole.dso["billed"] > 0).all(), "the stated period billed something"


def test_nothing_exists_before_any_bill(ledger: Ledger) -> None:
    long_ago = date(1999, 1, 1)
    report = build_report(
        ledger,
        ReportScope(as_of=long_ago, timezone=TZ, start=long_ago.replace(day=1), end=long_ago),
    )
    assert report.bills.empty
    assert report.key_figures()["outstanding"] == {}
