"""A report a person reads does not grow with the data: tables show a bounded number of rows and one "more"
line whose sums keep every money column exact, and chart data is per day or bucket, not per bill."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from billkit.analysis.point_in_time import AsOfFrames, as_of_frames
from billkit.analysis.three_way import RECONCILIATION, SETTLEMENT, Reports
from billkit.report.build import ReportScope, build_report
from billkit.report.sections import aged, exceptions
from billkit.report.table import CURRENCY, TOTAL, Table
from billkit.report.tables import to_html

TZ = "UTC"
DAY = dt.date(2025, 3, 1)
OBSERVED = pd.Timestamp("2025-03-01 06:00", tz="UTC")


def table(frame: pd.DataFrame, **kinds: object) -> Table:
    return Table(name="t", title="T", frame=frame, empty="Nothing.", **kinds)  # type: ignore[arg-type]


def test_bounded_keeps_the_largest_and_one_line_sums_the_rest() -> None:
    frame = pd.DataFrame(
        {
            CURRENCY: ["ZAR"] * 5 + ["USD"] * 2,
            "Bill": list("pqrstuv"),
            "Owed": pd.array([5, 50, 7, None, 30, 1, 2], dtype="Int64"),
        }
    )
    shown = table(frame, money=("Owed",)).bounded(2, label="Bill", noun="bill", by=("Owed",))
    assert shown.frame.to_dict("list") == {
        CURRENCY: ["ZAR", "ZAR", "ZAR", "USD", "USD"],
        "Bill": ["q", "t", "3 more bills", "u", "v"],
        "Owed": [50, 30, 12, 1, 2],
    }
    assert shown.more_rows == (2,)
    html = to_html(shown)
    assert '<tr class="more">' in html
    assert "3 more bills" in html
    assert table(frame, money=("Owed",)).bounded(5, label="Bill", noun="bill").frame is frame
    with pytest.raises(ValueError, match="limit must be a positive whole number"):
        table(frame).bounded(0, label="Bill", noun="bill")


def test_bounded_groups_and_keeps_totals_rows() -> None:
    frame = pd.DataFrame(
        {
            CURRENCY: ["ZAR"] * 4,
            "Kind": ["a", "a", "a", TOTAL],
            "Owed": pd.array([1, 2, 3, 6], dtype="Int64"),
        }
    )
    shown = table(frame, money=("Owed",), totals="Kind").bounded(1, label="Kind", noun="row")
    assert list(shown.frame["Kind"]) == ["a", "2 more rows", TOTAL]
    assert list(shown.frame["Owed"]) == [1, 5, 6]


def ledger_frames(bills: int, customers: int) -> dict[str, pd.DataFrame]:
    """`bills` bills over `customers` customers (each with one account), every third one part paid."""
    numbers = range(bills)
    amount_due = [10_000 + 7 * n for n in numbers]
    paid = [due // 3 if n % 3 == 0 else 0 for n, due in zip(numbers, amount_due, strict=True)]
    bill_versions = pd.DataFrame(
        {
            "bill_id": [f"bill_{n:08d}" for n in numbers],
            "customer_id": [f"bcus_{n % customers:08d}" for n in numbers],
            "account_id": [f"bacc_{n % customers:08d}" if n % 2 else None for n in numbers],
            "external_reference": [f"INV{n}" for n in numbers],
            "currency": ["ZAR" if n % 4 else "USD" for n in numbers],
            "status": "unpaid",
            "amount_due": amount_due,
            "amount_paid": paid,
            "amount_remaining": [d - p for d, p in zip(amount_due, paid, strict=True)],
            "bill_date": [pd.Timestamp(DAY) - pd.Timedelta(days=n % 120) for n in numbers],
            "due_date": [pd.Timestamp(DAY) - pd.Timedelta(days=n % 120 - 30) for n in numbers],
            "valid_from": OBSERVED,
            "from_source": False,
        }
    )
    payers = [n for n in numbers if paid[n]]
    events = pd.DataFrame(
        {
            "event_id": [f"evt_{n:08d}" for n in payers],
            "type": "obligation.amount_applied",
            "created_at": [
                pd.Timestamp(DAY, tz="UTC") - pd.Timedelta(hours=1 + n % 900) for n in payers
            ],
            "received_at": OBSERVED,
            "data_id": [f"ob_{n:08d}" for n in payers],
            "payment_id": [f"pay_{n:08d}" for n in payers],
            "amount": [paid[n] for n in payers],
            "currency": [bill_versions["currency"][n] for n in payers],
            "bill_id": [bill_versions["bill_id"][n] for n in payers],
            "account_id": None,
            "customer_id": None,
        }
    ).sort_values("created_at", kind="stable")
    entity = {"currency": "ZAR", "balance": 0, "valid_from": OBSERVED, "from_source": False}
    return {
        "bill_versions": bill_versions,
        "events": events,
        "customer_versions": pd.DataFrame(
            {"customer_id": [f"bcus_{n:08d}" for n in range(customers)], **entity}
        ),
        "account_versions": pd.DataFrame(
            {
                "account_id": [f"bacc_{n:08d}" for n in range(customers)],
                "customer_id": [f"bcus_{n:08d}" for n in range(customers)],
                **entity,
            }
        ),
    }


@pytest.fixture(scope="module")
def big() -> AsOfFrames:
    return as_of_frames(**ledger_frames(600, 120), as_of=DAY, tz=TZ)


def column_sums(frame: pd.DataFrame, column: str, *, skip: str | None = None) -> dict[str, int]:
    rows = frame if skip is None else frame.loc[frame["Customer"] != skip]
    return {str(c): int(v) for c, v in rows.groupby(CURRENCY)[column].sum().items()}


def test_the_worklist_shows_its_rows_and_one_line_for_the_rest(big: AsOfFrames) -> None:
    detail = aged.aged_detail(big)
    shown = aged.worklist(detail, rows=10)
    for currency, rows in shown.frame.groupby(CURRENCY):
        assert len(rows) == 11, "ten bills and the 'more' line"
        hidden = int((detail.frame[CURRENCY] == currency).sum()) - 10
        assert rows["Bill"].iloc[-1] == f"{hidden:,} more open bills"
    assert column_sums(shown.frame, "Remaining") == column_sums(detail.frame, "Remaining")
    assert column_sums(shown.frame, "Amount due") == column_sums(detail.frame, "Amount due")


def test_the_aged_summary_names_the_largest_customers_and_accounts(big: AsOfFrames) -> None:
    whole = aged.aged_summary(big)
    top = aged.aged_summary(big, top=5)
    for _, rows in top.frame.groupby(CURRENCY):
        customers = rows.loc[~rows["Customer"].str.startswith(aged.ACCOUNT_MARK)]
        assert len(customers) == 5 + 2, "five customers, the others' line and the total"
        assert customers["Customer"].iloc[-2].startswith(aged.OTHERS)
    totals = top.frame.loc[top.frame["Customer"] == TOTAL]
    whole_totals = whole.frame.loc[whole.frame["Customer"] == TOTAL]
    assert totals.reset_index(drop=True).equals(whole_totals.reset_index(drop=True))
    customer_rows = top.frame.loc[
        ~top.frame["Customer"].str.startswith(aged.ACCOUNT_MARK) & (top.frame["Customer"] != TOTAL)
    ]
    assert column_sums(customer_rows, "Total owed") == column_sums(totals, "Total owed")
    assert len(whole.frame) > 4 * len(top.frame), "the whole summary lists every customer"


def test_exceptions_show_the_largest_of_each_kind_and_sum_the_rest(big: AsOfFrames) -> None:
    every = exceptions.exceptions(big)
    shown = exceptions.shown(every, rows=4)
    underpaid = shown.frame.loc[shown.frame["Exception"] == "Underpaid"]
    for currency, rows in underpaid.groupby(CURRENCY):
        assert len(rows) == 5
        assert rows["Customer"].iloc[-1].endswith("more exceptions")
        listed = every.frame.loc[
            (every.frame["Exception"] == "Underpaid") & (every.frame[CURRENCY] == currency)
        ]
        largest = listed["Difference"].abs().nlargest(4)
        assert sorted(rows["Difference"].iloc[:4].abs()) == sorted(largest)
    for column in ("Expected", "Applied", "Difference"):
        assert column_sums(shown.frame, column) == column_sums(every.frame, column)


def chart_bytes(bills: int, customers: int) -> int:
    frames = ledger_frames(bills, customers)
    day = as_of_frames(**frames, as_of=DAY, tz=TZ)

    class FakeLedger:
        def as_of(self, when: object, *, tz: str) -> object:
            return as_of_frames(**frames, as_of=when, tz=tz)  # type: ignore[arg-type]

        def reconciliation_rows(self) -> pd.DataFrame:
            return pd.DataFrame()

        def settlement_rows(self) -> pd.DataFrame:
            return pd.DataFrame()

        def three_way_reports(self) -> Reports:
            return Reports.of(
                pd.DataFrame(columns=list(RECONCILIATION)), pd.DataFrame(columns=list(SETTLEMENT))
            )

        def activity_span(self) -> tuple[pd.Timestamp, pd.Timestamp]:
            return OBSERVED - pd.Timedelta(days=200), OBSERVED

    assert len(day.bills) == bills
    report = build_report(
        FakeLedger(),  # type: ignore[arg-type]
        ReportScope(as_of=DAY, timezone=TZ, start=DAY.replace(day=1), end=DAY),
    )
    return sum(
        len(json.dumps(figure.to_plotly_json(), default=str))
        for figure in report.figures().values()
    )


def test_chart_data_does_not_grow_with_the_bills() -> None:
    small, large = chart_bytes(240, 60), chart_bytes(2400, 600)
    assert large < small * 1.2, f"charts of 10x the bills: {large:,} bytes against {small:,}"
