"""The report's tables as people read them, in HTML: human headers, no index, totals rows in bold, amounts
right-aligned by billkit's one money format (`billkit.money.format_money`) in their currency's decimals, rates
as percentages, days to one decimal. A table with several currencies becomes one panel per currency (amounts
in different currencies never share a column); an empty table is a sentence, not an empty header row.

Long references and IDs may wrap anywhere, so no table is wider than a 1280 px page. A "more" line (see
`Table.bounded`: the rows a report leaves out, counted and summed) is in italics, its other cells blank.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Final

import pandas as pd

from billkit.money import format_money
from billkit.report.table import CURRENCY, TOTAL, Table

__all__ = ["CSS", "cell_text", "to_html"]

_MISSING: Final = "—"  # em dash: a missing figure, not a zero
#: Scoped to billkit's tables; included once per table so any page or notebook output renders alike.
CSS: Final = """<style>
table.billkit-table { border-collapse: collapse; margin: 0.25rem 0 1rem; font-size: 0.9rem; max-width: 100%; }
table.billkit-table th, table.billkit-table td { padding: 0.25rem 0.6rem; border-bottom: 1px solid rgba(127,127,127,0.25); }
table.billkit-table caption { caption-side: top; text-align: left; font-weight: 600; padding: 0.25rem 0; }
table.billkit-table th { font-weight: 600; vertical-align: bottom; }
table.billkit-table th.text, table.billkit-table td.text { text-align: left; }
table.billkit-table th.num, table.billkit-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
/* Amounts never break; a long header ("Reconciled gross") wraps at its spaces so a wide table fits the page. */
table.billkit-table td.num { white-space: nowrap; }
table.billkit-table td.wrap { text-align: left; overflow-wrap: anywhere; word-break: break-word; max-width: 16rem; }
table.billkit-table tr.total td { font-weight: 700; border-top: 1px solid rgba(127,127,127,0.6); }
table.billkit-table tr.more td { font-style: italic; }
p.billkit-empty { font-style: italic; }
</style>"""


def _is_missing(value: object) -> bool:
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and pd.isna(value))
    )


def cell_text(table: Table, header: str, value: object, currency: str | None) -> str:
    """One cell as shown: money by `format_money`, rates as %, days to one decimal, dates as ISO."""
    if _is_missing(value):
        return _MISSING
    if header in table.money and currency is not None:
        return format_money(int(value), currency)  # type: ignore[call-overload]
    if header in table.percent:
        return f"{float(value):.1%}"  # type: ignore[arg-type]
    if header in table.days:
        return f"{float(value):,.1f}"  # type: ignore[arg-type]
    if header in table.counts and not isinstance(value, str):
        return f"{int(value):,}"  # type: ignore[call-overload]
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _numeric(table: Table, header: str) -> bool:
    return header in (*table.money, *table.percent, *table.days, *table.counts)


def _one_table(table: Table, frame: pd.DataFrame, currency: str | None) -> str:
    caption = table.title if currency is None else f"{table.title}: {currency}"
    headers = [str(h) for h in frame.columns]
    head = "".join(
        f'<th class="{"num" if _numeric(table, h) else "text"}">{html.escape(h)}</th>'
        for h in headers
    )
    body: list[str] = []
    more = set(table.more_rows)
    row_currency: Callable[[pd.Series], str | None] = (
        (lambda row: str(row[CURRENCY])) if CURRENCY in frame.columns else (lambda row: currency)
    )
    for position, row in frame.iterrows():
        is_total = table.totals is not None and row.get(table.totals) == TOTAL
        is_more = position in more
        cells = []
        for header in headers:
            value = row[header]
            text = (
                ""
                if is_more and _is_missing(value)
                else cell_text(table, header, value, row_currency(row))
            )
            kind = "num" if _numeric(table, header) else "wrap" if header in table.wide else "text"
            cells.append(f'<td class="{kind}">{html.escape(text)}</td>')
        row_class = ' class="total"' if is_total else ' class="more"' if is_more else ""
        body.append(f"<tr{row_class}>{''.join(cells)}</tr>")
    return (
        f'<table class="billkit-table" data-table="{html.escape(table.name)}">'
        f"<caption>{html.escape(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def to_html(table: Table) -> str:
    """`table` as HTML: one panel per currency (captioned with its title and code), or its `empty` sentence."""
    if table.is_empty:
        return f'{CSS}<p class="billkit-empty" data-table="{html.escape(table.name)}">{html.escape(table.empty)}</p>'
    if CURRENCY not in table.frame.columns:
        return CSS + _one_table(table, table.frame, None)
    parts = [CSS]
    currencies = table.frame[CURRENCY].astype(str)
    for code in sorted(currencies.unique()):
        rows = table.frame.loc[(currencies == code).to_numpy()].drop(columns=[CURRENCY])
        parts.append(_one_table(table, rows, code))
    return "".join(parts)
