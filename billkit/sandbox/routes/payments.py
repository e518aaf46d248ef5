"""`POST /_sandbox/payments`: pay a bill, an account balance, a customer balance or a payment request as a
payer would."""

from __future__ import annotations

from typing import Any

from billkit.sandbox.domain.payments import PaymentIds, PaymentIntent, apply_payment
from billkit.sandbox.http.endpoint import Endpoint, Idempotency, RequestContext
from billkit.sandbox.ids import new_id
from billkit.sandbox.payment_requests import find_payment_request, pay_payment_request
from billkit.sandbox.problems import ApiError, FieldProblem
from billkit.sandbox.routes.lookup import find_or_404
from billkit.sandbox.schemas.sandbox import PAYMENT_TARGETS, Payment, PaymentCreate
from billkit.sandbox.validation import BodyParser

__all__ = ["ENDPOINTS", "new_payment_ids"]


def new_payment_ids() -> PaymentIds:
    return PaymentIds(new_id("pay_"), new_id("ob_"), new_id("evt_"))


def create_payment(context: RequestContext) -> dict[str, Any]:
    store, body = context.store, context.body
    named = [target for target in (*PAYMENT_TARGETS, "payment_request") if target in body]
    if len(named) != 1:
        message = "give exactly one of bill, account, customer or payment_request"
        raise ApiError(
            400,
            f"A payment is applied to exactly one obligation: {message}",
            errors=[FieldProblem(target, message) for target in (named or PAYMENT_TARGETS)],
        )
    intent = PaymentIntent(
        amount=body["amount"],
        channel=body.get("channel", "api"),
        currency=body.get("currency"),
        metadata=body.get("metadata", {}),
    )
    if "payment_request" in body:
        request = find_payment_request(store, body["payment_request"], field="payment_request")
        paid = pay_payment_request(store, request, intent, now=context.now)
        if paid.delivery_queued:
            context.after_commit.append(context.runtime.outbox_signal.notify)
        return paid.payment
    kind = next(target for target in PAYMENT_TARGETS if target in body)
    obligation = find_or_404(store, kind, body[kind], field=kind)
    applied = apply_payment(kind, obligation, intent, ids=new_payment_ids(), now=context.now_iso())
    if store.record_payment(applied, now=context.now):
        context.after_commit.append(context.runtime.outbox_signal.notify)
    return applied.payment


ENDPOINTS = (
    Endpoint(
        "POST",
        "/_sandbox/payments",
        create_payment,
        "Apply a payment to a bill, an account balance or a customer balance",
        "sandbox",
        201,
        Payment,
        idempotency=Idempotency.REQUIRED,
        body=BodyParser(PaymentCreate),
        errors=(404, 422),
        description="Checked against the obligation's payment_rules; emits obligation.amount_applied. "
        "A payment request is paid in full only, and emits payment_request.paid.",
    ),
)
