"""`/billing/bills`: create (with every composite form), retrieve, update and void.

The forms of create (contract §2):
  customer ID                      -> bill on that customer
  account ID                       -> bill on that account (and its customer)
  customer object                  -> new customer, bill on it
  account object + nested customer -> new customer (or the one the nested ID names), new account, bill
  customer ID + account object     -> new account on that customer, bill on it
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from billkit.sandbox.domain import billing
from billkit.sandbox.domain.errors import RuleViolation
from billkit.sandbox.http.endpoint import Endpoint, Idempotency, Json, RequestContext
from billkit.sandbox.ids import new_id
from billkit.sandbox.problems import ApiError
from billkit.sandbox.routes.composite import create_account, existing_or_new_customer
from billkit.sandbox.routes.lookup import find_json_or_404, find_or_404, insert_new
from billkit.sandbox.schemas.billing import Bill, BillCreate, BillUpdate, BillVoid
from billkit.sandbox.store import Store
from billkit.sandbox.validation import BodyParser

__all__ = ["ENDPOINTS"]

_TAG = "bills"


def create_bill(context: RequestContext) -> Json:
    store, body = context.store, context.body
    customer, account = _owners(store, body.get("customer"), body.get("account"))
    bill = billing.new_bill(
        body, bill_id=new_id("bill_"), customer=customer, account=account, today=context.today()
    )
    return insert_new(store, "bill", bill, field="external_reference")


def retrieve_bill(context: RequestContext) -> Json:
    return find_json_or_404(context.store, "bill", context.path_params["bill"])


def update_bill(context: RequestContext) -> Json:
    store = context.store
    current = find_or_404(store, "bill", context.path_params["bill"])
    updated = billing.update_bill(
        current, context.body, owners=lambda: _current_owners(store, current)
    )
    return Json(store.bills.update(updated))


def void_bill(context: RequestContext) -> Json:
    current = find_or_404(context.store, "bill", context.path_params["bill"])
    voided = billing.void_bill(current)
    return Json(context.store.bills.update(voided))


def _owners(
    store: Store,
    customer_value: str | Mapping[str, Any] | None,
    account_value: str | Mapping[str, Any] | None,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The bill's customer and account (None: a bill directly on the customer), created when new."""
    if account_value is None:
        if customer_value is None:
            raise ApiError.for_field(
                400, "customer", "is required: a bill needs a customer or an account"
            )
        return existing_or_new_customer(store, customer_value, field="customer"), None
    if isinstance(account_value, str):
        account = find_or_404(store, "account", account_value, field="account")
        owner = find_or_404(store, "customer", account["customer_id"])
        if customer_value is not None:
            _check_same_customer(store, customer_value, account, owner)
        return owner, account
    nested = account_value.get("customer")
    if nested is not None and customer_value is not None:
        raise RuleViolation(
            "give the new account's customer inside it or as the bill's customer, not both",
            field="account.customer",
        )
    if nested is not None:
        customer = existing_or_new_customer(store, nested, field="account.customer")
    elif customer_value is not None:
        customer = existing_or_new_customer(store, customer_value, field="customer")
    else:
        raise RuleViolation(
            "a new account needs a customer: inside it, or as the bill's customer",
            field="account.customer",
        )
    return customer, create_account(store, account_value, customer=customer, where="account")


def _check_same_customer(
    store: Store,
    customer_value: str | Mapping[str, Any],
    account: Mapping[str, Any],
    owner: Mapping[str, Any],
) -> None:
    """A bill naming both an existing account and a customer: they must agree."""
    if not isinstance(customer_value, str):
        raise RuleViolation(
            f"account {account['id']} already belongs to customer {owner['id']}: "
            "a new customer cannot own it",
            field="customer",
        )
    named = find_or_404(store, "customer", customer_value, field="customer")
    if named["id"] != owner["id"]:
        raise RuleViolation(
            f"account {account['id']} belongs to customer {owner['id']}, not {named['id']}",
            field="customer",
        )


def _current_owners(
    store: Store, bill: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    customer = find_or_404(store, "customer", bill["customer_id"])
    account_id = bill.get("account_id")
    account = find_or_404(store, "account", account_id) if account_id else None
    return customer, account


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
