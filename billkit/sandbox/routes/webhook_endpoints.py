"""`/_sandbox/webhook_endpoints`: register (or replace) the one endpoint, list it, delete it.

The signing secret belongs to the sandbox, not to one registration: replacing the URL keeps it, so a
receiver already configured with the secret keeps verifying. `chaos` settings are stored for the delivery
worker and echoed back.
"""

from __future__ import annotations

from typing import Any

from billkit.sandbox.domain.errors import NotFound
from billkit.sandbox.http.endpoint import Endpoint, Idempotency, RequestContext
from billkit.sandbox.ids import new_id
from billkit.sandbox.schemas.sandbox import (
    DeletedWebhookEndpoint,
    WebhookEndpoint,
    WebhookEndpointCreate,
    WebhookEndpointList,
)
from billkit.sandbox.validation import BodyParser

__all__ = ["ENDPOINTS"]

_TAG = "sandbox"
_PATH = "/_sandbox/webhook_endpoints"


def create_webhook_endpoint(context: RequestContext) -> dict[str, Any]:
    store, body = context.store, context.body
    store.webhook_endpoints.replace(new_id("we_"), body["url"], body.get("chaos"), now=context.now)
    return _shown(context)


def list_webhook_endpoints(context: RequestContext) -> dict[str, Any]:
    if context.store.webhook_endpoints.current() is None:
        return {"data": []}
    return {"data": [_shown(context)]}


def delete_webhook_endpoint(context: RequestContext) -> dict[str, Any]:
    endpoint_id = context.path_params["endpoint"]
    if not context.store.webhook_endpoints.delete(endpoint_id):
        raise NotFound("webhook endpoint", endpoint_id, by_reference=False)
    return {"id": endpoint_id, "deleted": True}


def _shown(context: RequestContext) -> dict[str, Any]:
    endpoint = context.store.webhook_endpoints.current()
    if endpoint is None:
        raise LookupError("no webhook endpoint is registered")
    shown = {"id": endpoint["id"], "url": endpoint["url"], "secret": context.runtime.signing_secret}
    if "chaos" in endpoint:
        shown["chaos"] = endpoint["chaos"]
    return shown


ENDPOINTS = (
    Endpoint(
        "POST",
        _PATH,
        create_webhook_endpoint,
        "Register the webhook endpoint, replacing any other",
        _TAG,
        201,
        WebhookEndpoint,
        idempotency=Idempotency.OPTIONAL,
        body=BodyParser(WebhookEndpointCreate),
    ),
    Endpoint(
        "GET",
        _PATH,
        list_webhook_endpoints,
        "List the webhook endpoint (there is at most one)",
        _TAG,
        200,
        WebhookEndpointList,
    ),
    Endpoint(
        "DELETE",
        f"{_PATH}/{{endpoint}}",
        delete_webhook_endpoint,
        "Delete the webhook endpoint; deliveries still owed to it are cancelled",
        _TAG,
        200,
        DeletedWebhookEndpoint,
        idempotency=Idempotency.NONE,
    ),
)
