"""Money in Moment's terms: integer minor units with an ISO 4217 currency, never floats.

Moment sends and accepts every amount as an integer count of the currency's minor unit (ZAR 10.95 is `1095`).
These helpers move between that and `Decimal` major units using the currency's ISO 4217 exponent (from the
`iso4217` package's copy of the ISO table), and format amounts for people with babel's CLDR locale data.

**One money format.** Every amount billkit shows a person (report tables and charts, notebooks, widgets, the
bill form, the hosted bill page) goes through `format_money`, whose convention is chosen by one setting: the
`BILLKIT_LOCALE` environment variable, a CLDR locale, default `en`. The rule:

* digits, decimal mark, grouping and sign placement are the setting's (`en`: `1,234.56`, `-$5.00`);
* always the currency's ISO 4217 number of decimals (`$1,234.56`, `¥500`, `BHD1.234`), never rounded;
* the symbol is the one the currency's own country writes in the setting's language: `R` for ZAR (`en_ZA`),
  `$` for USD (`en_US`), `£` for GBP (`en_GB`). Where CLDR has no such locale (the euro has no country) the
  setting's own symbol is used (`€`, or the ISO code such as `CHF`).

So with the default, `format_money(123456, "ZAR")` is `R1,234.56` and `format_money(4250, "USD")` is `$42.50`,
never `US$42,50`. `BILLKIT_LOCALE=en_ZA` gives South African marks (`R1 234,56`).

    >>> to_minor("10.95", "ZAR")
    1095
    >>> to_major(1095, "ZAR")
    Decimal('10.95')
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Final

from babel.core import Locale, UnknownLocaleError
from babel.numbers import NumberPattern, get_territory_currencies, parse_pattern
from iso4217 import Currency

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALE_VARIABLE",
    "currency_exponent",
    "currency_symbol",
    "format_money",
    "money_locale",
    "to_major",
    "to_minor",
]

#: The locale every amount is shown in unless `BILLKIT_LOCALE` says otherwise (`$1,234.56`, `R1,234.56`).
DEFAULT_LOCALE: Final = "en"
#: The environment variable that chooses billkit's one money (and date) format.
LOCALE_VARIABLE: Final = "BILLKIT_LOCALE"


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


def money_locale() -> str:
    """The locale billkit formats money and dates in: `BILLKIT_LOCALE` if set, else `en`."""
    return os.environ.get(LOCALE_VARIABLE, "").strip() or DEFAULT_LOCALE


def format_money(minor: int, currency: str, locale: str | None = None) -> str:
    """Minor units as a person reads them: `format_money(123456, "ZAR")` is `R1,234.56` (see the module rule).

    `locale` overrides the `BILLKIT_LOCALE` setting for this call only; callers leave it out so that every
    amount billkit shows follows the one setting.
    """
    amount = to_major(minor, currency)
    chosen = money_locale() if locale is None else locale
    pattern, parsed = _pattern(chosen, currency.strip().upper())
    return str(pattern.apply(amount, parsed, currency_digits=False, decimal_quantization=False))


def currency_symbol(currency: str, locale: str | None = None) -> str:
    """The symbol `format_money` writes for `currency` (`R` for ZAR, `$` for USD with the default `en`)."""
    chosen = money_locale() if locale is None else locale
    return _symbol(_pattern(chosen, currency.strip().upper())[1], currency.strip().upper())


@cache
def _pattern(locale: str, currency: str) -> tuple[NumberPattern, Locale]:
    """The locale's standard currency pattern with the currency's symbol and ISO decimals written in."""
    try:
        parsed = Locale.parse(locale.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        source = "" if locale != money_locale() else f" (from {LOCALE_VARIABLE})"
        raise ValueError(
            f"unknown locale {locale!r}{source}: expected a CLDR locale such as 'en' or 'en_ZA'"
        ) from exc
    symbol = _symbol(parsed, currency).replace("'", "''")
    standard = parsed.currency_formats["standard"].pattern.split(";")[0]
    pattern = parse_pattern(standard.replace("¤", f"'{symbol}'"))
    places = currency_exponent(currency)
    pattern.frac_prec = (places, places)
    return pattern, parsed


def _symbol(locale: Locale, currency: str) -> str:
    """The currency's symbol as its own country writes it in `locale`'s language, else `locale`'s own."""
    territory = currency[:2]
    if currency in get_territory_currencies(territory):
        try:
            home = Locale.parse(f"{locale.language}_{territory}")
        except (UnknownLocaleError, ValueError):
            home = None
        if home is not None and currency in home.currency_symbols:
            return str(home.currency_symbols[currency])
    return str(locale.currency_symbols.get(currency, currency))
