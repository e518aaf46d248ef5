"""Money in Moment's terms: integer minor units with an ISO 4217 currency, never floats.

Moment sends and accepts every amount as an integer count of the currency's minor unit (ZAR 10.95 is `1095`).
These helpers move between that and `Decimal` major units using the currency's ISO 4217 exponent (from the
`iso4217` package's copy of the ISO table), and format amounts for people with babel's CLDR locale data.

    >>> to_minor("10.95", "ZAR")
    1095
    >>> to_major(1095, "ZAR")
    Decimal('10.95')
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.core import UnknownLocaleError
from babel.numbers import format_currency
from iso4217 import Currency

__all__ = ["DEFAULT_LOCALE", "currency_exponent", "format_money", "to_major", "to_minor"]

#: Moment's home market; South African formatting (`R1 234,50`) unless a caller asks otherwise.
DEFAULT_LOCALE = "en_ZA"


def _iso_currency(code: str) -> Currency:
    if not isinstance(code, str):
        raise TypeError(
            f"currency must be an ISO 4217 code such as 'ZAR', not {type(code).__name__}"
        )
    try:
        return Currency(code.strip().upper())
    except ValueError:
        raise ValueError(
            f"unknown currency {code!r}: expected an ISO 4217 code such as 'ZAR' or 'USD'"
        ) from None


def currency_exponent(code: str) -> int:
    """The number of decimal places of `code`'s minor unit per ISO 4217 (`ZAR` 2, `JPY` 0, `BHD` 3)."""
    exponent = _iso_currency(code).exponent
    if exponent is None:
        raise ValueError(
            f"currency {code!r} has no minor unit in ISO 4217, so it has no money amounts"
        )
    return exponent


def to_minor(amount: Decimal | str | int, currency: str) -> int:
    """Major units (`Decimal("10.95")`, `"10.95"` or `10`) to Moment's integer minor units (`1095`).

    Floats are refused: `0.1 + 0.2` is not `0.3` in binary floating point, and money must be exact. So is an
    amount with more decimal places than the currency has (`"10.955"` ZAR), rather than rounding it silently.
    """
    if isinstance(amount, bool) or not isinstance(amount, Decimal | str | int):
        raise TypeError(
            f"amount must be a Decimal, str or int, not {type(amount).__name__}"
            + (": floats cannot represent money exactly" if isinstance(amount, float) else "")
        )
    exponent = currency_exponent(currency)
    try:
        value = Decimal(amount.strip()) if isinstance(amount, str) else Decimal(amount)
    except InvalidOperation:
        raise ValueError(f"amount {amount!r} is not a number") from None
    if not value.is_finite():
        raise ValueError(f"amount {amount!r} is not a finite number")
    minor = value.scaleb(exponent)
    if minor != minor.to_integral_value():
        raise ValueError(
            f"amount {amount!r} has more decimal places than {currency.upper()} allows ({exponent})"
        )
    return int(minor)


def to_major(minor: int, currency: str) -> Decimal:
    """Integer minor units (`1095`) to a `Decimal` in major units with the currency's places (`10.95`)."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise TypeError(f"minor units must be an int, not {type(minor).__name__}")
    return Decimal(minor).scaleb(-currency_exponent(currency))


def format_money(minor: int, currency: str, locale: str = DEFAULT_LOCALE) -> str:
    """Minor units as a person reads them in `locale`: `format_money(123450, "ZAR")` is `R1 234,50`."""
    amount = to_major(minor, currency)
    try:
        # decimal_quantization=False keeps every ISO minor-unit digit where CLDR's display digits are fewer.
        return format_currency(
            amount, currency.strip().upper(), locale=locale, decimal_quantization=False
        )
    except (UnknownLocaleError, ValueError) as exc:
        raise ValueError(
            f"unknown locale {locale!r}: expected a CLDR locale such as 'en_ZA'"
        ) from exc
