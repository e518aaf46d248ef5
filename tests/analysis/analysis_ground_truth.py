"""A seeded generator of bills and payment events, and the answers computed by hand with plain loops.

Nothing here uses billkit.analysis: the expected aging, totals, reconciliation flags, collection rate, days to
pay and DSO are computed from the same plain records with the definitions written in the docstrings, so a
test compares two independent computations.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

UTC = dt.UTC
WINDOW = dt.timedelta(minutes=10)
AS_OF_DAY = dt.date(2025, 2, 1)


@dataclass
class World:
    bills: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    # Ground truth the generator knows by construction.
    duplicate_event_ids: dict[str, str] = field(default_factory=dict)  # event -> original event
    unknown_event_ids: set[str] = field(default_factory=set)
    mismatch_event_ids: set[str] = field(default_factory=set)


def _id(prefix: str, number: int) -> str:
    return f"{prefix}{number:021d}"


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def generate(seed: int, bills: int = 300) -> World:
    """Bills in ZAR and USD with partial, full, over- and duplicate payments, voids and strays."""
    rng = random.Random(seed)
    world = World()
    counter = {"evt": 0, "pay": 0}

    def pay(
        bill: dict[str, Any] | None,
        amount: int,
        at: dt.datetime,
        *,
        currency: str,
        bill_id: str,
        payment_id: str | None = None,
    ) -> str:
        counter["evt"] += 1
        event_id = _id("evt_", counter["evt"])
        if payment_id is None:
            counter["pay"] += 1
            payment_id = _id("pay_", counter["pay"])
        data: dict[str, Any] = {
            "id": _id("ob_", counter["evt"]),
            "amount": amount,
            "currency": currency,
            "payment_id": payment_id,
            "bill_id": bill_id,
            "customer_id": bill["customer_id"] if bill else _id("bcus_", 999_999),
            "metadata": {},
            "created_at": _stamp(at),
            "updated_at": _stamp(at),
        }
        world.events.append({"id": event_id, "type": "obligation.amount_applied", "data": data})
        return event_id

    for number in range(bills):
        currency = rng.choice(["ZAR", "ZAR", "USD"])
        amount_due = rng.randint(100, 500_000)
        bill_date = AS_OF_DAY - dt.timedelta(days=rng.randint(0, 150))
        due_date = bill_date + dt.timedelta(days=rng.choice([0, 7, 14, 30, 45]))
        bill: dict[str, Any] = {
            "id": _id("bill_", number),
            "external_reference": f"INV-{number}",
            "customer_id": _id("bcus_", number % 40),
            "currency": currency,
            "amount_due": amount_due,
            "bill_date": bill_date.isoformat(),
            "payment_rules": {"min_amount": 1, "max_amount": amount_due},
        }
        if rng.random() >= 0.1:  # some bills have no due date
            bill["due_date"] = due_date.isoformat()
        if number % 3 == 0:
            bill["account_id"] = _id("bacc_", number % 25)
        applied = 0
        plan = rng.choice(["none", "partial", "full", "full_in_two", "over"])
        moment = dt.datetime.combine(bill_date, dt.time(8), UTC)
        parts: list[int] = []
        if plan == "partial":
            parts = [rng.randint(1, amount_due - 1)] if amount_due > 1 else []
        elif plan == "full":
            parts = [amount_due]
        elif plan == "full_in_two" and amount_due > 1:
            first = rng.randint(1, amount_due - 1)
            parts = [first, amount_due - first]
        elif plan == "over":
            parts = [amount_due, rng.randint(1, 5_000)]
        for part in parts:
            moment += dt.timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 23))
            pay(bill, part, moment, currency=currency, bill_id=bill["id"])
            applied += part
        amount_paid = min(applied, amount_due)
        voided = rng.random() < 0.08
        bill["amount_paid"] = amount_paid
        bill["amount_remaining"] = amount_due - amount_paid
        bill["status"] = "voided" if voided else ("paid" if amount_paid == amount_due else "unpaid")
        world.bills.append(bill)

    # Edge cases with known answers.
    for name, due in (
        ("due_today", AS_OF_DAY),
        ("due_yesterday", AS_OF_DAY - dt.timedelta(days=1)),
    ):
        world.bills.append(
            {
                "id": "bill_" + name.replace("_", ""),
                "external_reference": name,
                "customer_id": _id("bcus_", 1),
                "currency": "ZAR",
                "amount_due": 1000,
                "amount_paid": 0,
                "amount_remaining": 1000,
                "status": "unpaid",
                "bill_date": "2025-01-01",
                "due_date": due.isoformat(),
                "payment_rules": {"min_amount": 1, "max_amount": 1000},
            }
        )
    anchor = world.bills[0]
    first_event = pay(
        anchor,
        150,
        dt.datetime(2025, 1, 5, 9, tzinfo=UTC),
        currency=anchor["currency"],
        bill_id=anchor["id"],
    )
    repeat = pay(
        anchor,
        150,
        dt.datetime(2025, 1, 6, 9, tzinfo=UTC),
        currency=anchor["currency"],
        bill_id=anchor["id"],
        payment_id=world.events[-1]["data"]["payment_id"],
    )
    world.duplicate_event_ids[repeat] = first_event
    target = world.bills[1]
    quick_first = pay(
        target,
        777,
        dt.datetime(2025, 1, 7, 12, 0, tzinfo=UTC),
        currency=target["currency"],
        bill_id=target["id"],
    )
    quick_second = pay(  # exactly the window later: still a duplicate (the window is inclusive)
        target,
        777,
        dt.datetime(2025, 1, 7, 12, 10, tzinfo=UTC),
        currency=target["currency"],
        bill_id=target["id"],
    )
    world.duplicate_event_ids[quick_second] = quick_first
    pay(  # same amount again, 10 minutes and 1 second later: a separate payment
        target,
        777,
        dt.datetime(2025, 1, 7, 12, 20, 1, tzinfo=UTC),
        currency=target["currency"],
        bill_id=target["id"],
    )
    world.unknown_event_ids.add(
        pay(
            None,
            500,
            dt.datetime(2025, 1, 8, tzinfo=UTC),
            currency="ZAR",
            bill_id="bill_nosuchbill",
        )
    )
    other = "USD" if world.bills[2]["currency"] == "ZAR" else "ZAR"
    world.mismatch_event_ids.add(
        pay(
            world.bills[2],
            300,
            dt.datetime(2025, 1, 9, tzinfo=UTC),
            currency=other,
            bill_id=world.bills[2]["id"],
        )
    )
    rng.shuffle(world.events)
    return world


def local_day(as_of: dt.datetime | dt.date, tz: str) -> dt.date:
    if isinstance(as_of, dt.datetime):
        return as_of.astimezone(zoneinfo.ZoneInfo(tz)).date()
    return as_of


def cutoff(as_of: dt.datetime | dt.date, tz: str) -> dt.datetime:
    """The last instant that counts: the instant itself, or the end of the local day."""
    if isinstance(as_of, dt.datetime):
        return as_of
    next_day = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), zoneinfo.ZoneInfo(tz))
    return next_day - dt.timedelta(microseconds=1)


def _created(event: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(event["data"]["created_at"])


def bucket(days_past_due: int | None) -> str:
    if days_past_due is None or days_past_due <= 0:
        return "current"
    if days_past_due <= 30:
        return "1-30"
    if days_past_due <= 60:
        return "31-60"
    if days_past_due <= 90:
        return "61-90"
    return "90+"


def expected_aging(
    world: World, as_of: dt.datetime | dt.date, tz: str
) -> dict[tuple[str, str], tuple[int, int]]:
    """(currency, bucket) -> (bills, amount remaining) over open bills."""
    today = local_day(as_of, tz)
    result: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for bill in world.bills:
        if bill["status"] != "unpaid" or bill["amount_remaining"] <= 0:
            continue
        due = bill.get("due_date")
        days = None if due is None else (today - dt.date.fromisoformat(due)).days
        cell = result[(bill["currency"], bucket(days))]
        cell[0] += 1
        cell[1] += bill["amount_remaining"]
    return {key: (count, amount) for key, (count, amount) in result.items()}


def expected_totals(world: World) -> dict[str, tuple[int, int, int]]:
    """currency -> (amount_due, amount_paid, amount_remaining) over all bills."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for bill in world.bills:
        cell = totals[bill["currency"]]
        cell[0] += bill["amount_due"]
        cell[1] += bill["amount_paid"]
        cell[2] += bill["amount_remaining"]
    return {currency: (a, b, c) for currency, (a, b, c) in totals.items()}


