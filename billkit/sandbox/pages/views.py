"""What the hosted page shows: a bill, an account or customer balance, or a payment request, turned into
the plain words and formatted amounts a payer reads. Refusals are worded by `domain.refusals`.

These functions read the objects they are given and nothing else: the routes look objects up and store
payments, the templates lay the words out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Literal

from babel.dates import format_date, format_datetime

from billkit.money import DEFAULT_LOCALE, format_money, to_major
from billkit.sandbox.domain import payment_requests as requests
from billkit.sandbox.domain.payments import ObligationKind, outstanding, smallest_payment

__all__ = [
    "PAYEE_NAME",
    "PageKind",
    "PayView",
    "Subject",
    "balance_view",
    "bill_view",
    "money",
    "obligation_kind",
    "payment_request_view",
    "receipt",
]

#: The merchant being paid. The sandbox stands in for one merchant, so its pages all name this payee.
PAYEE_NAME = "Sandbox Merchant"
PageKind = Literal["bill", "account", "customer", "payment_request"]
Tone = Literal["open", "paid", "closed"]


@dataclass(frozen=True, slots=True)
class Subject:
    """What a page is about, as stored: the object and the customer (and account) it belongs to."""

    kind: PageKind
    obj: dict[str, Any]
    customer: dict[str, Any] | None = None
    account: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class PayView:
    kind: PageKind
    id: str
    heading: str
    payee: str
    billed_to: str | None
    reference: str | None
    description: str | None
    currency: str
    #: (label, formatted amount) lines, the last being what is due now.
    lines: list[tuple[str, str]]
    due_label: str
    due: str | None
    status: str
    tone: Tone
    #: Why there is no pay form (None: there is one).
    closed_reason: str | None
    #: Payment requests are paid in full: the amount is fixed, not typed.
    fixed_amount: bool
    #: Pre-filled in the form, in major units (`20.00`).
    suggested_amount: str
    hint: str | None

    @property
    def payable(self) -> bool:
        return self.closed_reason is None


def _major_text(minor: int, currency: str) -> str:
    """`20.00`: what the form's amount field accepts (plain digits, never an exponent)."""
    value: Decimal = to_major(minor, currency)
    return format(value, "f")


def money(minor: int, currency: str) -> str:
    """An amount as the page writes it."""
    return format_money(minor, currency, DEFAULT_LOCALE)


def _long_date(iso_date: str) -> str:
    return format_date(date.fromisoformat(iso_date), format="long", locale=DEFAULT_LOCALE)


def _long_time(iso_time: str) -> str:
    moment = datetime.fromisoformat(iso_time).astimezone(UTC)
    shown = format_datetime(moment, "d MMMM y, HH:mm", tzinfo=UTC, locale=DEFAULT_LOCALE)
    return f"{shown} UTC"


def _hint(rules: Mapping[str, Any], owed: int, currency: str) -> str:
    high = rules["max_amount"] if rules["overpayment_allowed"] else min(rules["max_amount"], owed)
    low = smallest_payment(rules, owed)
    if not rules["underpayment_allowed"]:
        low = max(low, owed)
    if low >= high:
        return f"Pay {money(high, currency)}."
    return f"Pay any amount from {money(low, currency)} to {money(high, currency)}."


def _owner_name(subject: Subject) -> str | None:
    names = [
        part.get("name")
        for part in (subject.customer, subject.account)
        if part is not None and part.get("name")
    ]
    return " · ".join(str(name) for name in names) or None


_BILL_STATES: dict[str, tuple[str, Tone, str | None]] = {
    "paid": ("Paid", "paid", "This bill is paid in full. Thank you."),
    "voided": ("Cancelled", "closed", "This bill was cancelled and can no longer be paid."),
}
_REQUEST_STATES: dict[str, tuple[Tone, str | None]] = {
    "active": ("open", None),
    "paid": ("paid", "This payment request has been paid. Thank you."),
    "expired": ("closed", "This payment request has expired. Ask the sender for a new link."),
}


def obligation_kind(kind: PageKind) -> ObligationKind:
    """The billing obligation a page's subject is (a payment request is none)."""
    if kind == "payment_request":
        raise ValueError("a payment request is not a billing obligation")
    return kind


