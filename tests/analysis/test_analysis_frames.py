"""Frames and metrics: money handling per currency, as-of rules, input checks, and edge cases."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any

import pandas as pd
import pytest

from billkit import InvalidArgumentError
from billkit.analysis import MixedCurrencyError, frames, metrics, point_in_time, reconciliation

TZ = "Africa/Johannesburg"


def bills_table(*rows: dict[str, Any]) -> pd.DataFrame:
    defaults: dict[str, Any] = {
        "customer_id": "bcus_1",
        "account_id": None,
        "status": "unpaid",
        "amount_paid": 0,
        "bill_date": "2025-01-01",
        "due_date": "2025-01-31",
    }
    records = []
    for number, row in enumerate(rows):
        record = defaults | {"bill_id": f"bill_{number}"} | row
        record.setdefault("amount_remaining", record["amount_due"] - record["amount_paid"])
        records.append(record)
    return pd.DataFrame(records)


def events_table(*rows: dict[str, Any]) -> pd.DataFrame:
    records = []
    for number, row in enumerate(rows):
        records.append(
            {
                "event_id": f"evt_{number}",
                "type": "obligation.amount_applied",
                "data_id": f"ob_{number}",
                "payment_id": f"pay_{number}",
                "bill_id": None,
                "account_id": None,
                "customer_id": None,
                "created_at": "2025-01-10T10:00:00Z",
            }
            | row
        )
    return pd.DataFrame(records)


NO_ENTITIES = pd.DataFrame(
    {
        "customer_id": pd.Series([], dtype="string"),
        "account_id": pd.Series([], dtype="string"),
        "currency": pd.Series([], dtype="category"),
        "balance": pd.Series([], dtype="Int64"),
        "valid_from": pd.Series([], dtype="datetime64[ns, UTC]"),
    }
)


def day_of(
    bills: pd.DataFrame, events: pd.DataFrame, as_of: Any, *, since: str = "2025-01-01T00:00:00Z"
) -> point_in_time.AsOfFrames:
    """The as-of frames of bills first recorded at `since` (one state each) and `events`."""
    return point_in_time.as_of_frames(
        bill_versions=bills.assign(valid_from=pd.Timestamp(since)),
        events=events,
        customer_versions=NO_ENTITIES.drop(columns="account_id"),
        account_versions=NO_ENTITIES,
        as_of=as_of,
        tz=TZ,
    )


def test_major_units_follow_each_currencys_exponent() -> None:
    bills = bills_table(
        {"currency": "ZAR", "amount_due": 1095},
        {"currency": "JPY", "amount_due": 1095},
        {"currency": "BHD", "amount_due": 1095},
    )
    framed = frames.bills_frame(bills, as_of="2025-02-01")
    assert framed["amount_due_major"].tolist() == [10.95, 1095.0, 1.095]
    assert str(framed["amount_due"].dtype) == "Int64"


def test_plain_python_records_are_coerced_to_billkit_dtypes() -> None:
    framed = frames.bills_frame(
        bills_table({"currency": "ZAR", "amount_due": 100}), as_of="2025-02-01"
    )
    assert str(framed["bill_id"].dtype) == "string"
    assert isinstance(framed["currency"].dtype, pd.CategoricalDtype)
    assert str(framed["due_date"].dtype) == "datetime64[ns]"
    assert str(framed["days_past_due"].dtype) == "Int64"


def test_closed_bills_have_no_aging() -> None:
    bills = bills_table(
        {"currency": "ZAR", "amount_due": 100, "status": "paid", "amount_paid": 100},
        {"currency": "ZAR", "amount_due": 100, "status": "voided"},
        {"currency": "ZAR", "amount_due": 100, "due_date": None},
    )
    framed = frames.bills_frame(bills, as_of="2025-06-01")
    assert framed["is_open"].tolist() == [False, False, True]
    assert framed["aging_bucket"].isna().tolist() == [True, True, False]
    assert framed["aging_bucket"].iloc[2] == "current"  # no due date counts as current
    assert pd.isna(framed["days_past_due"].iloc[2])


@pytest.mark.parametrize(
    ("due_date", "bucket"),
    [
        ("2025-03-01", "current"),
        ("2025-02-01", "current"),  # due today
        ("2025-01-31", "1-30"),
        ("2025-01-02", "1-30"),  # 30 days
        ("2025-01-01", "31-60"),
        ("2024-12-03", "31-60"),  # 60 days
        ("2024-12-02", "61-90"),
        ("2024-11-03", "61-90"),  # 90 days
        ("2024-11-02", "90+"),
    ],
)
def test_bucket_edges(due_date: str, bucket: str) -> None:
    bills = bills_table({"currency": "ZAR", "amount_due": 500, "due_date": due_date})
    aging = metrics.aging(bills, as_of="2025-02-01", tz=TZ)
    assert aging.loc[aging["amount"] > 0, "bucket"].tolist() == [bucket]


def test_currencies_are_never_summed_together() -> None:
    bills = bills_table(
        {"currency": "ZAR", "amount_due": 100}, {"currency": "USD", "amount_due": 300}
    )
    with pytest.raises(MixedCurrencyError, match="USD, ZAR"):
        metrics.total(bills, "amount_due")
    assert metrics.total(bills.loc[bills["currency"] == "USD"], "amount_due") == 300
    totals = metrics.totals_by_currency(bills, ["amount_due"]).set_index("currency")
    assert totals.loc["USD", "amount_due"] == 300
    assert totals.loc["ZAR", "amount_due"] == 100
    aging = metrics.aging(bills, as_of="2025-02-01")
    assert set(aging["currency"]) == {"USD", "ZAR"}
    assert aging.groupby("currency", observed=True)["share"].sum().tolist() == [1.0, 1.0]
    assert issubclass(MixedCurrencyError, InvalidArgumentError)


def test_payments_frame_keeps_applied_amounts_once_and_in_time_order() -> None:
    events = events_table(
        {
            "bill_id": "bill_0",
            "amount": 100,
            "currency": "ZAR",
            "created_at": "2025-01-12T00:00:00Z",
        },
        {
            "account_id": "bacc_1",
            "amount": 50,
            "currency": "ZAR",
            "created_at": "2025-01-11T00:00:00Z",
        },
        {"customer_id": "bcus_1", "amount": 70, "currency": "USD"},
        {"type": "payment_request.paid", "amount": 70, "currency": "USD"},
    )
    repeated = pd.concat([events, events.iloc[[0]]], ignore_index=True)
    payments = frames.payments_frame(repeated)
    assert payments["event_id"].tolist() == ["evt_2", "evt_1", "evt_0"]
    assert payments["obligation_type"].astype(str).tolist() == ["customer", "account", "bill"]
    assert payments["obligation_id"].tolist() == ["bcus_1", "bacc_1", "bill_0"]
    assert payments["amount_major"].tolist() == [0.7, 0.5, 1.0]


def test_payments_without_an_obligation_are_unknown() -> None:
    payments = frames.payments_frame(events_table({"amount": 10, "currency": "ZAR"}))
    bills = bills_table({"currency": "ZAR", "amount_due": 100})
    checked = reconciliation.reconcile_payments(payments, bills=bills)
    assert checked["unknown_obligation"].tolist() == [True]
    assert checked["ok"].tolist() == [False]


def test_account_and_customer_payments_are_checked_when_given() -> None:
    payments = frames.payments_frame(
        events_table(
            {"account_id": "bacc_1", "amount": 10, "currency": "ZAR"},
            {"account_id": "bacc_9", "amount": 10, "currency": "ZAR"},
            {"customer_id": "bcus_1", "amount": 10, "currency": "USD"},
        )
    )
    bills = bills_table({"currency": "ZAR", "amount_due": 100})
    unchecked = reconciliation.reconcile_payments(payments, bills=bills)
    assert unchecked["unknown_obligation"].isna().all()  # not checked without those frames
    accounts = pd.DataFrame({"account_id": ["bacc_1"], "currency": ["ZAR"]})
    customers = pd.DataFrame({"customer_id": ["bcus_1"], "currency": ["ZAR"]})
    checked = reconciliation.reconcile_payments(
        payments, bills=bills, accounts=accounts, customers=customers
    )
    assert checked["unknown_obligation"].tolist() == [False, True, False]
    assert checked["currency_mismatch"].tolist() == [False, pd.NA, True]


def test_a_payment_in_another_currency_never_counts_towards_a_bill() -> None:
    bills = bills_table({"currency": "ZAR", "amount_due": 100})
    events = events_table({"bill_id": "bill_0", "amount": 100, "currency": "USD"})
    result = reconciliation.reconcile_bills(bills, frames.payments_frame(events))
    assert result["applied"].tolist() == [0]
    assert result["result"].astype(str).tolist() == ["unpaid"]
    rate = day_of(bills, events, "2025-01-31").collection_rate(start="2025-01-01", end="2025-01-31")
    assert rate["collected"].tolist() == [0]


def test_reconciliation_flags_a_bill_whose_own_amount_paid_disagrees() -> None:
    bills = bills_table(
        {"currency": "ZAR", "amount_due": 100, "amount_paid": 100, "status": "paid"}
    )
    payments = frames.payments_frame(
        events_table({"bill_id": "bill_0", "amount": 60, "currency": "ZAR"})
    )
    result = reconciliation.reconcile_bills(bills, payments)
    assert result["result"].astype(str).tolist() == ["underpaid"]
    assert result["matches_bill"].tolist() == [False]
    assert result["difference"].tolist() == [-40]


def test_voided_bill_with_money_applied_is_overpaid() -> None:
    bills = bills_table({"currency": "ZAR", "amount_due": 100, "status": "voided"})
    payments = frames.payments_frame(
        events_table({"bill_id": "bill_0", "amount": 30, "currency": "ZAR"})
    )
    result = reconciliation.reconcile_bills(bills, payments)
    assert (result["expected"].iloc[0], result["result"].astype(str).iloc[0]) == (0, "overpaid")


def test_double_payment_window_is_configurable_and_checked() -> None:
    payments = frames.payments_frame(
        events_table(
            {
                "bill_id": "bill_0",
                "amount": 10,
                "currency": "ZAR",
                "created_at": "2025-01-10T10:00:00Z",
            },
            {
                "bill_id": "bill_0",
                "amount": 10,
                "currency": "ZAR",
                "created_at": "2025-01-10T10:30:00Z",
            },
        )
    )
    bills = bills_table({"currency": "ZAR", "amount_due": 100})
    default = reconciliation.reconcile_payments(payments, bills=bills)
    assert default["possible_double_payment"].tolist() == [False, False]
    wide = reconciliation.reconcile_payments(
        payments, bills=bills, double_payment_window=dt.timedelta(hours=1)
    )
    assert wide["possible_double_payment"].tolist() == [False, True]
    assert wide["double_of"].tolist()[1] == "pay_0"
    with pytest.raises(InvalidArgumentError, match="double_payment_window"):
        reconciliation.reconcile_payments(
            payments, bills=bills, double_payment_window=dt.timedelta(-1)
        )


def test_a_replayed_payment_counts_once_and_is_flagged_as_replayed() -> None:
    """The same payment under two event IDs: a 100.00 bill paid 60.00 still owes 40.00, not -20.00."""
    bills = bills_table({"currency": "ZAR", "amount_due": 10000, "amount_paid": 6000})
    paid = {"bill_id": "bill_0", "amount": 6000, "currency": "ZAR", "payment_id": "pay_once"}
    events = events_table(paid, paid | {"created_at": "2025-01-10T10:05:00Z"})
    day = day_of(bills, events, "2025-01-31", since="2025-01-20T00:00:00Z")
    assert day.payments[["payment_id", "events", "replayed"]].values.tolist() == [
        ["pay_once", 2, True]
    ]
    result = day.reconcile_bills()
    assert result[["applied", "difference", "owed"]].values.tolist() == [[6000, -4000, 4000]]
    assert result["result"].astype(str).tolist() == ["underpaid"]
    checked = day.reconcile_payments()
    assert checked[["replayed", "possible_double_payment", "ok"]].values.tolist() == [
        [True, False, False]
    ]
    rate = day.collection_rate(start="2025-01-01", end="2025-01-31")
    assert rate[["billed", "collected"]].values.tolist() == [[10000, 6000]]


@pytest.mark.parametrize(("amount_paid", "flagged"), [(5000, False), (2500, True)])
def test_instalments_the_bill_confirms_are_not_double_payments(
    amount_paid: int, flagged: bool
) -> None:
    """Two real instalments of 25.00 nine minutes apart: the bill's own amount_paid of 50.00 confirms them."""
    bills = bills_table({"currency": "ZAR", "amount_due": 10000, "amount_paid": amount_paid})
    part = {"bill_id": "bill_0", "amount": 2500, "currency": "ZAR"}
    payments = frames.payments_frame(
        events_table(
            part | {"created_at": "2025-01-10T10:00:00Z"},
            part | {"created_at": "2025-01-10T10:09:00Z"},
        )
    )
    checked = reconciliation.reconcile_payments(payments, bills=bills)
    assert checked["possible_double_payment"].tolist() == [False, flagged]
    assert reconciliation.reconcile_bills(bills, payments)["applied"].tolist() == [5000]


