"""Webhooks from Moment or the billkit sandbox: sign and verify, typed events, and a local receiver.

    from billkit import webhooks
    webhooks.verify(raw_body, request_headers, secret)      # raises WebhookVerificationError(.reason)
    event = webhooks.parse_event(raw_body)                  # ObligationAmountApplied | PaymentRequestEvent | ...

    with billkit.WebhookReceiver(secret) as receiver:       # a real endpoint on loopback, for notebooks
        receiver.wait_for(type="obligation.amount_applied")

`WebhookHandler` does what the receiver does inside any web framework (Flask, FastAPI, ...): see docs/webhooks.md.
"""

from billkit.webhooks._errors import (
    VERIFICATION_REASONS,
    WebhookPayloadError,
    WebhookReceiverError,
    WebhookStoreError,
    WebhookTimeoutError,
    WebhookVerificationError,
)
from billkit.webhooks.events import (
    Event,
    ObligationAmountApplied,
    ObligationApplication,
    PaymentRequestData,
    PaymentRequestEvent,
    UnknownEvent,
    WebhookEvent,
    parse_event,
)
from billkit.webhooks.handler import WebhookHandler, WebhookResult
from billkit.webhooks.receiver import WebhookReceiver
from billkit.webhooks.rejections import Rejection
from billkit.webhooks.signing import (
    DEFAULT_TOLERANCE,
    VerifiedDelivery,
    generate_secret,
    sign,
    sign_headers,
    verify,
)
from billkit.webhooks.sqlite_store import SQLiteEventStore
from billkit.webhooks.stores import EventStore, MemoryEventStore, ReceivedEvent

__all__ = [
    "DEFAULT_TOLERANCE",
    "VERIFICATION_REASONS",
    "Event",
    "EventStore",
    "MemoryEventStore",
    "ObligationAmountApplied",
    "ObligationApplication",
    "PaymentRequestData",
    "PaymentRequestEvent",
    "ReceivedEvent",
    "Rejection",
    "SQLiteEventStore",
    "UnknownEvent",
    "VerifiedDelivery",
    "WebhookEvent",
    "WebhookHandler",
    "WebhookPayloadError",
    "WebhookReceiver",
    "WebhookReceiverError",
    "WebhookResult",
    "WebhookStoreError",
    "WebhookTimeoutError",
    "WebhookVerificationError",
    "generate_secret",
    "parse_event",
    "sign",
    "sign_headers",
    "verify",
]
