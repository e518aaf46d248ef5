"""The demo month: a realistic month of billing in the sandbox, so a fresh machine has something to analyse.

    with demo.sandbox() as sandbox, sandbox.client() as client:
        summary = demo.populate(client, month=demo.DEMO_MONTH, seed=7)   # January 2027, in any year

`populate` works through the public client and the sandbox clock only, as a merchant and its payers would:
customers (some with accounts, some with opening balances), bills dated across the month plus a few carried
over from earlier months, on-time and late payers, partial payments, refused overpayments, voided bills and
balance payments, over the api, ebp and in_person channels. The clock is moved forward to each action, so
payment timestamps fall on the days the plan says (late payments land after the due date).

The sandbox clock only moves forward, so the month must lie wholly ahead of it; by default it is the month
after the clock's current one. The same seed gives the same shape (customers, amounts, days, outcomes) in
any month. The returned `DemoSummary` says what was made, so tests can check a report against it.

The demo month of `billkit report`, `billkit dashboard`, `billkit demo` and the docs is `DEMO_MONTH`, fixed,
so the example dates they print (`--as-of 2027-01-15`) show a full report on any machine in any year: a demo
sandbox (`sandbox()`) is a new in-memory one whose clock starts at `clock_start()`, just before that month,
and runs forward from there (docs/analysis.md, "The demo month").
"""

from __future__ import annotations

import calendar
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import TYPE_CHECKING, Final, Literal

from billkit.client import Client
from billkit.errors import InvalidArgumentError, UnprocessableEntityError

if TYPE_CHECKING:
    from billkit.sandbox import Sandbox

__all__ = [
    "DEFAULT_CUSTOMERS",
    "DEFAULT_SEED",
    "DEMO_MONTH",
    "DemoSummary",
    "clock_start",
    "populate",
    "sandbox",
]

#: The month the demo data is in, whatever the wall clock says (the examples in the docs use its days).
DEMO_MONTH: Final = "2027-01"
DEFAULT_SEED: Final = 7
DEFAULT_CUSTOMERS: Final = 40
_MAX_CUSTOMERS: Final = 500
_DUE_AFTER_DAYS: Final = 14
# Actions happen in UTC working hours, which are the same calendar day in Johannesburg and New York.
_FIRST_HOUR: Final = 8
_WORKING_SECONDS: Final = 8 * 3600
_CHANNELS: Final = ("api", "ebp", "in_person")
_CHANNEL_WEIGHTS: Final = (3, 5, 2)
_FIRST_NAMES: Final = (
    "Thandi", "Sipho", "Lerato", "Pieter", "Aisha", "Johan", "Naledi", "Grace", "Kagiso", "Maria",
    "David", "Zanele", "Michael", "Fatima", "Bongani", "Sarah", "Lwazi", "Emily", "Themba", "Anna",
)  # fmt: skip
_LAST_NAMES: Final = (
    "Nkosi", "Dlamini", "van der Merwe", "Naidoo", "Botha", "Mokoena", "Smith", "Khumalo",
    "Pillay", "Jacobs", "Ndlovu", "Fourie", "Mahlangu", "Williams", "Sithole", "Adams",
)  # fmt: skip
_ACCOUNT_NAMES: Final = ("Data", "Voice", "Device", "Fibre", "Insurance")
# Whole-unit amount ranges per currency (minor units are added in steps of 50 cents).
_AMOUNT_RANGES: Final = {"ZAR": (150, 2500), "USD": (20, 400)}
_CARRIED_OVER_SHARE: Final = 0.12
# Objects are created before the working day starts, one second apart in plan order (owners first).
_CREATION_HOUR: Final = 7
# The clock is moved only when an action is this far ahead of it: fewer round trips, same days.
_CLOCK_SLACK: Final = timedelta(minutes=5)

Outcome = Literal["on_time", "late", "partial", "unpaid", "voided"]
_OUTCOMES: Final[tuple[Outcome, ...]] = ("on_time", "late", "partial", "unpaid", "voided")
_OUTCOME_WEIGHTS: Final = (45, 18, 15, 14, 8)


@dataclass(frozen=True)
class DemoSummary:
    """What `populate` made. Amounts are minor units per currency."""

    month: str
    first_day: date
    last_day: date
    customers: int
    customers_with_accounts: int
    accounts: int
    bills: int
    bills_by_status: dict[str, int]
    carried_over_bills: int
    partially_paid_bills: int
    late_payments: int
    payments: int
    balance_payments: int
    refused_overpayments: int
    payments_by_channel: dict[str, int]
    billed: dict[str, int]
    collected: dict[str, int]
    outstanding: dict[str, int]
    balances: dict[str, int]
    finished_at: datetime

    def __str__(self) -> str:
        by_status = ", ".join(
            f"{count} {status}" for status, count in sorted(self.bills_by_status.items())
        )
        return (
            f"Demo month {self.month}: {self.customers} customers ({self.accounts} accounts), "
            f"{self.bills} bills ({by_status}), {self.payments} payments, "
            f"{self.refused_overpayments} refused overpayments"
        )


