"""Three-way reconciliation against answers worked out by hand (the world is in three_way_world.january)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest
from three_way_world import World, january, recon_name

from billkit import InvalidArgumentError
from billkit.analysis import charts
from billkit.analysis.three_way import FINDINGS, Reports, ThreeWay, three_way, with_channels


def values(frame: pd.DataFrame, *columns: str) -> list[tuple[object, ...]]:
    """The rows' values, None where missing (NA never equals anything), timestamps as ISO text."""

    def plain(value: object) -> object:
        if value is None or value is pd.NaT or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[call-overload]
            return None
        if isinstance(value, pd.Timestamp):
            return value.isoformat()
        return value

    return [tuple(plain(v) for v in row) for row in frame[list(columns)].itertuples(index=False)]


def run(world: World, day: str, tz: str = "UTC") -> ThreeWay:
    return three_way(
        world.as_of(day, tz),
        reconciliation=world.reconciliation_rows(),
        settlement=world.settlement_rows(),
    )


def test_before_any_report_every_payment_awaits_its_report() -> None:
    """As of 10 January (UTC) the day's report comes only at its end: nothing is a finding yet."""
    result = three_way(
        january().as_of("2027-01-10"),
        reconciliation=january().reconciliation_rows(),
        settlement=january().settlement_rows(),
    )
    assert result.counts() == dict.fromkeys(["matched", *FINDINGS], 0)
    assert not result.has_reports
    assert values(result.awaiting_report, "payment_id", "amount", "report_period", "due_from") == [
        ("pay_1", 4000, "2027-01-10T00:00:00", "2027-01-12T00:00:00+00:00"),
        ("pay_3", 1000, "2027-01-10T00:00:00", "2027-01-12T00:00:00+00:00"),
        ("pay_4", 700, "2027-01-10T00:00:00", "2027-01-12T00:00:00+00:00"),
        ("pay_5", 500, "2027-01-10T00:00:00", "2027-01-12T00:00:00+00:00"),
        ("pay_7", 1500, "2027-01-10T00:00:00", "2027-01-12T00:00:00+00:00"),
        ("pay_8", 900, "2027-01-10T00:00:00", "2027-01-12T00:00:00+00:00"),
    ]


def test_at_t_plus_one_every_disagreement_of_the_report_is_found() -> None:
    """As of 11 January (UTC): the report of the 10th exists; its settlement (T+2) does not yet; a webhook
    payment missing from the report is not yet due in one (T+1 has not passed)."""
    world = january()
    result = three_way(
        world.as_of("2027-01-11"),
        reconciliation=world.reconciliation_rows(),
        settlement=world.settlement_rows(),
    )
    assert values(
        result.matched,
        "payment_id",
        "reconciliation_id",
        "matched_by",
        "obligation_id",
        "obligation_reference",
        "customer_id",
        "customer_reference",
        "webhook_amount",
        "report_amount",
        "fee",
        "net_amount",
        "channel",
    ) == [
        ("pay_1", f"{1:024x}", "payment_id", "bill_B1", "B1", "bcus_A", "CUS-A", 4000, 4000, 80,
         3920, "api"),
        ("pay_4", f"{4:024x}", "payment_id", "bacc_A1", "A-1", "bcus_A", "CUS-A", 700, 700, 14,
         686, "in_person"),
        ("pay_7", f"{7:024x}", "reference", "bill_B4", "B4", "bcus_B", "CUS-B", 1500, 1500, 30,
         1470, "payment_request"),
    ]  # fmt: skip
    assert values(
        result.mismatched,
        "payment_id",
        "mismatch",
        "customer_id",
        "webhook_currency",
        "webhook_amount",
        "report_currency",
        "report_amount",
        "difference",
    ) == [
        ("pay_3", "amount", "bcus_C", "USD", 1000, "USD", 1200, 200),
        ("pay_8", "currency", "bcus_B", "ZAR", 900, "USD", 900, None),
    ]
    assert values(
        result.no_webhook,
        "reconciliation_id",
        "payment_id",
        "obligation_id",
        "merchant_reference_id",
        "customer_id",
        "currency",
        "amount",
        "fee",
        "channel",
    ) == [
        (f"{2:024x}", "pay_2", "bill_B2", "B2", "bcus_B", "ZAR", 2500, 50, "ebp"),
        (f"{6:024x}", "pay_ghost", "bill_nobody", "GHOST-9", None, "ZAR", 300, 6, "api"),
    ]
    assert values(result.unknown_obligation, "reconciliation_id", "merchant_reference_id") == [
        (f"{6:024x}", "GHOST-9")
    ]
    assert result.not_reported.empty
    assert values(result.awaiting_report, "payment_id", "customer_reference") == [
        ("pay_5", "CUS-A"),
        ("pay_9", "CUS-A"),
    ]
    assert result.settlements.empty
    # The report of the 10th was read twice (under two names): its 7 rows once.
    assert len(result.reconciliation_rows) == 7


