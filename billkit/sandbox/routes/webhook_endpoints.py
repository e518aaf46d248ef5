"""`/_sandbox/webhook_endpoints`: register (or replace) the one endpoint, list it, delete it.

The signing secret belongs to the sandbox, not to one registration: replacing the URL keeps it, so a
receiver already configured with the secret keeps verifying. `chaos` settings are stored for the delivery
worker and echoed back.
"""

from __future__ import annotations

from typing import Any

from billkit.sandbox.domain.errors import NotFound
from billkit.sandbox.http.endpoint import RequestContext, Routes
from billkit.sandbox.ids import new_id
from billkit.sandbox.schemas.sandbox import (
    DeletedWebhookEndpoint,
    WebhookEndpoint,
    WebhookEndpointCreate,
    WebhookEndpointList,
)

__all__ = ["routes"]

routes = Routes(tag="sandbox")
_PATH = "/_sandbox/webhook_endpoints"


@routes.post(_PATH, body=WebhookEndpointCreate, response=WebhookEndpoint)
def create_webhook_endpoint(context: RequestContext) -> dict[str, Any]:
    """Register the webhook endpoint, replacing any other"""
    store, body = context.store, context.body
    store.webhook_endpoints.replace(new_id("we_"), body["url"], body.get("chaos"), now=context.now)
    return _shown(context)


@routes.get(_PATH, response=WebhookEndpointList)
def list_webhook_endpoints(context: RequestContext) -> dict[str, Any]:
    """List the webhook endpoint (there is at most one)"""
    if context.store.webhook_endpoints.current() is None:
        return {"data": []}
    return {"data": [_shown(context)]}


@routes.delete(f"{_PATH}/{{endpoint}}", response=DeletedWebhookEndpoint)
def delete_webhook_endpoint(context: RequestContext) -> dict[str, Any]:
    """Delete the webhook endpoint; deliveries still owed to it are cancelled"""
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
