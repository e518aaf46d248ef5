"""`GET /_sandbox/billing/{customers,accounts,bills}`: what Moment cannot list, newest first.

Filters take an ID or external_reference, as Moment's paths do; one that names nothing matches nothing.
"""

from __future__ import annotations

from typing import Any

from billkit.sandbox.http.endpoint import Endpoint, RequestContext
from billkit.sandbox.routes.listing import page_body, page_size
from billkit.sandbox.schemas.sandbox import (
    AccountList,
    AccountListQuery,
    BillList,
    BillListQuery,
    CustomerList,
    CustomerListQuery,
)
from billkit.sandbox.store import ObjectKind, Page
from billkit.sandbox.validation import QueryParser

__all__ = ["ENDPOINTS"]

_TAG = "sandbox"
#: query parameter -> (kind of object it names, column it filters on)
_REFERENCE_FILTERS: dict[str, tuple[ObjectKind, str]] = {
    "customer": ("customer", "customer_id"),
    "account": ("account", "account_id"),
}


def list_customers(context: RequestContext) -> dict[str, Any]:
    return _list(context, "customer")


def list_accounts(context: RequestContext) -> dict[str, Any]:
    return _list(context, "account")


def list_bills(context: RequestContext) -> dict[str, Any]:
    return _list(context, "bill")


def _list(context: RequestContext, kind: ObjectKind) -> dict[str, Any]:
    store, query = context.store, context.query
    filters: dict[str, str] = {}
    for name, (named_kind, column) in _REFERENCE_FILTERS.items():
        if name in query:
            named = store.objects(named_kind).find(query[name])
            if named is None:
                return {"data": [], "has_more": False}
            filters[column] = named["id"]
    if "status" in query:
        filters["status"] = query["status"]
    table = store.objects(kind)

    def fetch(limit: int, starting_after: str | None) -> Page:
        return table.list(limit=limit, starting_after=starting_after, filters=filters)

    return page_body(fetch, page_size(query), query.get("starting_after"))


ENDPOINTS = (
    Endpoint(
        "GET",
        "/_sandbox/billing/customers",
        list_customers,
        "List customers, newest first",
        _TAG,
        200,
        CustomerList,
        query=QueryParser(CustomerListQuery),
        errors=(404,),  # starting_after names nothing
    ),
    Endpoint(
        "GET",
        "/_sandbox/billing/accounts",
        list_accounts,
        "List accounts, newest first; filter by customer",
        _TAG,
        200,
        AccountList,
        query=QueryParser(AccountListQuery),
        errors=(404,),  # starting_after names nothing
    ),
    Endpoint(
        "GET",
        "/_sandbox/billing/bills",
        list_bills,
        "List bills, newest first; filter by customer, account or status",
        _TAG,
        200,
        BillList,
        query=QueryParser(BillListQuery),
        errors=(404,),  # starting_after names nothing
    ),
)
