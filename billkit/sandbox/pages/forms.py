"""What the hosted page reads from a browser: the urlencoded form, the amount a payer typed, and the URL
parameters that become the payment's metadata.

The form is parsed with the standard library (no multipart: the page's form is urlencoded). Every problem
is a `PageError` whose message a payer can act on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from billkit.money import currency_exponent, format_money
from billkit.sandbox.domain.limits import (
    MAX_MINOR_UNITS,
    METADATA_KEY_MAX,
    METADATA_MAX_KEYS,
    METADATA_VALUE_MAX,
)

__all__ = [
    "MAX_FORM_BYTES",
    "PageError",
    "PaymentForm",
    "metadata_params",
    "parse_amount",
    "parse_form",
]

#: The page's form holds an amount, a token and a few URL parameters: far less than this.
MAX_FORM_BYTES = 16 * 1024
_NAMED_PARAMS = frozenset({"affiliate", "agent", "product_code"})
#: `[0-9]`, not `\d`: Python's `\d` and `int()` also read Arabic-Indic and full-width digits.
_AMOUNT = re.compile(r"(?P<whole>[0-9]+)(?:[.,](?P<fraction>[0-9]*))?")


class PageError(Exception):
    """A refusal shown on the page: an HTTP status and a sentence for the payer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class PaymentForm:
    amount: str
    token: str
    metadata: dict[str, str] = field(default_factory=dict)


def metadata_params(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The URL parameters Moment keeps as metadata (`utm_*`, `affiliate`, `agent`, `product_code`).

    As on Moment, a parameter that cannot be kept (too long, empty, repeated, past the tenth) is ignored
    and the payment goes ahead without it.
    """
    kept: dict[str, str] = {}
    for name, value in items:
        wanted = name.startswith("utm_") or name in _NAMED_PARAMS
        fits = len(name) <= METADATA_KEY_MAX and 0 < len(value) <= METADATA_VALUE_MAX
        if wanted and fits and name not in kept and len(kept) < METADATA_MAX_KEYS:
            kept[name] = value
    return kept


def parse_form(body: bytes) -> PaymentForm:
    if len(body) > MAX_FORM_BYTES:
        raise PageError(413, "The form sent was too large. Reload the page and try again.")
    try:
        items = parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise PageError(400, "The form could not be read. Reload the page and try again.") from None
    fields: Mapping[str, str] = dict(reversed(items))  # the first value of each name wins
    return PaymentForm(
        amount=fields.get("amount", ""),
        token=fields.get("token", ""),
        metadata=metadata_params(items),
    )


def parse_amount(typed: str, currency: str) -> int:
    """What the payer typed, in major units, as minor units (contract §7): ASCII digits with at most the
    currency's decimals after one `.` or `,` (`12.50`, `12,50`, `1250`). Anything else (exponents, signs,
    underscores, digit grouping, other scripts' digits) is refused in words rather than guessed at."""
    text = typed.strip()
    if not text:
        raise PageError(400, "Enter the amount you want to pay.")
    match = _AMOUNT.fullmatch(text)
    if match is None:
        if text[0] in "-\u2212" and _AMOUNT.fullmatch(text[1:]):
            raise PageError(400, "Enter an amount greater than zero.")
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise PageError(400, f"“{shown}” is not an amount. Enter it in numbers, like 12.50.")
    whole, fraction = match.group("whole"), match.group("fraction") or ""
    exponent = currency_exponent(currency)
    if len(fraction) > exponent:
        raise PageError(
            400, f"Amounts in {currency} have at most {exponent} digits after the decimal point."
        )
    # Compared by length first, so a form of 16,000 digits is refused rather than converted.
    digits = whole.lstrip("0")
    if len(digits) > len(str(MAX_MINOR_UNITS)):
        raise _too_much(currency)
    minor = int((digits + fraction.ljust(exponent, "0")) or "0")  # "12" "5" in ZAR: "1250"
    if minor == 0:
        raise PageError(400, "Enter an amount greater than zero.")
    if minor > MAX_MINOR_UNITS:
        raise _too_much(currency)
    return minor


def _too_much(currency: str) -> PageError:
    largest = format_money(MAX_MINOR_UNITS, currency)
    return PageError(400, f"That is more than the largest payment possible, {largest}.")
