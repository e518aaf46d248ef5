"""The hosted bill page in a real headless Chromium: a payer opens a link, pays, and sees a receipt, and
the API agrees with what the receipt says."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from browser_helpers import SandboxApi
from playwright.sync_api import Dialog, Page, expect

from billkit.money import format_money
from billkit.sandbox import Sandbox

pytestmark = pytest.mark.browser


@pytest.fixture
def api(browser_sandbox: Sandbox) -> Iterator[SandboxApi]:
    client = SandboxApi(browser_sandbox)
    yield client
    client.close()


def _field(page: Page, name: str) -> str:
    return page.locator(f'[data-field="{name}"]').inner_text()


def test_pay_part_of_a_bill_and_see_the_receipt(
    page: Page, api: SandboxApi, browser_sandbox: Sandbox
) -> None:
    bill = api.bill(name="Thandi Nkosi", amount_due=2000)
    page.goto(f"{browser_sandbox.base_url}/pay/{bill['id']}?utm_source=sms&agent=A17")
    expect(page.locator('[data-field="billed_to"]')).to_have_text("Thandi Nkosi")
    expect(page.locator('[data-field="line-3"]')).to_have_text(format_money(2000, "ZAR"))
    page.fill("#amount", "12.50")
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="Payment received")).to_be_visible()
    assert _field(page, "amount") == format_money(1250, "ZAR")
    assert _field(page, "left") == format_money(750, "ZAR")
    payment_id = _field(page, "payment_id")
    assert re.fullmatch(r"pay_[A-Za-z0-9]{21,}", payment_id)
    after = api.get(f"/billing/bills/{bill['id']}")
    assert (after["amount_paid"], after["amount_remaining"]) == (1250, 750)
    events = api.get("/_sandbox/events?limit=100")["data"]
    (applied,) = [e for e in events if e["data"].get("payment_id") == payment_id]
    assert applied["data"]["metadata"] == {"utm_source": "sms", "agent": "A17"}


def test_a_script_in_a_customer_name_is_shown_as_text(
    page: Page, api: SandboxApi, browser_sandbox: Sandbox
) -> None:
    dialogs: list[str] = []

    def record(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    bill = api.bill(name="<script>alert(1)</script>", amount_due=2000)
    page.goto(f"{browser_sandbox.base_url}/pay/{bill['id']}")
    expect(page.locator('[data-field="billed_to"]')).to_have_text("<script>alert(1)</script>")
    page.fill("#amount", "5")
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="Payment received")).to_be_visible()
    assert page.locator("script").count() == 0
    assert dialogs == []


def test_a_refused_amount_is_explained_on_the_page(
    page: Page, api: SandboxApi, browser_sandbox: Sandbox
) -> None:
    bill = api.bill(name="Sipho", amount_due=2000)
    page.goto(f"{browser_sandbox.base_url}/pay/{bill['id']}")
    page.fill("#amount", "25.00")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_have_text(
        f"That is more than the {format_money(2000, 'ZAR')} due. "
        f"Enter {format_money(2000, 'ZAR')} or less."
    )
    assert page.input_value("#amount") == "25.00"  # what the payer typed is kept to correct
    assert api.get(f"/billing/bills/{bill['id']}")["amount_paid"] == 0


def test_a_payment_request_is_paid_in_full(
    page: Page, api: SandboxApi, browser_sandbox: Sandbox
) -> None:
    request = api.create(
        "/collect/payment_requests",
        {"amount": 4599, "currency": "ZAR", "description": "Connection fee"},
    )
    page.goto(request["link"]["link_url"])
    expect(page.locator('[data-field="fixed-amount"]')).to_have_text(format_money(4599, "ZAR"))
    assert page.locator("#amount").count() == 0
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="Payment received")).to_be_visible()
    paid = api.get(f"/collect/payment_requests/{request['id']}")
    assert paid["status"] == "paid"
    assert paid["payment_id"] == _field(page, "payment_id")


def test_submitting_the_same_form_twice_pays_once(
    page: Page, api: SandboxApi, browser_sandbox: Sandbox
) -> None:
    bill = api.bill(name="Naledi", amount_due=2000)
    page.goto(f"{browser_sandbox.base_url}/pay/{bill['id']}")
    page.fill("#amount", "4.00")
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="Payment received")).to_be_visible()
    first = _field(page, "payment_id")
    page.reload()  # the browser sends the same form, one-time token and all, again
    expect(page.get_by_text("You were not charged again")).to_be_visible()
    assert _field(page, "payment_id") == first
    assert api.get(f"/billing/bills/{bill['id']}")["amount_paid"] == 400