def bill_view(subject: Subject) -> PayView:
    bill = subject.obj
    currency: str = bill["currency"]
    remaining: int = bill["amount_remaining"]
    rules = bill.get("payment_rules")
    unpaid: tuple[str, Tone, str | None] = (
        "Part paid" if bill["amount_paid"] else "Unpaid",
        "open",
        None,
    )
    status, tone, closed = _BILL_STATES.get(bill["status"], unpaid)
    if closed is None and rules is None:
        closed = "This bill cannot be paid online."
    return PayView(
        kind="bill",
        id=bill["id"],
        heading=f"Bill {bill['external_reference']}",
        payee=PAYEE_NAME,
        billed_to=_owner_name(subject),
        reference=bill["external_reference"],
        description=None,
        currency=currency,
        lines=[
            ("Amount due", money(bill["amount_due"], currency)),
            ("Paid so far", money(bill["amount_paid"], currency)),
            ("Left to pay", money(remaining, currency)),
        ],
        due_label="Due date",
        due=_long_date(bill["due_date"]) if "due_date" in bill else None,
        status=status,
        tone=tone,
        closed_reason=closed,
        fixed_amount=False,
        suggested_amount=_major_text(remaining, currency),
        hint=_hint(rules, remaining, currency) if rules and closed is None else None,
    )


def balance_view(subject: Subject) -> PayView:
    """An account's or a customer's balance: positive is owed, negative is credit held for the payer."""
    kind = obligation_kind(subject.kind)
    entity = subject.obj
    rules = entity.get("payment_rules")
    currency: str = entity.get("currency") or "ZAR"
    balance: int = entity.get("balance", 0)
    owed = outstanding(kind, entity)
    closed: str | None = None
    tone: Tone
    if rules is None or "balance" not in entity:
        status, tone = "No balance", "closed"
        closed = f"This {kind} has no balance to pay online."
    elif balance > 0:
        status, tone = "Balance due", "open"
    else:
        status, tone = ("In credit" if balance < 0 else "Nothing due"), "paid"
        if not rules["overpayment_allowed"]:
            closed = "Nothing is due right now. Thank you."
    balance_label = "Credit" if balance < 0 else "Balance due"
    return PayView(
        kind=subject.kind,
        id=entity["id"],
        heading=f"{'Account' if kind == 'account' else 'Customer'} {entity['external_reference']}",
        payee=PAYEE_NAME,
        billed_to=_owner_name(subject),
        reference=entity["external_reference"],
        description=None,
        currency=currency,
        lines=[(balance_label, money(abs(balance), currency))],
        due_label="Due date",
        due=None,
        status=status,
        tone=tone,
        closed_reason=closed,
        fixed_amount=False,
        suggested_amount=_major_text(owed, currency) if owed else "",
        hint=_hint(rules, owed, currency) if rules and closed is None else None,
    )


def payment_request_view(subject: Subject, *, now: float) -> PayView:
    request = requests.as_of(subject.obj, now)
    currency: str = request["currency"]
    status = request["status"]
    tone, closed = _REQUEST_STATES[status]
    return PayView(
        kind="payment_request",
        id=request["id"],
        heading="Payment request",
        payee=PAYEE_NAME,
        billed_to=None,
        reference=request.get("external_reference"),
        description=request.get("description"),
        currency=currency,
        lines=[("Amount", money(request["amount"], currency))],
        due_label="Pay by",
        due=_long_time(request["expires_at"]) if "expires_at" in request else None,
        status=status.capitalize(),
        tone=tone,
        closed_reason=closed,
        fixed_amount=True,
        suggested_amount=_major_text(request["amount"], currency),
        hint="This request is paid in full, in one payment." if closed is None else None,
    )


def receipt(view: PayView, payment: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """What the receipt shows, kept as plain text so a second submission shows the very same receipt."""
    currency: str = payment["currency"]
    if view.kind == "bill":
        left = ("Left to pay", money(after["amount_remaining"], currency))
    elif view.kind == "payment_request":
        left = ("Request", "Paid in full")
    else:
        balance: int = after["balance"]
        left = ("Credit" if balance < 0 else "Balance due", money(abs(balance), currency))
    return {
        "heading": view.heading,
        "payee": view.payee,
        "billed_to": view.billed_to,
        "reference": view.reference,
        "payment_id": payment["id"],
        "amount": money(payment["amount"], currency),
        "paid_at": _long_time(payment["created_at"]),
        "left": list(left),
    }
