"""Writing a billing file from a DataFrame (or a CSV of the same columns) under its proper name.

    path = write_bill_file(frame, "out/", country="za", merchant="acme", day=date(2025, 2, 2))
    # out/za_acme_dailyfile_2025-02-02.csv: UTF-8 without BOM, RFC 4180 quoting, CRLF line ends

Amounts are written in major units with the currency's decimals (`240.00`); one that is not a valid
amount is written as given, for `validate_bill_file` to report. Give them as `amount_due`
(Decimal, str or int major units) or as `amount_due_minor` (Moment's integer minor units). Floats are
refused: they cannot hold money exactly. Empty cells (NaN, None) are written empty.
"""

from __future__ import annotations

import csv
import math
import os
import tempfile
from collections.abc import Hashable, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from billkit.billfiles.names import BillFileKind, BillFileName
from billkit.billfiles.rows import COLUMNS
from billkit.errors import InvalidArgumentError
from billkit.money import to_major, to_minor

__all__ = ["bill_file_name", "write_bill_file"]

_MINOR_COLUMN = "amount_due_minor"


def bill_file_name(country: str, merchant: str, day: date, *, full: bool = False) -> str:
    """`za_acme_dailyfile_2025-02-02.csv`, or `za_acme_moment_all-customers_...` when `full`."""
    kind = BillFileKind.FULL if full else BillFileKind.DAILY
    return BillFileName(country, merchant, day, kind).file_name


def write_bill_file(
    rows: pd.DataFrame | str | Path,
    folder: str | Path,
    *,
    country: str,
    merchant: str,
    day: date,
    full: bool = False,
) -> Path:
    """Write `rows` as a billing file in `folder` and return its path (written whole, then renamed)."""
    try:
        name = BillFileName(
            country, merchant, day, BillFileKind.FULL if full else BillFileKind.DAILY
        )
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"write_bill_file: {exc}") from None
    frame = _frame(rows)
    _check_columns(frame)
    currencies = _currencies(frame, name)
    columns = [column for column in frame.columns if column != _MINOR_COLUMN]
    if _MINOR_COLUMN in frame.columns and "amount_due" not in columns:
        columns.append("amount_due")
    target = Path(folder) / name.file_name
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180 line ends
            writer.writerow(columns)
            for position, record in enumerate(frame.to_dict("records")):
                writer.writerow(
                    _amount(record, currencies[position], position + 1)
                    if column == "amount_due"
                    else _cell(record.get(column))
                    for column in columns
                )
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _frame(rows: pd.DataFrame | str | Path) -> pd.DataFrame:
    if isinstance(rows, pd.DataFrame):
        return rows
    if isinstance(rows, str | Path):
        # Every cell as text, so references and ID numbers keep their leading zeros.
        return pd.read_csv(rows, dtype=str, keep_default_na=False, encoding="utf-8")
    raise InvalidArgumentError(
        f"write_bill_file: rows must be a DataFrame or a CSV path, not {type(rows).__name__}"
    )


def _check_columns(frame: pd.DataFrame) -> None:
    names = [str(column) for column in frame.columns]
    if "amount_due" in names and _MINOR_COLUMN in names:
        raise InvalidArgumentError(
            "write_bill_file: give amount_due (major units) or amount_due_minor, not both"
        )
    if "amount_due" not in names and _MINOR_COLUMN not in names:
        raise InvalidArgumentError(
            "write_bill_file: the rows need amount_due (major units) or amount_due_minor"
        )
    known = set(COLUMNS) | {_MINOR_COLUMN}
    if not known & set(names) - {"amount_due", _MINOR_COLUMN}:
        raise InvalidArgumentError(
            f"write_bill_file: none of the columns {names[:10]} is a billing file column"
        )


def _currencies(frame: pd.DataFrame, name: BillFileName) -> list[str]:
    default = name.default_currency or ""
    if "currency" not in frame.columns:
        return [default] * len(frame)
    return [str(_cell(value) or default).upper() for value in frame["currency"]]


def _amount(record: Mapping[Hashable, Any], currency: str, row: int) -> str:
    minor_value = record.get(_MINOR_COLUMN)
    value: Any = record.get("amount_due") if minor_value is None else minor_value
    if value is None or _is_empty(value):
        return ""
    if minor_value is not None and isinstance(value, float) and value.is_integer():
        value = int(value)  # an int column that pandas widened to float to hold empty cells
    if isinstance(value, float):
        raise InvalidArgumentError(
            f"write_bill_file: row {row}: amount {value!r} is a float, which cannot hold money "
            "exactly; use Decimal or str major units (amount_due) or int minor units (amount_due_minor)"
        )
    if not currency:
        return str(value)  # no currency to format with; the validator reports the row
    try:
        minor = int(value) if minor_value is not None else to_minor(value, currency)
        return str(to_major(minor, currency))
    except (TypeError, ValueError):
        return _cell(value)  # written as given: validate_bill_file names what is wrong with it


def _cell(value: Any) -> str:
    if _is_empty(value):
        return ""
    if isinstance(value, datetime | pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _is_empty(value: Any) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))
