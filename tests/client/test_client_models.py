"""Typed objects: unknown fields kept, to_dict() exactly what was received, response info, money helpers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pydantic
import pytest
from client_fakes import Recorder, make_client
from samples import ACCOUNT, BILL, CUSTOMER, PAYMENT_REQUEST

from billkit import Bill, Customer, PaymentRules, UnexpectedResponseError


def test_bill_fields_are_typed() -> None:
    recorder = Recorder(default=httpx.Response(200, json=BILL))
    with make_client(recorder) as client:
        bill = client.bills.retrieve("bill_1")
    assert isinstance(bill, Bill)
    assert bill.amount_due == 2000
    assert bill.due_date == date(2025, 1, 31)
    assert isinstance(bill.payment_rules, PaymentRules)
    assert bill.payment_rules.max_amount == 2000
    assert bill.amount_due_decimal == Decimal("20.00")
    assert bill.amount_remaining_decimal == Decimal("20.00")
    assert bill.amount_paid_decimal == Decimal("0.00")


def test_unknown_fields_are_kept_and_round_trip() -> None:
    body = {**BILL, "collection_channel": "ebp", "tags": ["a", "b"]}
    recorder = Recorder(default=httpx.Response(200, json=body))
    with make_client(recorder) as client:
        bill = client.bills.retrieve("bill_1")
    assert bill.collection_channel == "ebp"  # type: ignore[attr-defined]
    assert bill.to_dict() == body


def test_to_dict_leaves_unset_optional_fields_absent() -> None:
    recorder = Recorder(default=httpx.Response(200, json=CUSTOMER))
    with make_client(recorder) as client:
        customer = client.customers.retrieve("bcus_1")
    assert customer.name is None
    assert customer.metadata == {}
    assert customer.to_dict() == CUSTOMER
    assert "name" not in customer.to_dict()


def test_to_dict_is_a_copy() -> None:
    recorder = Recorder(default=httpx.Response(200, json=BILL))
    with make_client(recorder) as client:
        bill = client.bills.retrieve("bill_1")
    data = bill.to_dict()
    data["metadata"]["invoice_period"] = "changed"
    assert bill.to_dict()["metadata"]["invoice_period"] == "January 2025"


def test_objects_are_immutable() -> None:
    bill = Bill.from_api(BILL)
    with pytest.raises(pydantic.ValidationError):
        bill.amount_due = 1  # type: ignore[misc]


def test_objects_built_by_hand_convert_too() -> None:
    rules = PaymentRules(
        min_amount=100, max_amount=500, underpayment_allowed=True, overpayment_allowed=False
    )
    assert rules.to_dict() == {
        "min_amount": 100,
        "max_amount": 500,
        "underpayment_allowed": True,
        "overpayment_allowed": False,
    }
    assert rules.response is None


def test_response_info_is_attached_and_not_part_of_the_data() -> None:
    answer = httpx.Response(201, json=BILL, headers={"Idempotent-Replayed": "true"})
    recorder = Recorder(default=answer)
    with make_client(recorder) as client:
        bill = client.bills.void("UBR1", idempotency_key="void-1")
    info = bill.response
    assert info is not None
    assert (info.status_code, info.method, info.path) == (201, "POST", "/billing/bills/UBR1/void")
    assert info.idempotency_key == "void-1"
    assert info.replayed is True
    assert "response" not in bill.to_dict()


def test_a_fresh_answer_is_not_replayed() -> None:
    recorder = Recorder(default=httpx.Response(201, json=CUSTOMER))
    with make_client(recorder) as client:
        customer = client.customers.create(external_reference="UCR1")
    assert customer.response is not None
    assert customer.response.replayed is False


def test_balances_in_major_units() -> None:
    with_balance = Customer.from_api({**CUSTOMER, "currency": "ZAR", "balance": -1050})
    assert with_balance.balance_decimal == Decimal("-10.50")
    assert Customer.from_api(CUSTOMER).balance_decimal is None


def test_payment_request_and_its_link() -> None:
    recorder = Recorder(default=httpx.Response(200, json=PAYMENT_REQUEST))
    with make_client(recorder) as client:
        request = client.payment_requests.retrieve("pr_1")
    assert request.expires_at == datetime(2025, 1, 16, 10, 0, tzinfo=UTC)
    assert request.link is not None
    assert request.link.link_url == "http://sandbox.test/pay/pr_H4jp"
    assert request.amount_decimal == Decimal("20.00")
    assert request.to_dict() == PAYMENT_REQUEST


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (httpx.Response(200, text="<html>hello</html>"), "not JSON"),
        (httpx.Response(200, json=["not", "an", "object"]), "expected a JSON object"),
        (httpx.Response(200, json={"id": "bill_1"}), "amount_due: Field required"),
        (httpx.Response(200, json={**BILL, "amount_due": "lots"}), "amount_due"),
        (httpx.Response(204), "expected a JSON object"),
    ],
)
def test_unreadable_success_bodies_raise_unexpected_response_error(
    answer: httpx.Response, message: str
) -> None:
    recorder = Recorder(default=answer)
    with make_client(recorder) as client, pytest.raises(UnexpectedResponseError, match=message):
        client.bills.retrieve("bill_1")


def test_account_model() -> None:
    recorder = Recorder(default=httpx.Response(200, json=ACCOUNT))
    with make_client(recorder) as client:
        account = client.accounts.retrieve("bacc_1")
    assert account.customer_id == ACCOUNT["customer_id"]
    assert account.payment_rules is None
