"""`/billing/bills`: create (every composite form, see `services.billing`), retrieve, update and void."""

from __future__ import annotations

from billkit.sandbox.http.endpoint import REQUIRED, Json, RequestContext, Routes
from billkit.sandbox.schemas.billing import Bill, BillCreate, BillUpdate, BillVoid
from billkit.sandbox.services import billing
from billkit.sandbox.services.lookup import find_json

__all__ = ["routes"]

routes = Routes(tag="bills")


@routes.post(
    "/billing/bills",
    body=BillCreate,
    response=Bill,
    idempotency=REQUIRED,
    errors=(404, 409, 422),
)
def create_bill(context: RequestContext) -> Json:
    """Create a bill, on a customer or an account (new ones may be created with it)"""
    return Json(billing.create_bill(context.store, context.body, now=context.now).json)


@routes.get("/billing/bills/{bill}", response=Bill)
def retrieve_bill(context: RequestContext) -> Json:
    """Retrieve a bill"""
    return Json(find_json(context.store, "bill", context.path_params["bill"]))


@routes.patch("/billing/bills/{bill}", body=BillUpdate, response=Bill, errors=(422,))
def update_bill(context: RequestContext) -> Json:
    """Update a bill (amount_paid replaces, metadata merges)"""
    reference = context.path_params["bill"]
    return Json(billing.update_bill(context.store, reference, context.body, now=context.now).json)


@routes.post(
    "/billing/bills/{bill}/void",
    status=200,
    body=BillVoid,
    empty_body=True,
    response=Bill,
    idempotency=REQUIRED,
    errors=(422,),
)
def void_bill(context: RequestContext) -> Json:
    """Void a bill (irreversible)"""
    return Json(billing.void_bill(context.store, context.path_params["bill"], now=context.now).json)
