"""What the hosted page reads from a browser: the urlencoded form, the amount a payer typed, and the URL
parameters that become the payment's metadata.

The form is parsed with the standard library (no multipart: the page's form is urlencoded). Every problem
is a `PageError` whose message a payer can act on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
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
_SPACES = str.maketrans("", "", " \u00a0\u202f\t")


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
    """What the payer typed, in major units (`12.50`; `12,50` and `1 234.50` too), as minor units."""
    text = typed.translate(_SPACES)
    if not text:
        raise PageError(400, "Enter the amount you want to pay.")
    text = text.replace(",", "") if "." in text else text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():  # "abc", but also "NaN" and "Infinity", which Decimal reads
        raise PageError(
            400, f"“{typed.strip()}” is not an amount. Enter it in numbers, like 12.50."
        )
    if value <= 0:
        raise PageError(400, "Enter an amount greater than zero.")
    exponent = currency_exponent(currency)
    # Compared before scaling, so "1e999999" is refused rather than overflowing.
    if value > Decimal(MAX_MINOR_UNITS).scaleb(-exponent):
        raise PageError(
            400,
            f"That is more than the largest payment possible, {format_money(MAX_MINOR_UNITS, currency)}.",
        )
    minor = value.scaleb(exponent)
    if minor != minor.to_integral_value():
        raise PageError(
            400, f"Amounts in {currency} have at most {exponent} digits after the decimal point."
        )
    return int(minor)
