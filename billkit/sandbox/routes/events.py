"""`/_sandbox/events`: every event the sandbox emitted, newest first, one by ID, its delivery attempts, and
a fresh delivery of it (contract §6)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, with_config
from typing_extensions import TypedDict

from billkit.sandbox.domain.errors import NotFound
from billkit.sandbox.http.endpoint import RequestContext, Routes
from billkit.sandbox.http.problems import ApiError
from billkit.sandbox.routes.listing import page_body, page_size
from billkit.sandbox.schemas.common import CLOSED, EventId, Timestamp, WebhookEndpointId
from billkit.sandbox.schemas.sandbox import Event, EventList, EventListQuery

__all__ = ["DeliveryAttempt", "DeliveryList", "Redelivery", "routes"]

routes = Routes(tag="sandbox")


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


@routes.get(
    "/_sandbox/events",
    response=EventList,
    query=EventListQuery,
    errors=(404,),  # starting_after names nothing
)
def list_events(context: RequestContext) -> dict[str, Any]:
    """List events, newest first"""
    return page_body(
        lambda limit, after: context.store.events.events(limit=limit, starting_after=after),
        page_size(context.query),
        context.query.get("starting_after"),
    )


@routes.get("/_sandbox/events/{event}", response=Event)
def retrieve_event(context: RequestContext) -> dict[str, Any]:
    """Retrieve an event"""
    return _existing_event(context)


@routes.get("/_sandbox/events/{event}/deliveries", response=DeliveryList)
def list_deliveries(context: RequestContext) -> dict[str, Any]:
    """List every attempt at delivering an event, oldest first"""
    event = _existing_event(context)
    return {"data": context.store.outbox.attempts(event["id"])}


@routes.post("/_sandbox/events/{event}/redeliver", response=Redelivery, errors=(404, 409))
def redeliver(context: RequestContext) -> dict[str, Any]:
    """Queue a fresh delivery of an event to the webhook endpoint (same evt_ id, new webhook-id)"""
    event_id = _existing_event(context)["id"]
    endpoint = context.store.webhook_endpoints.current()
    if endpoint is None:
        raise ApiError(
            409,
            "No webhook endpoint is registered to deliver to: "
            "register one with POST /_sandbox/webhook_endpoints first",
        )
    context.store.outbox.enqueue(event_id, endpoint["id"], origin="redeliver", now=context.now)
    return {"event_id": event_id, "endpoint_id": endpoint["id"], "status": "pending"}


def _existing_event(context: RequestContext) -> dict[str, Any]:
    event_id = context.path_params["event"]
    event = context.store.events.event(event_id)
    if event is None:
        raise NotFound("event", event_id, by_reference=False)
    return event
