"""How a sandbox route is declared: one decorator on its handler, with keyword arguments.

    routes = Routes(tag="bills")

    @routes.post("/billing/bills", status=201, body=BillCreate, response=Bill,
                 idempotency=REQUIRED, errors=(404, 409, 422))
    def create_bill(context: RequestContext) -> dict[str, Any]:
        '''Create a bill, on a customer or an account'''      # the summary in /openapi.json

The declaration drives everything about the route: which schema checks the body and query, whether an
Idempotency-Key is required, whether it writes (and so runs in a transaction), what it answers, and its
entry in `/openapi.json`. Handlers are plain synchronous functions of a `RequestContext`: they never
await, which is what makes each request one atomic step on the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import cached_property
from typing import Any, TypeVar

from starlette.requests import Request

from billkit.sandbox.clock import iso_utc, utc_date
from billkit.sandbox.http.validation import BodyParser, QueryParser
from billkit.sandbox.runtime import Runtime
from billkit.sandbox.store import Store

__all__ = [
    "NO_KEY",
    "OPTIONAL",
    "REQUIRED",
    "Endpoint",
    "Handler",
    "Idempotency",
    "Json",
    "RequestContext",
    "Routes",
]


class Idempotency(Enum):
    """Whether a route takes an Idempotency-Key (contract §2 and §6)."""

    REQUIRED = "required"  # every faithful POST, and POST /_sandbox/payments
    OPTIONAL = "optional"  # other writes: honoured when sent
    NONE = "none"  # reads


REQUIRED, OPTIONAL, NO_KEY = Idempotency.REQUIRED, Idempotency.OPTIONAL, Idempotency.NONE


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
        """Where payers reach the sandbox (`http://127.0.0.1:8787`): links it hands out point there.

        The configured public URL, else the address the connection reached (the listening socket's, as
        the server reports it), never the Host header: a client could set that to any site (contract §8).
        Worked out only when asked for: most requests hand out no links."""
        configured = self.runtime.settings.public_url
        if configured is not None or self.request is None:
            return configured or ""
        host, port = self.request.scope.get("server") or ("127.0.0.1", 80)
        shown = f"[{host}]" if ":" in host else host
        return f"{self.request.scope.get('scheme', 'http')}://{shown}:{port}"

    @property
    def store(self) -> Store:
        return self.runtime.store

    def now_iso(self) -> str:
        return iso_utc(self.now)

    def today(self) -> date:
        """The sandbox clock's date in UTC (a bill's default bill_date)."""
        return utc_date(self.now)


class Json(str):
    """An answer already encoded as JSON (the store keeps objects that way): sent as it is."""


Handler = Callable[[RequestContext], Any]
H = TypeVar("H", bound=Handler)


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


class Routes:
    """The routes of one module, each declared by a decorator on its handler (see the module docstring).

    The handler's docstring (its first line) is the route's summary in `/openapi.json`."""

    def __init__(self, *, tag: str) -> None:
        self.tag = tag
        self.endpoints: list[Endpoint] = []

    def get(
        self,
        path: str,
        *,
        response: type,
        query: type | None = None,
        errors: tuple[int, ...] = (),
        description: str = "",
    ) -> Callable[[H], H]:
        return self._declare(
            "GET", path, 200, response, NO_KEY, None, query, errors, description, False
        )

    def post(
        self,
        path: str,
        *,
        response: type,
        status: int = 201,
        body: type | None = None,
        idempotency: Idempotency = OPTIONAL,
        errors: tuple[int, ...] = (),
        description: str = "",
        empty_body: bool = False,
    ) -> Callable[[H], H]:
        """`empty_body`: a body without fields may also be sent as no body at all (void, reset)."""
        return self._declare(
            "POST", path, status, response, idempotency, body, None, errors, description, empty_body
        )

    def patch(
        self,
        path: str,
        *,
        response: type,
        body: type,
        idempotency: Idempotency = OPTIONAL,
        errors: tuple[int, ...] = (),
    ) -> Callable[[H], H]:
        return self._declare(
            "PATCH", path, 200, response, idempotency, body, None, errors, "", False
        )

    def delete(
        self, path: str, *, response: type, errors: tuple[int, ...] = ()
    ) -> Callable[[H], H]:
        return self._declare("DELETE", path, 200, response, NO_KEY, None, None, errors, "", False)

    def _declare(
        self,
        method: str,
        path: str,
        status: int,
        response: type,
        idempotency: Idempotency,
        body: type | None,
        query: type | None,
        errors: tuple[int, ...],
        description: str,
        empty_body: bool,
    ) -> Callable[[H], H]:
        def declare(handler: H) -> H:
            summary = (handler.__doc__ or "").strip().splitlines()
            if not summary:
                raise TypeError(f"{handler.__name__} needs a docstring: it is the route's summary")
            self.endpoints.append(
                Endpoint(
                    method,
                    path,
                    handler,
                    summary[0].rstrip("."),
                    self.tag,
                    status,
                    response,
                    idempotency=idempotency,
                    body=None if body is None else BodyParser(body, empty_is_object=empty_body),
                    query=None if query is None else QueryParser(query),
                    errors=errors,
                    description=description,
                )
            )
            return handler

        return declare