@dataclass
class _Bill:
    reference: str
    currency: str
    amount_due: int
    bill_date: date
    outcome: Outcome
    customer: str | None = None
    account: str | None = None
    try_overpaying: bool = False
    paid: int = 0


@dataclass(order=True)
class _Action:
    at: datetime
    order: int
    run: Callable[[], None] = field(compare=False)


@dataclass
class _Tally:
    status: Counter[str] = field(default_factory=Counter)
    channels: Counter[str] = field(default_factory=Counter)
    billed: Counter[str] = field(default_factory=Counter)
    collected: Counter[str] = field(default_factory=Counter)
    outstanding: Counter[str] = field(default_factory=Counter)
    balances: Counter[str] = field(default_factory=Counter)
    payments: int = 0
    balance_payments: int = 0
    refused: int = 0
    partial: int = 0
    late: int = 0


def populate(
    client: Client,
    *,
    month: str | None = None,
    seed: int = DEFAULT_SEED,
    customers: int = DEFAULT_CUSTOMERS,
) -> DemoSummary:
    """Fill the sandbox `client` points at with a month of billing and return what was made.

    `month` is "YYYY-MM", wholly after the sandbox clock (default: the month after the clock's current
    one). Raises `InvalidArgumentError` for a bad month or customer count, before anything is created.
    """
    if (
        isinstance(customers, bool)
        or not isinstance(customers, int)
        or not 1 <= customers <= _MAX_CUSTOMERS
    ):
        raise InvalidArgumentError(
            f"customers must be a whole number from 1 to {_MAX_CUSTOMERS}, got {customers!r}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidArgumentError(f"seed must be an integer, got {seed!r}")
    now = client.sandbox.clock.now()
    first_day = _first_day(month, now)
    last_day = first_day.replace(day=calendar.monthrange(first_day.year, first_day.month)[1])
    rng = random.Random(seed)
    tally = _Tally()
    builder = _MonthBuilder(client, rng, first_day, last_day, tally)
    builder.plan(customers)
    builder.perform()
    return DemoSummary(
        month=first_day.strftime("%Y-%m"),
        first_day=first_day,
        last_day=last_day,
        customers=customers,
        customers_with_accounts=builder.customers_with_accounts,
        accounts=builder.accounts,
        bills=len(builder.bills),
        bills_by_status=dict(tally.status),
        carried_over_bills=sum(bill.bill_date < first_day for bill in builder.bills),
        partially_paid_bills=tally.partial,
        late_payments=tally.late,
        payments=tally.payments,
        balance_payments=tally.balance_payments,
        refused_overpayments=tally.refused,
        payments_by_channel=dict(tally.channels),
        billed=dict(tally.billed),
        collected=dict(tally.collected),
        outstanding=dict(tally.outstanding),
        balances=dict(tally.balances),
        finished_at=client.sandbox.clock.now(),
    )


def clock_start(month: str = DEMO_MONTH) -> datetime:
    """Where a demo sandbox's clock starts: 00:00 UTC the day before `month`, so all of it lies ahead."""
    first_day = _parse_month(month)
    return datetime.combine(first_day - timedelta(days=1), time(), UTC)


def sandbox(*, api_key: str | None = None, month: str = DEMO_MONTH) -> Sandbox:
    """A new embedded sandbox (in memory) whose clock starts just before `month`: what `populate` fills
    with the demo month however far the wall clock has moved on (or has yet to get there)."""
    from billkit.sandbox import Sandbox

    return Sandbox(api_key=api_key, clock_start=clock_start(month))


def _parse_month(month: str | None) -> date:
    try:
        return datetime.strptime(month, "%Y-%m").date()  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidArgumentError(
            f"month must be written YYYY-MM, such as '2026-01', got {month!r}"
        ) from None


def _first_day(month: str | None, now: datetime) -> date:
    if month is None:
        following = now.date().replace(day=28) + timedelta(days=4)
        return following.replace(day=1)
    first_day = _parse_month(month)
    if datetime.combine(first_day, time(), UTC) <= now:
        raise InvalidArgumentError(
            f"month {month} has already begun on the sandbox clock ({now:%Y-%m-%d %H:%M} UTC), which only "
            "moves forward: choose a later month, or leave month as None for the next one"
        )
    return first_day


class _MonthBuilder:
    """Plans the month's customers, bills and actions, then performs the actions in clock order."""

    def __init__(
        self, client: Client, rng: random.Random, first_day: date, last_day: date, tally: _Tally
    ) -> None:
        self.client = client
        self.rng = rng
        self.first_day = first_day
        self.last_day = last_day
        self.tally = tally
        self.tag = first_day.strftime("%Y%m")
        self.bills: list[_Bill] = []
        self.actions: list[_Action] = []
        self.accounts = 0
        self.customers_with_accounts = 0

    # -- planning: only the random generator is consulted, so a seed fixes the shape -----------------

    def plan(self, customers: int) -> None:
        for number in range(1, customers + 1):
            self._plan_customer(number)

    def _plan_customer(self, number: int) -> None:
        rng = self.rng
        currency = "ZAR" if rng.random() < 0.6 else "USD"
        reference = f"DEMO-{self.tag}-C{number:03d}"
        name = f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
        account_count = rng.choice((0, 0, 0, 1, 2, 3))
        balance = self._amount(currency) if account_count == 0 and rng.random() < 0.3 else None
        self._create_at(
            self.first_day, lambda: self._create_customer(reference, name, currency, balance)
        )
        if balance is not None:
            self._plan_balance_payment(currency, balance, customer=reference)
        if account_count == 0:
            for _ in range(rng.choice((1, 1, 2))):
                self._plan_bill(currency, customer=reference)
            return
        self.customers_with_accounts += 1
        for index in range(account_count):
            account = f"{reference}-A{index + 1}"
            account_name = _ACCOUNT_NAMES[index % len(_ACCOUNT_NAMES)]
            account_balance = self._amount(currency) if rng.random() < 0.25 else None
            self.accounts += 1
            self._create_at(
                self.first_day,
                partial(
                    self._create_account,
                    account,
                    reference,
                    account_name,
                    currency,
                    account_balance,
                ),
            )
            if account_balance is not None:
                self._plan_balance_payment(currency, account_balance, account=account)
            self._plan_bill(currency, account=account)

    def _plan_bill(
        self, currency: str, *, customer: str | None = None, account: str | None = None
    ) -> None:
        rng = self.rng
        reference = f"DEMO-{self.tag}-B{len(self.bills) + 1:03d}"
        if rng.random() < _CARRIED_OVER_SHARE:
            bill_date = self.first_day - timedelta(days=rng.randint(20, 80))
            outcome: Outcome = rng.choice(("unpaid", "partial", "late"))
        else:
            bill_date = self.first_day + timedelta(days=rng.randint(0, 20))
            outcome = rng.choices(_OUTCOMES, weights=_OUTCOME_WEIGHTS)[0]
        due_date = bill_date + timedelta(days=_DUE_AFTER_DAYS)
        if outcome == "late" and due_date + timedelta(days=3) > self.last_day:
            outcome = "unpaid"  # a late payment needs room after the due date within the month
        bill = _Bill(
            reference=reference,
            currency=currency,
            amount_due=self._amount(currency),
            bill_date=bill_date,
            outcome=outcome,
            customer=customer,
            account=account,
            try_overpaying=outcome == "on_time" and rng.random() < 0.12,
        )
        self.bills.append(bill)
        created_on = max(bill_date, self.first_day)
        self._create_at(created_on, lambda: self._create_bill(bill))
        self._plan_outcome(bill, created_on, due_date)

    def _plan_outcome(self, bill: _Bill, created_on: date, due_date: date) -> None:
        rng = self.rng
        pay_by = min(due_date, self.last_day)
        if bill.outcome == "on_time":
            day = self._day_between(created_on, pay_by)
            if bill.try_overpaying:
                self._at(day, lambda: self._try_overpaying(bill))
            self._at(day, lambda: self._pay_bill(bill, bill.amount_due, late=day > due_date))
        elif bill.outcome == "late":
            earliest = max(due_date + timedelta(days=1), created_on)
            day = self._day_between(earliest, min(earliest + timedelta(days=12), self.last_day))
            self._at(day, lambda: self._pay_bill(bill, bill.amount_due, late=True))
        elif bill.outcome == "partial":
            share = rng.randint(25, 70)
            amount = max(100, bill.amount_due * share // 100 // 50 * 50)
            day = self._day_between(created_on, pay_by)
            self._at(day, lambda: self._pay_bill(bill, amount, late=day > due_date))
        elif bill.outcome == "voided":
            day = self._day_between(created_on, min(created_on + timedelta(days=5), self.last_day))
            self._at(day, lambda: self._void(bill))

    def _plan_balance_payment(
        self,
        currency: str,
        balance: int,
        *,
        customer: str | None = None,
        account: str | None = None,
    ) -> None:
        amount = balance if self.rng.random() < 0.5 else max(100, balance // 2 // 50 * 50)
        day = self._day_between(self.first_day, self.last_day)
        self._at(
            day, lambda: self._pay_balance(currency, amount, customer=customer, account=account)
        )

    def _amount(self, currency: str) -> int:
        low, high = _AMOUNT_RANGES[currency]
        return self.rng.randint(low * 2, high * 2) * 50

    def _day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, max((last - first).days, 0)))

    def _at(self, day: date, run: Callable[[], None]) -> None:
        moment = datetime.combine(day, time(_FIRST_HOUR), UTC)
        offset = self.rng.randint(0, _WORKING_SECONDS - 1)
        self.actions.append(_Action(moment + timedelta(seconds=offset), len(self.actions), run))

    def _create_at(self, day: date, run: Callable[[], None]) -> None:
        moment = datetime.combine(day, time(_CREATION_HOUR), UTC)
        self.actions.append(
            _Action(moment + timedelta(seconds=len(self.actions)), len(self.actions), run)
        )

    # -- performing: in time order, moving the sandbox clock to each action --------------------------

    def perform(self) -> None:
        clock = self.client.sandbox.clock
        now = clock.now()
        for action in sorted(self.actions):
            if action.at > now + _CLOCK_SLACK:
                now = clock.advance(action.at - now)
            action.run()
        for bill in self.bills:
            self._tally_bill(bill)

    def _create_customer(
        self, reference: str, name: str, currency: str, balance: int | None
    ) -> None:
        if balance is None:
            self.client.customers.create(external_reference=reference, name=name, currency=currency)
        else:
            self.client.customers.create(
                external_reference=reference, name=name, currency=currency, balance=balance
            )
            self.tally.balances[currency] += balance

    def _create_account(
        self, reference: str, customer: str, name: str, currency: str, balance: int | None
    ) -> None:
        if balance is None:
            self.client.accounts.create(
                external_reference=reference, customer=customer, name=name, currency=currency
            )
        else:
            self.client.accounts.create(
                external_reference=reference,
                customer=customer,
                name=name,
                currency=currency,
                balance=balance,
            )
            self.tally.balances[currency] += balance

    def _create_bill(self, bill: _Bill) -> None:
        due_date = bill.bill_date + timedelta(days=_DUE_AFTER_DAYS)
        common = {
            "external_reference": bill.reference,
            "currency": bill.currency,
            "amount_due": bill.amount_due,
            "bill_date": bill.bill_date,
            "due_date": due_date,
        }
        if bill.account is not None:
            self.client.bills.create(account=bill.account, **common)  # type: ignore[arg-type]
        else:
            self.client.bills.create(customer=bill.customer or "", **common)  # type: ignore[arg-type]

    def _channel(self) -> str:
        return self.rng.choices(_CHANNELS, weights=_CHANNEL_WEIGHTS)[0]

    def _pay_bill(self, bill: _Bill, amount: int, *, late: bool) -> None:
        channel = self._channel()
        self.client.sandbox.payments.create(bill=bill.reference, amount=amount, channel=channel)
        self.tally.payments += 1
        self.tally.channels[channel] += 1
        self.tally.collected[bill.currency] += amount
        self.tally.late += late
        bill.paid += amount

    def _try_overpaying(self, bill: _Bill) -> None:
        """A payer typing one cent too much: the sandbox refuses it (overpayment is not allowed)."""
        try:
            self.client.sandbox.payments.create(bill=bill.reference, amount=bill.amount_due + 1)
        except UnprocessableEntityError:
            self.tally.refused += 1
            return
        raise RuntimeError(
            f"the sandbox accepted an overpayment of {bill.reference}; it must refuse it"
        )

    def _pay_balance(
        self, currency: str, amount: int, *, customer: str | None, account: str | None
    ) -> None:
        channel = self._channel()
        if account is not None:
            self.client.sandbox.payments.create(account=account, amount=amount, channel=channel)
        else:
            self.client.sandbox.payments.create(
                customer=customer or "", amount=amount, channel=channel
            )
        self.tally.payments += 1
        self.tally.balance_payments += 1
        self.tally.channels[channel] += 1
        self.tally.collected[currency] += amount
        self.tally.balances[currency] -= amount

    def _void(self, bill: _Bill) -> None:
        self.client.bills.void(bill.reference)

    def _tally_bill(self, bill: _Bill) -> None:
        if bill.outcome == "voided":
            self.tally.status["voided"] += 1
            return
        self.tally.billed[bill.currency] += bill.amount_due
        if bill.outcome in ("on_time", "late"):
            self.tally.status["paid"] += 1
            return
        self.tally.status["unpaid"] += 1
        self.tally.outstanding[bill.currency] += bill.amount_due - bill.paid
        self.tally.partial += bill.paid > 0
