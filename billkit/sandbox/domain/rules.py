"""Default payment_rules (contract §2): what may be paid against a bill, an account or a customer."""

from __future__ import annotations

from typing import Any

from billkit.sandbox.domain.limits import MAX_MINOR_UNITS

__all__ = ["BALANCE_MIN_AMOUNT", "balance_payment_rules", "bill_payment_rules"]

BALANCE_MIN_AMOUNT = 100


def balance_payment_rules() -> dict[str, Any]:
    """Rules of a customer or account that tracks a balance."""
    return {
        "min_amount": BALANCE_MIN_AMOUNT,
        "max_amount": MAX_MINOR_UNITS,
        "underpayment_allowed": True,
        "overpayment_allowed": False,
    }


def bill_payment_rules(amount_due: int) -> dict[str, Any]:
    return {
        "min_amount": min(BALANCE_MIN_AMOUNT, amount_due),
        "max_amount": amount_due,
        "underpayment_allowed": True,
        "overpayment_allowed": False,
    }
