"""Paying on a hosted page from code: the form's hidden fields go back, the amount is filled in."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pytest

from billkit.notebook.quickstart.payer import HostedPageError, pay_on_hosted_page

PAGE = """<html><head><style>p {}</style><script>var x = "pay_notthisone123";</script></head><body>
<h1>Pay Acme</h1><p>Due: R20,00</p>
<form method="get" action="/search"><input name="q"></form>
<form method="post" action="/pay/bill_1?utm_source=sms">
  <input type="hidden" name="token" value="tok_123">
  <input type="hidden" name="utm_source" value="sms">
  <input type="text" name="amount" value="">
  <button type="submit" name="go">Pay</button>
</form></body></html>"""


class HostedPage:
    """A stand-in for the sandbox's page that records what the form POST carried."""

    def __init__(self, *, refuse: bool = False) -> None:
        self.posted: dict[str, list[str]] = {}
        self.refuse = refuse

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET":
            return httpx.Response(200, html=PAGE)
        self.posted = parse_qs(request.content.decode())
        if self.refuse:
            return httpx.Response(422, html="<p>That is more than is due: at most R20,00.</p>")
        return httpx.Response(
            200, html="<h1>Receipt</h1><p>Payment pay_9f8e7d6c5b4a3 of R12,50</p>"
        )


def test_the_form_is_submitted_with_its_hidden_fields_and_the_amount() -> None:
    page = HostedPage()
    with httpx.Client(transport=httpx.MockTransport(page)) as http:
        payment = pay_on_hosted_page("http://127.0.0.1:1/pay/bill_1", "12.50", http=http)
    assert page.posted == {"token": ["tok_123"], "utm_source": ["sms"], "amount": ["12.50"]}
    assert payment.status_code == 200
    assert payment.payment_id == "pay_9f8e7d6c5b4a3"
    assert payment.receipt_text.startswith("Receipt")


def test_a_refusal_is_raised_with_what_the_page_said() -> None:
    with (
        httpx.Client(transport=httpx.MockTransport(HostedPage(refuse=True))) as http,
        pytest.raises(
            HostedPageError, match=r"refused the payment \(422\): That is more than is due"
        ),
    ):
        pay_on_hosted_page("http://127.0.0.1:1/pay/bill_1", "99.00", http=http)


def test_a_page_without_a_form_is_a_clear_error() -> None:
    def not_found(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, html="<p>No bill with that ID.</p>")

    with (
        httpx.Client(transport=httpx.MockTransport(not_found)) as http,
        pytest.raises(
            HostedPageError, match=r"offers no payment form \(404\): No bill with that ID"
        ),
    ):
        pay_on_hosted_page("http://127.0.0.1:1/pay/bill_x", "1.00", http=http)
