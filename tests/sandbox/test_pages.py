"""The hosted bill page over real HTTP (contract §7): what it shows, what paying through it does, every
refusal as a page in plain words, one-time tokens, URL parameters as metadata, and twenty forms at once."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sandbox_helpers import Api

from billkit.money import format_money
from billkit.sandbox.pages.forms import MAX_FORM_BYTES

_TOKEN = re.compile(r'name="token" value="([^"]+)"')


def _field(page: str, name: str) -> str:
    """The text of the element marked `data-field="name"`, unescaped."""
    match = re.search(rf'data-field="{name}">([^<]*)<', page)
    assert match is not None, f"no {name} on the page"
    return html.unescape(match.group(1))


class Payer:
    """A browser without JavaScript: opens /pay/{id} links and submits their form (from any thread)."""

    def __init__(self, api: Api) -> None:
        self.http = httpx.Client(base_url=api.sandbox.base_url, timeout=20)

    def close(self) -> None:
        self.http.close()

    def open(self, target: str, **params: str) -> httpx.Response:
        return self.http.get(f"/pay/{target}", params=params)

    def token(self, target: str, **params: str) -> str:
        match = _TOKEN.search(self.open(target, **params).text)
        assert match is not None, "the page has no pay form"
        return match.group(1)

    def submit(self, target: str, token: str, amount: str, **fields: str) -> httpx.Response:
        return self.http.post(f"/pay/{target}", data={"token": token, "amount": amount, **fields})

    def pay(self, target: str, amount: str, **params: str) -> httpx.Response:
        return self.submit(target, self.token(target, **params), amount, **params)


@pytest.fixture
def payer(api: Api) -> Iterator[Payer]:
    browser = Payer(api)
    yield browser
    browser.close()


def _money(minor: int) -> str:
    return format_money(minor, "ZAR")


def _bill(api: Api, **fields: Any) -> dict[str, Any]:
    return api.bill(amount_due=2000, due_date="2025-02-20", **fields)


# ---- what the page shows -----------------------------------------------------------------------


def test_bill_page_shows_payee_amounts_due_date_status_and_a_form(api: Api, payer: Payer) -> None:
    customer = api.customer(name="Thandi Nkosi", currency="ZAR")
    bill = _bill(api, customer=customer["id"])
    page = payer.open(bill["id"])
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Sandbox Merchant" in page.text
    assert _field(page.text, "billed_to") == "Thandi Nkosi"
    assert _field(page.text, "reference") == bill["external_reference"]
    assert _field(page.text, "line-1") == format_money(2000, "ZAR")
    assert _field(page.text, "due") == "20 February 2025"
    assert _field(page.text, "status") == "Unpaid"
    assert 'name="amount" value="20.00"' in page.text
    assert _TOKEN.search(page.text)


def test_page_headers_forbid_scripts_framing_and_caching(api: Api, payer: Payer) -> None:
    page = payer.open(_bill(api)["id"])
    assert "script-src" not in page.headers["content-security-policy"]
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"


def test_user_text_is_escaped(api: Api, payer: Payer) -> None:
    customer = api.customer(name="<script>alert(1)</script>", currency="ZAR")
    page = payer.open(_bill(api, customer=customer["id"])["id"]).text
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    attack = payer.open(_bill(api)["id"], utm_source='"><script>alert(2)</script>').text
    assert "<script>" not in attack


@pytest.mark.parametrize(
    "target",
    ["bill_" + "0" * 22, "pr_" + "0" * 22, "bacc_" + "0" * 22, "bcus_" + "0" * 22, "invoice-7"],
)
def test_unknown_ids_get_a_404_page_in_plain_words(payer: Payer, target: str) -> None:
    page = payer.open(target)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "There is no bill, balance or payment request at this address" in page.text
    assert "Traceback" not in page.text


def test_a_link_names_an_id_not_an_external_reference(api: Api, payer: Payer) -> None:
    assert payer.open(_bill(api)["external_reference"]).status_code == 404


def test_balance_pages_show_what_is_owed(api: Api, payer: Payer) -> None:
    customer = api.customer(currency="ZAR", balance=12345, name="Lerato")
    account = api.account(customer["id"], currency="ZAR", balance=-500, name="Fibre")
    owed = payer.open(customer["id"]).text
    assert _field(owed, "line-1") == format_money(12345, "ZAR")
    assert _field(owed, "status") == "Balance due"
    credit = payer.open(account["id"]).text
    assert _field(credit, "status") == "In credit"
    assert _field(credit, "billed_to") == "Lerato · Fibre"
    assert "Nothing is due right now" in credit
    assert not _TOKEN.search(credit)


def test_an_entity_without_a_balance_has_no_form(api: Api, payer: Payer) -> None:
    page = payer.open(api.customer()["id"]).text
    assert "has no balance to pay online" in page
    assert not _TOKEN.search(page)


# ---- paying ------------------------------------------------------------------------------------


def test_paying_part_of_a_bill_shows_a_receipt_and_updates_the_bill(api: Api, payer: Payer) -> None:
    bill = _bill(api)
    receipt = payer.pay(bill["id"], "12.50", utm_source="newsletter", agent="A17")
    assert receipt.status_code == 200, receipt.text
    assert "Payment received" in receipt.text
    assert _field(receipt.text, "amount") == format_money(1250, "ZAR")
    assert _field(receipt.text, "left") == format_money(750, "ZAR")
    payment_id = _field(receipt.text, "payment_id")
    after = api.get(f"/billing/bills/{bill['id']}").json()
    assert (after["amount_paid"], after["amount_remaining"], after["status"]) == (
        1250,
        750,
        "unpaid",
    )
    events = api.get("/_sandbox/events", params={"limit": 100}).json()["data"]
    (applied,) = [e for e in events if e["data"].get("payment_id") == payment_id]
    assert applied["data"]["bill_id"] == bill["id"]
    assert applied["data"]["metadata"] == {"utm_source": "newsletter", "agent": "A17"}
    assert _field(payer.open(bill["id"]).text, "status") == "Part paid"


def test_paying_the_rest_marks_the_bill_paid(api: Api, payer: Payer) -> None:
    bill = _bill(api)
    assert payer.pay(bill["id"], "20,00").status_code == 200  # a comma decimal is read too
    assert api.get(f"/billing/bills/{bill['id']}").json()["status"] == "paid"
    page = payer.open(bill["id"]).text
    assert "This bill is paid in full" in page
    assert not _TOKEN.search(page)


def test_paying_a_balance_lowers_it(api: Api, payer: Payer) -> None:
    account = api.account(api.customer()["id"], currency="USD", balance=5000)
    receipt = payer.pay(account["id"], "30")
    assert receipt.status_code == 200
    assert _field(receipt.text, "left") == format_money(2000, "USD")
    assert api.get(f"/billing/accounts/{account['id']}").json()["balance"] == 2000


def test_a_payment_request_is_paid_in_full_from_its_link(api: Api, payer: Payer) -> None:
    bill = _bill(api)
    request = api.created(
        "/collect/payment_requests",
        {
            "amount": 1500,
            "currency": "ZAR",
            "description": "Deposit",
            "metadata": {"bill_id": bill["id"]},
        },
    )
    link = httpx.URL(request["link"]["link_url"])
    page = payer.open(link.path.removeprefix("/pay/")).text
    assert _field(page, "description") == "Deposit"
    assert _field(page, "fixed-amount") == format_money(1500, "ZAR")
    assert 'id="amount"' not in page  # nothing to type: the amount is fixed
    receipt = payer.pay(request["id"], "15.00", product_code="P9")
    assert receipt.status_code == 200, receipt.text
    assert _field(receipt.text, "left") == "Paid in full"
    paid = api.get(f"/collect/payment_requests/{request['id']}").json()
    assert (paid["status"], paid["payment_id"]) == ("paid", _field(receipt.text, "payment_id"))
    assert api.get(f"/billing/bills/{bill['id']}").json()["amount_remaining"] == 500
    assert "has been paid" in payer.open(request["id"]).text


# ---- refusals, in plain words ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "status", "message"),
    [
        ("", 400, "Enter the amount you want to pay."),
        ("abc", 400, "“abc” is not an amount. Enter it in numbers, like 12.50."),
        ("1.234", 400, "Amounts in ZAR have at most 2 digits after the decimal point."),
        ("-5", 400, "Enter an amount greater than zero."),
        ("0", 400, "Enter an amount greater than zero."),
        ("NaN", 400, "“NaN” is not an amount. Enter it in numbers, like 12.50."),
        ("1000000", 400, f"That is more than the largest payment possible, {_money(99_999_999)}."),
        ("0.50", 422, f"The smallest payment accepted is {_money(100)}."),
        ("20.01", 422, f"That is more than the {_money(2000)} due. Enter {_money(2000)} or less."),
    ],
)
def test_bad_amounts_are_refused_on_the_page(
    api: Api, payer: Payer, amount: str, status: int, message: str
) -> None:
    bill = _bill(api)
    token = payer.token(bill["id"])
    page = payer.submit(bill["id"], token, amount)
    assert page.status_code == status
    assert _field(page.text, "error") == message
    assert "Traceback" not in page.text
    assert f'name="token" value="{token}"' in page.text  # the same form, to correct and resend
    assert api.get(f"/billing/bills/{bill['id']}").json() == bill
    assert payer.submit(bill["id"], token, "5.00").status_code == 200  # the form still works


def test_a_voided_bill_shows_no_form_and_refuses_a_stale_one(api: Api, payer: Payer) -> None:
    bill = _bill(api)
    token = payer.token(bill["id"])
    api.post(f"/billing/bills/{bill['id']}/void")
    assert "cancelled and can no longer be paid" in payer.open(bill["id"]).text
    page = payer.submit(bill["id"], token, "5.00")
    assert page.status_code == 422
    assert _field(page.text, "error") == "This bill was cancelled and can no longer be paid."


def test_a_paid_or_expired_request_refuses_payment(fresh_api: Api) -> None:
    payer = Payer(fresh_api)
    try:
        _refuses_paid_and_expired(fresh_api, payer)
    finally:
        payer.close()


def _refuses_paid_and_expired(fresh_api: Api, payer: Payer) -> None:
    paid = fresh_api.created("/collect/payment_requests", {"amount": 900, "currency": "ZAR"})
    stale = payer.token(paid["id"])
    assert payer.pay(paid["id"], "9.00").status_code == 200
    refused = payer.submit(paid["id"], stale, "9.00")
    assert refused.status_code == 422
    assert _field(refused.text, "error") == "This payment request has been paid. Thank you."
    expiring = fresh_api.created("/collect/payment_requests", {"amount": 900, "currency": "ZAR"})
    token = payer.token(expiring["id"])
    fresh_api.post("/_sandbox/clock", {"advance_seconds": 24 * 3600 + 1})
    expired = payer.submit(expiring["id"], token, "9.00")
    assert expired.status_code == 422
    assert "expired" in _field(expired.text, "error")
    assert _field(payer.open(expiring["id"]).text, "status") == "Expired"


def test_a_tampered_request_amount_is_refused(api: Api, payer: Payer) -> None:
    request = api.created("/collect/payment_requests", {"amount": 900, "currency": "ZAR"})
    page = payer.submit(request["id"], payer.token(request["id"]), "1.00")
    assert page.status_code == 422
    assert (
        _field(page.text, "error")
        == f"This request must be paid in full: {format_money(900, 'ZAR')}."
    )


@pytest.mark.parametrize(
    "token", ["", "forged", "abc.0123456789abcdef0123456789abcdef", "\u00e9.\u00e9", "\u00e9"]
)
def test_a_form_without_a_valid_token_is_refused(api: Api, payer: Payer, token: str) -> None:
    bill = _bill(api)
    page = payer.submit(bill["id"], token, "5.00")
    assert page.status_code == 400
    assert "out of date" in page.text
    assert api.get(f"/billing/bills/{bill['id']}").json()["amount_paid"] == 0


def test_a_forged_non_ascii_token_is_a_400_page_not_a_500(api: Api, payer: Payer) -> None:
    bill = _bill(api)
    page = payer.http.post(
        f"/pay/{bill['id']}",
        content=b"token=%C3%A9.%C3%A9&amount=5.00",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert page.status_code == 400
    assert "out of date" in page.text


def test_the_last_part_of_a_bill_can_be_paid_and_is_what_the_page_suggests(
    api: Api, payer: Payer
) -> None:
    bill = api.bill(amount_due=10_000)
    assert api.pay(bill=bill["id"], amount=9_936).status_code == 201
    page = payer.open(bill["id"]).text
    assert 'name="amount" value="0.64"' in page  # R0,64 left: below the usual minimum of R1,00
    receipt = payer.pay(bill["id"], "0.64")
    assert receipt.status_code == 200, receipt.text
    assert api.get(f"/billing/bills/{bill['id']}").json()["status"] == "paid"


def test_a_request_linked_to_a_voided_bill_is_refused_for_that_reason(
    api: Api, payer: Payer
) -> None:
    bill = _bill(api)
    request = api.created(
        "/collect/payment_requests",
        {"amount": 2000, "currency": "ZAR", "metadata": {"bill_id": bill["id"]}},
    )
    token = payer.token(request["id"])
    api.post(f"/billing/bills/{bill['id']}/void")
    page = payer.submit(request["id"], token, "20.00")
    assert page.status_code == 422
    assert _field(page.text, "error") == "This bill was cancelled and can no longer be paid."


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/pay"),
        ("GET", "/pay/"),
        ("GET", "/pay/bill_x/receipt"),
        ("GET", "/pay/%00"),
        ("GET", "/pay/" + "a" * 5000),
        ("PUT", "/pay/bill_x"),
        ("DELETE", "/pay/bill_x"),
    ],
)
def test_every_path_under_pay_answers_a_page(payer: Payer, method: str, path: str) -> None:
    page = payer.http.request(method, path)
    assert page.status_code in (404, 405)
    assert page.headers["content-type"].startswith("text/html")
    assert "Traceback" not in page.text


def test_a_token_pays_only_the_page_it_was_issued_for(api: Api, payer: Payer) -> None:
    first, second = _bill(api), _bill(api)
    page = payer.submit(second["id"], payer.token(first["id"]), "5.00")
    assert page.status_code == 400
    assert api.get(f"/billing/bills/{second['id']}").json()["amount_paid"] == 0


def test_an_oversized_form_is_refused(api: Api, payer: Payer) -> None:
    bill = _bill(api)
    page = payer.http.post(f"/pay/{bill['id']}", content=b"a=" + b"x" * MAX_FORM_BYTES)
    assert page.status_code == 413
    assert "too large" in page.text


# ---- one payment per form ----------------------------------------------------------------------


def test_a_double_submission_pays_once_and_shows_the_first_receipt(api: Api, payer: Payer) -> None:
    bill = _bill(api)
    token = payer.token(bill["id"])
    first = payer.submit(bill["id"], token, "5.00")
    second = payer.submit(bill["id"], token, "7.00")
    assert second.status_code == 200
    assert "You were not charged again" in second.text
    assert _field(second.text, "payment_id") == _field(first.text, "payment_id")
    assert _field(second.text, "amount") == format_money(500, "ZAR")
    assert api.get(f"/billing/bills/{bill['id']}").json()["amount_paid"] == 500


def _at_once(count: int, action: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    start = threading.Barrier(count)

    def run(index: int) -> httpx.Response:
        start.wait()
        return action(index)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_twenty_forms_at_once_never_pay_more_than_is_due(api: Api, payer: Payer) -> None:
    bill = _bill(api)
    tokens = [payer.token(bill["id"]) for _ in range(20)]
    pages = _at_once(20, lambda i: payer.submit(bill["id"], tokens[i], "5.00"))
    assert sorted(page.status_code for page in pages) == [200] * 4 + [422] * 16
    after = api.get(f"/billing/bills/{bill['id']}").json()
    assert (after["amount_paid"], after["amount_remaining"], after["status"]) == (2000, 0, "paid")


def test_one_form_submitted_twenty_times_at_once_pays_once(api: Api, payer: Payer) -> None:
    bill = _bill(api)
    token = payer.token(bill["id"])
    pages = _at_once(20, lambda i: payer.submit(bill["id"], token, "5.00"))
    assert {page.status_code for page in pages} == {200}
    assert len({_field(page.text, "payment_id") for page in pages}) == 1
    assert api.get(f"/billing/bills/{bill['id']}").json()["amount_paid"] == 500


def test_twenty_forms_at_once_pay_a_request_once(api: Api, payer: Payer) -> None:
    request = api.created("/collect/payment_requests", {"amount": 900, "currency": "ZAR"})
    tokens = [payer.token(request["id"]) for _ in range(20)]
    pages = _at_once(20, lambda i: payer.submit(request["id"], tokens[i], "9.00"))
    assert sorted(page.status_code for page in pages) == [200] + [422] * 19
    paid = api.get(f"/collect/payment_requests/{request['id']}").json()
    assert paid["payment_id"] in {
        _field(page.text, "payment_id") for page in pages if page.status_code == 200
    }
