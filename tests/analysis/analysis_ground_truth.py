"""A seeded world of bill histories and payment events, and the answers computed by hand with plain loops.

Nothing here uses pandas or billkit: every figure is computed from the same plain records with the definitions
written in the docstrings (amounts as integers of minor units, ratios as Decimal), so a test compares two
independent computations. The world has what a real ledger has: every state of every bill with the time it
began (as the sandbox's versions route lists them), payments redelivered under a second event ID, instalments,
manual PATCHes of amount_paid, voids, payments around local midnight, strays and currency mismatches.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

UTC = dt.UTC
WINDOW = dt.timedelta(minutes=10)
AS_OF_DAY = dt.date(2025, 2, 1)
CREATED_AT = dt.time(7)


@dataclass
class World:
    #: Every state of every bill, oldest first: (when it began, the bill as the API showed it then).
    states: dict[str, list[tuple[dt.datetime, dict[str, Any]]]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    # Ground truth the generator knows by construction.
    replayed_payment_ids: set[str] = field(default_factory=set)
    double_payment_ids: dict[str, str] = field(default_factory=dict)  # payment -> the earlier one
    unknown_payment_ids: set[str] = field(default_factory=set)
    mismatch_payment_ids: set[str] = field(default_factory=set)

    @property
    def bills(self) -> list[dict[str, Any]]:
        """Each bill's last state."""
        return [history[-1][1] for history in self.states.values()]

    def versions(self) -> list[dict[str, Any]]:
        """The states as `GET /_sandbox/versions` lists them, oldest first."""
        listed = [
            (at, bill_id, state)
            for bill_id, history in self.states.items()
            for at, state in history
        ]
        listed.sort(key=lambda entry: entry[0])
        return [
            {"seq": seq, "kind": "bill", "id": bill_id, "at": _stamp(at), "object": state}
            for seq, (at, bill_id, state) in enumerate(listed, start=1)
        ]


def _id(prefix: str, number: int) -> str:
    return f"{prefix}{number:021d}"


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _Builder:
    def __init__(self, world: World) -> None:
        self.world = world
        self.events = 0
        self.payments = 0

    def new_bill(self, bill: dict[str, Any], at: dt.datetime) -> dict[str, Any]:
        self.world.states[bill["id"]] = [(at, dict(bill))]
        return bill

    def change(self, bill_id: str, at: dt.datetime, **changes: Any) -> None:
        history = self.world.states[bill_id]
        state = history[-1][1] | changes
        state["amount_remaining"] = state["amount_due"] - state["amount_paid"]
        if state["status"] != "voided":
            state["status"] = "paid" if state["amount_remaining"] == 0 else "unpaid"
        history.append((at, state))

    def event(
        self,
        bill_id: str,
        customer_id: str,
        amount: int,
        currency: str,
        at: dt.datetime,
        payment_id: str | None = None,
    ) -> str:
        self.events += 1
        if payment_id is None:
            self.payments += 1
            payment_id = _id("pay_", self.payments)
        data: dict[str, Any] = {
            "id": _id("ob_", self.events),
            "amount": amount,
            "currency": currency,
            "payment_id": payment_id,
            "bill_id": bill_id,
            "customer_id": customer_id,
            "metadata": {},
            "created_at": _stamp(at),
            "updated_at": _stamp(at),
        }
        self.world.events.append(
            {"id": _id("evt_", self.events), "type": "obligation.amount_applied", "data": data}
        )
        return payment_id

    def pay(self, bill_id: str, amount: int, at: dt.datetime) -> str:
        """A payment as the sandbox applies it: an event, and the bill's next state at the same instant."""
        state = self.world.states[bill_id][-1][1]
        payment_id = self.event(bill_id, state["customer_id"], amount, state["currency"], at)
        self.change(
            bill_id, at, amount_paid=min(state["amount_paid"] + amount, state["amount_due"])
        )
        return payment_id


