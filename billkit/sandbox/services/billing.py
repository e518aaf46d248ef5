"""Customers, accounts and bills: create (every composite form), update, void (contract §2).

The forms of a bill create:
  customer ID                      -> bill on that customer
  account ID                       -> bill on that account (and its customer)
  customer object                  -> new customer, bill on it
  account object + nested customer -> new customer (or the one the nested ID names), new account, bill
  customer ID + account object     -> new account on that customer, bill on it

Nested objects are written inside the caller's transaction, so if anything later fails, rolling it back
undoes them too: a composite create makes all of its objects or none.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Literal, NamedTuple

from billkit.sandbox.clock import utc_date
from billkit.sandbox.domain import billing
from billkit.sandbox.domain.errors import MissingField, RuleViolation
from billkit.sandbox.ids import new_id
from billkit.sandbox.services.lookup import find, insert_new, join
from billkit.sandbox.store import Store

__all__ = [
    "Written",
    "create_account",
    "create_bill",
    "create_customer",
    "revise_bill",
    "update_account",
    "update_bill",
    "update_customer",
    "void_bill",
]


class Written(NamedTuple):
    """An object as just written, and the JSON text it was stored as: a route answers with that text, so
    the object is encoded once per request (for the table, its version, the idempotent replay and the
    answer alike)."""

    object: dict[str, Any]
    json: str


#: A customer or account as a request gives it: an existing one's ID or external_reference, or new fields.
Named = str | Mapping[str, Any]


def create_customer(
    store: Store, fields: Mapping[str, Any], *, now: float, where: str = ""
) -> Written:
    """A new customer; `where` is the field path when it is nested in another create."""
    customer = billing.new_customer(fields, customer_id=new_id("bcus_"), where=where)
    text = insert_new(store, "customer", customer, field=join(where, "external_reference"), now=now)
    return Written(customer, text)


def create_account(
    store: Store,
    fields: Mapping[str, Any],
    *,
    now: float,
    customer: Mapping[str, Any] | None = None,
    where: str = "",
) -> Written:
    """A new account, of `customer` when given, else of the customer its `customer` field names or holds."""
    if customer is None:
        customer = _existing_or_new_customer(store, fields["customer"], now=now, field="customer")
    account = billing.new_account(
        fields, account_id=new_id("bacc_"), customer_id=customer["id"], where=where
    )
    text = insert_new(store, "account", account, field=join(where, "external_reference"), now=now)
    return Written(account, text)


def create_bill(store: Store, fields: Mapping[str, Any], *, now: float) -> Written:
    """A new unpaid bill, with any new customer and account it names (see the module docstring)."""
    customer, account = _owners(store, fields.get("customer"), fields.get("account"), now=now)
    bill = billing.new_bill(
        fields, bill_id=new_id("bill_"), customer=customer, account=account, today=utc_date(now)
    )
    return Written(bill, insert_new(store, "bill", bill, field="external_reference", now=now))


def update_customer(
    store: Store, reference: str, changes: Mapping[str, Any], *, now: float
) -> Written:
    return _update_balance_holder(store, "customer", reference, changes, now=now)


def update_account(
    store: Store, reference: str, changes: Mapping[str, Any], *, now: float
) -> Written:
    return _update_balance_holder(store, "account", reference, changes, now=now)


def _update_balance_holder(
    store: Store,
    kind: Literal["customer", "account"],
    reference: str,
    changes: Mapping[str, Any],
    *,
    now: float,
) -> Written:
    """PATCH a customer or an account: `balance` replaces, `metadata` merges."""
    update = billing.update_customer if kind == "customer" else billing.update_account
    current = find(store, kind, reference)
    currency = changes.get("currency")
    if currency is not None and currency != current.get("currency"):
        clashing = store.open_bill_currencies(kind, current["id"]) - {currency}
        if clashing:
            raise RuleViolation(
                f"{kind} {current['id']} has bills in {', '.join(sorted(clashing))} that are not "
                f"voided, so its currency cannot become {currency}",
                code="currency_in_use",
                field="currency",
            )
    updated = update(current, changes)
    return Written(updated, store.objects(kind).update(updated, at=now))


def update_bill(store: Store, reference: str, changes: Mapping[str, Any], *, now: float) -> Written:
    current = find(store, "bill", reference)
    updated = billing.update_bill(current, changes, owners=lambda: _current_owners(store, current))
    return Written(updated, store.bills.update(updated, at=now))


def revise_bill(
    store: Store, reference: str, *, amount_due: int, due_date: date | None, now: float
) -> dict[str, Any]:
    """A billing file's change to an unpaid bill: its amount_due and due_date (contract §9)."""
    revised = billing.revise_bill(
        find(store, "bill", reference), amount_due=amount_due, due_date=due_date
    )
    store.bills.update(revised, at=now)
    return revised


def void_bill(store: Store, reference: str, *, now: float) -> Written:
    voided = billing.void_bill(find(store, "bill", reference))
    return Written(voided, store.bills.update(voided, at=now))


def _existing_or_new_customer(
    store: Store, value: Named, *, now: float, field: str
) -> dict[str, Any]:
    if isinstance(value, str):
        return find(store, "customer", value, field=field)
    return create_customer(store, value, now=now, where=field).object


def _owners(
    store: Store, customer_value: Named | None, account_value: Named | None, *, now: float
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The bill's customer and account (None: a bill directly on the customer), created when new."""
    if account_value is None:
        if customer_value is None:
            raise MissingField("customer", "is required: a bill needs a customer or an account")
        return _existing_or_new_customer(store, customer_value, now=now, field="customer"), None
    if isinstance(account_value, str):
        account = find(store, "account", account_value, field="account")
        owner = find(store, "customer", account["customer_id"])
        if customer_value is not None:
            _check_same_customer(store, customer_value, account, owner)
        return owner, account
    nested = account_value.get("customer")
    if nested is not None and customer_value is not None:
        raise RuleViolation(
            "give the new account's customer inside it or as the bill's customer, not both",
            code="customer_given_twice",
            field="account.customer",
        )
    if nested is not None:
        customer = _existing_or_new_customer(store, nested, now=now, field="account.customer")
    elif customer_value is not None:
        customer = _existing_or_new_customer(store, customer_value, now=now, field="customer")
    else:
        raise MissingField(
            "account.customer", "is required: a new account needs a customer, here or as the bill's"
        )
    account = create_account(
        store, account_value, now=now, customer=customer, where="account"
    ).object
    return customer, account


def _check_same_customer(
    store: Store, customer_value: Named, account: Mapping[str, Any], owner: Mapping[str, Any]
) -> None:
    """A bill naming both an existing account and a customer: they must agree."""
    if not isinstance(customer_value, str):
        raise RuleViolation(
            f"account {account['id']} already belongs to customer {owner['id']}: "
            "a new customer cannot own it",
            code="account_of_another_customer",
            field="customer",
        )
    named = find(store, "customer", customer_value, field="customer")
    if named["id"] != owner["id"]:
        raise RuleViolation(
            f"account {account['id']} belongs to customer {owner['id']}, not {named['id']}",
            code="account_of_another_customer",
            field="customer",
        )


def _current_owners(
    store: Store, bill: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    customer = find(store, "customer", bill["customer_id"])
    account_id = bill.get("account_id")
    account = find(store, "account", account_id) if account_id else None
    return customer, account
