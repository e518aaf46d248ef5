"""`Ledger.as_of(day, currency=..., customer=...)` reads only what the day needs (filters in SQL) and gives the
same frames as a full read cut and narrowed in pandas, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from samples import amount_applied, bill

from billkit import InvalidArgumentError, Ledger
from billkit.analysis.point_in_time import AsOfFrames, as_of_frames
from billkit.ledger import _schema as sql

TZ = "Africa/Johannesburg"
DAY = "2025-01-31"  # its cutoff: 2025-01-31T22:00:00Z, local midnight
MIDNIGHT = dt.datetime(2025, 1, 31, 22, tzinfo=dt.UTC)
JAN = dt.datetime(2025, 1, 10, 9, tzinfo=dt.UTC)
FEB = dt.datetime(2025, 2, 10, 9, tzinfo=dt.UTC)
CUSTOMERS = (
    "bcus_Alpha0000000000000001",
    "bcus_Bravo0000000000000002",
    "bcus_Delta0000000000000003",
)
ACCOUNTS = {CUSTOMERS[0]: "bacc_Alpha0000000000000001", CUSTOMERS[1]: "bacc_Bravo0000000000000002"}
CURRENCY = {CUSTOMERS[0]: "ZAR", CUSTOMERS[1]: "USD", CUSTOMERS[2]: "ZAR"}


def _bill(number: int, customer: str, **changes: Any) -> dict[str, Any]:
    fields = {
        "id": f"bill_N{number:023d}",
        "external_reference": f"INV{number}",
        "customer_id": customer,
        "currency": CURRENCY[customer],
    }
    if customer in ACCOUNTS:
        fields["account_id"] = ACCOUNTS[customer]
    else:
        fields.pop("account_id", None)
    made = bill(**fields, **changes)
    if customer not in ACCOUNTS:
        made.pop("account_id")
    return made


def _payment(
    number: int, at: dt.datetime, bill_body: dict[str, Any] | None, **data: Any
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": f"ob_N{number:023d}",
        "payment_id": f"pay_N{number:023d}",
        "created_at": at.isoformat().replace("+00:00", "Z"),
        "updated_at": at.isoformat().replace("+00:00", "Z"),
    }
    if bill_body is not None:
        fields |= {
            "bill_id": bill_body["id"],
            "currency": bill_body["currency"],
            "customer_id": bill_body["customer_id"],
        }
        fields["account_id"] = bill_body.get("account_id")
    else:
        fields |= {"bill_id": None, "account_id": None}
    event = amount_applied(f"evt_N{number:022d}", **{"amount": 500, **fields, **data})
    event["data"] = {key: value for key, value in event["data"].items() if value is not None}
    return event


def _fill(ledger: Ledger) -> None:
    """Three customers in two currencies, an account each for two; bills with states before and after the
    cutoff, payments before it, at exactly local midnight (the next day) and after, and balance payments."""
    for number, customer in enumerate(CUSTOMERS):
        body = {"id": customer, "external_reference": f"C{number}", "currency": CURRENCY[customer]}
        ledger.record_object(
            "customer", body | {"name": f"Customer {number}", "balance": 1000}, JAN
        )
        ledger.record_object("customer", body | {"name": f"Customer {number}", "balance": 0}, FEB)
    for customer, account in ACCOUNTS.items():
        body = {"id": account, "customer_id": customer, "currency": CURRENCY[customer]}
        ledger.record_object("account", body | {"external_reference": "A", "balance": 700}, JAN)
    events = []
    for number in range(12):
        customer = CUSTOMERS[number % 3]
        bill_date = "2025-01-05" if number < 9 else "2025-02-05"  # three are dated after the day
        unpaid = _bill(number, customer, bill_date=bill_date)
        seen = JAN if number < 9 else FEB
        ledger.record_object("bill", unpaid, seen)
        if number % 2 == 0:  # paid in full after the cutoff: a later state
            paid = unpaid | {"status": "paid", "amount_paid": 2000, "amount_remaining": 0}
            ledger.record_object("bill", paid, FEB)
        when = (JAN + dt.timedelta(days=1), MIDNIGHT, MIDNIGHT - dt.timedelta(seconds=1), FEB)[
            number % 4
        ]
        events.append(_payment(100 + number, when, unpaid))
    for number, (customer, account) in enumerate(ACCOUNTS.items()):
        for when in (JAN + dt.timedelta(days=2), FEB):  # balance payments, before and after
            events.append(
                _payment(
                    200 + 2 * number + (when == FEB),
                    when,
                    None,
                    account_id=account,
                    currency=CURRENCY[customer],
                )
            )
    ledger.record_events(events, FEB)


def _full(ledger: Ledger, day: str) -> AsOfFrames:
    return as_of_frames(**ledger._as_of_inputs(sql.Scope()), as_of=day, tz=TZ)


def _same(found: AsOfFrames, expected: AsOfFrames) -> None:
    for name in ("bills", "payments", "customers", "accounts", "balances"):
        pd.testing.assert_frame_equal(getattr(found, name), getattr(expected, name), obj=name)


SCOPES = [
    {"currency": "ZAR"},
    {"currency": "USD"},
    {"customer": CUSTOMERS[0]},
    {"customer": CUSTOMERS[2]},
    {"customer": CUSTOMERS[1], "currency": "USD"},
    {"customer": CUSTOMERS[1], "currency": "ZAR"},  # nothing: that customer bills in USD
    {},
]


@pytest.fixture
def location(ledger_location: str) -> str:
    with Ledger(ledger_location) as ledger:
        _fill(ledger)
    return ledger_location


@pytest.mark.parametrize("day", [DAY, "2025-01-01", "2025-02-28"])
def test_filters_in_sql_give_the_frames_of_a_full_read_cut_in_pandas(
    location: str, day: str
) -> None:
    with Ledger(location) as ledger:
        full = _full(ledger, day)
    for scope in SCOPES:
        with Ledger(location) as ledger:  # a cold read each time: the filters go to SQL
            found = ledger.as_of(day, tz=TZ, **scope)
        expected = (
            full
            if not scope
            else full.narrowed(customer_id=scope.get("customer"), currency=scope.get("currency"))
        )
        _same(found, expected)


def test_a_payment_at_local_midnight_belongs_to_the_next_day(location: str) -> None:
    with Ledger(location) as ledger:
        day = ledger.as_of(DAY, tz=TZ, currency="ZAR")
        at_midnight = ledger.as_of(MIDNIGHT, tz=TZ, currency="ZAR")
        next_day = ledger.as_of("2025-02-01", tz=TZ, currency="ZAR")
    times = pd.DatetimeIndex(day.payments["created_at"])
    assert times.max() == pd.Timestamp(MIDNIGHT - dt.timedelta(seconds=1))
    assert pd.Timestamp(MIDNIGHT) not in pd.DatetimeIndex(at_midnight.payments["created_at"])
    assert pd.Timestamp(MIDNIGHT) in pd.DatetimeIndex(next_day.payments["created_at"])


def test_a_filtered_read_reads_fewer_rows(location: str) -> None:
    with Ledger(location) as ledger:
        whole = ledger._as_of_inputs(sql.Scope())
        ledger._kept_reads = None
        one = ledger._as_of_inputs(sql.Scope(before=0, currency="USD", customer=CUSTOMERS[1]))
    for name, frame in one.items():
        assert len(frame) < len(whole[name]), name
    assert set(one["bill_versions"]["customer_id"]) == {CUSTOMERS[1]}
    assert set(one["events"]["currency"]) == {"USD"}
    # before the cutoff: payments to bills before it; payments to balances whenever they were made
    assert len(one["events"]) == 2


def test_what_was_read_for_a_day_serves_earlier_days_of_the_same_or_a_narrower_scope(
    location: str,
) -> None:
    with Ledger(location) as ledger:
        ledger.as_of("2025-02-01", tz=TZ)  # before the last activity (FEB)
        kept = list(_as_of_reads(ledger))
        assert len(kept) == 1
        ledger.as_of(DAY, tz=TZ, currency="ZAR")
        ledger.as_of("2025-01-01", tz=TZ, customer=CUSTOMERS[0])
        assert _kept_as_they_were(ledger, kept)
        ledger.as_of("2025-02-05", tz=TZ)  # later than what was read: read again
        again = _as_of_reads(ledger)
        assert len(again) == 1
        assert again[0][0] != kept[0][0]
        # The payments again, but not the states: they are read whatever the cutoff.
        assert again[0][1]["events"] is not kept[0][1]["events"]
        for name in ("bill_versions", "customer_versions", "account_versions"):
            assert again[0][1][name] is kept[0][1][name], name


def test_a_read_after_the_last_activity_serves_every_later_day(location: str) -> None:
    with Ledger(location) as ledger:
        after = ledger.as_of(
            "2025-02-28", tz=TZ
        )  # after the last activity (FEB): everything was read
        kept = list(_as_of_reads(ledger))
        assert [scope for scope, _ in kept] == [sql.Scope()]
        later = ledger.as_of("2030-01-01", tz=TZ)
        assert _kept_as_they_were(ledger, kept)
        _same(later, _full(ledger, "2030-01-01"))
        _same(after, _full(ledger, "2025-02-28"))
        ledger.record_object("customer", {"id": CUSTOMERS[0], "balance": 5}, FEB)
        ledger.as_of("2030-01-01", tz=TZ)  # the ledger changed: read again
        assert not _kept_as_they_were(ledger, kept)


def _as_of_reads(ledger: Ledger) -> list[tuple[sql.Scope, dict[str, pd.DataFrame]]]:
    """The as-of reads the ledger keeps (scope and inputs, newest first)."""
    reads: list[tuple[sql.Scope, dict[str, pd.DataFrame]]] = ledger._kept("as_of", list)
    return reads


def _kept_as_they_were(
    ledger: Ledger, kept: list[tuple[sql.Scope, dict[str, pd.DataFrame]]]
) -> bool:
    """Whether the ledger keeps the very reads of `kept`, nothing read since."""
    now = _as_of_reads(ledger)
    return len(now) == len(kept) and all(a is b for a, b in zip(now, kept, strict=True))


def test_filters_must_be_text(location: str) -> None:
    with Ledger(location) as ledger, pytest.raises(InvalidArgumentError, match="currency"):
        ledger.as_of(DAY, tz=TZ, currency=710)  # type: ignore[arg-type]
