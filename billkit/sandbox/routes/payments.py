"""`POST /_sandbox/payments`: pay a bill, an account balance, a customer balance or a payment request as a
payer would (through `services.payments`, as every door does)."""

from __future__ import annotations

from typing import Any

from billkit.sandbox.domain.payments import DEFAULT_PAYMENT_METHOD, PaymentIntent
from billkit.sandbox.http.endpoint import REQUIRED, RequestContext, Routes
from billkit.sandbox.http.problems import ApiError, FieldProblem
from billkit.sandbox.schemas.sandbox import PAYMENT_TARGETS, Payment, PaymentCreate
from billkit.sandbox.services import payments

__all__ = ["routes"]

routes = Routes(tag="sandbox")

_TARGETS: tuple[payments.PaymentTarget, ...] = (*PAYMENT_TARGETS, "payment_request")


@routes.post(
    "/_sandbox/payments",
    body=PaymentCreate,
    response=Payment,
    idempotency=REQUIRED,
    errors=(404, 422),
    description="Checked against the obligation's payment_rules; emits obligation.amount_applied. "
    "A payment request is paid in full only, and emits payment_request.paid. payment_method (default "
    "Card) and payment_method_tender (default: the payment_method) are what the reports show.",
)
def create_payment(context: RequestContext) -> dict[str, Any]:
    """Apply a payment to a bill, an account balance or a customer balance"""
    body = context.body
    named = [target for target in _TARGETS if target in body]
    if len(named) != 1:
        message = "give exactly one of bill, account, customer or payment_request"
        raise ApiError(
            400,
            f"A payment is applied to exactly one obligation: {message}",
            errors=[FieldProblem(target, message) for target in (named or PAYMENT_TARGETS)],
        )
    method = body.get("payment_method", DEFAULT_PAYMENT_METHOD)
    intent = PaymentIntent(
        amount=body["amount"],
        channel=body.get("channel", "api"),
        currency=body.get("currency"),
        metadata=body.get("metadata", {}),
        payment_method=method,
        payment_method_tender=body.get("payment_method_tender", method),
    )
    (target,) = named
    paid = payments.pay(context.store, target, body[target], intent, now=context.now, field=target)
    return paid.payment
