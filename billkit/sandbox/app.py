"""`create_app(settings)`: the sandbox as an ASGI application.

Routes come from `ENDPOINT_GROUPS` (each an area's `ENDPOINTS`); one Starlette route per path dispatches on
the method, so a wrong method gets 405 with an accurate `Allow` header. Unknown paths get 404, and every
error, on every path, is problem+json.

The lifespan opens the store (`Runtime.start`) and then enters each of `BACKGROUND_SERVICES`: async
context managers given the runtime, entered at start-up and left at shutdown. The webhook delivery worker
is one: it awaits `runtime.outbox_signal`, reads `runtime.settings.retry_schedule` and the outbox table.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from itertools import chain

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

import billkit
from billkit.sandbox import delivery
from billkit.sandbox.http.endpoint import Endpoint
from billkit.sandbox.http.openapi import build_openapi
from billkit.sandbox.http.pipeline import problem_response, route
from billkit.sandbox.pages import PAGE_ROUTES
from billkit.sandbox.problems import SLUGS, ApiError
from billkit.sandbox.routes import (
    accounts,
    billing_lists,
    bills,
    control,
    customers,
    events,
    files,
    payment_requests,
    payments,
    webhook_endpoints,
)
from billkit.sandbox.runtime import Runtime
from billkit.sandbox.settings import SandboxSettings

__all__ = ["BACKGROUND_SERVICES", "ENDPOINT_GROUPS", "BackgroundService", "create_app"]

logger = logging.getLogger("billkit.sandbox")

#: Every declared route; modules that add routes append their `ENDPOINTS` here.
ENDPOINT_GROUPS: list[Sequence[Endpoint]] = [
    customers.ENDPOINTS,
    accounts.ENDPOINTS,
    bills.ENDPOINTS,
    payment_requests.ENDPOINTS,
    payments.ENDPOINTS,
    events.ENDPOINTS,
    delivery.ENDPOINTS,
    webhook_endpoints.ENDPOINTS,
    billing_lists.ENDPOINTS,
    control.ENDPOINTS,
    files.ENDPOINTS,
]

#: Started after the store opens, stopped before it closes (see the module docstring).
BackgroundService = Callable[[Runtime], AbstractAsyncContextManager[None]]
BACKGROUND_SERVICES: list[BackgroundService] = [delivery.delivery_service]


def create_app(
    settings: SandboxSettings,
    *,
    runtime: Runtime | None = None,
    extra_routes: Iterable[BaseRoute] = (),
    services: Iterable[BackgroundService] | None = None,
) -> Starlette:
    """The sandbox app. It opens its runtime at start-up, unless handed one already started (the server
    does that, so a bad database is reported before a port is served); either way it closes it at shutdown.
    `extra_routes` are served but not described in /openapi.json (pages for browsers, say)."""
    endpoints = list(chain.from_iterable(ENDPOINT_GROUPS))
    openapi = build_openapi(endpoints, version=billkit.__version__)
    chosen_services = list(BACKGROUND_SERVICES if services is None else services)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        started = runtime or Runtime.start(settings)
        app.state.runtime = started
        try:
            async with AsyncExitStack() as stack:
                for service in chosen_services:
                    await stack.enter_async_context(service(started))
                yield
        finally:
            started.close()

    async def openapi_json(request: Request) -> Response:
        return JSONResponse(openapi)

    app = Starlette(
        routes=[
            Route("/openapi.json", openapi_json, methods=["GET"], include_in_schema=False),
            *_routes(endpoints),
            *PAGE_ROUTES,  # the hosted bill page: HTML for browsers, not in /openapi.json
            *extra_routes,
        ],
        exception_handlers={HTTPException: _http_error, Exception: _unexpected_error},
        lifespan=lifespan,
    )
    app.router.redirect_slashes = False  # "/billing/bills/" is an unknown path, as on Moment
    app.state.openapi = openapi
    return app


def _routes(endpoints: Iterable[Endpoint]) -> list[Route]:
    by_path: dict[str, dict[str, Callable[[Request], Awaitable[Response]]]] = {}
    for endpoint in endpoints:
        handlers = by_path.setdefault(endpoint.path, {})
        if endpoint.method in handlers:
            raise ValueError(f"{endpoint.name} is declared twice")
        handlers[endpoint.method] = route(endpoint)
    return [
        Route(path, _dispatch(handlers), methods=list(handlers))
        for path, handlers in by_path.items()
    ]


def _dispatch(
    handlers: dict[str, Callable[[Request], Awaitable[Response]]],
) -> Callable[[Request], Awaitable[Response]]:
    if "GET" in handlers:
        handlers = {**handlers, "HEAD": handlers["GET"]}  # Starlette allows HEAD wherever GET is

    async def dispatch(request: Request) -> Response:
        return await handlers[request.method](request)

    return dispatch


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own answers (404 for unknown paths, 405 for wrong methods) as problem+json."""
    if not isinstance(exc, HTTPException):
        raise exc
    status = exc.status_code if exc.status_code in SLUGS else 400
    detail = {
        404: f"No route matches {request.url.path}",
        405: f"{request.method} is not allowed on {request.url.path}",
    }.get(status, str(exc.detail))
    return problem_response(
        ApiError(status, detail, headers=dict(exc.headers or {})), request.url.path
    )


async def _unexpected_error(request: Request, exc: Exception) -> Response:
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        ApiError(500, "The sandbox failed to handle this request; its log has the details"),
        request.url.path,
    )
