"""A payer on the sandbox's hosted bill page, driven from code: open the link, fill in the amount, submit.

A person would open the link in a browser; a notebook run by papermill cannot, so this does what the
browser does with the page's plain HTML form (hidden fields such as the one-time token included) and
reads the receipt. It works only against billkit's sandbox, whose page is a documented part of its
contract; Moment's hosted pages are paid by people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

__all__ = ["HostedPageError", "HostedPagePayment", "pay_on_hosted_page"]

_PAYMENT_ID = re.compile(r"\bpay_[A-Za-z0-9]{8,}\b")
_TIMEOUT = 15.0


class HostedPageError(RuntimeError):
    """The hosted page refused the payment or could not be used; the message says what the page said."""


@dataclass(frozen=True)
class HostedPagePayment:
    """What the payer saw after submitting: the receipt's status and the payment id it shows."""

    url: str
    status_code: int
    payment_id: str | None
    receipt_text: str


@dataclass
class _Form:
    action: str = ""
    method: str = "get"
    fields: dict[str, str] = field(default_factory=dict)


class _PageReader(HTMLParser):
    """Collects the first POST form's fields and the page's visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.form: _Form | None = None
        self._in_form = False
        self._skip = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "form" and self.form is None and values.get("method", "get").lower() == "post":
            self.form = _Form(action=values.get("action", ""), method="post")
            self._in_form = True
        elif tag in ("input", "button") and self._in_form and self.form and _is_data(values):
            self.form.fields[values["name"]] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.text.append(" ".join(data.split()))


def _is_data(attributes: dict[str, str]) -> bool:
    """Whether a form control sends a value (a named field; buttons only say "submit")."""
    kind = attributes.get("type", "text").lower()
    return bool(attributes.get("name")) and kind not in ("submit", "button", "reset")


def pay_on_hosted_page(
    url: str, amount: str | None = None, *, http: httpx.Client | None = None
) -> HostedPagePayment:
    """Open the hosted page at `url`, pay `amount` (major units, as a person types it: `"12.50"`; None
    keeps what the form proposes, as for a payment request's fixed amount) and return the receipt."""
    own = http is None
    client = http or httpx.Client(timeout=_TIMEOUT, follow_redirects=True)
    try:
        page = client.get(url)
        reader = _read(page.text)
        if page.status_code != 200 or reader.form is None:
            raise HostedPageError(
                f"the page at {url} offers no payment form ({page.status_code}): {_summary(reader)}"
            )
        fields = dict(reader.form.fields)
        if amount is not None:
            amount_field = next((name for name in fields if "amount" in name.lower()), "amount")
            fields[amount_field] = amount
        target = urljoin(str(page.url), reader.form.action or str(page.url))
        receipt = client.post(target, data=fields)
    finally:
        if own:
            client.close()
    result = _read(receipt.text)
    text = _summary(result)
    if receipt.status_code >= 400:
        raise HostedPageError(f"the page refused the payment ({receipt.status_code}): {text}")
    found = _PAYMENT_ID.search(" ".join(result.text))
    return HostedPagePayment(
        url=url,
        status_code=receipt.status_code,
        payment_id=found.group(0) if found else None,
        receipt_text=text,
    )


def _read(page: str) -> _PageReader:
    reader = _PageReader()
    reader.feed(page)
    reader.close()
    return reader


def _summary(reader: _PageReader, limit: int = 400) -> str:
    text = " ".join(reader.text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
