"""Applying a payment: the one way money reaches a bill, an account or customer balance, or a payment
request, whichever door it comes through (`POST /_sandbox/payments`, the hosted page, a payment request's
link, a file row). Checked against the rules of contract §4 by `domain.payments`; a refusal writes nothing.
"""

from __future__ import annotations

from typing import Literal

from billkit.sandbox.clock import iso_utc
from billkit.sandbox.domain.payments import (
    PaymentIds,
    PaymentIntent,
    PaymentOutcome,
    apply_payment,
)
from billkit.sandbox.ids import new_id
from billkit.sandbox.services import payment_requests
from billkit.sandbox.services.lookup import find, find_payment_request
from billkit.sandbox.store import Store

__all__ = ["PaymentOutcome", "PaymentTarget", "new_payment_ids", "pay"]

#: What a payment can be made to.
PaymentTarget = Literal["bill", "account", "customer", "payment_request"]


def new_payment_ids() -> PaymentIds:
    return PaymentIds(new_id("pay_"), new_id("ob_"), new_id("evt_"))


def pay(
    store: Store,
    target: PaymentTarget,
    reference: str,
    intent: PaymentIntent,
    *,
    now: float,
    field: str | None = None,
) -> PaymentOutcome:
    """Pay the `target` that `reference` names (inside the caller's transaction); `field` is blamed when
    the reference names nothing. Writes the obligation, the payment, its event and webhook delivery."""
    if target == "payment_request":
        request = find_payment_request(store, reference, field=field)
        return payment_requests.pay(store, request, intent, now=now)
    obligation = find(store, target, reference, field=field)
    applied = apply_payment(target, obligation, intent, ids=new_payment_ids(), now=iso_utc(now))
    store.record_payment(applied, now=now)
    return PaymentOutcome(applied.payment, applied.obligation)
