"""`/billing/bills`: create (every composite form, see `services.billing`), retrieve, update and void."""

from __future__ import annotations

from typing import Any

from billkit.sandbox.http.endpoint import Endpoint, Idempotency, Json, RequestContext
from billkit.sandbox.schemas.billing import Bill, BillCreate, BillUpdate, BillVoid
from billkit.sandbox.services import billing
from billkit.sandbox.services.lookup import find_json
from billkit.sandbox.validation import BodyParser

__all__ = ["ENDPOINTS"]

_TAG = "bills"


def create_bill(context: RequestContext) -> dict[str, Any]:
    return billing.create_bill(context.store, context.body, now=context.now)


def retrieve_bill(context: RequestContext) -> Json:
    return Json(find_json(context.store, "bill", context.path_params["bill"]))


def update_bill(context: RequestContext) -> dict[str, Any]:
    reference = context.path_params["bill"]
    return billing.update_bill(context.store, reference, context.body, now=context.now)


def void_bill(context: RequestContext) -> dict[str, Any]:
    return billing.void_bill(context.store, context.path_params["bill"], now=context.now)


ENDPOINTS = (
    Endpoint(
        "POST",
        "/billing/bills",
        create_bill,
        "Create a bill, on a customer or an account (new ones may be created with it)",
        _TAG,
        201,
        Bill,
        idempotency=Idempotency.REQUIRED,
        body=BodyParser(BillCreate),
        errors=(404, 409, 422),
    ),
    Endpoint(
        "GET",
        "/billing/bills/{bill}",
        retrieve_bill,
        "Retrieve a bill",
        _TAG,
        200,
        Bill,
    ),
    Endpoint(
        "PATCH",
        "/billing/bills/{bill}",
        update_bill,
        "Update a bill (amount_paid replaces, metadata merges)",
        _TAG,
        200,
        Bill,
        idempotency=Idempotency.OPTIONAL,
        body=BodyParser(BillUpdate),
        errors=(422,),
    ),
    Endpoint(
        "POST",
        "/billing/bills/{bill}/void",
        void_bill,
        "Void a bill (irreversible)",
        _TAG,
        200,
        Bill,
        idempotency=Idempotency.REQUIRED,
        body=BodyParser(BillVoid, empty_is_object=True),
        errors=(422,),
    ),
)
