"""`GET /_sandbox/events/{evt}/deliveries` (every attempt at delivering an event) and
`POST /_sandbox/events/{evt}/redeliver` (queue a fresh delivery series of it), contract §6."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, with_config
from typing_extensions import TypedDict

from billkit.sandbox.domain.errors import NotFound
from billkit.sandbox.http.endpoint import Endpoint, Idempotency, RequestContext
from billkit.sandbox.problems import ApiError
from billkit.sandbox.schemas.common import CLOSED, EventId, Timestamp, WebhookEndpointId

__all__ = ["ENDPOINTS", "DeliveryAttempt", "DeliveryList", "Redelivery"]

_TAG = "sandbox"
_EVENT_PATH = "/_sandbox/events/{event}"


@with_config(CLOSED)
class DeliveryAttempt(TypedDict):
    webhook_id: Annotated[str, Field(pattern=r"^msg_[a-zA-Z0-9]{21,}$")]
    #: 1 for the first attempt of a delivery series (a redelivery or a chaos copy starts a new series).
    attempt: Annotated[int, Field(ge=1)]
    #: The `webhook-timestamp` sent, as ISO 8601 UTC.
    timestamp: Timestamp
    #: The receiver's answer; null when it never answered.
    status_code: int | None
    #: Why the attempt did not succeed: no answer (timeout, refused connection) or the start of the
    #: receiver's refusal; null on success.
    error: str | None
    duration_ms: Annotated[float, Field(ge=0)]


@with_config(CLOSED)
class DeliveryList(TypedDict):
    data: list[DeliveryAttempt]


@with_config(CLOSED)
class Redelivery(TypedDict):
    event_id: EventId
    endpoint_id: WebhookEndpointId
    status: Literal["pending"]


def list_deliveries(context: RequestContext) -> dict[str, Any]:
    event_id = _existing_event(context)
    return {"data": context.store.outbox.attempts(event_id)}


def redeliver(context: RequestContext) -> dict[str, Any]:
    event_id = _existing_event(context)
    endpoint = context.store.webhook_endpoints.current()
    if endpoint is None:
        raise ApiError(
            409,
            "No webhook endpoint is registered to deliver to: "
            "register one with POST /_sandbox/webhook_endpoints first",
        )
    context.store.outbox.enqueue(event_id, endpoint["id"], origin="redeliver", now=context.now)
    return {"event_id": event_id, "endpoint_id": endpoint["id"], "status": "pending"}


def _existing_event(context: RequestContext) -> str:
    event_id = context.path_params["event"]
    if context.store.events.event(event_id) is None:
        raise NotFound("event", event_id, by_reference=False)
    return event_id


ENDPOINTS = (
    Endpoint(
        "GET",
        f"{_EVENT_PATH}/deliveries",
        list_deliveries,
        "List every attempt at delivering an event, oldest first",
        _TAG,
        200,
        DeliveryList,
    ),
    Endpoint(
        "POST",
        f"{_EVENT_PATH}/redeliver",
        redeliver,
        "Queue a fresh delivery of an event to the webhook endpoint (same evt_ id, new webhook-id)",
        _TAG,
        201,
        Redelivery,
        idempotency=Idempotency.OPTIONAL,
        errors=(404, 409),
    ),
)
