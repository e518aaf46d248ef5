"""`/billing/accounts`: create (on an existing customer or a new one), retrieve, update."""

from __future__ import annotations

from typing import Any

from billkit.sandbox.http.endpoint import Endpoint, Idempotency, Json, RequestContext
from billkit.sandbox.schemas.billing import Account, AccountCreate, AccountUpdate
from billkit.sandbox.services import billing
from billkit.sandbox.services.lookup import find_json
from billkit.sandbox.validation import BodyParser

__all__ = ["ENDPOINTS"]

_TAG = "accounts"


def create_account(context: RequestContext) -> dict[str, Any]:
    return billing.create_account(context.store, context.body, now=context.now)


def retrieve_account(context: RequestContext) -> Json:
    return Json(find_json(context.store, "account", context.path_params["account"]))


def update_account(context: RequestContext) -> dict[str, Any]:
    reference = context.path_params["account"]
    return billing.update_account(context.store, reference, context.body, now=context.now)


ENDPOINTS = (
    Endpoint(
        "POST",
        "/billing/accounts",
        create_account,
        "Create an account, for an existing customer or a new one",
        _TAG,
        201,
        Account,
        idempotency=Idempotency.REQUIRED,
        body=BodyParser(AccountCreate),
        errors=(404, 409, 422),
    ),
    Endpoint(
        "GET",
        "/billing/accounts/{account}",
        retrieve_account,
        "Retrieve an account",
        _TAG,
        200,
        Account,
    ),
    Endpoint(
        "PATCH",
        "/billing/accounts/{account}",
        update_account,
        "Update an account (balance replaces, metadata merges)",
        _TAG,
        200,
        Account,
        idempotency=Idempotency.OPTIONAL,
        body=BodyParser(AccountUpdate),
        errors=(422,),
    ),
)
