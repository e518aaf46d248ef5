"""`POST`, `GET` and `PATCH /collect/payment_requests` (contract §8); the rules are in
`services.payment_requests`."""

from __future__ import annotations

from typing import Any

from billkit.sandbox.http.endpoint import Endpoint, Idempotency, RequestContext
from billkit.sandbox.schemas.payment_requests import (
    PaymentRequest,
    PaymentRequestCreate,
    PaymentRequestUpdate,
)
from billkit.sandbox.services import payment_requests
from billkit.sandbox.validation import BodyParser

__all__ = ["ENDPOINTS"]

_TAG = "payment_requests"


def create_payment_request(context: RequestContext) -> dict[str, Any]:
    return payment_requests.create(
        context.store, context.body, now=context.now, public_url=context.base_url
    )


def retrieve_payment_request(context: RequestContext) -> dict[str, Any]:
    reference = context.path_params["payment_request"]
    return payment_requests.retrieve(context.store, reference, now=context.now)


def update_payment_request(context: RequestContext) -> dict[str, Any]:
    reference = context.path_params["payment_request"]
    return payment_requests.update(context.store, reference, context.body, now=context.now)


ENDPOINTS = (
    Endpoint(
        "POST",
        "/collect/payment_requests",
        create_payment_request,
        "Create a payment request: a link a payer opens to pay one amount in full",
        _TAG,
        201,
        PaymentRequest,
        idempotency=Idempotency.REQUIRED,
        body=BodyParser(PaymentRequestCreate),
        errors=(404, 409, 422),
        description="type push is refused (422); metadata bill_id, account_id or customer_id ties "
        "the request to that obligation, which paying the request also pays.",
    ),
    Endpoint(
        "GET",
        "/collect/payment_requests/{payment_request}",
        retrieve_payment_request,
        "Retrieve a payment request (expired once the sandbox clock passes expires_at)",
        _TAG,
        200,
        PaymentRequest,
    ),
    Endpoint(
        "PATCH",
        "/collect/payment_requests/{payment_request}",
        update_payment_request,
        "Update an unpaid payment request (metadata merges; expires_at null removes the expiry)",
        _TAG,
        200,
        PaymentRequest,
        idempotency=Idempotency.OPTIONAL,
        body=BodyParser(PaymentRequestUpdate),
        errors=(409, 422),
    ),
)