def generate(seed: int, bills: int = 300) -> World:
    """Bill histories in ZAR and USD: partial, full, instalments, manual changes, voids, replays and strays."""
    rng = random.Random(seed)
    world = World()
    build = _Builder(world)
    for number in range(bills):
        currency = rng.choice(["ZAR", "ZAR", "USD"])
        amount_due = rng.randint(100, 500_000)
        bill_date = AS_OF_DAY - dt.timedelta(days=rng.randint(0, 150))
        bill: dict[str, Any] = {
            "id": _id("bill_", number),
            "external_reference": f"INV-{number}",
            "customer_id": _id("bcus_", number % 40),
            "currency": currency,
            "status": "unpaid",
            "amount_due": amount_due,
            "amount_paid": 0,
            "amount_remaining": amount_due,
            "bill_date": bill_date.isoformat(),
            "payment_rules": {"min_amount": 1, "max_amount": amount_due},
        }
        if rng.random() >= 0.1:  # some bills have no due date
            days = rng.choice([0, 7, 14, 30, 45])
            bill["due_date"] = (bill_date + dt.timedelta(days=days)).isoformat()
        if number % 3 == 0:
            bill["account_id"] = _id("bacc_", number % 25)
        # Carried-over bills are entered later than their date: they exist from their date all the same.
        entered = bill_date + dt.timedelta(days=rng.choice([0, 0, 0, 3]))
        moment = dt.datetime.combine(entered, CREATED_AT, UTC)
        build.new_bill(bill, moment)
        plan = rng.choice(["none", "partial", "full", "instalments", "manual", "void"])
        parts: list[int] = []
        if plan == "partial" and amount_due > 1:
            parts = [rng.randint(1, amount_due - 1)]
        elif plan == "full":
            parts = [amount_due]
        elif plan == "instalments" and amount_due > 1:
            first = rng.randint(1, amount_due - 1)
            parts = [first, amount_due - first]
        for part in parts:
            moment += dt.timedelta(days=rng.randint(0, 40), hours=rng.randint(1, 23))
            payment_id = build.pay(bill["id"], part, moment)
            if rng.random() < 0.15:  # redelivered under a second event ID: the same payment again
                build.event(
                    bill["id"],
                    bill["customer_id"],
                    part,
                    currency,
                    moment + dt.timedelta(seconds=rng.randint(0, 600)),
                    payment_id,
                )
                world.replayed_payment_ids.add(payment_id)
        moment += dt.timedelta(days=rng.randint(1, 30), minutes=rng.randint(0, 600))
        if plan == "manual":  # paid outside Moment and PATCHed in: no event
            build.change(bill["id"], moment, amount_paid=rng.randint(1, amount_due))
        elif plan == "void":
            build.change(bill["id"], moment, status="voided")
    _edge_cases(world, build)
    rng.shuffle(world.events)
    return world


def _edge_cases(world: World, build: _Builder) -> None:
    """Cases with answers known by construction."""
    for name, due in (
        ("due_today", AS_OF_DAY),
        ("due_yesterday", AS_OF_DAY - dt.timedelta(days=1)),
    ):
        build.new_bill(
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
            },
            dt.datetime(2025, 1, 1, 7, tzinfo=UTC),
        )

    def edge_bill(name: str, amount_due: int) -> str:
        bill_id = "bill_" + name
        build.new_bill(
            {
                "id": bill_id,
                "external_reference": name,
                "customer_id": _id("bcus_", 2),
                "currency": "ZAR",
                "amount_due": amount_due,
                "amount_paid": 0,
                "amount_remaining": amount_due,
                "status": "unpaid",
                "bill_date": "2025-01-01",
                "due_date": "2025-01-31",
                "payment_rules": {"min_amount": 1, "max_amount": amount_due},
            },
            dt.datetime(2025, 1, 1, 7, tzinfo=UTC),
        )
        return bill_id

    # 23:30Z on 31 January is 01:30 on 1 February in Johannesburg; 22:00:00Z is exactly local midnight.
    build.pay(edge_bill("lateutc", 5000), 5000, dt.datetime(2025, 1, 31, 23, 30, tzinfo=UTC))
    build.pay(edge_bill("midnight", 4000), 4000, dt.datetime(2025, 1, 30, 22, 0, tzinfo=UTC))
    # Two real instalments of 25.00 nine minutes apart, which the bill's own amount_paid confirms.
    instalments = edge_bill("instalments", 10000)
    build.pay(instalments, 2500, dt.datetime(2025, 1, 12, 9, 0, tzinfo=UTC))
    build.pay(instalments, 2500, dt.datetime(2025, 1, 12, 9, 9, tzinfo=UTC))
    # The same amount twice within the window, and the merchant's PATCH keeping only one: a double payment.
    double = edge_bill("double", 10000)
    first = build.pay(double, 777, dt.datetime(2025, 1, 7, 12, 0, tzinfo=UTC))
    second = build.pay(double, 777, dt.datetime(2025, 1, 7, 12, 10, tzinfo=UTC))  # window inclusive
    build.change(double, dt.datetime(2025, 1, 8, 9, tzinfo=UTC), amount_paid=777)
    world.double_payment_ids[second] = first
    # A stray payment for a bill the ledger never saw, and one in another currency than its bill's.
    world.unknown_payment_ids.add(
        build.event(
            "bill_nosuchbill", _id("bcus_", 999), 500, "ZAR", dt.datetime(2025, 1, 8, tzinfo=UTC)
        )
    )
    target = world.states[_id("bill_", 2)][0][1]
    other = "USD" if target["currency"] == "ZAR" else "ZAR"
    world.mismatch_payment_ids.add(
        build.event(
            target["id"], target["customer_id"], 300, other, dt.datetime(2025, 1, 9, tzinfo=UTC)
        )
    )


