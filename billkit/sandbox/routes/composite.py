"""Creating customers and accounts, on their own or nested inside another create (composite creates).

Nested objects are created inside the request's transaction: if anything later in the request fails, the
savepoint undoes them too, so a composite create makes all of its objects or none.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from billkit.sandbox.domain.billing import new_account, new_customer
from billkit.sandbox.ids import new_id
from billkit.sandbox.routes.lookup import find_or_404, insert_new, join
from billkit.sandbox.store import Store

__all__ = ["create_account", "create_customer", "existing_or_new_customer"]


def create_customer(store: Store, fields: Mapping[str, Any], *, where: str = "") -> dict[str, Any]:
    customer = new_customer(fields, customer_id=new_id("bcus_"), where=where)
    insert_new(store, "customer", customer, field=join(where, "external_reference"))
    return customer


def create_account(
    store: Store, fields: Mapping[str, Any], *, customer: Mapping[str, Any], where: str = ""
) -> dict[str, Any]:
    account = new_account(
        fields, account_id=new_id("bacc_"), customer_id=customer["id"], where=where
    )
    insert_new(store, "account", account, field=join(where, "external_reference"))
    return account


def existing_or_new_customer(
    store: Store, value: str | Mapping[str, Any], *, field: str
) -> dict[str, Any]:
    """`value` is an existing customer's ID or external_reference, or the fields of a new customer."""
    if isinstance(value, str):
        return find_or_404(store, "customer", value, field=field)
    return create_customer(store, value, where=field)
