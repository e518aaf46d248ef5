"""`/_sandbox/clock` (read it, move it forward) and `/_sandbox/reset` (start over, keeping key and endpoint)."""

from __future__ import annotations

from functools import partial
from typing import Any

from billkit.sandbox.clock import LATEST, iso_utc
from billkit.sandbox.domain.errors import RuleViolation
from billkit.sandbox.http.endpoint import RequestContext, Routes
from billkit.sandbox.schemas.sandbox import Clock, ClockAdvance, Reset, ResetRequest
from billkit.sandbox.store.meta import CLOCK_OFFSET

__all__ = ["routes"]

routes = Routes(tag="sandbox")

#: Reports one clock advance writes before answering: a month of days, each with its two reports.
_REPORTS_AT_ONCE = 64


@routes.get("/_sandbox/clock", response=Clock)
def read_clock(context: RequestContext) -> dict[str, Any]:
    """Read the sandbox clock"""
    return {"now": context.now_iso()}


@routes.post("/_sandbox/clock", status=200, body=ClockAdvance, response=Clock, errors=(422,))
def advance_clock(context: RequestContext) -> dict[str, Any]:
    """Move the sandbox clock forward (it never moves back)"""
    clock = context.runtime.clock
    seconds = context.body["advance_seconds"]
    if seconds > clock.seconds_left():
        raise RuleViolation(
            f"the sandbox clock never passes {iso_utc(LATEST)}: it can move at most "
            f"{int(clock.seconds_left())} more seconds",
            code="clock_limit",
            field="advance_seconds",
        )
    offset = clock.advanced(seconds)
    now = context.now + (offset - clock.offset)
    context.store.meta.set(CLOCK_OFFSET, repr(offset))
    # The reports of the days just passed are there when this answers (contract §10); an old database's
    # backlog beyond the first batch is left to the background writer.
    reports = context.runtime.reports
    reports.write_due(now, limit=_REPORTS_AT_ONCE)
    context.after_commit.append(partial(clock.set_offset, offset))
    context.after_commit.append(context.runtime.clock_moved)  # retries and reports may now be due
    context.after_commit.append(reports.file_written)
    return {"now": iso_utc(now)}


@routes.post("/_sandbox/reset", status=200, body=ResetRequest, empty_body=True, response=Reset)
def reset(context: RequestContext) -> dict[str, Any]:
    """Delete all billing data, events and reports; keep the API key, webhook endpoint and clock"""
    return {"deleted": context.store.reset()}
