"""What a payment does (contract §4): the checks against payment_rules, the effect on the obligation, the
payment record and the `obligation.amount_applied` event.

`apply_payment` is the one function every way of paying goes through: `POST /_sandbox/payments`, a paid
payment request and the hosted bill page. It is pure: the caller looks the obligation up, passes fresh IDs
and the sandbox clock's time, and stores the `AppliedPayment` it gets back in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from billkit.sandbox.domain.limits import MAX_MINOR_UNITS
from billkit.sandbox.domain.objects import (
    Currency,
    Event,
    ObligationAmountApplied,
    ObligationType,
    Payment,
    PaymentChannel,
)
from billkit.sandbox.domain.refusals import refusal

__all__ = [
    "AMOUNT_APPLIED",
    "DEFAULT_PAYMENT_METHOD",
    "AppliedPayment",
    "ObligationKind",
    "PaymentIds",
    "PaymentIntent",
    "PaymentOutcome",
    "apply_payment",
    "outstanding",
    "smallest_payment",
]

ObligationKind = ObligationType
AMOUNT_APPLIED: Final = "obligation.amount_applied"
#: How a payment was paid when nobody says (the hosted page, payment requests): contract §10.
DEFAULT_PAYMENT_METHOD: Final = "Card"


@dataclass(frozen=True, slots=True)
class PaymentIntent:
    """What the payer offers: `amount` in minor units, optionally the `currency` they expect to pay in.
    `payment_method` and `payment_method_tender` are what the reports show it was paid with (§10)."""

    amount: int
    channel: PaymentChannel = "api"
    currency: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    payment_method: str = DEFAULT_PAYMENT_METHOD
    payment_method_tender: str = DEFAULT_PAYMENT_METHOD


@dataclass(frozen=True, slots=True)
class PaymentIds:
    payment_id: str
    application_id: str
    event_id: str


@dataclass(frozen=True, slots=True)
class AppliedPayment:
    """The obligation after the payment, the payment record and the event, ready to store together."""

    kind: ObligationKind
    obligation: dict[str, Any]
    payment: dict[str, Any]
    event: dict[str, Any]


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    """What a stored payment left: the payment record, and the object paid as it stands after it."""

    payment: dict[str, Any]
    paid: dict[str, Any]


def outstanding(kind: ObligationKind, obligation: Mapping[str, Any]) -> int:
    """What is still owed: a bill's amount_remaining, or a positive balance (a credit owes nothing)."""
    if kind == "bill":
        remaining: int = obligation["amount_remaining"]
        return remaining
    return max(int(obligation.get("balance", 0)), 0)


def smallest_payment(rules: Mapping[str, Any], owed: int) -> int:
    """`min(min_amount, outstanding)` (contract §4): the last part of a bill, however small, can be paid."""
    return min(int(rules["min_amount"]), owed)


def apply_payment(
    kind: ObligationKind,
    obligation: Mapping[str, Any],
    intent: PaymentIntent,
    *,
    ids: PaymentIds,
    now: str,
) -> AppliedPayment:
    """Check `intent` against the obligation's rules, then apply it; a refusal changes nothing."""
    currency = _check(kind, obligation, intent)
    updated = dict(obligation)
    if kind == "bill":
        updated["amount_paid"] = obligation["amount_paid"] + intent.amount
        updated["amount_remaining"] = max(obligation["amount_due"] - updated["amount_paid"], 0)
        if updated["amount_remaining"] == 0:
            updated["status"] = "paid"
    else:
        updated["balance"] = obligation["balance"] - intent.amount
    payment: Payment = {
        "id": ids.payment_id,
        "amount": intent.amount,
        "currency": currency,
        "channel": intent.channel,
        "payment_method": intent.payment_method,
        "payment_method_tender": intent.payment_method_tender,
        "status": "succeeded",
        "obligation": {"type": kind, "id": obligation["id"]},
        "application_id": ids.application_id,
        "event_id": ids.event_id,
        "created_at": now,
    }
    applied: ObligationAmountApplied = {
        "id": ids.application_id,
        "amount": intent.amount,
        "currency": currency,
        "payment_id": ids.payment_id,
        **_obligation_ids(kind, obligation),  # type: ignore[typeddict-item]
        "metadata": dict(intent.metadata),
        "created_at": now,
        "updated_at": now,
    }
    event: Event = {"id": ids.event_id, "type": AMOUNT_APPLIED, "data": applied}
    return AppliedPayment(kind, updated, dict(payment), dict(event))


def _check(kind: ObligationKind, obligation: Mapping[str, Any], intent: PaymentIntent) -> Currency:
    """Every rule of contract §4; returns the currency the payment is made in."""
    name = f"{kind} {obligation['id']}"
    facts: dict[str, Any] = {"name": name, "kind": kind, "amount": intent.amount}
    if kind == "bill" and obligation["status"] == "voided":
        raise refusal("bill_voided", field="bill", **facts)
    rules = obligation.get("payment_rules")
    if rules is None:
        raise refusal("no_payment_rules", field=kind, **facts)
    currency: Currency = obligation["currency"]
    owed = outstanding(kind, obligation)
    facts.update(
        currency=currency,
        owed=owed,
        min_amount=smallest_payment(rules, owed),
        max_amount=rules["max_amount"],
    )
    if intent.currency is not None and intent.currency != currency:
        raise refusal("currency_mismatch", field="currency", paid_currency=intent.currency, **facts)
    amount = intent.amount
    if amount < facts["min_amount"]:
        raise refusal("amount_below_minimum", field="amount", **facts)
    if amount > rules["max_amount"]:
        raise refusal("amount_above_maximum", field="amount", **facts)
    if not rules["overpayment_allowed"] and amount > owed:
        raise refusal("overpayment", field="amount", **facts)
    if not rules["underpayment_allowed"] and amount < owed:
        raise refusal("underpayment", field="amount", **facts)
    if kind != "bill" and obligation["balance"] - amount < -MAX_MINOR_UNITS:
        raise refusal("balance_limit", field="amount", limit=MAX_MINOR_UNITS, **facts)
    return currency


def _obligation_ids(kind: ObligationKind, obligation: Mapping[str, Any]) -> dict[str, str]:
    """bill on an account: bill_id + account_id; bill on a customer: bill_id + customer_id; else the one paid."""
    if kind == "bill":
        parent = (
            {"account_id": obligation["account_id"]}
            if "account_id" in obligation
            else {"customer_id": obligation["customer_id"]}
        )
        return {"bill_id": obligation["id"], **parent}
    return {f"{kind}_id": obligation["id"]}
