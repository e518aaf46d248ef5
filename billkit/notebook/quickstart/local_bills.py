"""A merchant's own record of its bills, updated from `obligation.amount_applied` webhooks.

Step 5 of the Bill Amount Due quickstart: when a payment lands, Moment sends the event; the merchant finds
its bill from `data.account_id` (or `data.customer_id` for a bill raised directly on a customer; `data.bill_id`
when present pins the exact bill) and adds `data.amount` to what it has recorded as paid. Webhooks arrive
at least once and in no set order, so the record skips an event id it has already applied.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from billkit.client import Bill

__all__ = ["LocalBill", "LocalBillBook"]

LocalStatus = Literal["unpaid", "partially paid", "paid"]


@dataclass
class LocalBill:
    """One bill as the merchant's own system knows it."""

    bill_id: str
    customer_id: str
    account_id: str | None
    currency: str
    amount_due: int
    amount_paid: int = 0
    applied_events: list[str] = field(default_factory=list)

    @property
    def status(self) -> LocalStatus:
        if self.amount_paid >= self.amount_due:
            return "paid"
        return "partially paid" if self.amount_paid else "unpaid"


class LocalBillBook:
    """The merchant's bills by id; `apply(event)` is what a webhook handler calls after verifying."""

    def __init__(self) -> None:
        self._bills: dict[str, LocalBill] = {}
        self._applied: set[str] = set()
        self.unmatched: list[Mapping[str, Any]] = []

    def add(self, bill: Bill) -> LocalBill:
        """Start tracking a bill Moment created (what a merchant stores after step 3)."""
        local = LocalBill(
            bill_id=bill.id,
            customer_id=bill.customer_id,
            account_id=bill.account_id,
            currency=bill.currency,
            amount_due=bill.amount_due,
            amount_paid=bill.amount_paid,
        )
        self._bills[bill.id] = local
        return local

    def get(self, bill_id: str) -> LocalBill:
        return self._bills[bill_id]

    def apply(self, event: Mapping[str, Any] | Any) -> LocalBill | None:
        """Apply one verified `obligation.amount_applied` event; returns the bill it updated.

        An event id seen before changes nothing (deliveries repeat). An event that matches no tracked bill
        is kept in `unmatched` for a person to look at, and None is returned.
        """
        body: Mapping[str, Any] = event if isinstance(event, Mapping) else event.to_dict()
        if body.get("type") != "obligation.amount_applied":
            return None
        event_id = str(body["id"])
        data: Mapping[str, Any] = body["data"]
        if event_id in self._applied:
            return self._find(data)
        bill = self._find(data)
        if bill is None:
            self.unmatched.append(body)
            return None
        if data.get("currency") != bill.currency:
            self.unmatched.append(body)
            return None
        bill.amount_paid += int(data["amount"])
        bill.applied_events.append(event_id)
        self._applied.add(event_id)
        return bill

    def rows(self) -> list[dict[str, Any]]:
        """One plain dict per bill, for a table."""
        return [
            {
                "bill_id": bill.bill_id,
                "account_id": bill.account_id,
                "customer_id": bill.customer_id,
                "currency": bill.currency,
                "amount_due": bill.amount_due,
                "amount_paid": bill.amount_paid,
                "status": bill.status,
                "events": len(bill.applied_events),
            }
            for bill in self._bills.values()
        ]

    def _find(self, data: Mapping[str, Any]) -> LocalBill | None:
        bill_id = data.get("bill_id")
        if bill_id in self._bills:
            return self._bills[str(bill_id)]
        # Without a bill id: the oldest bill of that account (or, for bills raised directly on a customer,
        # of that customer) that is not yet paid in full.
        account_id, customer_id = data.get("account_id"), data.get("customer_id")
        for bill in self._bills.values():
            if bill.status == "paid":
                continue
            if account_id is not None and bill.account_id == account_id:
                return bill
            if account_id is None and bill.account_id is None and bill.customer_id == customer_id:
                return bill
        return None
