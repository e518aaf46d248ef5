"""Collect payment requests (`/collect/payment_requests`, contract §8, Moment API §9.3): request bodies
and the object the sandbox answers with."""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import AwareDatetime, Field, StringConstraints, with_config
from typing_extensions import TypedDict

from billkit.sandbox.schemas.common import (
    CLOSED,
    Currency,
    ExternalReference,
    Metadata,
    MetadataPatch,
    PaymentId,
    PositiveAmount,
    Timestamp,
    id_pattern,
)

__all__ = [
    "PaymentRequest",
    "PaymentRequestCreate",
    "PaymentRequestId",
    "PaymentRequestStatus",
    "PaymentRequestUpdate",
]

PaymentRequestId = Annotated[str, Field(pattern=id_pattern("pr_"))]
PaymentRequestStatus = Literal["active", "paid", "expired"]
Description = Annotated[str, StringConstraints(max_length=500)]


@with_config(CLOSED)
class PaymentRequestCreate(TypedDict):
    amount: PositiveAmount
    currency: Currency
    #: `push` (Moment's Capitec bank-push beta) is refused with 422.
    type: NotRequired[Literal["link", "push"]]
    external_reference: NotRequired[ExternalReference]
    description: NotRequired[Description]
    #: ISO 8601 with a time zone, in the future; 24 hours of sandbox time when absent.
    expires_at: NotRequired[AwareDatetime]
    metadata: NotRequired[Metadata]
    push: NotRequired[dict[str, Any]]


@with_config(CLOSED)
class PaymentRequestUpdate(TypedDict, total=False):
    """Only an active request changes; `expires_at: null` removes the expiry."""

    external_reference: ExternalReference
    description: Description
    expires_at: AwareDatetime | None
    metadata: MetadataPatch


@with_config(CLOSED)
class PaymentRequestLink(TypedDict):
    checkout_session_id: Annotated[str, Field(pattern=id_pattern("chk_"))]
    #: The sandbox's own hosted page: `{base_url}/pay/{id}`.
    link_url: str


@with_config(CLOSED)
class PaymentRequest(TypedDict):
    id: PaymentRequestId
    type: Literal["link"]
    status: PaymentRequestStatus
    amount: int
    currency: Currency
    external_reference: NotRequired[str]
    description: NotRequired[str]
    expires_at: NotRequired[Timestamp]
    link: PaymentRequestLink
    payment_id: NotRequired[PaymentId]
    metadata: NotRequired[dict[str, str]]
    created_at: Timestamp
    updated_at: Timestamp
