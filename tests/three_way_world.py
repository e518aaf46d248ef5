"""Hand-built ledgers, webhook events and Moment report rows for the three-way reconciliation's tests.

The report frames have exactly the columns, order and dtypes `billkit.reportfiles` readers and
`Ledger.reconciliation_rows()` / `Ledger.settlement_rows()` give (REPORT_FRAMES in the docs of the readers).
Every figure a test expects is written out by hand next to the world it checks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from billkit.analysis import point_in_time

RECONCILIATION_COLUMNS = {
    "reconciliation_id": "string",
    "transaction_type": "string",
    "transaction_timestamp": "datetime64[ns, UTC]",
    "merchant_reference_id": "string",
    "payment_method": "string",
    "payment_method_tender": "string",
    "customer_reference": "string",
    "country": "string",
    "currency": "string",
    "amount": "Int64",
    "fee": "Int64",
    "net_amount": "Int64",
    "payment_id": "string",
    "obligation_id": "string",
    "channel": "string",
    "report_name": "string",
    "period_end": "datetime64[ns]",
}
SETTLEMENT_COLUMNS = {
    "settlement_date": "datetime64[ns]",
    "currency": "string",
    "transaction_count": "Int64",
    "gross_amount": "Int64",
    "fees": "Int64",
    "net_amount": "Int64",
    "report_name": "string",
    "period_end": "datetime64[ns]",
}
SINCE = "2027-01-01T00:00:00Z"


def recon_name(period_end: dt.date, generated: dt.date | None = None) -> str:
    made = generated or period_end + dt.timedelta(days=1)
    return f"{made:%Y%m%d}_Moment_Recon_00000000-0000-4000-8000-{period_end:%Y%m%d}0000_{period_end:%Y%m%d}.csv"


def settlement_name(period_end: dt.date) -> str:
    made = period_end + dt.timedelta(days=2)
    return f"{made:%Y%m%d}_Moment_Settlement_00000000-0000-4000-8000-{period_end:%Y%m%d}0000_{period_end:%Y%m%d}.csv"


def fee(amount: int, percent: int = 2) -> int:
    """`percent` of `amount`, rounded half-up to the minor unit (contract §10)."""
    return (amount * percent + 50) // 100


@dataclass
class World:
    """Customers, accounts, bills (one state each, recorded at SINCE), payment events and report rows."""

    customers: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    bills: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    recon: list[dict[str, Any]] = field(default_factory=list)
    settlement: list[dict[str, Any]] = field(default_factory=list)

    def customer(self, customer_id: str, reference: str, name: str, currency: str) -> None:
        self.customers.append(
            {
                "customer_id": customer_id,
                "external_reference": reference,
                "name": name,
                "currency": currency,
                "balance": None,
            }
        )

    def account(self, account_id: str, customer_id: str, reference: str, currency: str) -> None:
        self.accounts.append(
            {
                "account_id": account_id,
                "customer_id": customer_id,
                "external_reference": reference,
                "name": reference,
                "currency": currency,
                "balance": 5000,
            }
        )

    def bill(self, bill_id: str, customer_id: str, reference: str, currency: str, due: int) -> None:
        self.bills.append(
            {
                "bill_id": bill_id,
                "customer_id": customer_id,
                "account_id": None,
                "external_reference": reference,
                "currency": currency,
                "status": "unpaid",
                "amount_due": due,
                "amount_paid": 0,
                "amount_remaining": due,
                "bill_date": "2027-01-01",
                "due_date": "2027-01-31",
            }
        )

    def webhook(
        self,
        payment_id: str | None,
        at: str,
        amount: int,
        currency: str,
        *,
        bill: str | None = None,
        account: str | None = None,
        customer: str | None = None,
        event_id: str | None = None,
    ) -> None:
        """One delivered `obligation.amount_applied` event (call again for a redelivery)."""
        number = len(self.events)
        self.events.append(
            {
                "event_id": event_id or f"evt_{number}",
                "type": "obligation.amount_applied",
                "created_at": at,
                "data_id": f"ob_{payment_id or number}",
                "payment_id": payment_id,
                "amount": amount,
                "currency": currency,
                "bill_id": bill,
                "account_id": account,
                "customer_id": customer,
            }
        )

    def reported(
        self,
        number: int,
        at: str,
        amount: int,
        currency: str,
        *,
        payment_id: str | None,
        obligation_id: str | None,
        reference: str | None,
        customer_reference: str | None,
        channel: str = "api",
        generated: dt.date | None = None,
        percent: int = 2,
    ) -> None:
        """One row of the reconciliation report of `at`'s UTC day (number: its reconciliation_id)."""
        period_end = pd.Timestamp(at).date()
        charged = fee(amount, percent)
        self.recon.append(
            {
                "reconciliation_id": f"{number:024x}",
                "transaction_type": "Payment",
                "transaction_timestamp": at,
                "merchant_reference_id": reference,
                "payment_method": "Card",
                "payment_method_tender": "Card",
                "customer_reference": customer_reference,
                "country": "ZA",
                "currency": currency,
                "amount": amount,
                "fee": charged,
                "net_amount": amount - charged,
                "payment_id": payment_id,
                "obligation_id": obligation_id,
                "channel": channel,
                "report_name": recon_name(period_end, generated),
                "period_end": str(period_end),
            }
        )

    def settled(
        self, period_end: dt.date, currency: str, count: int, gross: int, fees: int, net: int
    ) -> None:
        self.settlement.append(
            {
                "settlement_date": str(period_end + dt.timedelta(days=2)),  # paid out at T+2
                "currency": currency,
                "transaction_count": count,
                "gross_amount": gross,
                "fees": fees,
                "net_amount": net,
                "report_name": settlement_name(period_end),
                "period_end": str(period_end),
            }
        )

    def reconciliation_rows(self) -> pd.DataFrame:
        return _typed(self.recon, RECONCILIATION_COLUMNS)

    def settlement_rows(self) -> pd.DataFrame:
        return _typed(self.settlement, SETTLEMENT_COLUMNS)

    def as_of(self, day: str, tz: str = "UTC") -> point_in_time.AsOfFrames:
        since = pd.Timestamp(SINCE)
        customers = pd.DataFrame(
            self.customers,
            columns=["customer_id", "external_reference", "name", "currency", "balance"],
        )
        accounts = pd.DataFrame(
            self.accounts,
            columns=[
                "account_id",
                "customer_id",
                "external_reference",
                "name",
                "currency",
                "balance",
            ],
        )
        return point_in_time.as_of_frames(
            bill_versions=pd.DataFrame(self.bills).assign(valid_from=since),
            events=pd.DataFrame(self.events),
            customer_versions=customers.astype({"balance": "Int64"}).assign(valid_from=since),
            account_versions=accounts.astype({"balance": "Int64"}).assign(valid_from=since),
            as_of=day,
            tz=tz,
        )


