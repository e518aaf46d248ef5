"""The hosted page's form reading and tokens, without a server: amounts as payers type them, URL
parameters kept as metadata, and one-time tokens bound to one page."""

from __future__ import annotations

import pytest

from billkit.sandbox.pages.forms import PageError, metadata_params, parse_amount, parse_form
from billkit.sandbox.pages.tokens import TokenSigner


@pytest.mark.parametrize(
    ("typed", "currency", "minor"),
    [
        ("12.50", "ZAR", 1250),
        (" 12,50 ", "ZAR", 1250),
        ("1250", "ZAR", 125000),
        ("7", "USD", 700),
        ("7.5", "USD", 750),
        ("0.01", "ZAR", 1),
        ("0,64", "ZAR", 64),
    ],
)
def test_amounts_are_read_as_payers_type_them(typed: str, currency: str, minor: int) -> None:
    assert parse_amount(typed, currency) == minor


@pytest.mark.parametrize(
    "typed",
    [
        "Infinity",
        "NaN",
        "1e999999",
        "1e2",  # an exponent: R100.00 until now
        "1_000",  # an underscore: R1,000.00 until now
        "\u0661\u0662",  # Arabic-Indic digits
        "\uff11\uff12",  # full-width digits
        "1,234.50",  # digit grouping: which separator is the decimal one?
        "1 234.50",
        "+5",
        "12.5.0",
        "R12",
        "--1",
        "9" * 16_000,
    ],
)
def test_what_is_not_an_amount_is_refused_with_a_400(typed: str) -> None:
    with pytest.raises(PageError) as refused:
        parse_amount(typed, "ZAR")
    assert refused.value.status == 400
    assert len(refused.value.message) < 200


def test_only_moment_s_url_parameters_become_metadata() -> None:
    kept = metadata_params(
        [
            ("utm_source", "sms"),
            ("utm_campaign", "feb"),
            ("affiliate", "af1"),
            ("agent", "A7"),
            ("product_code", "P9"),
            ("amount", "1"),
            ("token", "t"),
            ("ref", "x"),
        ]
    )
    assert kept == {
        "utm_source": "sms",
        "utm_campaign": "feb",
        "affiliate": "af1",
        "agent": "A7",
        "product_code": "P9",
    }


def test_parameters_that_cannot_be_kept_are_ignored() -> None:
    items = [
        ("utm_source", "first"),
        ("utm_source", "second"),  # repeated: the first wins
        ("utm_empty", ""),
        ("utm_long", "x" * 501),
        ("utm_" + "k" * 37, "key too long"),
        *[(f"utm_{n}", str(n)) for n in range(12)],
    ]
    kept = metadata_params(items)
    assert kept["utm_source"] == "first"
    assert "utm_empty" not in kept
    assert "utm_long" not in kept
    assert len(kept) == 10
    assert list(kept)[1:] == [f"utm_{n}" for n in range(9)]


def test_the_form_is_read_first_value_first() -> None:
    form = parse_form(b"amount=12.50&token=abc&amount=99&utm_medium=email&x=1")
    assert (form.amount, form.token, form.metadata) == ("12.50", "abc", {"utm_medium": "email"})
    assert parse_form(b"").amount == ""
    with pytest.raises(PageError) as unreadable:
        parse_form(b"amount=%ff%fe")
    assert unreadable.value.status == 400


def test_tokens_are_bound_to_one_page_and_one_key() -> None:
    signer = TokenSigner("sk_test_one")
    token = signer.issue("bill_A")
    assert signer.valid(token, "bill_A")
    assert not signer.valid(token, "bill_B")
    assert not TokenSigner("sk_test_two").valid(token, "bill_A")
    assert not signer.valid(token.split(".")[0] + ".", "bill_A")
    assert not signer.valid("\u00e9.\u00e9", "bill_A")  # non-ASCII: refused, not a TypeError
    assert not signer.valid("\udfff.\udfff", "bill_A")
    assert signer.issue("bill_A") != token
