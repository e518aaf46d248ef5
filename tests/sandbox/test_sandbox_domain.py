"""The domain rules as pure functions, without HTTP or SQL: creates, PATCH semantics, voiding, payments."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from billkit.sandbox.domain import RuleViolation
from billkit.sandbox.domain.billing import (
    Owners,
    merge_metadata,
    new_account,
    new_bill,
    new_customer,
    update_bill,
    update_customer,
    void_bill,
)
from billkit.sandbox.domain.payments import (
    PaymentIds,
    PaymentIntent,
    apply_payment,
    outstanding,
)
from billkit.sandbox.domain.rules import balance_payment_rules, bill_payment_rules

IDS = PaymentIds("pay_" + "p" * 22, "ob_" + "o" * 22, "evt_" + "e" * 22)
NOW = "2025-01-15T10:00:00Z"


def customer(**fields: Any) -> dict[str, Any]:
    return new_customer({"external_reference": "UCR1", **fields}, customer_id="bcus_1")


def bill(amount_due: int = 2000, **fields: Any) -> dict[str, Any]:
    return new_bill(
        {"external_reference": "UBR1", "currency": "ZAR", "amount_due": amount_due, **fields},
        bill_id="bill_1",
        customer=customer(currency="ZAR"),
        account=None,
        today=date(2025, 1, 1),
    )


# ---- creates and updates -----------------------------------------------------------------------


def test_new_customer_keeps_moment_order_and_adds_rules_only_with_balance() -> None:
    plain = customer(name="Jo")
    assert plain == {"id": "bcus_1", "external_reference": "UCR1", "name": "Jo"}
    tracked = customer(metadata={"a": "b"}, balance=5, currency="USD")
    assert list(tracked) == [
        "id",
        "external_reference",
        "currency",
        "balance",
        "payment_rules",
        "metadata",
    ]
    assert tracked["payment_rules"] == balance_payment_rules()


def test_balance_needs_a_currency_and_the_field_is_named_where_it_nests() -> None:
    with pytest.raises(RuleViolation) as raised:
        new_account(
            {"external_reference": "A", "balance": 1},
            account_id="bacc_1",
            customer_id="bcus_1",
            where="account",
        )
    assert raised.value.field == "account.currency"


def test_update_uses_the_stored_currency_for_a_new_balance() -> None:
    updated = update_customer(customer(currency="ZAR", balance=1), {"balance": 700})
    assert updated["balance"] == 700
    with pytest.raises(RuleViolation):
        update_customer(customer(), {"balance": 700})


def test_update_does_not_change_its_input() -> None:
    original = customer(currency="ZAR", balance=1, metadata={"a": "1"})
    snapshot = {**original, "metadata": dict(original["metadata"])}
    update_customer(original, {"balance": 2, "metadata": {"a": None}})
    assert original == snapshot


@pytest.mark.parametrize(
    ("current", "changes", "merged"),
    [
        (None, {"a": "1"}, {"a": "1"}),
        ({"a": "1"}, {"b": "2"}, {"a": "1", "b": "2"}),
        ({"a": "1"}, {"a": "3"}, {"a": "3"}),
        ({"a": "1"}, {"a": None}, {}),
        ({"a": "1"}, {"missing": None}, {"a": "1"}),
    ],
)
def test_merge_metadata(
    current: dict[str, str] | None, changes: dict[str, str | None], merged: dict[str, str]
) -> None:
    assert merge_metadata(current, changes) == merged


def test_merge_metadata_limits_the_result_to_ten_keys() -> None:
    with pytest.raises(RuleViolation, match="11 keys"):
        merge_metadata({f"k{i}": "v" for i in range(10)}, {"new": "v"})


def test_bill_rules_follow_amount_due() -> None:
    assert bill_payment_rules(2000)["min_amount"] == 100
    assert bill_payment_rules(40) == {
        "min_amount": 40,
        "max_amount": 40,
        "underpayment_allowed": True,
        "overpayment_allowed": False,
    }


def test_new_bill_defaults() -> None:
    created = bill(due_date=date(2025, 1, 31))
    assert created["bill_date"] == "2025-01-01"
    assert created["due_date"] == "2025-01-31"
    assert (created["status"], created["amount_paid"], created["amount_remaining"]) == (
        "unpaid",
        0,
        2000,
    )


def test_bill_currency_is_checked_against_the_nearest_currency() -> None:
    zar_customer = customer(currency="ZAR")
    usd_account = new_account(
        {"external_reference": "A", "currency": "USD"}, account_id="bacc_1", customer_id="bcus_1"
    )
    fields = {"external_reference": "B", "currency": "USD", "amount_due": 5}
    on_account = new_bill(
        fields, bill_id="bill_1", customer=zar_customer, account=usd_account, today=date.today()
    )
    assert on_account["account_id"] == "bacc_1"
    with pytest.raises(RuleViolation):
        new_bill(fields, bill_id="bill_2", customer=zar_customer, account=None, today=date.today())


def owners() -> Owners:
    return customer(currency="ZAR"), None


def test_update_bill_amount_paid_is_absolute() -> None:
    paid = update_bill(bill(), {"amount_paid": 2000}, owners=owners)
    assert (paid["amount_remaining"], paid["status"]) == (0, "paid")
    reopened = update_bill(paid, {"amount_paid": 5}, owners=owners)
    assert (reopened["amount_remaining"], reopened["status"]) == (1995, "unpaid")
    with pytest.raises(RuleViolation) as raised:
        update_bill(bill(), {"amount_paid": 2001}, owners=owners)
    assert raised.value.field == "amount_paid"


def test_update_bill_looks_up_its_owners_only_to_check_a_new_currency() -> None:
    looked_up: list[Owners] = []

    def counted_owners() -> Owners:
        looked_up.append(owners())
        return looked_up[-1]

    update_bill(bill(), {"amount_paid": 5, "metadata": {"a": "b"}}, owners=counted_owners)
    assert looked_up == []
    with pytest.raises(RuleViolation) as raised:
        update_bill(bill(), {"currency": "USD"}, owners=counted_owners)
    assert raised.value.field == "currency"
    assert len(looked_up) == 1


def test_voided_bills_never_change() -> None:
    voided = void_bill(bill())
    assert voided["status"] == "voided"
    with pytest.raises(RuleViolation, match="already voided"):
        void_bill(voided)
    with pytest.raises(RuleViolation, match="voided"):
        update_bill(voided, {}, owners=owners)


# ---- payments ----------------------------------------------------------------------------------


def test_payment_on_a_bill_changes_amounts_and_builds_payment_and_event() -> None:
    applied = apply_payment(
        "bill", bill(), PaymentIntent(1500, metadata={"agent": "7"}), ids=IDS, now=NOW
    )
    assert (applied.obligation["amount_paid"], applied.obligation["amount_remaining"]) == (
        1500,
        500,
    )
    assert applied.payment["obligation"] == {"type": "bill", "id": "bill_1"}
    assert applied.event["data"] == {
        "id": IDS.application_id,
        "amount": 1500,
        "currency": "ZAR",
        "payment_id": IDS.payment_id,
        "bill_id": "bill_1",
        "customer_id": "bcus_1",
        "metadata": {"agent": "7"},
        "created_at": NOW,
        "updated_at": NOW,
    }


def test_payment_in_full_marks_the_bill_paid() -> None:
    applied = apply_payment("bill", bill(), PaymentIntent(2000), ids=IDS, now=NOW)
    assert applied.obligation["status"] == "paid"


def test_balance_payment_lowers_the_balance() -> None:
    owner = customer(currency="ZAR", balance=5000)
    applied = apply_payment("customer", owner, PaymentIntent(1000), ids=IDS, now=NOW)
    assert applied.obligation["balance"] == 4000
    assert applied.event["data"]["customer_id"] == "bcus_1"


@pytest.mark.parametrize(
    ("kind", "obligation", "intent", "field"),
    [
        ("bill", bill(), PaymentIntent(99), "amount"),
        ("bill", bill(), PaymentIntent(2001), "amount"),
        ("bill", bill(), PaymentIntent(500, currency="USD"), "currency"),
        ("bill", void_bill(bill()), PaymentIntent(500), "bill"),
        ("customer", customer(currency="ZAR"), PaymentIntent(500), "customer"),
        ("customer", customer(currency="ZAR", balance=300), PaymentIntent(301), "amount"),
        ("customer", customer(currency="ZAR", balance=-300), PaymentIntent(100), "amount"),
    ],
)
def test_payment_rules_refuse(
    kind: Any, obligation: dict[str, Any], intent: PaymentIntent, field: str
) -> None:
    with pytest.raises(RuleViolation) as raised:
        apply_payment(kind, obligation, intent, ids=IDS, now=NOW)
    assert raised.value.field == field


def test_underpayment_refused_when_the_rules_say_so() -> None:
    strict = {
        **bill(),
        "payment_rules": {**bill_payment_rules(2000), "underpayment_allowed": False},
    }
    with pytest.raises(RuleViolation, match="less than"):
        apply_payment("bill", strict, PaymentIntent(1999), ids=IDS, now=NOW)
    settled = apply_payment("bill", strict, PaymentIntent(2000), ids=IDS, now=NOW)
    assert settled.obligation["status"] == "paid"


def test_overpayment_when_allowed_pays_the_bill_off_without_negative_remaining() -> None:
    lenient = {
        **bill(500),
        "payment_rules": {
            **bill_payment_rules(500),
            "overpayment_allowed": True,
            "max_amount": 900,
        },
    }
    applied = apply_payment("bill", lenient, PaymentIntent(800), ids=IDS, now=NOW)
    assert (applied.obligation["amount_paid"], applied.obligation["amount_remaining"]) == (800, 0)


def test_outstanding_of_a_credit_is_zero() -> None:
    assert outstanding("customer", customer(currency="ZAR", balance=-50)) == 0
    assert outstanding("bill", bill(700)) == 700