def _typed(records: list[dict[str, Any]], columns: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=list(columns))
    for column, dtype in columns.items():
        if dtype == "datetime64[ns, UTC]":
            frame[column] = pd.to_datetime(frame[column], utc=True).astype(dtype)
        elif dtype == "datetime64[ns]":
            frame[column] = pd.to_datetime(frame[column]).astype(dtype)
        else:
            frame[column] = frame[column].astype(dtype)
    return frame


def january() -> World:
    """Two days of January 2027 (UTC) where reports, webhooks and the ledger disagree in every way.

    Ann (CUS-A, ZAR; account A-1), Ben (CUS-B, ZAR), Cas (CUS-C, USD). Fee 2% per payment. On 10 January:
      P1  B1 (Ann) R40.00 09:00  webhook and report agree (api)
      P2  B2 (Ben) R25.00 11:00  in the report, webhook missed (ebp)
      P3  B3 (Cas) $10.00 12:00  webhook $10.00, report $12.00: amount mismatch
      P4  A-1 (Ann) R7.00 13:00  three deliveries (one event twice, one redelivery), one report row
      P5  B1 (Ann) R5.00  15:00  webhook only: never reported
      G   ghost R3.00     14:00  report row naming GHOST-9 / bill_nobody: unknown, no webhook
      P7  B4 (Ben) R15.00 16:00  the report row carries no payment_id: matched by reference B4
      P8  B5 (Ben) R9.00  17:00  webhook ZAR, report USD: currency mismatch
    On 11 January 23:30Z (already 12 January in Johannesburg): P9 B1 (Ann) R10.00, webhook and report agree.
    Settlement of 10 January: ZAR agrees; USD says 2 / $20.00 / $0.40 / $19.60 where the rows add up to
    2 / $21.00 / $0.42 / $20.58. Settlement of 11 January agrees.
    """
    world = World()
    world.customer("bcus_A", "CUS-A", "Ann Adams", "ZAR")
    world.customer("bcus_B", "CUS-B", "Ben Botha", "ZAR")
    world.customer("bcus_C", "CUS-C", "Cas Cele", "USD")
    world.account("bacc_A1", "bcus_A", "A-1", "ZAR")
    for bill_id, owner, currency, due in (
        ("B1", "bcus_A", "ZAR", 10000),
        ("B2", "bcus_B", "ZAR", 2500),
        ("B3", "bcus_C", "USD", 1000),
        ("B4", "bcus_B", "ZAR", 1500),
        ("B5", "bcus_B", "ZAR", 900),
    ):
        world.bill(f"bill_{bill_id}", owner, bill_id, currency, due)

    world.webhook("pay_1", "2027-01-10T09:00:00Z", 4000, "ZAR", bill="bill_B1", customer="bcus_A")
    world.webhook("pay_3", "2027-01-10T12:00:00Z", 1000, "USD", bill="bill_B3", customer="bcus_C")
    for event_id in ("evt_p4", "evt_p4", "evt_p4_again"):
        world.webhook(
            "pay_4", "2027-01-10T13:00:00Z", 700, "ZAR", account="bacc_A1", event_id=event_id
        )
    world.webhook("pay_5", "2027-01-10T15:00:00Z", 500, "ZAR", bill="bill_B1", customer="bcus_A")
    world.webhook("pay_7", "2027-01-10T16:00:00Z", 1500, "ZAR", bill="bill_B4", customer="bcus_B")
    world.webhook("pay_8", "2027-01-10T17:00:00Z", 900, "ZAR", bill="bill_B5", customer="bcus_B")
    world.webhook("pay_9", "2027-01-11T23:30:00Z", 1000, "ZAR", bill="bill_B1", customer="bcus_A")

    def row(number: int, at: str, amount: int, currency: str, **kwargs: Any) -> None:
        world.reported(number, at, amount, currency, **kwargs)

    row(1, "2027-01-10T09:00:01Z", 4000, "ZAR", payment_id="pay_1", obligation_id="bill_B1",
        reference="B1", customer_reference="CUS-A")  # fmt: skip
    row(2, "2027-01-10T11:00:01Z", 2500, "ZAR", payment_id="pay_2", obligation_id="bill_B2",
        reference="B2", customer_reference="CUS-B", channel="ebp")  # fmt: skip
    row(3, "2027-01-10T12:00:01Z", 1200, "USD", payment_id="pay_3", obligation_id="bill_B3",
        reference="B3", customer_reference="CUS-C")  # fmt: skip
    row(4, "2027-01-10T13:00:01Z", 700, "ZAR", payment_id="pay_4", obligation_id="bacc_A1",
        reference="A-1", customer_reference="CUS-A", channel="in_person")  # fmt: skip
    row(6, "2027-01-10T14:00:01Z", 300, "ZAR", payment_id="pay_ghost", obligation_id="bill_nobody",
        reference="GHOST-9", customer_reference=None)  # fmt: skip
    row(7, "2027-01-10T16:00:01Z", 1500, "ZAR", payment_id=None, obligation_id=None,
        reference="B4", customer_reference="CUS-B", channel="payment_request")  # fmt: skip
    row(8, "2027-01-10T17:00:01Z", 900, "USD", payment_id="pay_8", obligation_id="bill_B5",
        reference="B5", customer_reference="CUS-B")  # fmt: skip
    row(9, "2027-01-11T23:30:01Z", 1000, "ZAR", payment_id="pay_9", obligation_id="bill_B1",
        reference="B1", customer_reference="CUS-A")  # fmt: skip
    # The report of 10 January fetched again under a later name (Moment re-sent it): its rows count once.
    again = dict(world.recon[0], report_name=recon_name(dt.date(2027, 1, 10), dt.date(2027, 1, 12)))
    world.recon.append(again)

    world.settled(dt.date(2027, 1, 10), "ZAR", 5, 9000, 180, 8820)
    world.settled(dt.date(2027, 1, 10), "USD", 2, 2000, 40, 1960)
    world.settled(dt.date(2027, 1, 11), "ZAR", 1, 1000, 20, 980)
    return world
