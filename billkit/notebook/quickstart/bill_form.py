"""What the create-and-pay form does, as plain functions: validate what a person typed, create the bill,
pay it, and render the webhook feed. The widgets in `widgets.py` only read fields and call these, so a
papermill run and the tests exercise exactly what a click does.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from billkit.client import Bill, Client, NewCustomer, SandboxPayment
from billkit.errors import InvalidArgumentError, NotFoundError
from billkit.money import format_money, to_minor

__all__ = [
    "CURRENCIES",
    "BillFormError",
    "BillFormValues",
    "BillRequest",
    "create_test_bill",
    "feed_rows",
    "pay_bill",
    "render_feed",
    "validate_form",
]

#: The currencies Moment supports (and the sandbox with it).
CURRENCIES = ("ZAR", "USD")
_MAX_MINOR = 99_999_999
_MAX_TEXT = 255
_REFERENCE = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class BillFormValues:
    """The form's fields as a person filled them in; `amount` is text in major units (`"150.00"`)."""

    customer_reference: str
    customer_name: str
    amount: str
    currency: str
    bill_date: date | None = None
    due_date: date | None = None


@dataclass(frozen=True)
class BillRequest:
    """Form values that passed every check, with the amount in minor units."""

    customer_reference: str
    customer_name: str | None
    amount_due: int
    currency: str
    bill_date: date | None
    due_date: date | None


class BillFormError(InvalidArgumentError):
    """The form cannot become a bill; `problems` maps each field to what is wrong with it."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        self.problems = dict(problems)
        listed = "; ".join(f"{field.replace('_', ' ')}: {text}" for field, text in problems.items())
        super().__init__(f"The bill form needs fixing: {listed}")


def validate_form(values: BillFormValues) -> BillRequest:
    """Check every field and convert the amount to minor units; raise `BillFormError` with all problems."""
    problems: dict[str, str] = {}
    reference = values.customer_reference.strip()
    if not reference:
        problems["customer_reference"] = "is required (your own ID for the customer, e.g. UCR-1001)"
    elif len(reference) > _MAX_TEXT or not _REFERENCE.match(reference):
        problems["customer_reference"] = (
            f"{reference!r} may hold only letters, digits, '_' and '-' (up to {_MAX_TEXT})"
        )
    name = values.customer_name.strip()
    if len(name) > _MAX_TEXT:
        problems["customer_name"] = f"is {len(name)} characters long; the limit is {_MAX_TEXT}"
    currency = values.currency.strip().upper()
    amount_due = 0
    if currency not in CURRENCIES:
        problems["currency"] = (
            f"{values.currency!r} is not supported; choose {' or '.join(CURRENCIES)}"
        )
    else:
        try:
            amount_due = to_minor(values.amount.strip(), currency)
        except ValueError as error:
            # money's message starts "amount '12.345' ..."; the field's label already says "amount"
            problems["amount"] = str(error).removeprefix("amount ")
        else:
            if not 1 <= amount_due <= _MAX_MINOR:
                problems["amount"] = (
                    f"{values.amount.strip()!r} is out of range: from "
                    f"{format_money(1, currency)} to {format_money(_MAX_MINOR, currency)}"
                )
    if values.bill_date and values.due_date and values.due_date < values.bill_date:
        problems["due_date"] = (
            f"{values.due_date.isoformat()} is before the bill date {values.bill_date.isoformat()}"
        )
    if problems:
        raise BillFormError(problems)
    return BillRequest(
        customer_reference=reference,
        customer_name=name or None,
        amount_due=amount_due,
        currency=currency,
        bill_date=values.bill_date,
        due_date=values.due_date,
    )


def create_test_bill(client: Client, values: BillFormValues) -> Bill:
    """Validate the form and create the bill: on the existing customer with that reference, or together
    with a new customer (one composite request) the first time the reference is used."""
    request = validate_form(values)
    dates: dict[str, Any] = {}
    if request.bill_date is not None:
        dates["bill_date"] = request.bill_date
    if request.due_date is not None:
        dates["due_date"] = request.due_date
    reference = f"BILL-{uuid.uuid4().hex[:12].upper()}"
    try:
        existing = client.customers.retrieve(request.customer_reference)
    except NotFoundError:
        new_customer = NewCustomer(
            request.customer_reference, name=request.customer_name, currency=request.currency
        )
        return client.bills.create(
            external_reference=reference,
            currency=request.currency,
            amount_due=request.amount_due,
            customer=new_customer,
            **dates,
        )
    if existing.currency is not None and existing.currency != request.currency:
        raise BillFormError(
            {
                "currency": f"customer {request.customer_reference} is billed in {existing.currency}; "
                f"pick {existing.currency} or another customer reference"
            }
        )
    return client.bills.create(
        external_reference=reference,
        currency=request.currency,
        amount_due=request.amount_due,
        customer=existing.id,
        **dates,
    )


def pay_bill(client: Client, bill: Bill, amount: int | None = None) -> SandboxPayment:
    """Pay `bill` as a payer would on the sandbox (`amount` in minor units; default: what remains)."""
    current = client.bills.retrieve(bill.id)
    if current.status != "unpaid":
        raise InvalidArgumentError(f"bill {bill.id} is {current.status}: there is nothing to pay")
    to_pay = current.amount_remaining if amount is None else amount
    return client.sandbox.payments.create(bill=bill.id, amount=to_pay, channel="api")


@dataclass(frozen=True)
class FeedRow:
    """One line of the webhook feed, ready to show."""

    event_id: str
    type: str
    obligation: str
    amount: str
    payment_id: str


def feed_rows(events: Iterable[Mapping[str, Any] | Any]) -> list[FeedRow]:
    """Rows for the feed from events (dicts as delivered, or typed events with `to_dict()`), newest first
    as given."""
    rows = []
    for event in events:
        body: Mapping[str, Any] = event if isinstance(event, Mapping) else event.to_dict()
        data: Mapping[str, Any] = body.get("data") or {}
        obligation = next(
            (str(data[key]) for key in ("bill_id", "account_id", "customer_id") if data.get(key)),
            str(data.get("id", "")),
        )
        amount, currency = data.get("amount"), data.get("currency")
        shown = (
            format_money(amount, currency)
            if isinstance(amount, int) and isinstance(currency, str)
            else ""
        )
        rows.append(
            FeedRow(
                event_id=str(body.get("id", "")),
                type=str(body.get("type", "")),
                obligation=obligation,
                amount=shown,
                payment_id=str(data.get("payment_id", "")),
            )
        )
    return rows


def render_feed(rows: Iterable[FeedRow]) -> str:
    """The feed as an HTML table; every value is escaped."""
    listed = list(rows)
    if not listed:
        return "<p><em>No webhooks received yet. Create a bill and pay it.</em></p>"
    header = "".join(
        f"<th>{title}</th>" for title in ("Event", "Type", "Obligation", "Amount", "Payment")
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(value)}</td>"
            for value in (row.event_id, row.type, row.obligation, row.amount, row.payment_id)
        )
        + "</tr>"
        for row in listed
    )
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"
