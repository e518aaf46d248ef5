"""Collect payment requests (`/collect/payment_requests`, contract §8, Moment API §9.3): request bodies
(the object answered, `PaymentRequest`, is the domain's own definition in `domain/objects.py`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import AwareDatetime, Field, StringConstraints, with_config
from typing_extensions import TypedDict

from billkit.sandbox.domain.objects import PaymentRequest, PaymentRequestStatus
from billkit.sandbox.schemas.common import (
    CLOSED,
    Currency,
    ExternalReference,
    Metadata,
    MetadataPatch,
    PositiveAmount,
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