def test_a_payment_at_local_midnight_belongs_to_the_new_day() -> None:
    """22:00:00Z is 00:00 on the next day in Johannesburg: every figure counts it there, none the day before."""
    bills = bills_table({"currency": "ZAR", "amount_due": 100})
    events = events_table(
        {
            "bill_id": "bill_0",
            "amount": 100,
            "currency": "ZAR",
            "created_at": "2025-01-14T22:00:00Z",
        }
    )
    before, after = day_of(bills, events, "2025-01-14"), day_of(bills, events, "2025-01-15")
    assert before.payments.empty
    assert before.bills["amount_paid"].tolist() == [0]
    assert after.bills["status"].astype(str).tolist() == ["paid"]
    assert after.days_to_pay()["settled_on"].tolist() == [pd.Timestamp("2025-01-15")]
    window = metrics._as_of.window("2025-01-15", "2025-01-15", TZ)
    assert window.holds_instants(after.payments["created_at"]).tolist() == [True]


def test_bills_with_repeated_ids_are_refused_where_sums_depend_on_it() -> None:
    bills = pd.concat([bills_table({"currency": "ZAR", "amount_due": 100})] * 2, ignore_index=True)
    payments = frames.payments_frame(
        events_table({"bill_id": "bill_0", "amount": 10, "currency": "ZAR"})
    )
    with pytest.raises(InvalidArgumentError, match=r"one row per bill_id.*bill_0"):
        reconciliation.reconcile_bills(bills, payments)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda b: frames.bills_frame(b.drop(columns="due_date"), as_of="2025-01-01"), "due_date"),
        (
            lambda b: frames.bills_frame(b.assign(amount_due="ten"), as_of="2025-01-01"),
            "amount_due",
        ),
        (
            lambda b: frames.bills_frame(b.assign(amount_due=10.5), as_of="2025-01-01"),
            "whole numbers",
        ),
        (lambda b: frames.bills_frame(b, as_of="2025-13-01"), "as_of"),
        (
            lambda b: frames.bills_frame(b, as_of="2025-01-01", tz="Mars/Olympus"),
            "unknown time zone",
        ),
        (
            lambda b: frames.bills_frame(b.to_dict(), as_of="2025-01-01"),
            "must be a pandas DataFrame",
        ),
        (lambda b: metrics.dso(b, end="2025-01-01", days=0), "days must be a positive"),
        (
            lambda b: metrics.dso(b, end="2025-01-31", start="2025-01-01", days=3),
            "start or days",
        ),
        (
            lambda b: metrics.collection_rate(b, start="2025-02-01", end="2025-01-01"),
            "before start",
        ),
        (lambda b: metrics.collection_funnel(b, start="tomorrow"), "start must be a date"),
    ],
)
def test_bad_input_is_refused_by_name(call: Any, message: str) -> None:
    bills = bills_table({"currency": "ZAR", "amount_due": 100})
    with pytest.raises(InvalidArgumentError, match=message):
        call(bills)


