"""`GET /_sandbox/billing/{customers,accounts,bills}`: what Moment cannot list, newest first.

Filters take an ID or external_reference, as Moment's paths do; one that names nothing matches nothing.
A `starting_after` that names nothing is a 404.
"""

from __future__ import annotations

from typing import Any

from billkit.sandbox.http.endpoint import RequestContext, Routes
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

__all__ = ["routes"]

routes = Routes(tag="sandbox")
#: query parameter -> (kind of object it names, column it filters on)
_REFERENCE_FILTERS: dict[str, tuple[ObjectKind, str]] = {
    "customer": ("customer", "customer_id"),
    "account": ("account", "account_id"),
}


@routes.get(
    "/_sandbox/billing/customers", response=CustomerList, query=CustomerListQuery, errors=(404,)
)
def list_customers(context: RequestContext) -> dict[str, Any]:
    """List customers, newest first"""
    return _list(context, "customer")


@routes.get(
    "/_sandbox/billing/accounts", response=AccountList, query=AccountListQuery, errors=(404,)
)
def list_accounts(context: RequestContext) -> dict[str, Any]:
    """List accounts, newest first; filter by customer"""
    return _list(context, "account")


@routes.get("/_sandbox/billing/bills", response=BillList, query=BillListQuery, errors=(404,))
def list_bills(context: RequestContext) -> dict[str, Any]:
    """List bills, newest first; filter by customer, account or status"""
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