def test_after_t_plus_one_a_payment_in_no_report_is_found_and_settlements_are_checked() -> None:
    """As of 12 January (UTC): P5 (10 January) is now due in a report; the 11th's report holds P9; the
    settlement of the 10th (T+2) exists and its USD totals disagree; the 11th's is not yet due."""
    world = january()
    result = three_way(
        world.as_of("2027-01-12"),
        reconciliation=world.reconciliation_rows(),
        settlement=world.settlement_rows(),
    )
    assert list(result.matched["payment_id"]) == ["pay_1", "pay_4", "pay_7", "pay_9"]
    assert values(
        result.not_reported,
        "payment_id",
        "event_id",
        "obligation_id",
        "obligation_reference",
        "customer_id",
        "customer_reference",
        "currency",
        "amount",
    ) == [("pay_5", "evt_5", "bill_B1", "B1", "bcus_A", "CUS-A", "ZAR", 500)]
    assert result.awaiting_report.empty
    assert values(
        result.settlements,
        "period_end",
        "currency",
        "reported_count",
        "expected_count",
        "reported_gross",
        "expected_gross",
        "reported_fees",
        "expected_fees",
        "reported_net",
        "expected_net",
        "gross_difference",
        "fees_difference",
        "net_difference",
        "agrees",
    ) == [
        ("2027-01-10T00:00:00", "USD", 2, 2, 2000, 2100, 40, 42, 1960, 2058, -100, -2, -98, False),
        ("2027-01-10T00:00:00", "ZAR", 5, 5, 9000, 9000, 180, 180, 8820, 8820, 0, 0, 0, True),
    ]
    assert values(result.settlement_mismatches, "currency", "count_difference") == [("USD", 0)]
    assert result.counts() == {
        "matched": 4,
        "no_webhook": 2,
        "not_reported": 1,
        "mismatched": 2,
        "unknown_obligation": 1,
        "settlement_mismatches": 1,
    }
    assert list(result.summary()["count"]) == [2, 1, 2, 1, 1]


def test_a_settlement_due_but_missing_is_a_finding() -> None:
    world = january()
    world.settlement = [s for s in world.settlement if s["period_end"] != "2027-01-11"]
    on_12th = run(world, "2027-01-12")
    assert "2027-01-11" not in {str(d.date()) for d in on_12th.settlements["period_end"]}
    result = run(world, "2027-01-13")
    missing = result.settlement_mismatches
    assert values(
        missing, "period_end", "currency", "report_name", "reported_gross", "expected_gross"
    )[-1] == ("2027-01-11T00:00:00", "ZAR", None, None, 1000)


def test_a_payment_at_23_30z_belongs_to_the_next_day_in_johannesburg() -> None:
    """P9 at 2027-01-11T23:30Z is 12 January 01:30 in Johannesburg: as of the 11th there it has not happened
    (and the report of the 11th, written at 12 January 00:00Z, is after that day's cutoff, 22:00Z)."""
    world = january()
    eleventh = run(world, "2027-01-11", "Africa/Johannesburg")
    assert "pay_9" not in set(eleventh.matched["payment_id"])
    assert "pay_9" not in set(eleventh.awaiting_report["payment_id"])
    assert f"{9:024x}" not in set(eleventh.reconciliation_rows["reconciliation_id"])
    twelfth = run(world, "2027-01-12", "Africa/Johannesburg")
    assert "pay_9" in set(twelfth.matched["payment_id"])
    # In UTC the payment is of the 11th, whose report appears only after that day: it awaits it.
    utc = run(world, "2027-01-11")
    assert "pay_9" in set(utc.awaiting_report["payment_id"])


def test_redeliveries_and_a_report_read_twice_count_once() -> None:
    world = january()
    result = run(world, "2027-01-12")
    pay_4 = [m for m in values(result.matched, "payment_id", "webhook_amount") if m[0] == "pay_4"]
    assert pay_4 == [("pay_4", 700)]
    zar = result.settlements.loc[result.settlements["currency"] == "ZAR"]
    assert list(zar["expected_count"]) == [5]


