"""Analysis results against answers computed independently, with plain loops, from generated records.

The records go through a real Ledger first, so this is also the path an analyst takes: record, read frames,
compute metrics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pytest
from analysis_ground_truth import (
    AS_OF_DAY,
    World,
    expected_aging,
    expected_bill_results,
    expected_collection_rate,
    expected_days_to_pay,
    expected_dso,
    expected_duplicates,
    expected_totals,
    generate,
)

from billkit import Ledger
from billkit.analysis import frames, metrics, reconciliation

TZ = "Africa/Johannesburg"
SEEDS = (1, 2, 3)


@pytest.fixture(params=SEEDS, ids=lambda seed: f"seed{seed}")
def world(request: pytest.FixtureRequest) -> World:
    return generate(request.param)


@pytest.fixture
def recorded(world: World) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    with Ledger(":memory:") as ledger:
        ledger.record_objects("bill", world.bills, dt.datetime(2025, 2, 1, tzinfo=dt.UTC))
        ledger.record_events(world.events)
        yield ledger.latest("bill"), frames.payments_frame(ledger.events_frame())


def _aging_cells(aging: pd.DataFrame) -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (str(row.currency), str(row.bucket)): (int(row.bills), int(row.amount))
        for row in aging.itertuples()
        if row.bills > 0
    }


@pytest.mark.parametrize(
    "as_of",
    [
        AS_OF_DAY,  # a whole local day
        dt.datetime(2025, 1, 31, 22, 30, tzinfo=dt.UTC),  # already 1 February in Johannesburg
        dt.datetime(2025, 1, 31, 21, 59, tzinfo=dt.UTC),  # still 31 January there
    ],
    ids=["date", "after-local-midnight", "before-local-midnight"],
)
@pytest.mark.parametrize("tz", [TZ, "UTC"])
def test_aging_matches_hand_computed_buckets(
    world: World,
    recorded: tuple[pd.DataFrame, pd.DataFrame],
    as_of: dt.date | dt.datetime,
    tz: str,
) -> None:
    bills, _ = recorded
    assert _aging_cells(metrics.aging(bills, as_of=as_of, tz=tz)) == expected_aging(
        world, as_of, tz
    )


def test_totals_per_currency_match(
    world: World, recorded: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    bills, _ = recorded
    totals = metrics.totals_by_currency(bills, ["amount_due", "amount_paid", "amount_remaining"])
    found = {
        str(row.currency): (int(row.amount_due), int(row.amount_paid), int(row.amount_remaining))
        for row in totals.itertuples()
    }
    assert found == expected_totals(world)


def test_bill_reconciliation_matches(
    world: World, recorded: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    bills, payments = recorded
    checked = reconciliation.reconcile_bills(bills, payments)
    found = {str(row.bill_id): (int(row.applied), str(row.result)) for row in checked.itertuples()}
    assert found == expected_bill_results(world)
    assert {"unpaid", "underpaid", "exact", "overpaid", "voided"} <= set(found_results(found))


def found_results(found: dict[str, tuple[int, str]]) -> set[str]:
    return {result for _, result in found.values()}


def test_payment_flags_match(world: World, recorded: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    bills, payments = recorded
    checked = reconciliation.reconcile_payments(payments, bills=bills)
    duplicates = {
        str(row.event_id): str(row.duplicate_of)
        for row in checked.loc[checked["duplicate"]].itertuples()
    }
    assert duplicates == expected_duplicates(world)
    assert world.duplicate_event_ids.items() <= duplicates.items()
    unknown = set(checked.loc[checked["unknown_obligation"].fillna(False), "event_id"])
    assert unknown == world.unknown_event_ids
    mismatch = set(checked.loc[checked["currency_mismatch"].fillna(False), "event_id"])
    assert mismatch == world.mismatch_event_ids


def test_collection_rate_matches(world: World, recorded: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    bills, payments = recorded
    start, end = dt.date(2024, 11, 1), dt.date(2024, 12, 31)
    rate = metrics.collection_rate(bills, payments, start=start, end=end, as_of=AS_OF_DAY, tz=TZ)
    found = {str(row.currency): (int(row.billed), int(row.collected)) for row in rate.itertuples()}
    expected = expected_collection_rate(world, start, end, AS_OF_DAY, TZ)
    assert {c: v for c, v in found.items() if v != (0, 0)} == expected
    for row in rate.itertuples():
        if row.billed:
            assert row.rate == pytest.approx(row.collected / row.billed)


def test_days_to_pay_matches(world: World, recorded: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    bills, payments = recorded
    days = metrics.days_to_pay(bills, payments, tz=TZ)
    assert dict(zip(days["bill_id"], days["days_to_pay"].astype(int), strict=True)) == (
        expected_days_to_pay(world, TZ)
    )


def test_dso_matches(world: World, recorded: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    bills, _ = recorded
    result = metrics.dso(bills, as_of=AS_OF_DAY, tz=TZ, days=60)
    for row in result.itertuples():
        receivables, billed = expected_dso(world, AS_OF_DAY, 60)[str(row.currency)]
        assert (int(row.receivables), int(row.billed)) == (receivables, billed)
        assert row.dso == pytest.approx(receivables / billed * 60)


@pytest.mark.parametrize(
    ("as_of", "tz", "days_past_due"),
    [
        ("2025-02-01", TZ, 1),  # due yesterday: 1 day past due
        (dt.datetime(2025, 1, 31, 22, 30, tzinfo=dt.UTC), TZ, 1),  # 00:30 on 1 Feb in Johannesburg
        (
            dt.datetime(2025, 1, 31, 22, 30, tzinfo=dt.UTC),
            "UTC",
            0,
        ),  # still 31 Jan in UTC: due today
    ],
)
def test_timezone_decides_the_day(
    recorded: tuple[pd.DataFrame, pd.DataFrame], as_of: object, tz: str, days_past_due: int
) -> None:
    bills, _ = recorded
    framed = frames.bills_frame(bills, as_of=as_of, tz=tz).set_index("bill_id")  # type: ignore[arg-type]
    assert framed.loc["bill_dueyesterday", "days_past_due"] == days_past_due
    assert framed.loc["bill_dueyesterday", "aging_bucket"] == (
        "1-30" if days_past_due else "current"
    )
    assert framed.loc["bill_dueyesterday", "is_overdue"] == bool(days_past_due)
    today = framed.loc["bill_duetoday"]
    assert today["aging_bucket"] == "current"
    assert not today["is_overdue"]
