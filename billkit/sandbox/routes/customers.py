"""`/billing/customers`: create, retrieve and update (Moment has no list and no delete)."""

from __future__ import annotations

from billkit.sandbox.http.endpoint import REQUIRED, Json, RequestContext, Routes
from billkit.sandbox.schemas.billing import Customer, CustomerCreate, CustomerUpdate
from billkit.sandbox.services import billing
from billkit.sandbox.services.lookup import find_json

__all__ = ["routes"]

routes = Routes(tag="customers")


@routes.post(
    "/billing/customers",
    body=CustomerCreate,
    response=Customer,
    idempotency=REQUIRED,
    errors=(409, 422),
)
def create_customer(context: RequestContext) -> Json:
    """Create a customer"""
    return Json(billing.create_customer(context.store, context.body, now=context.now).json)


@routes.get("/billing/customers/{customer}", response=Customer)
def retrieve_customer(context: RequestContext) -> Json:
    """Retrieve a customer"""
    return Json(find_json(context.store, "customer", context.path_params["customer"]))


@routes.patch(
    "/billing/customers/{customer}", body=CustomerUpdate, response=Customer, errors=(422,)
)
def update_customer(context: RequestContext) -> Json:
    """Update a customer (balance replaces, metadata merges)"""
    reference = context.path_params["customer"]
    return Json(
        billing.update_customer(context.store, reference, context.body, now=context.now).json
    )