def test_all_agreeing_finds_nothing() -> None:
    world = World()
    world.customer("bcus_A", "CUS-A", "Ann Adams", "ZAR")
    world.bill("bill_B1", "bcus_A", "B1", "ZAR", 10000)
    world.webhook("pay_1", "2027-01-10T09:00:00Z", 4000, "ZAR", bill="bill_B1", customer="bcus_A")
    world.webhook("pay_2", "2027-01-10T23:30:00Z", 6000, "ZAR", bill="bill_B1", customer="bcus_A")
    for number, (payment, at, amount) in enumerate(
        (("pay_1", "2027-01-10T09:00:01Z", 4000), ("pay_2", "2027-01-10T23:30:01Z", 6000)), 1
    ):
        world.reported(number, at, amount, "ZAR", payment_id=payment, obligation_id="bill_B1",
                       reference="B1", customer_reference="CUS-A")  # fmt: skip
    world.settled(dt.date(2027, 1, 10), "ZAR", 2, 10000, 200, 9800)
    result = run(world, "2027-01-20")
    assert result.counts() == {"matched": 2, **dict.fromkeys(FINDINGS, 0)}
    assert result.has_reports
    assert list(result.settlements["agrees"]) == [True]


def test_rows_without_payment_id_pair_with_payments_in_time_order_each_once() -> None:
    """Two payments of R6.00 on one bill and three report rows of R6.00 naming only its reference: the
    earliest row with the earliest payment, the next with the next; the third row has no webhook."""
    world = World()
    world.customer("bcus_B", "CUS-B", "Ben Botha", "ZAR")
    world.bill("bill_B6", "bcus_B", "B6", "ZAR", 5000)
    world.webhook("pay_b", "2027-01-10T10:00:00Z", 600, "ZAR", bill="bill_B6", customer="bcus_B")
    world.webhook("pay_a", "2027-01-10T08:00:00Z", 600, "ZAR", bill="bill_B6", customer="bcus_B")
    # A report row of another payment (its own payment_id) is never paired with these by reference.
    world.reported(1, "2027-01-10T07:00:00Z", 600, "ZAR", payment_id="pay_other", obligation_id=None,
                   reference="B6", customer_reference="CUS-B")  # fmt: skip
    for number, at in ((4, "2027-01-10T18:00:00Z"), (3, "2027-01-10T10:00:01Z"),
                       (2, "2027-01-10T08:00:01Z")):  # fmt: skip
        world.reported(number, at, 600, "ZAR", payment_id=None, obligation_id=None,
                       reference="B6", customer_reference="CUS-B")  # fmt: skip
    result = run(world, "2027-01-20")
    assert values(result.matched, "payment_id", "reconciliation_id", "matched_by") == [
        ("pay_a", f"{2:024x}", "reference"),
        ("pay_b", f"{3:024x}", "reference"),
    ]
    assert values(result.no_webhook, "reconciliation_id", "payment_id") == [
        (f"{1:024x}", "pay_other"),
        (f"{4:024x}", None),
    ]


def test_a_reference_names_the_bill_before_an_account_of_the_same_reference() -> None:
    world = World()
    world.customer("bcus_A", "CUS-A", "Ann Adams", "ZAR")
    world.account("bacc_X", "bcus_A", "SAME", "ZAR")
    world.bill("bill_X", "bcus_A", "SAME", "ZAR", 5000)
    world.webhook("pay_1", "2027-01-10T08:00:00Z", 100, "ZAR", bill="bill_X", customer="bcus_A")
    world.reported(1, "2027-01-10T08:00:01Z", 100, "ZAR", payment_id=None, obligation_id=None,
                   reference="SAME", customer_reference="CUS-A")  # fmt: skip
    result = run(world, "2027-01-20")
    assert values(result.matched, "payment_id", "obligation_id") == [("pay_1", "bill_X")]


def test_cash_channels_come_from_the_reports_that_existed() -> None:
    world = january()
    day = with_channels(world.as_of("2027-01-11"), world.reconciliation_rows())
    channels = dict(zip(day.payments["payment_id"], day.payments["channel"], strict=True))
    assert channels["pay_1"] == "api"
    assert channels["pay_4"] == "in_person"
    assert pd.isna(channels["pay_5"])  # in no report
    assert pd.isna(channels["pay_9"])  # its report (of the 11th) comes after this day
    before = world.as_of("2027-01-10")
    assert with_channels(before, world.reconciliation_rows()) is before
    assert with_channels(before, None) is before


