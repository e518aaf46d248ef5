"""`/_sandbox/clock` (read it, move it forward) and `/_sandbox/reset` (start over, keeping key and endpoint)."""

from __future__ import annotations

from functools import partial
from typing import Any

from billkit.sandbox.clock import iso_utc
from billkit.sandbox.http.endpoint import RequestContext, Routes
from billkit.sandbox.schemas.sandbox import Clock, ClockAdvance, Reset, ResetRequest
from billkit.sandbox.store.meta import CLOCK_OFFSET

__all__ = ["routes"]

routes = Routes(tag="sandbox")


@routes.get("/_sandbox/clock", response=Clock)
def read_clock(context: RequestContext) -> dict[str, Any]:
    """Read the sandbox clock"""
    return {"now": context.now_iso()}


@routes.post("/_sandbox/clock", status=200, body=ClockAdvance, response=Clock)
def advance_clock(context: RequestContext) -> dict[str, Any]:
    """Move the sandbox clock forward (it never moves back)"""
    clock = context.runtime.clock
    offset = clock.advanced(context.body["advance_seconds"])
    context.store.meta.set(CLOCK_OFFSET, repr(offset))
    context.after_commit.append(partial(clock.set_offset, offset))
    context.after_commit.append(context.runtime.outbox_signal.notify)  # retries may now be due
    return {"now": iso_utc(context.now + (offset - clock.offset))}


@routes.post("/_sandbox/reset", status=200, body=ResetRequest, empty_body=True, response=Reset)
def reset(context: RequestContext) -> dict[str, Any]:
    """Delete all billing data and events; keep the API key, webhook endpoint and clock"""
    return {"deleted": context.store.reset()}
