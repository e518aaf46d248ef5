"""billkit.money: exact conversion between minor units and Decimal by ISO 4217 exponent, and formatting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from billkit.money import currency_exponent, format_money, to_major, to_minor


@pytest.mark.parametrize(
    ("code", "exponent"),
    [("ZAR", 2), ("USD", 2), ("JPY", 0), ("BHD", 3), ("IQD", 3), ("CLF", 4), ("zar", 2)],
)
def test_exponent_follows_iso_4217(code: str, exponent: int) -> None:
    # IQD is 3 in ISO 4217 but 0 in CLDR's display data: amounts need the ISO figure.
    assert currency_exponent(code) == exponent


@pytest.mark.parametrize("code", ["ABC", "RANDS", ""])
def test_unknown_currency_is_a_clear_value_error(code: str) -> None:
    with pytest.raises(ValueError, match="unknown currency"):
        currency_exponent(code)


def test_currency_without_minor_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="no minor unit"):
        to_minor("1", "XAU")


def test_currency_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="ISO 4217 code"):
        currency_exponent(710)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("10.95", "ZAR", 1095),
        (Decimal("10.00"), "USD", 1000),
        (10, "ZAR", 1000),
        ("10", "JPY", 10),
        ("10.000", "BHD", 10000),
        ("-0.01", "USD", -1),
        (" 2000.5 ", "ZAR", 200050),
        (Decimal("12.3400"), "ZAR", 1234),
    ],
)
def test_to_minor(amount: Decimal | str | int, currency: str, minor: int) -> None:
    result = to_minor(amount, currency)
    assert result == minor
    assert type(result) is int


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError, match="floats cannot represent money exactly"):
        to_minor(10.95, "ZAR")  # type: ignore[arg-type]


def test_bools_are_refused() -> None:
    with pytest.raises(TypeError):
        to_minor(True, "ZAR")
    with pytest.raises(TypeError):
        to_major(True, "ZAR")


@pytest.mark.parametrize(
    ("amount", "currency"), [("10.955", "ZAR"), ("1.5", "JPY"), (Decimal("0.001"), "USD")]
)
def test_more_places_than_the_currency_allows_is_refused(amount: str, currency: str) -> None:
    with pytest.raises(ValueError, match="more decimal places"):
        to_minor(amount, currency)


@pytest.mark.parametrize("amount", ["ten", "", "NaN", "Infinity", "1,50"])
def test_non_numbers_are_refused(amount: str) -> None:
    with pytest.raises(ValueError, match="amount"):
        to_minor(amount, "ZAR")


@pytest.mark.parametrize(
    ("minor", "currency", "major"),
    [
        (1095, "ZAR", "10.95"),
        (1000, "USD", "10.00"),
        (10, "JPY", "10"),
        (1, "BHD", "0.001"),
        (-250, "ZAR", "-2.50"),
    ],
)
def test_to_major_keeps_the_currency_places(minor: int, currency: str, major: str) -> None:
    result = to_major(minor, currency)
    assert isinstance(result, Decimal)
    assert str(result) == major


def test_to_major_refuses_non_integers() -> None:
    with pytest.raises(TypeError, match="must be an int"):
        to_major(Decimal("10.5"), "ZAR")  # type: ignore[arg-type]


@settings(
    deadline=None
)  # correctness only: a loaded machine may take longer than the 200 ms default
@given(
    minor=st.integers(min_value=-(10**12), max_value=10**12),
    currency=st.sampled_from(["ZAR", "USD", "JPY", "BHD"]),
)
def test_round_trip_is_exact(minor: int, currency: str) -> None:
    assert to_minor(to_major(minor, currency), currency) == minor
    assert to_minor(str(to_major(minor, currency)), currency) == minor


@pytest.mark.parametrize(
    ("minor", "currency", "locale", "text"),
    [
        (123450, "ZAR", "en_ZA", "R1\xa0234,50"),
        (123450, "ZAR", "en_US", "ZAR1,234.50"),
        (-5, "USD", "en_US", "-$0.05"),
        (1234, "BHD", "en_US", "BHD1.234"),
        (500, "JPY", "ja_JP", "￥500"),
    ],
)
def test_format_money(minor: int, currency: str, locale: str, text: str) -> None:
    assert format_money(minor, currency, locale=locale) == text


def test_format_money_defaults_to_south_africa() -> None:
    assert format_money(2000, "ZAR") == "R20,00"


def test_format_money_keeps_every_iso_place() -> None:
    # CLDR shows IQD with no decimals; rounding 1.234 to 1 would misstate the amount.
    assert format_money(1234, "IQD", locale="en_US") == "IQD1.234"


def test_format_money_unknown_locale() -> None:
    with pytest.raises(ValueError, match="unknown locale 'xx_YY'"):
        format_money(100, "ZAR", locale="xx_YY")
