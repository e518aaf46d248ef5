"""`/billing/customers`: create, retrieve and update (Moment has no list and no delete)."""

from __future__ import annotations

from typing import Any

from billkit.sandbox.domain.billing import update_customer as apply_update
from billkit.sandbox.http.endpoint import Endpoint, Idempotency, Json, RequestContext
from billkit.sandbox.routes.composite import create_customer as insert_customer
from billkit.sandbox.routes.lookup import find_json_or_404, find_or_404
from billkit.sandbox.schemas.billing import Customer, CustomerCreate, CustomerUpdate
from billkit.sandbox.validation import BodyParser

__all__ = ["ENDPOINTS"]

_TAG = "customers"


def create_customer(context: RequestContext) -> dict[str, Any]:
    return insert_customer(context.store, context.body)


def retrieve_customer(context: RequestContext) -> Json:
    return find_json_or_404(context.store, "customer", context.path_params["customer"])


def update_customer(context: RequestContext) -> Json:
    current = find_or_404(context.store, "customer", context.path_params["customer"])
    updated = apply_update(current, context.body)
    return Json(context.store.customers.update(updated))


ENDPOINTS = (
    Endpoint(
        "POST",
        "/billing/customers",
        create_customer,
        "Create a customer",
        _TAG,
        201,
        Customer,
        idempotency=Idempotency.REQUIRED,
        body=BodyParser(CustomerCreate),
        errors=(409, 422),
    ),
    Endpoint(
        "GET",
        "/billing/customers/{customer}",
        retrieve_customer,
        "Retrieve a customer",
        _TAG,
        200,
        Customer,
    ),
    Endpoint(
        "PATCH",
        "/billing/customers/{customer}",
        update_customer,
        "Update a customer (balance replaces, metadata merges)",
        _TAG,
        200,
        Customer,
        idempotency=Idempotency.OPTIONAL,
        body=BodyParser(CustomerUpdate),
        errors=(422,),
    ),
)