# -- the as-of rules, by hand --------------------------------------------------------------------------


def local_day(as_of: dt.datetime | dt.date, tz: str) -> dt.date:
    if isinstance(as_of, dt.datetime):
        return as_of.astimezone(zoneinfo.ZoneInfo(tz)).date()
    return as_of


def cutoff(as_of: dt.datetime | dt.date, tz: str) -> dt.datetime:
    """The first instant that no longer counts: the instant itself, or the next local midnight."""
    if isinstance(as_of, dt.datetime):
        return as_of
    return dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), zoneinfo.ZoneInfo(tz))


def _created(event: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(event["data"]["created_at"])


def payments(world: World, limit: dt.datetime | None = None) -> list[dict[str, Any]]:
    """One record per payment_id (its earliest event), made before `limit`: what every sum counts."""
    first: dict[str, dict[str, Any]] = {}
    for event in sorted(world.events, key=_created):
        first.setdefault(event["data"]["payment_id"], event)
    return [e for e in first.values() if limit is None or _created(e) < limit]


def _counted(world: World, limit: dt.datetime) -> dict[str, list[dict[str, Any]]]:
    """Payments before `limit` per bill, in the bill's currency."""
    currency = {bill_id: history[0][1]["currency"] for bill_id, history in world.states.items()}
    counted: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in payments(world, limit):
        bill_id = event["data"]["bill_id"]
        if currency.get(bill_id) == event["data"]["currency"]:
            counted[bill_id].append(event)
    return counted


def bills_as_of(world: World, as_of: dt.datetime | dt.date, tz: str) -> list[dict[str, Any]]:
    """Each bill as it stood at the cutoff, by the rules of `billkit.analysis.point_in_time`."""
    limit, day = cutoff(as_of, tz), local_day(as_of, tz)
    counted = _counted(world, limit)
    result = []
    for bill_id, history in world.states.items():
        if dt.date.fromisoformat(history[0][1]["bill_date"]) > day:
            continue  # not dated yet
        in_effect = [(at, state) for at, state in history if at < limit]
        state = dict(in_effect[-1][1] if in_effect else history[0][1])
        paid = sum(e["data"]["amount"] for e in counted[bill_id])
        manual = 0
        if in_effect:
            began = in_effect[-1][0]
            explained = sum(e["data"]["amount"] for e in counted[bill_id] if _created(e) <= began)
            manual = state["amount_paid"] - explained
        state["amount_paid"] = max(0, min(paid + manual, state["amount_due"]))
        state["amount_remaining"] = state["amount_due"] - state["amount_paid"]
        voided = bool(in_effect) and state["status"] == "voided"
        state["status"] = (
            "voided" if voided else "paid" if state["amount_remaining"] == 0 else "unpaid"
        )
        result.append(state)
    return result


def _is_open(bill: dict[str, Any]) -> bool:
    return bill["status"] == "unpaid" and bill["amount_remaining"] > 0


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
    """(currency, bucket) -> (bills, amount remaining) over bills open at the cutoff."""
    today = local_day(as_of, tz)
    result: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for bill in bills_as_of(world, as_of, tz):
        if not _is_open(bill):
            continue
        due = bill.get("due_date")
        days = None if due is None else (today - dt.date.fromisoformat(due)).days
        cell = result[(bill["currency"], bucket(days))]
        cell[0] += 1
        cell[1] += bill["amount_remaining"]
    return {key: (count, amount) for key, (count, amount) in result.items()}


def expected_totals(world: World, as_of: dt.date, tz: str) -> dict[str, tuple[int, int, int]]:
    """currency -> (amount_due, amount_paid, amount_remaining) over the bills as of the day."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for bill in bills_as_of(world, as_of, tz):
        cell = totals[bill["currency"]]
        cell[0] += bill["amount_due"]
        cell[1] += bill["amount_paid"]
        cell[2] += bill["amount_remaining"]
    return {currency: (a, b, c) for currency, (a, b, c) in totals.items()}


def expected_bill_results(world: World, as_of: dt.date, tz: str) -> dict[str, tuple[int, str, int]]:
    """bill id -> (applied by payment events, result, still owed) as of the day."""
    counted = _counted(world, cutoff(as_of, tz))
    results: dict[str, tuple[int, str, int]] = {}
    for bill in bills_as_of(world, as_of, tz):
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
        owed = bill["amount_remaining"] if bill["status"] == "unpaid" else 0
        results[bill["id"]] = (applied, result, owed)
    return results


def expected_flags(world: World, as_of: dt.date, tz: str) -> dict[str, set[str]]:
    """payment_id -> its flags as of the day: replayed, possible_double_payment, unknown, mismatch."""
    limit = cutoff(as_of, tz)
    bills = {bill["id"]: bill for bill in bills_as_of(world, as_of, tz)}
    counted = _counted(world, limit)
    confirmed = {
        bill_id
        for bill_id, bill in bills.items()
        if sum(e["data"]["amount"] for e in counted[bill_id]) == bill["amount_paid"]
    }
    events_per_payment: dict[str, int] = defaultdict(int)
    for event in world.events:
        if _created(event) < limit:
            events_per_payment[event["data"]["payment_id"]] += 1
    flags: dict[str, set[str]] = defaultdict(set)
    previous: dict[tuple[str, str, int], dict[str, Any]] = {}
    for event in sorted(payments(world, limit), key=_created):
        data = event["data"]
        payment_id = data["payment_id"]
        if events_per_payment[payment_id] > 1:
            flags[payment_id].add("replayed")
        bill = bills.get(data["bill_id"])
        if bill is None:
            flags[payment_id].add("unknown")
        elif bill["currency"] != data["currency"]:
            flags[payment_id].add("mismatch")
        if (
            data["bill_id"] in confirmed
            and bill is not None
            and bill["currency"] == data["currency"]
        ):
            continue
        key = (data["bill_id"], data["currency"], data["amount"])
        before = previous.get(key)
        if before is not None and _created(event) - _created(before) <= WINDOW:
            flags[payment_id].add("possible_double_payment")
        previous[key] = event
    return dict(flags)


def _in_period(bill: dict[str, Any], start: dt.date, end: dt.date) -> bool:
    return start <= dt.date.fromisoformat(bill["bill_date"]) <= end


def expected_collection_rate(
    world: World, start: dt.date, end: dt.date, as_of: dt.date, tz: str
) -> dict[str, tuple[int, int]]:
    """currency -> (billed, collected by the as-of day) for the non-voided bills dated start..end."""
    result: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for bill in bills_as_of(world, as_of, tz):
        if bill["status"] == "voided" or not _in_period(bill, start, end):
            continue
        cell = result[bill["currency"]]
        cell[0] += bill["amount_due"]
        cell[1] += bill["amount_paid"]
    return {currency: (billed, collected) for currency, (billed, collected) in result.items()}


def expected_days_to_pay(world: World, as_of: dt.date, tz: str) -> dict[str, int]:
    """bill id -> days from bill date to the local day of the payment that settled it, by the day."""
    counted = _counted(world, cutoff(as_of, tz))
    zone = zoneinfo.ZoneInfo(tz)
    result: dict[str, int] = {}
    for bill in bills_as_of(world, as_of, tz):
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


def expected_dso(
    world: World, start: dt.date, end: dt.date, tz: str
) -> dict[str, tuple[int, int, Decimal | None]]:
    """currency -> (receivables at the end of `end`, billed start..end, DSO) with
    DSO = receivables / billed * days in the period (None when nothing was billed)."""
    days = (end - start).days + 1
    result: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for bill in bills_as_of(world, end, tz):
        cell = result[bill["currency"]]
        if _is_open(bill):
            cell[0] += bill["amount_remaining"]
        if bill["status"] != "voided" and _in_period(bill, start, end):
            cell[1] += bill["amount_due"]
    return {
        currency: (r, b, Decimal(r) / Decimal(b) * days if b else None)
        for currency, (r, b) in result.items()
    }
