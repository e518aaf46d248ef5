"""The month notebook 07 reconciles: billkit's embedded sandbox (SFTP on, a fee on every payment), a webhook
receiver, five customers with a bill each, and a month of payments on the sandbox clock, one of whose webhooks
is missed on purpose: the receiver is down while that payment's deliveries run past the retry schedule.

    month = start_month(params)
    month.create_bills()
    month.pay_until(month.planted.day)          # the receiver records every webhook
    attempts = month.miss_webhook()             # receiver down, the planted payment, every retry fails
    month.pay_until(params.days)                # receiver back; the rest of the month
    month.close()                               # the clock past T+2 of the last day: every report written
    ledger = month.ledger()                     # what the analyst's own records hold: objects and webhooks

Every wait here is for a condition (a webhook received, a delivery given up), never a fixed time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Final

from billkit.errors import BillkitError
from billkit.notebook.runner.parameters import reveal

if TYPE_CHECKING:
    import pandas as pd

    from billkit.billfiles import SftpSettings
    from billkit.client import Bill, Client, Delivery, SandboxPayment
    from billkit.ledger import Ledger
    from billkit.notebook.specs import ReconciliationParameters
    from billkit.sandbox import Sandbox
    from billkit.webhooks import WebhookEvent, WebhookReceiver

__all__ = ["CUSTOMERS", "PAYMENTS", "PlannedPayment", "ReconciliationMonth", "start_month"]

APPLIED: Final = "obligation.amount_applied"
#: (reference, name, currency, the month's bill in minor units)
CUSTOMERS: Final = (
    ("CUS-01", "Thandi Mokoena", "ZAR", 45000),
    ("CUS-02", "Sipho Dlamini", "ZAR", 32000),
    ("CUS-03", "Lerato Naidoo", "ZAR", 27500),
    ("CUS-04", "Johan van Wyk", "ZAR", 60000),
    ("CUS-05", "Ayesha Patel", "USD", 12000),
)
#: How long to wait for the sandbox to give up on a delivery, or for a webhook to arrive.
_WAIT_SECONDS: Final = 30.0
_POLL_SECONDS: Final = 0.05
_PAYMENT_TIME: Final = timedelta(hours=9)


@dataclass(frozen=True)
class PlannedPayment:
    """A payment of the month: on day `day` (1 = the first), `amount` minor units on the bill of customer
    `customer` (an index into CUSTOMERS), through `channel`, by `payment_method`."""

    day: int
    customer: int
    amount: int
    channel: str
    payment_method: str = "Card"
    #: The payment whose webhook is missed on purpose.
    planted: bool = False


PAYMENTS: Final = (
    PlannedPayment(1, 0, 15000, "api"),
    PlannedPayment(1, 1, 32000, "ebp"),
    PlannedPayment(3, 2, 10000, "in_person", "Cash"),
    PlannedPayment(3, 4, 6000, "api"),
    PlannedPayment(5, 3, 20000, "payment_request", "Capitec Pay"),
    PlannedPayment(8, 0, 15000, "api", "Capitec Pay"),
    PlannedPayment(9, 3, 20000, "ebp", planted=True),
    PlannedPayment(12, 2, 17500, "api"),
    PlannedPayment(12, 4, 6000, "in_person", "Cash"),
    PlannedPayment(15, 0, 15000, "ebp"),
    PlannedPayment(20, 3, 20000, "api"),
)


@dataclass(eq=False)
class ReconciliationMonth:
    """The sandbox, the receiver that is up (a new one after the planted miss) and what happened so far.

    `first_day` is the month's first day (UTC; the sandbox clock's next day). `bills` are the bills as
    created, one per customer of CUSTOMERS; `paid` the payments made, in PAYMENTS order; `received` every
    event the receivers verified.
    """

    params: ReconciliationParameters
    sandbox: Sandbox
    client: Client
    receiver: WebhookReceiver
    first_day: date
    bills: list[Bill] = field(default_factory=list)
    paid: list[SandboxPayment] = field(default_factory=list)
    _earlier: list[WebhookEvent] = field(default_factory=list)
    _closers: list[Callable[[], None]] = field(default_factory=list, repr=False)

    @property
    def sftp(self) -> SftpSettings:
        """How to reach the sandbox's SFTP (its API key as password, its host key pinned)."""
        return self.sandbox.sftp_settings()

    @property
    def last_day(self) -> date:
        return self.first_day + timedelta(days=self.params.days - 1)

    @property
    def planted(self) -> PlannedPayment:
        return next(payment for payment in PAYMENTS if payment.planted)

    @property
    def received(self) -> list[WebhookEvent]:
        """Every event the receivers of the month verified, oldest first."""
        return [*self._earlier, *self.receiver.received]

    def describe(self) -> str:
        return (
            f"billkit's embedded sandbox (merchant {self.params.merchant}, fee "
            f"{self.params.fee_percent}% per payment, SFTP {self.sftp.address}); webhooks go to "
            f"{self.receiver.url}; the month runs {self.first_day} to {self.last_day} (UTC)"
        )

    def day(self, number: int) -> date:
        return self.first_day + timedelta(days=number - 1)

    def create_bills(self) -> pd.DataFrame:
        """A customer and the month's bill for each of CUSTOMERS, dated the first day, due 20 days later."""
        import pandas as pd

        for reference, name, currency, amount in CUSTOMERS:
            self.client.customers.create(external_reference=reference, name=name, currency=currency)
            self.bills.append(
                self.client.bills.create(
                    external_reference=f"INV-{reference}",
                    customer=reference,
                    currency=currency,
                    amount_due=amount,
                    bill_date=self.first_day,
                    due_date=self.first_day + timedelta(days=20),
                )
            )
        return pd.DataFrame(
            {
                "customer": [name for _, name, _, _ in CUSTOMERS],
                "bill": [bill.external_reference for bill in self.bills],
                "currency": [bill.currency for bill in self.bills],
                "amount_due": [bill.amount_due for bill in self.bills],
            }
        )

    def pay_until(self, last: int) -> list[SandboxPayment]:
        """Make the planned payments of the days up to `last` (each day's at 09:00 UTC on the sandbox clock)
        that are not made yet, the planted one excepted, and wait until the receiver has their webhooks."""
        made: list[SandboxPayment] = []
        for planned in PAYMENTS:
            if planned.day > last or planned.planted or self._done(planned):
                continue
            made.append(self._pay(planned))
        self._wait_for_webhooks()
        return made

    def miss_webhook(self) -> list[Delivery]:
        """Stop the receiver, make the planted payment, and run its deliveries past the retry schedule (the
        sandbox clock moved on, so every retry is due at once); then start a receiver again on the same
        address. Returns the failed attempts."""
        from billkit.webhooks import WebhookReceiver

        self._wait_for_webhooks()
        port = self.receiver.port
        self._earlier.extend(self.receiver.received)
        self.receiver.stop()
        event_id = self._pay(self.planted).event_id
        if event_id is None:  # only an unlinked payment request's payment has no event
            raise BillkitError("the planted payment sent no webhook, so none can be missed")
        schedule = self.sandbox.settings.retry_schedule
        self.client.sandbox.clock.advance(sum(schedule) + 60)
        attempts = self._wait(
            lambda: self._given_up(event_id, len(schedule) + 1),
            f"the sandbox to give up delivering {event_id}",
        )
        self.receiver = WebhookReceiver(self.sandbox.webhook_secret, port=port).start()
        self._closers.append(self.receiver.stop)
        return attempts

    def payments(self) -> pd.DataFrame:
        """The payments made so far: day, customer, bill, amount (formatted), channel, payment ID, and whether
        a receiver verified its webhook."""
        import pandas as pd

        from billkit.money import format_money

        received = {event.id for event in self.received}
        planned = PAYMENTS[: len(self.paid)]
        return pd.DataFrame(
            {
                "day": [self.day(p.day) for p in planned],
                "customer": [CUSTOMERS[p.customer][1] for p in planned],
                "bill": [self.bills[p.customer].external_reference for p in planned],
                "amount": [format_money(paid.amount, paid.currency) for paid in self.paid],
                "channel": [paid.channel for paid in self.paid],
                "payment_id": [paid.id for paid in self.paid],
                "webhook_received": [paid.event_id in received for paid in self.paid],
            }
        )

    def close(self) -> None:
        """Move the sandbox clock past the end of the day after the last day (T+2 of the last day), so
        Moment's reconciliation and settlement reports of every day of the month are written."""
        self.pay_until(self.params.days)
        self._advance_to(
            datetime.combine(self.last_day + timedelta(days=2), datetime.min.time(), UTC)
        )

    def ledger(self) -> Ledger:
        """An in-memory ledger holding what the analyst's own systems know: the customers and bills (as the
        sandbox lists them now) and the webhooks the receivers verified. The sandbox's own event list is not
        read: a webhook that never arrived is not in it."""
        from billkit.ledger import Ledger

        ledger = Ledger(":memory:")
        now = self.client.sandbox.clock.now()
        ledger.record_objects("customer", self.client.sandbox.customers.list(), observed_at=now)
        ledger.record_objects("bill", self.client.sandbox.bills.list(), observed_at=now)
        ledger.record_events(self.received)
        return ledger

    def stop(self) -> None:
        """Stop what was started (receivers, client, sandbox), newest first."""
        while self._closers:
            self._closers.pop()()

    # -- the steps ------------------------------------------------------------------------------------

    def _done(self, planned: PlannedPayment) -> bool:
        return PAYMENTS.index(planned) < len(self.paid)

    def _pay(self, planned: PlannedPayment) -> SandboxPayment:
        if PAYMENTS.index(planned) != len(self.paid):
            raise BillkitError(f"the month's payments are made in order; {planned} is out of turn")
        day_start = datetime.combine(self.day(planned.day), datetime.min.time(), UTC)
        self._advance_to(day_start + _PAYMENT_TIME)
        payment = self.client.sandbox.payments.create(
            bill=self.bills[planned.customer].id,
            amount=planned.amount,
            channel=planned.channel,
            payment_method=planned.payment_method,
        )
        self.paid.append(payment)
        return payment

    def _advance_to(self, moment: datetime) -> None:
        ahead = (moment - self.client.sandbox.clock.now()).total_seconds()
        if ahead > 0:
            self.client.sandbox.clock.advance(ahead)

    def _wait_for_webhooks(self) -> None:
        """Until the receiver that is up holds the webhook of every payment made since it started."""
        missed = self._missed()
        # The earlier receiver's events, and the one missed on purpose, never reach this one.
        skipped = {event.id for event in self._earlier} | {missed.event_id if missed else None}
        expected = [p.event_id for p in self.paid if p.event_id not in skipped]
        if expected:
            self.receiver.wait_for(
                lambda event: event.id in expected,
                type=APPLIED,
                count=len(expected),
                timeout=self.params.webhook_timeout,
            )

    def _missed(self) -> SandboxPayment | None:
        index = PAYMENTS.index(self.planted)
        return self.paid[index] if index < len(self.paid) else None

    def _given_up(self, event_id: str, attempts: int) -> list[Delivery] | None:
        deliveries = self.client.sandbox.events.deliveries(event_id)
        failed = [d for d in deliveries if d.status_code is None or d.status_code >= 300]
        return (
            deliveries if len(deliveries) >= attempts and len(failed) == len(deliveries) else None
        )

    @staticmethod
    def _wait(check: Callable[[], list[Delivery] | None], what: str) -> list[Delivery]:
        deadline = time.monotonic() + _WAIT_SECONDS
        while True:
            found = check()
            if found is not None:
                return found
            if time.monotonic() >= deadline:
                raise TimeoutError(f"waited {_WAIT_SECONDS:g} s for {what}")
            time.sleep(_POLL_SECONDS)


def start_month(params: ReconciliationParameters) -> ReconciliationMonth:
    """The embedded sandbox (SFTP on, `params.fee_percent`, retry schedule `fast`) and a receiver for its
    webhooks; the month starts on the sandbox clock's next UTC day."""
    from billkit.sandbox import Sandbox
    from billkit.webhooks import WebhookReceiver, generate_secret

    closers: list[Callable[[], None]] = []
    try:
        secret = generate_secret()
        receiver = WebhookReceiver(secret).start()
        closers.append(receiver.stop)
        sandbox = Sandbox(
            api_key=reveal(params.api_key),
            webhook_url=receiver.url,
            webhook_secret=secret,
            retry_schedule="fast",
            sftp=True,
            merchant=params.merchant,
            fee_percent=params.fee_percent,
        ).start()
        closers.append(sandbox.stop)
        client = sandbox.client()
        closers.append(client.close)
        first_day = client.sandbox.clock.now().date() + timedelta(days=1)
        return ReconciliationMonth(params, sandbox, client, receiver, first_day, _closers=closers)
    except BaseException:
        for close in reversed(closers):
            close()
        raise
