"""`create_app(settings)`: the sandbox as an ASGI application.

Routes are those each module of `routes/` declares next to its handlers (`_ROUTES`); one Starlette route
per path dispatches on the method, so a wrong method gets 405 with an accurate `Allow` header. Unknown
paths get 404, and every error is problem+json, except under /pay/: the hosted page (`pages/`), served
next to the API but not described in /openapi.json, answers every path there with HTML.

The lifespan opens the store (`Runtime.start`), warms the request path up (`warmup.py`) and runs the
webhook delivery worker and the report writer (`services/reports.py`) while serving.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

import billkit
from billkit.sandbox.delivery import delivery_service
from billkit.sandbox.http.endpoint import Endpoint
from billkit.sandbox.http.openapi import build_openapi
from billkit.sandbox.http.pipeline import problem_response, route
from billkit.sandbox.http.problems import SLUGS, ApiError
from billkit.sandbox.pages import PAGE_ROUTES, is_page_path, routing_error_page
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
    reports,
    versions,
    webhook_endpoints,
)
from billkit.sandbox.runtime import Runtime
from billkit.sandbox.services.reports import report_service
from billkit.sandbox.settings import SandboxSettings
from billkit.sandbox.warmup import warm_up

__all__ = ["BackgroundService", "create_app"]

logger = logging.getLogger("billkit.sandbox")

#: Every route of the API, in the order /openapi.json lists them.
_ROUTES = (
    customers.routes,
    accounts.routes,
    bills.routes,
    payment_requests.routes,
    payments.routes,
    events.routes,
    webhook_endpoints.routes,
    billing_lists.routes,
    versions.routes,
    files.routes,
    reports.routes,
    control.routes,
)

#: A service run while the app serves, given the started runtime: the SFTP door (contract §9), say.
BackgroundService = Callable[[Runtime], AbstractAsyncContextManager[None]]


def create_app(
    settings: SandboxSettings,
    *,
    runtime: Runtime | None = None,
    extra_routes: Iterable[BaseRoute] = (),
    deliver_webhooks: bool = True,
    services: Iterable[BackgroundService] = (),
) -> Starlette:
    """The sandbox app. It opens its runtime at start-up, unless handed one already started (the server
    does that, so a bad database is reported before a port is served); either way it closes it at shutdown.
    `extra_routes` are served but not described in /openapi.json; `deliver_webhooks=False` runs no
    delivery worker (tests of the request path alone); `services` run beside it while serving."""
    endpoints = [endpoint for routes in _ROUTES for endpoint in routes.endpoints]
    openapi = build_openapi(endpoints, version=billkit.__version__)
    chosen_services = list(services)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        started = runtime or Runtime.start(settings)
        app.state.runtime = started
        warm_up(started)
        try:
            async with AsyncExitStack() as stack:
                if deliver_webhooks:
                    await stack.enter_async_context(delivery_service(started))
                for service in chosen_services:
                    await stack.enter_async_context(service(started))
                # Last in, first out: it stops before the SFTP door removes the folder it files into.
                await stack.enter_async_context(report_service(started))
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
    if is_page_path(request.url.path):  # a person followed a link: a page, not problem+json
        return routing_error_page(exc.status_code)
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