def test_as_of_instant_cuts_payments_at_that_instant() -> None:
    bills = bills_table({"currency": "ZAR", "amount_due": 100, "bill_date": "2025-01-01"})
    events = events_table(
        {
            "bill_id": "bill_0",
            "amount": 40,
            "currency": "ZAR",
            "created_at": "2025-01-20T08:00:00Z",
        },
        {
            "bill_id": "bill_0",
            "amount": 60,
            "currency": "ZAR",
            "created_at": "2025-01-20T12:00:00Z",
        },
    )
    payments = frames.payments_frame(events)

    def collected(as_of: Any) -> int:
        rate = day_of(bills, events, as_of).collection_rate(start="2025-01-01", end="2025-01-31")
        return int(rate["collected"].iloc[0])

    assert collected("2025-01-19") == 0
    assert collected(dt.datetime(2025, 1, 20, 10, tzinfo=dt.UTC)) == 40
    assert collected("2025-01-20") == 100
    days = metrics.days_to_pay(bills, payments, tz=TZ)
    assert days["days_to_pay"].tolist() == [19]
    assert days["settled_at"].iloc[0] == pd.Timestamp("2025-01-20T12:00:00Z")
    assert metrics.days_to_pay(bills, payments, as_of="2025-01-19", tz=TZ).empty
    summary = metrics.days_to_pay_summary(days)
    assert summary[["currency", "bills", "p50"]].values.tolist() == [["ZAR", 1, 19.0]]


