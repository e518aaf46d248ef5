"""The errors billkit.webhooks raises; all are `BillkitError`s, so one `except` catches every billkit failure.

BillkitError
├── WebhookVerificationError   (also ValueError) headers, timestamp or signature refused; `.reason` says which
├── WebhookPayloadError        (also ValueError) a verified body that is not an event billkit can read
├── WebhookStoreError          the receiver's SQLite file cannot be opened or read
├── WebhookTimeoutError        (also TimeoutError) `wait_for` saw no matching event in time
└── WebhookReceiverError       (also RuntimeError) a receiver that cannot listen, or is not running
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, Literal, TypeAlias, get_args

from billkit.errors import BillkitError

if TYPE_CHECKING:
    from billkit.webhooks.events import WebhookEvent
    from billkit.webhooks.rejections import Rejection

__all__ = [
    "VERIFICATION_REASONS",
    "VerificationReason",
    "WebhookPayloadError",
    "WebhookReceiverError",
    "WebhookStoreError",
    "WebhookTimeoutError",
    "WebhookVerificationError",
]

VerificationReason: TypeAlias = Literal[
    "missing_header",
    "duplicate_header",
    "invalid_timestamp",
    "invalid_signature_header",
    "unsupported_signature_version",
    "no_matching_signature",
    "timestamp_too_old",
    "timestamp_too_new",
    "invalid_secret",
]
VERIFICATION_REASONS: Final[frozenset[str]] = frozenset(get_args(VerificationReason))


class WebhookVerificationError(BillkitError, ValueError):
    """A delivery failed verification. `.reason` is machine-readable; the message says what to check.

    No secret, key or signature value is ever part of the message.
    """

    def __init__(self, reason: VerificationReason, message: str) -> None:
        super().__init__(f"{reason}: {message}")
        self.reason: VerificationReason = reason
        self.message = message


PayloadReason: TypeAlias = Literal["invalid_json", "invalid_event"]


class WebhookPayloadError(BillkitError, ValueError):
    """A body is not a Moment event: not JSON, not an object, or a known event type with the wrong shape."""

    def __init__(self, reason: PayloadReason, message: str) -> None:
        super().__init__(message)
        self.reason: PayloadReason = reason
        self.message = message


class WebhookStoreError(BillkitError):
    """The receiver's event file cannot be used (not SQLite, unreadable, or holding an unreadable event)."""


class WebhookReceiverError(BillkitError, RuntimeError):
    """A `WebhookReceiver` cannot listen (port taken, bad host) or was asked for what only a running one has."""


class WebhookTimeoutError(BillkitError, TimeoutError):
    """`wait_for` gave up. The message says what it waited for, what it saw, and any refused deliveries.

    `.seen` holds every event recorded by then and `.rejections` the deliveries refused, for a closer look.
    """

    def __init__(
        self,
        message: str,
        *,
        seen: Sequence[WebhookEvent],
        rejections: Sequence[Rejection],
    ) -> None:
        super().__init__(message)
        self.seen = list(seen)
        self.rejections = list(rejections)
