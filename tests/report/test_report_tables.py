"""The report's tables as people read them: one money format in each currency's decimals, right-aligned;
rates as percentages, days to one decimal; totals rows in bold; one panel per currency; empty tables say so."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from billkit.report.table import CURRENCY, TOTAL, Table
from billkit.report.tables import to_html


def rows(html: str) -> list[list[tuple[str, str]]]:
    """(class, text) of every body cell, row by row."""
    body = re.findall(r"<tr(?: class=\"total\")?>(.*?)</tr>", html.split("<tbody>", 1)[1])
    return [re.findall(r'<td class="(\w+)">(.*?)</td>', row) for row in body]


def table(frame: pd.DataFrame, **kinds: tuple[str, ...]) -> Table:
    return Table(name="t", title="Test table", frame=frame, empty="Nothing here.", **kinds)  # type: ignore[arg-type]


def test_money_takes_the_one_format_in_each_currencys_decimals_right_aligned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("BILLKIT_LOCALE", raising=False)
    frame = pd.DataFrame(
        {
            CURRENCY: ["ZAR", "JPY", "BHD"],
            "Customer": ["Ann", "Ben", "Cas"],
            "Owed": [65150, 1200, 1250],
        }
    )
    html = to_html(table(frame, money=("Owed",)))
    assert html.count("<table") == 3, "one panel per currency"
    cells = [cell for part in html.split("<table")[1:] for cell in rows("<table" + part)]
    assert sorted(cells) == sorted(
        [
            [("text", "Ann"), ("num", "R651.50")],
            [("text", "Ben"), ("num", "¥1,200")],
            [("text", "Cas"), ("num", "BHD1.250")],
        ]
    )
    assert "<caption>Test table: ZAR</caption>" in html
    assert '<th class="text"></th>' not in html, "no index column"


def test_rates_days_missing_values_and_totals_rows() -> None:
    frame = pd.DataFrame(
        {
            "Period": ["Jan", TOTAL],
            "Rate": pd.array([0.484567, None], dtype="Float64"),
            "DSO (days)": pd.array([11.03508, 6.5], dtype="Float64"),
            "Bills": pd.array([1200, 3], dtype="Int64"),
        }
    )
    html = to_html(
        table(frame, percent=("Rate",), days=("DSO (days)",), counts=("Bills",), totals="Period")
    )
    assert rows(html) == [
        [("text", "Jan"), ("num", "48.5%"), ("num", "11.0"), ("num", "1,200")],
        [("text", "Total"), ("num", "—"), ("num", "6.5"), ("num", "3")],
    ]
    assert '<tr class="total">' in html


def test_an_empty_table_is_a_sentence() -> None:
    html = to_html(table(pd.DataFrame(columns=["A", "B"])))
    assert "<table" not in html
    assert "Nothing here." in html


def test_long_ids_may_wrap() -> None:
    frame = pd.DataFrame({"Bill ID": ["bill_" + "x" * 40]})
    assert rows(to_html(table(frame, wide=("Bill ID",)))) == [[("wrap", "bill_" + "x" * 40)]]


def test_a_table_refuses_columns_it_does_not_have() -> None:
    with pytest.raises(ValueError, match="declares columns it lacks: Owed"):
        table(pd.DataFrame({CURRENCY: ["ZAR"]}), money=("Owed",))
    with pytest.raises(ValueError, match="money columns but no 'Currency'"):
        table(pd.DataFrame({"Owed": [1]}), money=("Owed",))
