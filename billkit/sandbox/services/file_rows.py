"""Applying one checked row of a billing file (contract §9) through the billing services.

A row creates its customer, or updates the name, email and phone of the one with its external_reference;
then it creates its bill on that customer, or gives the existing unpaid bill its new amount_due and
due_date. A row identical to what is stored changes nothing (`unchanged`). The caller runs each row in a
savepoint, so a row that is refused leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from billkit.billfiles.rows import BillRow
from billkit.sandbox.domain.errors import RuleViolation
from billkit.sandbox.services import billing
from billkit.sandbox.store import Store

__all__ = ["AppliedRow", "RowStatus", "apply_file_row"]

RowStatus = Literal["created", "updated", "unchanged"]


@dataclass(frozen=True, slots=True)
class AppliedRow:
    status: RowStatus
    customer_id: str
    bill_id: str


def apply_file_row(store: Store, row: BillRow, *, now: float) -> AppliedRow:
    """Apply `row`; the domain's refusals (`RuleViolation`, `NotFound`, ...) say why one cannot be."""
    customer, customer_changed = _customer(store, row, now=now)
    bill = store.bills.find_by_reference(row.bill_reference)
    if bill is None:
        fields: dict[str, Any] = {
            "external_reference": row.bill_reference,
            "currency": row.currency,
            "amount_due": row.amount_due,
            "customer": customer["id"],
        }
        if row.due_date is not None:
            fields["due_date"] = row.due_date
        if row.metadata:
            fields["metadata"] = row.metadata
        created = billing.create_bill(store, fields, now=now).object
        return AppliedRow("created", customer["id"], created["id"])
    if bill["customer_id"] != customer["id"]:
        raise RuleViolation(
            f"bill {bill['id']} belongs to customer {bill['customer_id']}, not {customer['id']}",
            code="file_bill_other_customer",
            field="bill_reference",
        )
    if bill["currency"] != row.currency:
        raise RuleViolation(
            f"bill {bill['id']} is in {bill['currency']}; a file cannot change its currency",
            code="file_currency_change",
            field="currency",
        )
    due_date = None if row.due_date is None else row.due_date.isoformat()
    if bill["amount_due"] != row.amount_due or (
        due_date is not None and bill.get("due_date") != due_date
    ):
        billing.revise_bill(
            store, bill["id"], amount_due=row.amount_due, due_date=row.due_date, now=now
        )
        return AppliedRow("updated", customer["id"], bill["id"])
    return AppliedRow("updated" if customer_changed else "unchanged", customer["id"], bill["id"])


def _customer(store: Store, row: BillRow, *, now: float) -> tuple[dict[str, Any], bool]:
    """The row's customer, created or updated as needed, and whether it changed."""
    wanted = {
        name: value
        for name, value in (("name", row.name), ("email", row.email), ("phone", row.phone))
        if value is not None
    }
    customer = store.customers.find_by_reference(row.external_reference)
    if customer is None:
        fields: dict[str, Any] = {"external_reference": row.external_reference, **wanted}
        if row.identity:
            fields["metadata"] = row.identity
        return billing.create_customer(store, fields, now=now).object, True
    changes = {name: value for name, value in wanted.items() if customer.get(name) != value}
    if not changes:
        return customer, False
    return billing.update_customer(store, customer["id"], changes, now=now).object, True