def _counted(world: World) -> dict[str, list[dict[str, Any]]]:
    """Payment events per bill, in the bill's currency."""
    by_id = {bill["id"]: bill for bill in world.bills}
    counted: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in world.events:
        bill = by_id.get(event["data"]["bill_id"])
        if bill is not None and bill["currency"] == event["data"]["currency"]:
            counted[bill["id"]].append(event)
    return counted


def expected_bill_results(world: World) -> dict[str, tuple[int, str]]:
    """bill id -> (applied, result)."""
    counted = _counted(world)
    results: dict[str, tuple[int, str]] = {}
    for bill in world.bills:
        applied = sum(event["data"]["amount"] for event in counted[bill["id"]])
        expected = 0 if bill["status"] == "voided" else bill["amount_due"]
        if bill["status"] == "voided" and applied == 0:
            result = "voided"
        elif applied == 0:
            result = "unpaid"
        elif applied < expected:
            result = "underpaid"
        elif applied == expected:
            result = "exact"
        else:
            result = "overpaid"
        results[bill["id"]] = (applied, result)
    return results


def expected_duplicates(world: World, window: dt.timedelta = WINDOW) -> dict[str, str]:
    """event id -> event id of the payment it duplicates, by the documented rules, with plain loops."""
    ordered = sorted(world.events, key=_created)
    result: dict[str, str] = {}
    first_of_payment: dict[str, str] = {}
    for event in ordered:
        payment_id = event["data"]["payment_id"]
        if payment_id in first_of_payment:
            result[event["id"]] = first_of_payment[payment_id]
        else:
            first_of_payment[payment_id] = event["id"]
    previous: dict[tuple[str, str, int], dict[str, Any]] = {}
    for event in ordered:
        if event["id"] in result:
            continue
        data = event["data"]
        key = (data["bill_id"], data["currency"], data["amount"])
        before = previous.get(key)
        if before is not None and _created(event) - _created(before) <= window:
            result[event["id"]] = before["id"]
        previous[key] = event
    return result


