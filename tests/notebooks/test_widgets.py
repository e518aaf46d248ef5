"""The form's buttons and the live feed, driven as a person (or a papermill run) would drive them."""

from __future__ import annotations

import threading
import uuid
from datetime import date
from typing import Any

from billkit.client import Client
from billkit.notebook.quickstart.bill_form import BillFormValues
from billkit.notebook.quickstart.widgets import BillForm, WebhookFeed
from billkit.sandbox import Sandbox


def start_values() -> BillFormValues:
    return BillFormValues(
        customer_reference=f"UCR-{uuid.uuid4().hex[:8]}",
        customer_name="Thandi Nkosi",
        amount="150.00",
        currency="ZAR",
        bill_date=date(2025, 1, 1),
        due_date=date(2025, 1, 15),
    )


def test_create_then_pay(client: Client) -> None:
    form = BillForm(client, start_values(), page_url=lambda bill_id: f"http://pay.test/{bill_id}")
    assert form.pay_button.disabled

    form.create_button.click()
    assert form.bill is not None
    assert f"Created {form.bill.id} for R150.00, status unpaid" in form.message.value
    assert f'href="http://pay.test/{form.bill.id}"' in form.message.value
    assert not form.pay_button.disabled

    form.pay_button.click()
    assert form.bill.status == "paid"
    assert form.payment is not None
    assert form.payment.amount == 15000
    assert f"{form.bill.id} is now paid" in form.message.value
    assert form.pay_button.disabled


def test_fields_edited_in_the_form_are_what_gets_created(client: Client) -> None:
    form = BillForm(client, start_values())
    form.amount.value = "99.95"
    form.currency.value = "USD"
    form.create_button.click()
    assert form.bill is not None
    assert (form.bill.amount_due, form.bill.currency) == (9995, "USD")


def test_a_bad_amount_is_explained_and_nothing_is_created(client: Client) -> None:
    form = BillForm(client, start_values())
    form.amount.value = "12.345"
    before = len(list(client.sandbox.bills.list()))
    form.create_button.click()
    assert form.bill is None
    assert (
        "amount: &#x27;12.345&#x27; has more decimal places than ZAR allows" in form.message.value
    )
    assert "color: #cf222e" in form.message.value
    assert len(list(client.sandbox.bills.list())) == before
    assert form.pay_button.disabled


def test_the_feed_redraws_when_events_arrive_while_started() -> None:
    events: list[dict[str, Any]] = []
    redrawn = threading.Event()
    feed = WebhookFeed(lambda: list(events), interval=0.01)
    assert "No webhooks received yet" in feed.view.value
    feed.view.observe(lambda change: redrawn.set(), names="value")
    feed.start()
    try:
        events.append(
            {
                "id": "evt_1",
                "type": "obligation.amount_applied",
                "data": {"amount": 500, "currency": "ZAR", "bill_id": "bill_1"},
            }
        )
        assert redrawn.wait(timeout=10), "the feed never redrew"
    finally:
        feed.stop()
    assert "evt_1" in feed.view.value
    assert "R5.00" in feed.view.value
    assert feed.refresh() == 1


def test_a_failure_behind_a_button_is_shown_in_the_form_in_words(sandbox: Sandbox) -> None:
    closed = sandbox.client()
    closed.close()  # as after a notebook's last cell closed its session
    form = BillForm(closed, start_values())
    form.create_button.click()
    assert form.bill is None
    assert "Could not create the bill: RuntimeError" in form.message.value
    assert "closed" in form.message.value


def test_every_label_is_sized_to_its_words(client: Client) -> None:
    """ipywidgets gives a description a fixed width and cuts what is longer ("Customer…"): each labelled
    field sizes its label to its words instead."""
    form = BillForm(client, start_values())
    labelled = [
        form.customer_reference,
        form.customer_name,
        form.amount,
        form.currency,
        form.bill_date,
        form.due_date,
    ]
    assert form.customer_reference.description == "Customer reference"
    for field in labelled:
        assert field.style.description_width == "initial", field.description
