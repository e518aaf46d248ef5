"""`/billing/accounts`: create (on an existing customer or a new one), retrieve, update."""

from __future__ import annotations

from billkit.sandbox.http.endpoint import REQUIRED, Json, RequestContext, Routes
from billkit.sandbox.schemas.billing import Account, AccountCreate, AccountUpdate
from billkit.sandbox.services import billing
from billkit.sandbox.services.lookup import find_json

__all__ = ["routes"]

routes = Routes(tag="accounts")


@routes.post(
    "/billing/accounts",
    body=AccountCreate,
    response=Account,
    idempotency=REQUIRED,
    errors=(404, 409, 422),
)
def create_account(context: RequestContext) -> Json:
    """Create an account, for an existing customer or a new one"""
    return Json(billing.create_account(context.store, context.body, now=context.now).json)


@routes.get("/billing/accounts/{account}", response=Account)
def retrieve_account(context: RequestContext) -> Json:
    """Retrieve an account"""
    return Json(find_json(context.store, "account", context.path_params["account"]))


@routes.patch("/billing/accounts/{account}", body=AccountUpdate, response=Account, errors=(422,))
def update_account(context: RequestContext) -> Json:
    """Update an account (balance replaces, metadata merges)"""
    reference = context.path_params["account"]
    return Json(
        billing.update_account(context.store, reference, context.body, now=context.now).json
    )
