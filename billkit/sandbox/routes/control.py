"""`/_sandbox/clock` (read it, move it forward) and `/_sandbox/reset` (start over, keeping key and endpoint)."""

from __future__ import annotations

from functools import partial
from typing import Any

from billkit.sandbox.clock import iso_utc
from billkit.sandbox.http.endpoint import Endpoint, Idempotency, RequestContext
from billkit.sandbox.schemas.sandbox import Clock, ClockAdvance, Reset, ResetRequest
from billkit.sandbox.store.meta import CLOCK_OFFSET
from billkit.sandbox.validation import BodyParser

__all__ = ["ENDPOINTS"]

_TAG = "sandbox"


def read_clock(context: RequestContext) -> dict[str, Any]:
    return {"now": context.now_iso()}


def advance_clock(context: RequestContext) -> dict[str, Any]:
    clock = context.runtime.clock
    offset = clock.advanced(context.body["advance_seconds"])
    context.store.meta.set(CLOCK_OFFSET, repr(offset))
    context.after_commit.append(partial(clock.set_offset, offset))
    context.after_commit.append(context.runtime.outbox_signal.notify)  # retries may now be due
    return {"now": iso_utc(context.now + (offset - clock.offset))}


def reset(context: RequestContext) -> dict[str, Any]:
    return {"deleted": context.store.reset()}


ENDPOINTS = (
    Endpoint(
        "GET",
        "/_sandbox/clock",
        read_clock,
        "Read the sandbox clock",
        _TAG,
        200,
        Clock,
    ),
    Endpoint(
        "POST",
        "/_sandbox/clock",
        advance_clock,
        "Move the sandbox clock forward (it never moves back)",
        _TAG,
        200,
        Clock,
        idempotency=Idempotency.OPTIONAL,
        body=BodyParser(ClockAdvance),
    ),
    Endpoint(
        "POST",
        "/_sandbox/reset",
        reset,
        "Delete all billing data and events; keep the API key, webhook endpoint and clock",
        _TAG,
        200,
        Reset,
        idempotency=Idempotency.OPTIONAL,
        body=BodyParser(ResetRequest, empty_is_object=True),
    ),
)
