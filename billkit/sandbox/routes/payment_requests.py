"""`POST`, `GET` and `PATCH /collect/payment_requests` (contract §8); the rules are in
`services.payment_requests`."""

from __future__ import annotations

from typing import Any

from billkit.sandbox.http.endpoint import REQUIRED, RequestContext, Routes
from billkit.sandbox.schemas.payment_requests import (
    PaymentRequest,
    PaymentRequestCreate,
    PaymentRequestUpdate,
)
from billkit.sandbox.services import payment_requests

__all__ = ["routes"]

routes = Routes(tag="payment_requests")


@routes.post(
    "/collect/payment_requests",
    body=PaymentRequestCreate,
    response=PaymentRequest,
    idempotency=REQUIRED,
    errors=(404, 409, 422),
    description="type push is refused (422); metadata bill_id, account_id or customer_id ties "
    "the request to that obligation, which paying the request also pays.",
)
def create_payment_request(context: RequestContext) -> dict[str, Any]:
    """Create a payment request: a link a payer opens to pay one amount in full"""
    return payment_requests.create(
        context.store, context.body, now=context.now, public_url=context.base_url
    )


@routes.get("/collect/payment_requests/{payment_request}", response=PaymentRequest)
def retrieve_payment_request(context: RequestContext) -> dict[str, Any]:
    """Retrieve a payment request (expired once the sandbox clock passes expires_at)"""
    reference = context.path_params["payment_request"]
    return payment_requests.retrieve(context.store, reference, now=context.now)


@routes.patch(
    "/collect/payment_requests/{payment_request}",
    body=PaymentRequestUpdate,
    response=PaymentRequest,
    idempotency=REQUIRED,  # unlike billing PATCHes (contract §2)
    errors=(409, 422),
)
def update_payment_request(context: RequestContext) -> dict[str, Any]:
    """Update an unpaid payment request (metadata merges; expires_at null removes the expiry)"""
    reference = context.path_params["payment_request"]
    return payment_requests.update(context.store, reference, context.body, now=context.now)
