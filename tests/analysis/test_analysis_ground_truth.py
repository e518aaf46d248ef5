"""Analysis results against answers computed independently, with plain loops, from generated bill histories.

The records go through a real Ledger first, imported as from the sandbox (every state with the time it began,
through the versions route's shape), so this is the path an analyst takes: import, `ledger.as_of`, metrics.
Every amount is compared to the minor unit, on past days as well as the last one, in two time zones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

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
    expected_flags,
    expected_totals,
    generate,
)

from billkit import Ledger
from billkit.analysis import frames, metrics
from billkit.analysis.point_in_time import AsOfFrames

TZ = "Africa/Johannesburg"
SEEDS = (1, 2, 3)
DAYS = (
    dt.date(2024, 10, 15),
    dt.date(2024, 12, 31),
    dt.date(2025, 1, 15),
    dt.date(2025, 1, 31),
    AS_OF_DAY,
    dt.date(2025, 3, 31),
)


class Versions:
    """`client.sandbox.versions` over a world: pages of `GET /_sandbox/versions`, as the contract shapes them."""

    def __init__(self, world: World) -> None:
        self.listed = world.versions()

    def list(self, *, limit: int = 100, starting_after: int | None = None) -> dict[str, Any]:
        after = [v for v in self.listed if starting_after is None or v["seq"] > starting_after]
        return {"data": after[:limit], "has_more": len(after) > limit}


class Events:
    def __init__(self, world: World) -> None:
        self.events = world.events

    def iterate(self) -> Iterator[dict[str, Any]]:
        yield from self.events


class Empty:
    def list(self) -> list[Any]:
        return []


class SandboxRoutes:
    def __init__(self, world: World) -> None:
        self.versions = Versions(world)
        self.events = Events(world)
        self.customers = self.accounts = self.bills = Empty()


class SandboxClient:
    def __init__(self, world: World) -> None:
        self.sandbox = SandboxRoutes(world)


@pytest.fixture(scope="module", params=SEEDS, ids=lambda seed: f"seed{seed}")
def world(request: pytest.FixtureRequest) -> World:
    return generate(request.param)


def _imported(world: World, location: str) -> Ledger:
    opened = Ledger(location)
    result = opened.import_sandbox(
        SandboxClient(world),  # type: ignore[arg-type]
        observed_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC),
    )
    assert result.with_history
    assert result.seen["bill"] == sum(len(h) for h in world.states.values())
    return opened


@pytest.fixture(scope="module")
def ledger(world: World, new_ledger_location: Callable[[], str]) -> Iterator[Ledger]:
    """The world imported into a ledger on each backend (SQLite, PostgreSQL): every test runs on both."""
    with _imported(world, new_ledger_location()) as opened:
        yield opened


@pytest.mark.slow
@pytest.mark.postgres
def test_sqlite_and_postgres_give_identical_frames_on_every_day(
    world: World, postgres_url: str, tmp_path: Path
) -> None:
    with (
        _imported(world, str(tmp_path / "ledger.sqlite")) as on_sqlite,
        _imported(world, postgres_url) as on_postgres,
    ):
        for day in DAYS:
            for tz in (TZ, "UTC"):
                lite, pg = on_sqlite.as_of(day, tz=tz), on_postgres.as_of(day, tz=tz)
                for name in ("bills", "payments", "customers", "accounts", "balances"):
                    pd.testing.assert_frame_equal(getattr(lite, name), getattr(pg, name))
                pd.testing.assert_frame_equal(lite.aging(), pg.aging())
                pd.testing.assert_frame_equal(lite.dso(), pg.dso())


def _aging_cells(aging: Any) -> dict[tuple[str, str], tuple[int, int]]:
    return {
        (str(row.currency), str(row.bucket)): (int(row.bills), int(row.amount))
        for row in aging.itertuples()
        if row.bills > 0
    }


@pytest.mark.parametrize(
    "as_of",
    [
        *DAYS,
        dt.datetime(2025, 1, 31, 22, 30, tzinfo=dt.UTC),  # already 1 February in Johannesburg
        dt.datetime(2025, 1, 31, 21, 59, tzinfo=dt.UTC),  # still 31 January there
    ],
    ids=str,
)
@pytest.mark.parametrize("tz", [TZ, "UTC"])
def test_aging_matches_hand_computed_buckets(
    world: World, ledger: Ledger, as_of: dt.date | dt.datetime, tz: str
) -> None:
    day = ledger.as_of(as_of, tz=tz)
    assert _aging_cells(day.aging()) == expected_aging(world, as_of, tz)


@pytest.mark.parametrize("as_of", DAYS, ids=str)
@pytest.mark.parametrize("tz", [TZ, "UTC"])
def test_every_figure_of_a_past_day_matches(
    world: World, ledger: Ledger, as_of: dt.date, tz: str
) -> None:
    day = ledger.as_of(as_of, tz=tz)
    totals = metrics.totals_by_currency(
        day.bills, ["amount_due", "amount_paid", "amount_remaining"]
    )
    assert {
        str(r.currency): (int(r.amount_due), int(r.amount_paid), int(r.amount_remaining))
        for r in totals.itertuples()
    } == expected_totals(world, as_of, tz)

    checked = day.reconcile_bills()
    assert {
        str(r.bill_id): (int(r.applied), str(r.result), int(r.owed)) for r in checked.itertuples()
    } == expected_bill_results(world, as_of, tz)

    start = as_of - dt.timedelta(days=44)
    rate = day.collection_rate(start=start, end=as_of)
    found = {str(r.currency): (int(r.billed), int(r.collected)) for r in rate.itertuples()}
    assert {c: v for c, v in found.items() if v != (0, 0)} == expected_collection_rate(
        world, start, as_of, as_of, tz
    )

    days = day.days_to_pay()
    assert dict(zip(days["bill_id"], days["days_to_pay"].astype(int), strict=True)) == (
        expected_days_to_pay(world, as_of, tz)
    )

    dso = day.dso(start=start)
    expected = expected_dso(world, start, as_of, tz)
    for row in dso.itertuples():
        receivables, billed, ratio = expected[str(row.currency)]
        assert (int(row.receivables), int(row.billed), int(row.days)) == (receivables, billed, 45)
        if ratio is None:
            assert row.dso is pd.NA
        else:
            assert Decimal(repr(float(row.dso))).quantize(Decimal("1e-6")) == ratio.quantize(
                Decimal("1e-6")
            )


@pytest.mark.parametrize("as_of", [dt.date(2025, 1, 7), dt.date(2025, 1, 31), AS_OF_DAY], ids=str)
def test_payment_flags_match(world: World, ledger: Ledger, as_of: dt.date) -> None:
    day = ledger.as_of(as_of, tz=TZ)
    checked = day.reconcile_payments()
    found: dict[str, set[str]] = {}
    for row in checked.itertuples():
        flags = {
            name
            for name, value in (
                ("replayed", row.replayed),
                ("possible_double_payment", row.possible_double_payment),
                ("unknown", row.unknown_obligation is not pd.NA and row.unknown_obligation),
                ("mismatch", row.currency_mismatch is not pd.NA and row.currency_mismatch),
            )
            if value
        }
        if flags:
            found[str(row.payment_id)] = flags
    assert found == expected_flags(world, as_of, TZ)


def test_the_generated_cases_are_flagged_as_built(world: World, ledger: Ledger) -> None:
    after_everything = dt.date(2025, 12, 31)
    checked = ledger.as_of(after_everything, tz=TZ).reconcile_payments().set_index("payment_id")
    assert set(checked.index[checked["replayed"]]) == world.replayed_payment_ids
    doubles = checked.loc[checked["possible_double_payment"], "double_of"]
    assert doubles.to_dict() == world.double_payment_ids
    assert set(checked.index[checked["unknown_obligation"].fillna(False)]) == (
        world.unknown_payment_ids
    )
    assert set(checked.index[checked["currency_mismatch"].fillna(False)]) == (
        world.mismatch_payment_ids
    )


def test_a_payment_at_2330z_is_the_next_day_in_johannesburg(ledger: Ledger) -> None:
    def paid(as_of: dt.date, tz: str) -> int:
        day: AsOfFrames = ledger.as_of(as_of, tz=tz)
        bills = day.bills.set_index("bill_id")
        return int(bills.loc["bill_lateutc", "amount_paid"])

    assert paid(dt.date(2025, 1, 31), "UTC") == 5000
    assert paid(dt.date(2025, 1, 31), TZ) == 0
    assert paid(AS_OF_DAY, TZ) == 5000
    # Exactly local midnight (22:00:00Z) already belongs to 31 January in Johannesburg.
    midnight = ledger.as_of(dt.date(2025, 1, 30), tz=TZ).bills.set_index("bill_id")
    assert int(midnight.loc["bill_midnight", "amount_paid"]) == 0
    next_day = ledger.as_of(dt.date(2025, 1, 31), tz=TZ).bills.set_index("bill_id")
    assert int(next_day.loc["bill_midnight", "amount_paid"]) == 4000


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
    ledger: Ledger, as_of: object, tz: str, days_past_due: int
) -> None:
    framed = ledger.as_of(as_of, tz=tz).bills.set_index("bill_id")  # type: ignore[arg-type]
    assert framed.loc["bill_dueyesterday", "days_past_due"] == days_past_due
    assert framed.loc["bill_dueyesterday", "aging_bucket"] == (
        "1-30" if days_past_due else "current"
    )
    assert framed.loc["bill_dueyesterday", "is_overdue"] == bool(days_past_due)
    today = framed.loc["bill_duetoday"]
    assert today["aging_bucket"] == "current"
    assert not today["is_overdue"]


def test_payments_frame_counts_each_payment_once(world: World, ledger: Ledger) -> None:
    payments = frames.payments_frame(ledger.events_frame())
    assert len(payments) == len({event["data"]["payment_id"] for event in world.events})
    assert int(payments["events"].sum()) == len(world.events)
