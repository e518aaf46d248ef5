"""`/billing/customers`: create, retrieve and update (Moment has no list and no delete)."""

from __future__ import annotations

from typing import Any

from billkit.sandbox.http.endpoint import Endpoint, Idempotency, Json, RequestContext
from billkit.sandbox.schemas.billing import Customer, CustomerCreate, CustomerUpdate
from billkit.sandbox.services import billing
from billkit.sandbox.services.lookup import find_json
from billkit.sandbox.validation import BodyParser

__all__ = ["ENDPOINTS"]

_TAG = "customers"


def create_customer(context: RequestContext) -> dict[str, Any]:
    return billing.create_customer(context.store, context.body, now=context.now)


def retrieve_customer(context: RequestContext) -> Json:
    return Json(find_json(context.store, "customer", context.path_params["customer"]))


def update_customer(context: RequestContext) -> dict[str, Any]:
    reference = context.path_params["customer"]
    return billing.update_customer(context.store, reference, context.body, now=context.now)


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
