"""What a payment refusal says, in one place: the API's words (problem+json `detail`) and the payer's
words (the hosted page), for each machine-readable code a payment check can raise.

    raise refusal("amount_below_minimum", field="amount", name=..., amount=..., min_amount=...,
                  max_amount=..., owed=..., currency=...)

Amount facts are minor units: the API states them as such, the page as money (`format_money`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from billkit.sandbox.domain.errors import RuleViolation

__all__ = ["MONEY_FACTS", "payer_words", "refusal"]

#: Facts that are amounts in minor units of the fact `currency`.
MONEY_FACTS = ("amount", "min_amount", "max_amount", "owed", "limit")

#: code -> (the API's words, the payer's words); both str.format templates over the violation's facts.
_WORDS: dict[str, tuple[str, str]] = {
    "bill_voided": (
        "{name} is voided and cannot be paid",
        "This bill was cancelled and can no longer be paid.",
    ),
    "no_payment_rules": (
        "{name} has no payment_rules (it tracks no balance), so it cannot be paid against",
        "This {kind} cannot be paid online.",
    ),
    "currency_mismatch": (
        "the payment's currency {paid_currency} differs from {name}'s currency {currency}",
        "This is paid in {currency} only.",
    ),
    "amount_below_minimum": (
        "amount {amount} is outside {name}'s payment_rules: from {min_amount} to {max_amount}",
        "The smallest payment accepted is {min_amount}.",
    ),
    "amount_above_maximum": (
        "amount {amount} is outside {name}'s payment_rules: from {min_amount} to {max_amount}",
        "The most you can pay at once is {max_amount}.",
    ),
    "overpayment": (
        "amount {amount} is more than the {owed} outstanding on {name}, "
        "and its payment_rules do not allow overpayment",
        "That is more than the {owed} due. Enter {owed} or less.",
    ),
    "underpayment": (
        "amount {amount} is less than the {owed} outstanding on {name}, "
        "and its payment_rules do not allow underpayment",
        "Please pay the full {owed}.",
    ),
    "balance_limit": (
        "the payment would take {name}'s balance below -{limit}",
        "The most you can pay at once is {max_amount}.",
    ),
    "request_paid": ("{name} is already paid", "This payment request has been paid. Thank you."),
    "request_expired": (
        "{name} expired at {expires_at}: the payer needs a new request",
        "This payment request has expired. Ask the sender for a new link.",
    ),
    "request_currency_mismatch": (
        "the payment's currency {paid_currency} differs from {name}'s currency {currency}",
        "This request must be paid in full: {owed}.",
    ),
    "request_not_full_amount": (
        "{name} accepts full payment only: the amount must be {owed}, not {amount}",
        "This request must be paid in full: {owed}.",
    ),
}


def refusal(code: str, *, field: str | None = None, **facts: Any) -> RuleViolation:
    """The violation for `code`, worded for the API from `facts`."""
    api_words, _ = _WORDS[code]
    return RuleViolation(api_words.format(**facts), code=code, field=field, facts=facts)


def payer_words(violation: RuleViolation, money: Callable[[int, str], str]) -> str:
    """What the hosted page says about `violation`: amounts as `money(minor, currency)` formats them."""
    words = _WORDS.get(violation.code)
    if words is None:
        return f"This payment could not be made: {violation.message}."
    facts: Mapping[str, Any] = violation.facts
    currency = facts.get("currency")
    # Refusals raised before the currency is looked at (a voided bill) state no amounts to format.
    shown = {
        name: money(value, currency)
        if currency and name in MONEY_FACTS and isinstance(value, int)
        else value
        for name, value in facts.items()
    }
    if violation.code == "amount_above_maximum" and facts.get("amount", 0) > facts.get("owed", 0):
        return _WORDS["overpayment"][1].format(**shown)  # the bound the payer meets is what is due
    return words[1].format(**shown)
