"""Contract §2: customers, accounts and bills answer as Moment documents them: fields, lookups, composite
creates, business rules, PATCH semantics, voiding and payment_rules."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import TypeAdapter
from sandbox_helpers import Api, ref

from billkit.sandbox.schemas.billing import Account, Bill, Customer

ID_FORMAT = {"bcus_": Customer, "bacc_": Account, "bill_": Bill}


def assert_exact_shape(obj: dict[str, Any]) -> None:
    """Exactly the documented fields, with Moment's types and ID format (no nulls, no extras)."""
    prefix = obj["id"][: obj["id"].index("_") + 1]
    assert re.fullmatch(rf"{prefix}[a-zA-Z0-9]{{21,}}", obj["id"])
    TypeAdapter(ID_FORMAT[prefix]).validate_python(obj, strict=False)
    assert None not in obj.values()


# ---- customers ---------------------------------------------------------------------------------


def test_minimal_customer_has_only_id_and_reference(api: Api) -> None:
    reference = ref()
    customer = api.created("/billing/customers", {"external_reference": reference})
    assert set(customer) == {"id", "external_reference"}
    assert customer["external_reference"] == reference
    assert_exact_shape(customer)


def test_full_customer_reads_back_identically_by_id_and_reference(api: Api) -> None:
    body = {
        "external_reference": ref(),
        "name": "John Doe",
        "email": "john.doe@example.com",
        "phone": "+27123456789",
        "currency": "ZAR",
        "balance": 2000,
        "metadata": {"customer_type": "premium"},
    }
    created = api.created("/billing/customers", body)
    assert created == {
        "id": created["id"],
        **body,
        "payment_rules": {
            "min_amount": 100,
            "max_amount": 99_999_999,
            "underpayment_allowed": True,
            "overpayment_allowed": False,
        },
    }
    assert list(created) == [
        "id", "external_reference", "name", "email", "phone", "currency", "balance", "payment_rules", "metadata",
    ]  # fmt: skip
    assert api.get(f"/billing/customers/{created['id']}").json() == created
    assert api.get(f"/billing/customers/{body['external_reference']}").json() == created


def test_customer_without_balance_has_no_payment_rules(api: Api) -> None:
    assert "payment_rules" not in api.customer(currency="ZAR", name="No balance")


def test_negative_balance_is_credit_and_allowed(api: Api) -> None:
    assert api.customer(currency="USD", balance=-5000)["balance"] == -5000


def test_balance_without_currency_is_422(api: Api) -> None:
    response = api.post("/billing/customers", {"external_reference": ref(), "balance": 2000})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "currency"


def test_duplicate_customer_reference_is_409(api: Api) -> None:
    reference = ref()
    api.created("/billing/customers", {"external_reference": reference})
    response = api.post("/billing/customers", {"external_reference": reference})
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "external_reference"


def test_patch_balance_replaces_and_may_rely_on_the_stored_currency(api: Api) -> None:
    customer = api.customer(currency="ZAR", balance=2000)
    updated = api.patch(f"/billing/customers/{customer['id']}", {"balance": 5000}).json()
    assert updated["balance"] == 5000
    assert updated["currency"] == "ZAR"


def test_patch_balance_on_an_entity_without_currency_is_422(api: Api) -> None:
    customer = api.customer()
    response = api.patch(f"/billing/customers/{customer['id']}", {"balance": 5000})
    assert response.status_code == 422
    assert api.get(f"/billing/customers/{customer['id']}").json() == customer


def test_patch_starting_balance_tracking_adds_payment_rules(api: Api) -> None:
    customer = api.customer()
    updated = api.patch(
        f"/billing/customers/{customer['id']}", {"balance": 700, "currency": "USD"}
    ).json()
    assert updated["payment_rules"]["min_amount"] == 100


def test_patch_by_external_reference_and_other_fields(api: Api) -> None:
    customer = api.customer(name="Old")
    updated = api.patch(
        f"/billing/customers/{customer['external_reference']}",
        {"name": "New", "email": "new@example.com", "phone": "+14155550100"},
    ).json()
    assert (updated["name"], updated["email"], updated["phone"]) == (
        "New",
        "new@example.com",
        "+14155550100",
    )
    assert updated["id"] == customer["id"]


