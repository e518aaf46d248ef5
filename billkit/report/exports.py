"""The report's tables in full for spreadsheets: one xlsx workbook (a sheet per table) and one CSV per table.

In the workbook numbers stay numbers: amounts are major units with the currency's own number format
(`"R"#,##0.00`, in the symbol and decimals `billkit.money.format_money` uses), rates are percentages, days have
one decimal and dates are dates. CSV files hold plain values for other tools: amounts in major units written
exactly (`1234.50`), rates as ratios, dates as ISO. The worklist and the exceptions are written whole.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from billkit.money import currency_exponent, currency_symbol, to_major
from billkit.report.table import CURRENCY, TOTAL, Table

__all__ = ["TABLE_FORMATS", "money_number_format", "write_csv", "write_tables", "write_xlsx"]

TABLE_FORMATS: Final = ("html", "xlsx", "csv")
_BOLD: Final = Font(bold=True)


def money_number_format(currency: str) -> str:
    """Excel's number format for `currency`: its symbol and ISO decimals, minus sign before the symbol."""
    places = currency_exponent(currency)
    symbol = currency_symbol(currency).replace('"', "")
    number = "#,##0" + ("." + "0" * places if places else "")
    return f'"{symbol}"{number};-"{symbol}"{number}'


def _missing(value: object) -> bool:
    return value is None or value is pd.NaT or bool(pd.isna(value))  # type: ignore[call-overload]


def _cell(
    table: Table, header: str, value: object, currency: str | None
) -> tuple[object, str | None]:
    """(value, number format) for one spreadsheet cell."""
    if _missing(value):
        return None, None
    if header in table.money and currency is not None:
        return to_major(int(value), currency), money_number_format(currency)  # type: ignore[call-overload]
    if header in table.percent:
        return float(value), "0.0%"  # type: ignore[arg-type]
    if header in table.days:
        return float(value), "0.0"  # type: ignore[arg-type]
    if header in table.counts and not isinstance(value, str):
        return int(value), "#,##0"  # type: ignore[call-overload]
    if isinstance(value, pd.Timestamp):
        return value.date(), "yyyy-mm-dd"
    if isinstance(value, dt.date):
        return value, "yyyy-mm-dd"
    return str(value), None


def write_xlsx(tables: Sequence[Table], path: Path) -> Path:
    """One sheet per table (named after it), header row bold and frozen, totals rows bold."""
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.name[:31])
        headers = [str(h) for h in table.frame.columns]
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = _BOLD
        sheet.freeze_panes = "A2"
        if table.is_empty:
            sheet.append([table.empty])
        for _, row in table.frame.iterrows():
            currency = str(row[CURRENCY]) if CURRENCY in table.frame.columns else None
            values = [_cell(table, header, row[header], currency) for header in headers]
            sheet.append([value for value, _ in values])
            bold = table.totals is not None and row.get(table.totals) == TOTAL
            for cell, (_, number_format) in zip(sheet[sheet.max_row], values, strict=True):
                if number_format is not None:
                    cell.number_format = number_format
                if bold:
                    cell.font = _BOLD
        for index, header in enumerate(headers, start=1):
            longest = max([len(header), *(len(str(v)) for v in table.frame[header].head(200))])
            sheet.column_dimensions[get_column_letter(index)].width = min(max(10, longest + 2), 48)
    book.save(path)
    return path


def _csv_frame(table: Table) -> pd.DataFrame:
    frame = table.frame.copy()
    if CURRENCY in frame.columns:
        currencies = frame[CURRENCY].astype(str)
        for header in table.money:
            frame[header] = [
                None if _missing(v) else str(to_major(int(v), code))
                for v, code in zip(frame[header], currencies, strict=True)
            ]
    return frame


def write_csv(tables: Sequence[Table], folder: Path, *, prefix: str) -> list[Path]:
    """One CSV per table, `PREFIX_<table>.csv`, UTF-8 with a header row."""
    written = []
    for table in tables:
        path = folder / f"{prefix}_{table.name}.csv"
        _csv_frame(table).to_csv(path, index=False, encoding="utf-8")
        written.append(path)
    return written


def write_tables(
    tables: Sequence[Table], folder: Path, *, prefix: str, formats: Sequence[str]
) -> list[Path]:
    """The xlsx and/or CSV files of `tables` into `folder`, all or nothing (staged, then moved)."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix=".billkit-tables-", dir=folder) as staging:
        staged = Path(staging)
        made: list[Path] = []
        if "xlsx" in formats:
            made.append(write_xlsx(tables, staged / f"{prefix}.xlsx"))
        if "csv" in formats:
            made.extend(write_csv(tables, staged, prefix=prefix))
        for path in made:
            target = folder / path.name
            shutil.move(path, target)
            written.append(target)
    return written