def expected_collection_rate(
    world: World, start: dt.date, end: dt.date, as_of: dt.date, tz: str
) -> dict[str, tuple[int, int]]:
    """currency -> (billed, collected) for the cohort of non-voided bills dated start..end."""
    limit = cutoff(as_of, tz)
    counted = _counted(world)
    result: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for bill in world.bills:
        if (
            bill["status"] == "voided"
            or not start <= dt.date.fromisoformat(bill["bill_date"]) <= end
        ):
            continue
        applied = sum(e["data"]["amount"] for e in counted[bill["id"]] if _created(e) <= limit)
        cell = result[bill["currency"]]
        cell[0] += bill["amount_due"]
        cell[1] += min(applied, bill["amount_due"])
    return {currency: (billed, collected) for currency, (billed, collected) in result.items()}


def expected_days_to_pay(world: World, tz: str) -> dict[str, int]:
    """bill id -> days from bill date to the local day of the payment that settled it."""
    counted = _counted(world)
    zone = zoneinfo.ZoneInfo(tz)
    result: dict[str, int] = {}
    for bill in world.bills:
        if bill["status"] == "voided":
            continue
        running = 0
        for event in sorted(counted[bill["id"]], key=_created):
            running += event["data"]["amount"]
            if running >= bill["amount_due"]:
                settled_on = _created(event).astimezone(zone).date()
                result[bill["id"]] = (settled_on - dt.date.fromisoformat(bill["bill_date"])).days
                break
    return result


def expected_dso(world: World, as_of: dt.date, days: int) -> dict[str, tuple[int, int]]:
    """currency -> (receivables, billed in the `days` days ending on as_of)."""
    first = as_of - dt.timedelta(days=days - 1)
    result: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for bill in world.bills:
        cell = result[bill["currency"]]
        if bill["status"] == "unpaid" and bill["amount_remaining"] > 0:
            cell[0] += bill["amount_remaining"]
        if (
            bill["status"] != "voided"
            and first <= dt.date.fromisoformat(bill["bill_date"]) <= as_of
        ):
            cell[1] += bill["amount_due"]
    return {currency: (r, b) for currency, (r, b) in result.items()}
