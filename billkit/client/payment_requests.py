"""`client.payment_requests`: Collect payment requests (`/collect/payment_requests`): a link a payer opens
to pay one fixed amount in full.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypedDict, Unpack

from billkit.client._models import PaymentRequest
from billkit.client._resource import AsyncResource, ResourceCalls, SyncResource

__all__ = [
    "AsyncPaymentRequests",
    "PaymentRequestCreateParams",
    "PaymentRequestUpdateParams",
    "PaymentRequests",
]


class _PaymentRequestFields(TypedDict, total=False):
    external_reference: str
    description: str
    #: Timezone-aware datetime or ISO 8601 string; Moment defaults to 24 hours for links.
    expires_at: datetime | str


class _PaymentRequestRequired(TypedDict):
    #: Minor units; payment requests accept full payment only.
    amount: int
    currency: str


class PaymentRequestCreateParams(_PaymentRequestRequired, _PaymentRequestFields, total=False):
    #: "link" (the default) or "push" (bank push; Moment's beta, refused by billkit's sandbox).
    type: str
    #: With `bill_id`, `account_id` or `customer_id`, the sandbox also applies the payment there.
    metadata: Mapping[str, str]
    #: The bank-push provider, e.g. {"provider": "capitec", "capitec": {"phone_number": "+27..."}}.
    push: Mapping[str, Any]


class PaymentRequestUpdateParams(_PaymentRequestFields, total=False):
    #: Merged into the stored metadata; a key set to None is removed.
    metadata: Mapping[str, str | None]


PAYMENT_REQUESTS = ResourceCalls(
    name="payment_requests",
    path="/collect/payment_requests",
    model=PaymentRequest,
    kind="payment_request",
    create_params=PaymentRequestCreateParams,
    update_params=PaymentRequestUpdateParams,
)


class PaymentRequests(SyncResource):
    """`client.payment_requests`: ask a payer for one amount through a hosted link."""

    def create(
        self,
        *,
        idempotency_key: str | None = None,
        **params: Unpack[PaymentRequestCreateParams],
    ) -> PaymentRequest:
        """Create a request: `client.payment_requests.create(amount=2000, currency="ZAR")`; its
        `link.link_url` is what the payer opens.
        """
        return self._send(PAYMENT_REQUESTS.create(params, idempotency_key))

    def retrieve(self, payment_request: str) -> PaymentRequest:
        """The payment request with this ID (`pr_...`)."""
        return self._send(PAYMENT_REQUESTS.retrieve(payment_request))

    def update(
        self,
        payment_request: str,
        *,
        idempotency_key: str | None = None,
        **params: Unpack[PaymentRequestUpdateParams],
    ) -> PaymentRequest:
        """Change an unpaid request's reference, description, expiry or metadata."""
        return self._send(PAYMENT_REQUESTS.update(payment_request, params, idempotency_key))


class AsyncPaymentRequests(AsyncResource):
    """`AsyncClient.payment_requests`: the awaitable twin of `PaymentRequests`."""

    async def create(
        self,
        *,
        idempotency_key: str | None = None,
        **params: Unpack[PaymentRequestCreateParams],
    ) -> PaymentRequest:
        return await self._send(PAYMENT_REQUESTS.create(params, idempotency_key))

    async def retrieve(self, payment_request: str) -> PaymentRequest:
        return await self._send(PAYMENT_REQUESTS.retrieve(payment_request))

    async def update(
        self,
        payment_request: str,
        *,
        idempotency_key: str | None = None,
        **params: Unpack[PaymentRequestUpdateParams],
    ) -> PaymentRequest:
        return await self._send(PAYMENT_REQUESTS.update(payment_request, params, idempotency_key))
