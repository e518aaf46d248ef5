"""`/_sandbox/events`: every event the sandbox emitted, newest first, and one by ID."""

from __future__ import annotations

from typing import Any

from billkit.sandbox.domain.errors import NotFound
from billkit.sandbox.http.endpoint import Endpoint, RequestContext
from billkit.sandbox.routes.listing import page_body, page_size
from billkit.sandbox.schemas.sandbox import Event, EventList, EventListQuery
from billkit.sandbox.validation import QueryParser

__all__ = ["ENDPOINTS"]


def list_events(context: RequestContext) -> dict[str, Any]:
    return page_body(
        lambda limit, after: context.store.events.events(limit=limit, starting_after=after),
        page_size(context.query),
        context.query.get("starting_after"),
    )


def retrieve_event(context: RequestContext) -> dict[str, Any]:
    event_id = context.path_params["event"]
    event = context.store.events.event(event_id)
    if event is None:
        raise NotFound("event", event_id, by_reference=False)
    return event


ENDPOINTS = (
    Endpoint(
        "GET",
        "/_sandbox/events",
        list_events,
        "List events, newest first",
        "sandbox",
        200,
        EventList,
        query=QueryParser(EventListQuery),
        errors=(404,),  # starting_after names nothing
    ),
    Endpoint(
        "GET",
        "/_sandbox/events/{event}",
        retrieve_event,
        "Retrieve an event",
        "sandbox",
        200,
        Event,
    ),
)