def test_funnel_stages_are_nested_per_currency() -> None:
    bills = bills_table(
        {"currency": "ZAR", "amount_due": 100},
        {"currency": "ZAR", "amount_due": 100, "amount_paid": 40},
        {"currency": "ZAR", "amount_due": 100, "amount_paid": 100, "status": "paid"},
        {"currency": "ZAR", "amount_due": 100, "status": "voided"},
        {"currency": "USD", "amount_due": 50},
    )
    funnel = metrics.collection_funnel(bills)
    zar = funnel.loc[funnel["currency"] == "ZAR"]
    assert zar["bills"].tolist() == [3, 2, 1]
    assert zar["amount_paid"].tolist() == [140, 140, 100]
    assert funnel.loc[funnel["currency"] == "USD", "bills"].tolist() == [1, 0, 0]


def test_dso_is_missing_when_nothing_was_billed() -> None:
    bills = bills_table({"currency": "ZAR", "amount_due": 100, "bill_date": "2024-01-01"})
    result = metrics.dso(bills, end="2025-02-01", days=30)
    assert result["receivables"].tolist() == [100]
    assert pd.isna(result["dso"].iloc[0])


def test_balances_over_time_and_at_a_moment() -> None:
    customers = pd.DataFrame(
        {
            "customer_id": ["bcus_1", "bcus_1", "bcus_2"],
            "name": ["Ann", "Ann", None],
            "external_reference": ["C1", "C1", "C2"],
            "currency": ["ZAR", "ZAR", "USD"],
            "balance": [2000, 0, None],
            "observed_at": pd.to_datetime(
                ["2025-01-01T00:00Z", "2025-01-10T00:00Z", "2025-01-01T00:00Z"], utc=True
            ),
        }
    )
    accounts = pd.DataFrame(
        {
            "account_id": ["bacc_1"],
            "customer_id": ["bcus_1"],
            "name": ["Data"],
            "currency": ["ZAR"],
            "balance": [-300],
            "observed_at": pd.to_datetime(["2025-01-05T00:00Z"], utc=True),
        }
    )
    balances = frames.balances_frame(customers, accounts)
    assert balances["entity_id"].tolist() == ["bcus_1", "bcus_1", "bacc_1"]  # bcus_2 tracks none
    assert balances["label"].tolist() == ["Ann", "Ann", "Data"]
    assert balances["customer_label"].tolist() == ["Ann", "Ann", "Ann"]
    assert balances["balance_major"].tolist() == [20.0, 0.0, -3.0]
    on_the_7th = frames.balances_at(balances, as_of="2025-01-07", tz=TZ)
    assert on_the_7th["balance"].tolist() == [2000, -300]
    now = frames.balances_at(balances, as_of="2025-02-01")
    assert now["balance"].tolist() == [0, -300]


def test_importing_analysis_does_not_load_plotly_until_a_chart_is_drawn() -> None:
    code = (
        "import sys, billkit.analysis as a; a.frames; a.metrics; print('plotly' in sys.modules); "
        "a.charts; print('plotly' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_funnel_keeps_only_bills_dated_in_the_period() -> None:
    bills = bills_table(
        {"currency": "ZAR", "amount_due": 100, "bill_date": "2025-01-05"},
        {"currency": "ZAR", "amount_due": 100, "bill_date": "2025-02-05", "amount_paid": 40},
    )
    funnel = metrics.collection_funnel(bills, start="2025-01-01", end="2025-01-31")
    assert funnel.loc[funnel["currency"] == "ZAR", "bills"].tolist() == [1, 0, 0]
