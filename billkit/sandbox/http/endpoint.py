"""How a sandbox route is declared: one `Endpoint` per method and path.

The declaration drives everything about the route: which schema checks the body and query, whether an
Idempotency-Key is required, whether it writes (and so runs in a transaction), what it answers, and its
entry in `/openapi.json`. Handlers are plain synchronous functions of a `RequestContext`: they never
await, which is what makes each request one atomic step on the event loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import cached_property
from typing import Any

from starlette.requests import Request

from billkit.sandbox.clock import iso_utc
from billkit.sandbox.runtime import Runtime
from billkit.sandbox.store import Store
from billkit.sandbox.validation import BodyParser, QueryParser

__all__ = ["Endpoint", "Handler", "Idempotency", "Json", "RequestContext"]


class Idempotency(Enum):
    """Whether a route takes an Idempotency-Key (contract §2 and §6)."""

    REQUIRED = "required"  # every faithful POST, and POST /_sandbox/payments
    OPTIONAL = "optional"  # other writes: honoured when sent
    NONE = "none"  # reads


@dataclass(eq=False)
class RequestContext:
    """What a handler gets: the runtime, the checked request, and the sandbox time it runs at."""

    runtime: Runtime
    path_params: dict[str, str]
    body: dict[str, Any]
    query: dict[str, Any]
    #: Sandbox clock seconds, read once so every timestamp a request writes agrees.
    now: float
    #: The HTTP request, for what few handlers need from it (see `base_url`).
    request: Request | None = None
    #: Run once the request's transaction has committed (never if it fails): say, waking the delivery
    #: worker for a queued delivery, or moving the in-memory clock.
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    @cached_property
    def base_url(self) -> str:
        """Where the request reached the sandbox (`http://127.0.0.1:8787`): links it hands out point there.

        Worked out only when asked for: most requests hand out no links."""
        return "" if self.request is None else str(self.request.base_url).rstrip("/")

    @property
    def store(self) -> Store:
        return self.runtime.store

    def now_iso(self) -> str:
        return iso_utc(self.now)

    def today(self) -> date:
        """The sandbox clock's date in UTC (a bill's default bill_date)."""
        return date(*time.gmtime(self.now)[:3])


class Json(str):
    """An answer already encoded as JSON (the store keeps objects that way): sent as it is."""


Handler = Callable[[RequestContext], dict[str, Any] | Json]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    #: The status of success and the TypedDict that describes its body.
    status: int
    response: type
    idempotency: Idempotency = Idempotency.NONE
    body: BodyParser | None = None
    query: QueryParser | None = None
    #: Error statuses this route can answer besides those every route can (see `openapi.py`).
    errors: tuple[int, ...] = ()
    description: str = field(default="")

    @property
    def writes(self) -> bool:
        return self.method != "GET"

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"