def test_narrowed_to_a_customer_leaves_out_the_merchants_settlements() -> None:
    result = run(january(), "2027-01-12")
    ben = result.narrowed(customer_id="bcus_B")
    assert list(ben.no_webhook["payment_id"]) == ["pay_2"]
    assert list(ben.mismatched["payment_id"]) == ["pay_8"]
    assert ben.settlements.empty
    usd = result.narrowed(currency="USD")
    assert list(usd.mismatched["payment_id"]) == ["pay_3", "pay_8"]
    assert list(usd.settlements["currency"]) == ["USD"]


def test_report_rows_missing_what_matching_needs_are_refused_by_name() -> None:
    world = january()
    rows = world.reconciliation_rows().drop(columns="period_end")
    with pytest.raises(InvalidArgumentError, match="period_end"):
        three_way(
            world.as_of("2027-01-12"), reconciliation=rows, settlement=world.settlement_rows()
        )
    rows = world.reconciliation_rows()
    rows.loc[0, "amount"] = pd.NA
    with pytest.raises(InvalidArgumentError, match="amount"):
        three_way(
            world.as_of("2027-01-12"), reconciliation=rows, settlement=world.settlement_rows()
        )


def test_a_report_read_on_its_first_day_counts_once_by_its_earliest_file() -> None:
    world = january()
    names = set(run(world, "2027-01-12").reconciliation_rows["report_name"])
    assert recon_name(dt.date(2027, 1, 10)) in names
    assert recon_name(dt.date(2027, 1, 10), dt.date(2027, 1, 12)) not in names


def test_by_day_puts_collected_reported_and_settled_side_by_side() -> None:
    result = run(january(), "2027-01-12")
    assert values(
        result.by_day(), "currency", "day", "collected", "reported", "settled_gross", "settled_net"
    ) == [
        ("USD", "2027-01-10T00:00:00", 1000, 2100, 2000, 1960),
        ("ZAR", "2027-01-10T00:00:00", 7600, 9000, 9000, 8820),
        ("ZAR", "2027-01-11T00:00:00", 1000, 1000, 0, 0),
    ]
    figure = charts.collected_settled_chart(result.by_day())
    names = [trace.name for trace in figure.data]
    assert names == ["Collected (webhooks)", "Settled gross (Moment)", "Settled net of fees"] * 2
    assert list(figure.data[3].y) == [76.0, 10.0]  # ZAR collected, in rand
    empty = charts.collected_settled_chart(run(january(), "2027-01-01").by_day())
    assert not empty.data


def test_a_report_generated_late_exists_only_from_its_generation_day() -> None:
    """The report of 11 January generated on the 14th: as of the 12th and 13th it does not exist yet, so P9
    (due in it from the 13th) first awaits it, then is not reported; as of the 14th it is matched."""
    world = january()
    for row in world.recon:
        if row["period_end"] == "2027-01-11":
            row["report_name"] = recon_name(dt.date(2027, 1, 11), dt.date(2027, 1, 14))
    assert "pay_9" in set(run(world, "2027-01-12").awaiting_report["payment_id"])
    assert list(run(world, "2027-01-13").not_reported["payment_id"]) == ["pay_5", "pay_9"]
    assert "pay_9" in set(run(world, "2027-01-14").matched["payment_id"])


def test_reports_prepared_once_match_as_the_rows_do_on_every_day() -> None:
    """`Reports.of` (what a ledger keeps for a report of many days) gives each day the findings the rows
    give, with a report generated late and a row read twice among them."""
    world = january()
    for row in world.recon:
        if row["period_end"] == "2027-01-11":
            row["report_name"] = recon_name(dt.date(2027, 1, 11), dt.date(2027, 1, 14))
    prepared = Reports.of(world.reconciliation_rows(), world.settlement_rows())
    for number in range(8, 18):
        day = f"2027-01-{number:02d}"
        for tz in ("UTC", "Africa/Johannesburg"):
            expected, found = (
                run(world, day, tz),
                three_way(world.as_of(day, tz), reconciliation=prepared),
            )
            for name in (
                field.name for field in dataclasses.fields(ThreeWay) if field.name != "at"
            ):
                pd.testing.assert_frame_equal(
                    getattr(found, name), getattr(expected, name), obj=name
                )
    with pytest.raises(InvalidArgumentError, match="settlement"):
        three_way(
            world.as_of("2027-01-12"), reconciliation=prepared, settlement=world.settlement_rows()
        )
