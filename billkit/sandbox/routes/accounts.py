"""`/billing/accounts`: create (on an existing customer or a new one), retrieve, update."""

from __future__ import annotations

from typing import Any

from billkit.sandbox.domain.billing import update_account as apply_update
from billkit.sandbox.http.endpoint import Endpoint, Idempotency, Json, RequestContext
from billkit.sandbox.routes.composite import create_account as insert_account
from billkit.sandbox.routes.composite import existing_or_new_customer
from billkit.sandbox.routes.lookup import find_json_or_404, find_or_404
from billkit.sandbox.schemas.billing import Account, AccountCreate, AccountUpdate
from billkit.sandbox.validation import BodyParser

__all__ = ["ENDPOINTS"]

_TAG = "accounts"


def create_account(context: RequestContext) -> dict[str, Any]:
    store, body = context.store, context.body
    customer = existing_or_new_customer(store, body["customer"], field="customer")
    return insert_account(store, body, customer=customer)


def retrieve_account(context: RequestContext) -> Json:
    return find_json_or_404(context.store, "account", context.path_params["account"])


def update_account(context: RequestContext) -> Json:
    current = find_or_404(context.store, "account", context.path_params["account"])
    updated = apply_update(current, context.body)
    return Json(context.store.accounts.update(updated))


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
