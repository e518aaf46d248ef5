"""Objects only billkit's sandbox returns (its `/_sandbox/` routes), and the page of a sandbox list."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Generic, TypeVar

from billkit.client._models import MomentObject
from billkit.keys import redact
from billkit.money import to_major

__all__ = [
    "Delivery",
    "ObjectVersion",
    "Page",
    "PaymentObligation",
    "SandboxPayment",
    "SandboxReport",
    "WebhookEndpoint",
]

T = TypeVar("T")
#: `date` under another name: `SandboxReport` has a field called `date`.
_Day = date


class WebhookEndpoint(MomentObject):
    """The one registered webhook endpoint; `secret` signs its deliveries (masked in the repr)."""

    id: str
    url: str
    secret: str | None = None

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        for name, value in super().__repr_args__():
            yield name, redact(value) if name == "secret" and isinstance(value, str) else value


class PaymentObligation(MomentObject):
    """What a sandbox payment was applied to: `type` bill, account or customer, and its `id`."""

    type: str
    id: str


class SandboxPayment(MomentObject):
    """A payment the sandbox applied, as if a payer had paid; `event_id` is its webhook event."""

    id: str
    amount: int
    currency: str
    channel: str
    status: str
    #: What the reconciliation report shows it was paid with (`Card` unless the payment said).
    payment_method: str | None = None
    payment_method_tender: str | None = None
    obligation: PaymentObligation | None = None
    application_id: str | None = None
    event_id: str | None = None
    created_at: datetime | None = None

    @property
    def amount_decimal(self) -> Decimal:
        return to_major(self.amount, self.currency)


class SandboxReport(MomentObject):
    """A reconciliation or settlement report the sandbox wrote (contract §10): `name` is its file in
    /outbound/reports/; `content` (the file's text exactly) only from `sandbox.reports.retrieve`."""

    name: str
    kind: str
    #: The day reported on (UTC), and the sandbox clock's date when it was written.
    date: _Day
    generated_on: _Day
    created_at: datetime
    rows: int
    size: int
    sha256: str
    content: str | None = None

    @property
    def content_bytes(self) -> bytes:
        """The file's bytes, as SFTP would deliver them (needs `content`: see `retrieve`)."""
        if self.content is None:
            raise ValueError(
                "this report was listed without its content: use sandbox.reports.retrieve"
            )
        return self.content.encode("utf-8")


class Delivery(MomentObject):
    """One attempt at delivering an event to the webhook endpoint."""

    webhook_id: str
    attempt: int
    timestamp: datetime | None = None
    #: The receiver's status; None when it never answered (see `error`).
    status_code: int | None = None
    error: str | None = None
    duration_ms: float | None = None


class ObjectVersion(MomentObject):
    """One state a customer, account or bill had: `object` as it was from `at` (sandbox clock) on.
    `seq` orders every version of every object; pass the last one as `starting_after`."""

    seq: int
    kind: str
    id: str
    at: datetime
    object: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a sandbox list, newest first; pass `next_cursor` as `starting_after` for the next."""

    data: list[T]
    has_more: bool
    next_cursor: str | None = field(default=None, repr=False)

    def __iter__(self) -> Iterator[T]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)