def test_metadata_merges_and_null_removes_a_key(api: Api) -> None:
    customer = api.customer(metadata={"keep": "1", "change": "old", "drop": "x"})
    path = f"/billing/customers/{customer['id']}"
    updated = api.patch(path, {"metadata": {"change": "new", "drop": None, "add": "2"}}).json()
    assert updated["metadata"] == {"keep": "1", "change": "new", "add": "2"}
    cleared = api.patch(path, {"metadata": {"keep": None, "change": None, "add": None}}).json()
    assert "metadata" not in cleared


def test_metadata_merge_past_ten_keys_is_422(api: Api) -> None:
    customer = api.customer(metadata={f"k{i}": "v" for i in range(8)})
    response = api.patch(
        f"/billing/customers/{customer['id']}", {"metadata": {"a": "1", "b": "2", "c": "3"}}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "metadata"


def test_patch_unknown_customer_is_404(api: Api) -> None:
    assert api.patch(f"/billing/customers/{ref()}", {"name": "x"}).status_code == 404


# ---- accounts ----------------------------------------------------------------------------------


def test_account_on_existing_customer_by_id_or_reference(api: Api) -> None:
    customer = api.customer()
    by_id = api.account(customer["id"], name="Primary Account")
    by_reference = api.account(customer["external_reference"])
    assert by_id["customer_id"] == by_reference["customer_id"] == customer["id"]
    assert set(by_reference) == {"id", "external_reference", "customer_id"}
    assert_exact_shape(by_id)


def test_account_with_balance_has_balance_rules(api: Api) -> None:
    account = api.account(api.customer()["id"], currency="ZAR", balance=2000)
    assert account["payment_rules"] == {
        "min_amount": 100,
        "max_amount": 99_999_999,
        "underpayment_allowed": True,
        "overpayment_allowed": False,
    }


def test_account_with_new_customer_creates_both(api: Api) -> None:
    customer_reference = ref()
    account = api.created(
        "/billing/accounts",
        {
            "customer": {"external_reference": customer_reference, "name": "Jo"},
            "external_reference": ref(),
        },
    )
    customer = api.get(f"/billing/customers/{customer_reference}").json()
    assert account["customer_id"] == customer["id"]
    assert customer["name"] == "Jo"


def test_account_for_unknown_customer_is_404_and_creates_nothing(api: Api) -> None:
    reference = ref()
    response = api.post("/billing/accounts", {"customer": ref(), "external_reference": reference})
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "customer"
    assert api.get(f"/billing/accounts/{reference}").status_code == 404


def test_composite_account_is_atomic(api: Api) -> None:
    """The account's reference is taken, so neither the nested customer nor the account is created."""
    taken = api.account(api.customer()["id"])["external_reference"]
    customer_reference = ref()
    response = api.post(
        "/billing/accounts",
        {"customer": {"external_reference": customer_reference}, "external_reference": taken},
    )
    assert response.status_code == 409
    assert api.get(f"/billing/customers/{customer_reference}").status_code == 404


@pytest.mark.parametrize(
    ("path", "kind"), [("/billing/accounts", "An account"), ("/billing/customers", "A customer")]
)
def test_a_duplicate_reference_is_named_in_words(api: Api, path: str, kind: str) -> None:
    customer = api.customer()
    fields = {"customer": customer["id"]} if path == "/billing/accounts" else {}
    reference = ref()
    api.created(path, {"external_reference": reference, **fields})
    again = api.post(path, {"external_reference": reference, **fields})
    assert again.json()["detail"] == f"{kind} with external_reference {reference!r} already exists"


def test_nested_existing_customer_reference_is_409(api: Api) -> None:
    existing = api.customer()
    response = api.post(
        "/billing/accounts",
        {
            "customer": {"external_reference": existing["external_reference"]},
            "external_reference": ref(),
        },
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "customer.external_reference"


def test_nested_customer_balance_without_currency_is_422_naming_the_nested_field(api: Api) -> None:
    response = api.post(
        "/billing/accounts",
        {"customer": {"external_reference": ref(), "balance": 5}, "external_reference": ref()},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "customer.currency"


def test_account_customer_must_be_a_reference_or_an_object(api: Api) -> None:
    response = api.post("/billing/accounts", {"customer": 42, "external_reference": ref()})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "customer"


def test_patch_account_touches_only_that_account(api: Api) -> None:
    customer = api.customer()["id"]
    first = api.account(
        customer, name="Subscription Account", metadata={"account_type": "subscription"}
    )
    sibling = api.account(customer, name="Sibling")
    updated = api.patch(
        f"/billing/accounts/{first['id']}",
        {"name": "Premium Subscription Account", "metadata": {"account_tier": "premium"}},
    ).json()
    assert updated["name"] == "Premium Subscription Account"
    assert updated["metadata"] == {"account_type": "subscription", "account_tier": "premium"}
    assert api.get(f"/billing/accounts/{sibling['id']}").json() == sibling


def test_patch_account_balance_replaces(api: Api) -> None:
    account = api.account(api.customer()["id"], currency="ZAR", balance=2000)
    assert (
        api.patch(f"/billing/accounts/{account['id']}", {"balance": 10000}).json()["balance"]
        == 10000
    )


# ---- bills -------------------------------------------------------------------------------------


def test_bill_on_customer_has_no_account_id_and_default_rules(api: Api) -> None:
    customer = api.customer(currency="ZAR")
    bill = api.bill(2000, customer=customer["id"], due_date="2025-01-31", bill_date="2025-01-01")
    assert bill == {
        "id": bill["id"],
        "external_reference": bill["external_reference"],
        "customer_id": customer["id"],
        "status": "unpaid",
        "currency": "ZAR",
        "amount_due": 2000,
        "amount_paid": 0,
        "amount_remaining": 2000,
        "bill_date": "2025-01-01",
        "due_date": "2025-01-31",
        "payment_rules": {
            "min_amount": 100,
            "max_amount": 2000,
            "underpayment_allowed": True,
            "overpayment_allowed": False,
        },
    }
    assert_exact_shape(bill)


def test_bill_date_defaults_to_the_sandbox_date(api: Api) -> None:
    today = api.get("/_sandbox/clock").json()["now"][:10]
    assert api.bill()["bill_date"] == today


def test_small_bill_min_amount_is_its_amount_due(api: Api) -> None:
    assert api.bill(50)["payment_rules"]["min_amount"] == 50


def test_bill_on_account_reports_the_account_customer(api: Api) -> None:
    customer = api.customer()
    account = api.account(customer["id"])
    bill = api.bill(account=account["external_reference"])
    assert (bill["account_id"], bill["customer_id"]) == (account["id"], customer["id"])


def test_three_level_composite_bill(api: Api) -> None:
    customer_reference, account_reference = ref(), ref()
    bill = api.bill(
        account={
            "external_reference": account_reference,
            "name": "Primary Account",
            "customer": {"external_reference": customer_reference, "name": "John Doe"},
        }
    )
    customer = api.get(f"/billing/customers/{customer_reference}").json()
    account = api.get(f"/billing/accounts/{account_reference}").json()
    assert account["customer_id"] == customer["id"]
    assert (bill["customer_id"], bill["account_id"]) == (customer["id"], account["id"])


def test_bill_with_new_customer_object(api: Api) -> None:
    reference = ref()
    bill = api.bill(customer={"external_reference": reference, "currency": "ZAR"})
    assert api.get(f"/billing/customers/{reference}").json()["id"] == bill["customer_id"]
    assert "account_id" not in bill


def test_bill_with_customer_id_and_new_account(api: Api) -> None:
    customer = api.customer()
    account_reference = ref()
    bill = api.bill(customer=customer["id"], account={"external_reference": account_reference})
    account = api.get(f"/billing/accounts/{account_reference}").json()
    assert account["customer_id"] == customer["id"] == bill["customer_id"]
    assert bill["account_id"] == account["id"]


def test_account_object_nesting_an_existing_customer_id(api: Api) -> None:
    customer = api.customer()
    bill = api.bill(account={"external_reference": ref(), "customer": customer["id"]})
    assert bill["customer_id"] == customer["id"]


@pytest.mark.parametrize("taken", ["customer", "account", "bill"])
def test_composite_bill_is_all_or_nothing(api: Api, taken: str) -> None:
    existing_bill = api.bill(
        account={"external_reference": ref(), "customer": {"external_reference": ref()}}
    )
    existing_account = api.get(f"/billing/accounts/{existing_bill['account_id']}").json()
    existing_customer = api.get(f"/billing/customers/{existing_bill['customer_id']}").json()
    references = {"customer": ref(), "account": ref(), "bill": ref()}
    references[taken] = {
        "customer": existing_customer, "account": existing_account, "bill": existing_bill,
    }[taken]["external_reference"]  # fmt: skip
    response = api.post(
        "/billing/bills",
        {
            "external_reference": references["bill"],
            "currency": "ZAR",
            "amount_due": 100,
            "account": {
                "external_reference": references["account"],
                "customer": {"external_reference": references["customer"]},
            },
        },
    )
    assert response.status_code == 409
    for kind, path in (("customer", "customers"), ("account", "accounts"), ("bill", "bills")):
        if kind != taken:
            assert api.get(f"/billing/{path}/{references[kind]}").status_code == 404


def test_bill_needs_a_customer_or_an_account(api: Api) -> None:
    response = api.post(
        "/billing/bills", {"external_reference": ref(), "currency": "ZAR", "amount_due": 100}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "customer"


def test_new_account_without_any_customer_is_400_naming_account_customer(api: Api) -> None:
    """Contract §2: a required field that is missing is a 400 naming it, also inside a composite."""
    response = api.post(
        "/billing/bills",
        {
            "external_reference": ref(),
            "currency": "ZAR",
            "amount_due": 1,
            "account": {"external_reference": ref()},
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "account.customer"


def test_customer_in_both_places_is_422(api: Api) -> None:
    customer = api.customer()["id"]
    response = api.post(
        "/billing/bills",
        {
            "external_reference": ref(),
            "currency": "ZAR",
            "amount_due": 1,
            "customer": customer,
            "account": {"external_reference": ref(), "customer": customer},
        },
    )
    assert response.status_code == 422


def test_bill_on_account_of_another_customer_is_422(api: Api) -> None:
    account = api.account(api.customer()["id"])
    other = api.customer()
    response = api.post(
        "/billing/bills",
        {
            "external_reference": ref(),
            "currency": "ZAR",
            "amount_due": 1,
            "account": account["id"],
            "customer": other["id"],
        },
    )
    assert response.status_code == 422


def test_bill_naming_the_account_and_its_own_customer_is_fine(api: Api) -> None:
    customer = api.customer()
    account = api.account(customer["id"])
    bill = api.bill(account=account["id"], customer=customer["external_reference"])
    assert bill["account_id"] == account["id"]


@pytest.mark.parametrize("owner", ["customer", "account"])
def test_bill_currency_must_match_its_owner(api: Api, owner: str) -> None:
    customer = api.customer(currency="ZAR")
    target = (
        customer["id"] if owner == "customer" else api.account(customer["id"], currency="ZAR")["id"]
    )
    response = api.post(
        "/billing/bills",
        {"external_reference": ref(), "currency": "USD", "amount_due": 1, owner: target},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "currency"


def test_bill_currency_falls_back_to_the_account_customer(api: Api) -> None:
    account = api.account(api.customer(currency="USD")["id"])  # the account has no currency
    response = api.post(
        "/billing/bills",
        {"external_reference": ref(), "currency": "ZAR", "amount_due": 1, "account": account["id"]},
    )
    assert response.status_code == 422


def test_duplicate_bill_reference_is_409(api: Api, bill: dict[str, Any]) -> None:
    response = api.post(
        "/billing/bills",
        {
            "external_reference": bill["external_reference"],
            "currency": "ZAR",
            "amount_due": 1,
            "customer": bill["customer_id"],
        },
    )
    assert response.status_code == 409


def test_references_are_unique_per_kind_only(api: Api) -> None:
    reference = ref()
    customer = api.created("/billing/customers", {"external_reference": reference})
    account = api.created(
        "/billing/accounts", {"customer": customer["id"], "external_reference": reference}
    )
    bill = api.bill(account=account["id"], external_reference=reference)
    assert bill["external_reference"] == reference


def test_patch_amount_paid_is_absolute_and_recomputes(api: Api) -> None:
    bill = api.bill(2000)
    path = f"/billing/bills/{bill['id']}"
    partial = api.patch(path, {"amount_paid": 1500}).json()
    assert (partial["amount_paid"], partial["amount_remaining"], partial["status"]) == (
        1500,
        500,
        "unpaid",
    )
    full = api.patch(path, {"amount_paid": 2000, "currency": "ZAR"}).json()
    assert (full["amount_paid"], full["amount_remaining"], full["status"]) == (2000, 0, "paid")
    back = api.patch(path, {"amount_paid": 100}).json()
    assert (back["amount_remaining"], back["status"]) == (1900, "unpaid")


def test_patch_amount_paid_above_amount_due_is_422(api: Api) -> None:
    bill = api.bill(2000)
    response = api.patch(f"/billing/bills/{bill['id']}", {"amount_paid": 2001})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "amount_paid"


def test_patch_bill_currency_must_still_match(api: Api) -> None:
    bill = api.bill(currency="ZAR")
    assert api.patch(f"/billing/bills/{bill['id']}", {"currency": "USD"}).status_code == 422


@pytest.mark.parametrize("owner", ["customer", "account"])
def test_an_owner_s_currency_cannot_change_under_its_bills(api: Api, owner: str) -> None:
    customer = api.customer(currency="ZAR")
    account = api.account(customer["id"], currency="ZAR")
    path = {
        "customer": f"/billing/customers/{customer['id']}",
        "account": f"/billing/accounts/{account['id']}",
    }
    bill = (
        api.bill(account=account["id"]) if owner == "account" else api.bill(customer=customer["id"])
    )
    response = api.patch(path[owner], {"currency": "USD"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "currency"
    assert api.get(path[owner]).json()["currency"] == "ZAR"
    assert api.patch(path[owner], {"currency": "ZAR"}).status_code == 200  # no change: fine
    api.post(f"/billing/bills/{bill['id']}/void")
    assert (
        api.patch(path[owner], {"currency": "USD"}).status_code == 200
    )  # voided bills do not count


def test_patch_bill_metadata_merges(api: Api) -> None:
    bill = api.bill(metadata={"invoice_period": "January 2025"})
    updated = api.patch(
        f"/billing/bills/{bill['id']}", {"metadata": {"service_type": "subscription"}}
    ).json()
    assert updated["metadata"] == {"invoice_period": "January 2025", "service_type": "subscription"}


def test_bill_fields_moment_does_not_let_you_patch_are_400(api: Api, bill: dict[str, Any]) -> None:
    for field, value in (("amount_due", 5), ("due_date", "2025-01-01"), ("status", "paid")):
        assert api.patch(f"/billing/bills/{bill['id']}", {field: value}).status_code == 400


def test_void_keeps_amounts_and_is_final(api: Api) -> None:
    bill = api.bill(2000)
    api.patch(f"/billing/bills/{bill['id']}", {"amount_paid": 500})
    voided = api.post(f"/billing/bills/{bill['external_reference']}/void")
    assert voided.status_code == 200
    assert (
        voided.json()["status"],
        voided.json()["amount_paid"],
        voided.json()["amount_remaining"],
    ) == (
        "voided",
        500,
        1500,
    )
    again = api.post(f"/billing/bills/{bill['id']}/void")
    assert again.status_code == 422
    for change in ({"amount_paid": 2000}, {"metadata": {"a": "b"}}, {}):
        assert api.patch(f"/billing/bills/{bill['id']}", change).status_code == 422
    assert api.get(f"/billing/bills/{bill['id']}").json() == voided.json()


def test_void_takes_no_fields(api: Api, bill: dict[str, Any]) -> None:
    assert api.post(f"/billing/bills/{bill['id']}/void", {"reason": "x"}).status_code == 400
    assert api.post(f"/billing/bills/{bill['id']}/void", {}).status_code == 200


def test_void_unknown_bill_is_404(api: Api) -> None:
    assert api.post(f"/billing/bills/{ref()}/void").status_code == 404
