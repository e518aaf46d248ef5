"""The functions behind the create-and-pay form: validation, and the webhook feed's rendering."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from billkit.client import Client
from billkit.errors import InvalidArgumentError
from billkit.notebook.quickstart.bill_form import (
    BillFormError,
    BillFormValues,
    create_test_bill,
    feed_rows,
    pay_bill,
    render_feed,
    validate_form,
)


def form(**changes: object) -> BillFormValues:
    values: dict[str, object] = {
        "customer_reference": "UCR-1001",
        "customer_name": "Thandi Nkosi",
        "amount": "150.00",
        "currency": "ZAR",
        "bill_date": date(2025, 1, 1),
        "due_date": date(2025, 1, 31),
    }
    values.update(changes)
    return BillFormValues(**values)  # type: ignore[arg-type]


def test_major_units_become_minor_units() -> None:
    request = validate_form(form(amount=" 1234.5 ", currency="usd"))
    assert request.amount_due == 123450
    assert request.currency == "USD"
    assert request.customer_name == "Thandi Nkosi"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "12.345"}, "amount", "more decimal places than ZAR allows (2)"),
        ({"amount": "twelve"}, "amount", "is not a number"),
        ({"amount": "0"}, "amount", "is out of range"),
        ({"amount": "1000000.00"}, "amount", "is out of range"),
        ({"currency": "EUR"}, "currency", "'EUR' is not supported; choose ZAR or USD"),
        ({"customer_reference": ""}, "customer_reference", "is required"),
        ({"customer_reference": "UCR 1001"}, "customer_reference", "may hold only letters"),
        ({"due_date": date(2024, 12, 1)}, "due_date", "is before the bill date 2025-01-01"),
    ],
)
def test_each_bad_field_is_named(changes: dict[str, object], field: str, message: str) -> None:
    with pytest.raises(BillFormError) as error:
        validate_form(form(**changes))
    assert list(error.value.problems) == [field]
    assert message in error.value.problems[field]
    assert str(error.value).startswith("The bill form needs fixing: ")


def test_all_problems_are_reported_together_and_it_is_an_argument_error() -> None:
    with pytest.raises(BillFormError) as error:
        validate_form(form(customer_reference="", amount="-1", due_date=date(2024, 1, 1)))
    assert set(error.value.problems) == {"customer_reference", "amount", "due_date"}
    assert isinstance(error.value, InvalidArgumentError)


def test_the_feed_shows_formatted_amounts_and_escapes_everything() -> None:
    events = [
        {
            "id": "evt_2",
            "type": "obligation.amount_applied",
            "data": {
                "amount": 15000,
                "currency": "ZAR",
                "bill_id": "bill_<b>",
                "payment_id": "pay_1",
            },
        },
        {"id": "evt_1", "type": "payment_request.paid", "data": {"id": "pr_1"}},
    ]
    rows = feed_rows(events)
    assert [row.obligation for row in rows] == ["bill_<b>", "pr_1"]
    assert rows[0].amount == "R150.00"
    assert rows[1].amount == ""
    html = render_feed(rows)
    assert "bill_&lt;b&gt;" in html
    assert "<b>" not in html
    assert html.count("<tr>") == 3


def test_an_empty_feed_says_what_to_do() -> None:
    assert "No webhooks received yet" in render_feed([])


def test_the_first_bill_creates_the_customer_and_later_ones_reuse_it(client: Client) -> None:
    reference = f"UCR-{uuid.uuid4().hex[:8]}"
    first = create_test_bill(client, form(customer_reference=reference))
    second = create_test_bill(client, form(customer_reference=reference, amount="20"))
    assert (first.amount_due, first.currency, first.status) == (15000, "ZAR", "unpaid")
    assert (first.bill_date, first.due_date) == (date(2025, 1, 1), date(2025, 1, 31))
    assert second.customer_id == first.customer_id
    assert second.amount_due == 2000
    assert client.customers.retrieve(reference).name == "Thandi Nkosi"


def test_a_customer_billed_in_another_currency_is_refused_before_sending(client: Client) -> None:
    reference = f"UCR-{uuid.uuid4().hex[:8]}"
    create_test_bill(client, form(customer_reference=reference))
    before = len(list(client.sandbox.bills.list()))
    with pytest.raises(BillFormError, match=f"customer {reference} is billed in ZAR"):
        create_test_bill(client, form(customer_reference=reference, currency="USD"))
    assert len(list(client.sandbox.bills.list())) == before


def test_paying_settles_what_remains_and_a_paid_bill_cannot_be_paid_again(client: Client) -> None:
    bill = create_test_bill(client, form(customer_reference=f"UCR-{uuid.uuid4().hex[:8]}"))
    client.sandbox.payments.create(bill=bill.id, amount=5000)
    payment = pay_bill(client, bill)
    assert payment.amount == 10000
    assert client.bills.retrieve(bill.id).status == "paid"
    with pytest.raises(
        InvalidArgumentError, match=f"bill {bill.id} is paid: there is nothing to pay"
    ):
        pay_bill(client, bill)
