"""What creating, updating and voiding customers, accounts and bills does (contract §2).

Objects are plain JSON-ready dicts holding exactly Moment's fields, in Moment's order; fields never set are
absent. Every function returns a new dict and leaves its inputs untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from billkit.sandbox.domain.errors import RuleViolation
from billkit.sandbox.domain.limits import METADATA_MAX_KEYS
from billkit.sandbox.domain.rules import balance_payment_rules, bill_payment_rules

__all__ = [
    "ACCOUNT_FIELDS",
    "BILL_FIELDS",
    "CUSTOMER_FIELDS",
    "Owners",
    "billing_currency",
    "merge_metadata",
    "new_account",
    "new_bill",
    "new_customer",
    "update_account",
    "update_bill",
    "update_customer",
    "void_bill",
]

#: Moment's field order for each object.
CUSTOMER_FIELDS = (
    "id",
    "external_reference",
    "name",
    "email",
    "phone",
    "currency",
    "balance",
    "payment_rules",
    "metadata",
)
ACCOUNT_FIELDS = (
    "id",
    "external_reference",
    "customer_id",
    "name",
    "currency",
    "balance",
    "payment_rules",
    "metadata",
)
BILL_FIELDS = (
    "id",
    "external_reference",
    "customer_id",
    "account_id",
    "status",
    "currency",
    "amount_due",
    "amount_paid",
    "amount_remaining",
    "bill_date",
    "due_date",
    "payment_rules",
    "metadata",
)

#: A bill's customer and its account (None: the bill is directly on the customer).
Owners = tuple[Mapping[str, Any], Mapping[str, Any] | None]


def new_customer(fields: Mapping[str, Any], *, customer_id: str, where: str = "") -> dict[str, Any]:
    """A customer from create fields; `where` prefixes field names when it is nested in another create."""
    _require_currency_for_balance(fields, None, where)
    customer = {"id": customer_id, **fields}
    if "balance" in fields:
        customer["payment_rules"] = balance_payment_rules()
    return _ordered(customer, CUSTOMER_FIELDS)


def new_account(
    fields: Mapping[str, Any], *, account_id: str, customer_id: str, where: str = ""
) -> dict[str, Any]:
    """An account of `customer_id`; the `customer` field of the request is resolved by the caller."""
    _require_currency_for_balance(fields, None, where)
    account = {"id": account_id, "customer_id": customer_id, **_without(fields, "customer")}
    if "balance" in fields:
        account["payment_rules"] = balance_payment_rules()
    return _ordered(account, ACCOUNT_FIELDS)


def new_bill(
    fields: Mapping[str, Any],
    *,
    bill_id: str,
    customer: Mapping[str, Any],
    account: Mapping[str, Any] | None,
    today: date,
) -> dict[str, Any]:
    """An unpaid bill on `account` (when given) or directly on `customer`."""
    _check_bill_currency(fields["currency"], customer, account)
    amount_due = fields["amount_due"]
    bill: dict[str, Any] = {
        **_without(fields, "customer", "account", "bill_date", "due_date"),
        "id": bill_id,
        "customer_id": customer["id"],
        "status": "unpaid",
        "amount_paid": 0,
        "amount_remaining": amount_due,
        "bill_date": (fields.get("bill_date") or today).isoformat(),
        "payment_rules": bill_payment_rules(amount_due),
    }
    if account is not None:
        bill["account_id"] = account["id"]
    if "due_date" in fields:
        bill["due_date"] = fields["due_date"].isoformat()
    return _ordered(bill, BILL_FIELDS)


def update_customer(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """PATCH: `balance` replaces the old value; `metadata` merges, a null value removing its key."""
    return _update_balance_holder(current, changes, CUSTOMER_FIELDS)


def update_account(current: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    return _update_balance_holder(current, changes, ACCOUNT_FIELDS)


def update_bill(
    current: Mapping[str, Any], changes: Mapping[str, Any], *, owners: Callable[[], Owners]
) -> dict[str, Any]:
    """PATCH a bill: `amount_paid` is the new total paid; `amount_remaining` and `status` follow.

    `owners` gives the bill's customer and account; it is called only when the currency changes (the new
    one must be theirs), so other updates do not look them up."""
    _refuse_voided(current, "changed")
    bill = dict(current)
    if "currency" in changes:
        _check_bill_currency(changes["currency"], *owners())
        bill["currency"] = changes["currency"]
    if "amount_paid" in changes:
        amount_paid = changes["amount_paid"]
        if amount_paid > bill["amount_due"]:
            raise RuleViolation(
                f"amount_paid {amount_paid} is more than the bill's amount_due {bill['amount_due']}",
                code="amount_paid_above_due",
                field="amount_paid",
            )
        bill["amount_paid"] = amount_paid
        bill["amount_remaining"] = bill["amount_due"] - amount_paid
        bill["status"] = "paid" if bill["amount_remaining"] == 0 else "unpaid"
    if "metadata" in changes:
        _set_metadata(bill, merge_metadata(current.get("metadata"), changes["metadata"]))
    return _ordered(bill, BILL_FIELDS)


def void_bill(current: Mapping[str, Any]) -> dict[str, Any]:
    """Voiding is final: amounts keep their values, and a voided bill can never change again."""
    if current["status"] == "voided":
        raise RuleViolation(f"bill {current['id']} is already voided", code="already_voided")
    return {**current, "status": "voided"}


def merge_metadata(
    current: Mapping[str, str] | None, changes: Mapping[str, str | None]
) -> dict[str, str]:
    """New keys are added, existing ones replaced, keys set to None removed; at most 10 keys remain."""
    merged = dict(current or {})
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    if len(merged) > METADATA_MAX_KEYS:
        raise RuleViolation(
            f"metadata would hold {len(merged)} keys after this update; at most {METADATA_MAX_KEYS} are allowed",
            code="metadata_too_many_keys",
            field="metadata",
        )
    return merged


def billing_currency(customer: Mapping[str, Any], account: Mapping[str, Any] | None) -> str | None:
    """The currency a bill must use: its account's if it has one, else its customer's (None: any)."""
    if account is not None and "currency" in account:
        currency: str = account["currency"]
        return currency
    return customer.get("currency")


def _update_balance_holder(
    current: Mapping[str, Any], changes: Mapping[str, Any], order: tuple[str, ...]
) -> dict[str, Any]:
    _require_currency_for_balance(changes, current.get("currency"), "")
    updated = dict(current)
    updated.update(_without(changes, "metadata"))
    if "metadata" in changes:
        _set_metadata(updated, merge_metadata(current.get("metadata"), changes["metadata"]))
    if "balance" in updated and "payment_rules" not in updated:
        updated["payment_rules"] = balance_payment_rules()  # balance tracking starts now
    return _ordered(updated, order)


def _require_currency_for_balance(
    fields: Mapping[str, Any], current_currency: str | None, where: str
) -> None:
    if "balance" in fields and "currency" not in fields and current_currency is None:
        raise RuleViolation(
            "balance needs a currency: send currency with it (the entity has none yet)",
            code="balance_needs_currency",
            field=_field(where, "currency"),
        )


def _check_bill_currency(
    currency: str, customer: Mapping[str, Any], account: Mapping[str, Any] | None
) -> None:
    expected = billing_currency(customer, account)
    if expected is not None and currency != expected:
        owner = account if account is not None and "currency" in account else customer
        raise RuleViolation(
            f"the bill's currency {currency} differs from {owner['id']}'s currency {expected}",
            code="currency_mismatch",
            field="currency",
        )


def _refuse_voided(bill: Mapping[str, Any], action: str) -> None:
    if bill["status"] == "voided":
        raise RuleViolation(
            f"bill {bill['id']} is voided and cannot be {action}", code="bill_voided"
        )


def _set_metadata(obj: dict[str, Any], metadata: dict[str, str]) -> None:
    if metadata:
        obj["metadata"] = metadata
    else:
        obj.pop("metadata", None)


def _field(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _without(fields: Mapping[str, Any], *names: str) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if key not in names}


def _ordered(obj: Mapping[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    return {name: obj[name] for name in order if name in obj}
