"""A report's table (the rows under its header) into a typed DataFrame, column by column.

`Column` says what each known column holds. The table's column names are matched case and spacing aside, in
any order; columns billkit does not know are kept as strings after the known ones. A required column missing, or
a value that does not parse, raises `ReportFileError` naming the line in the file and the column. Rows are
collected as lists and turned into columns at once (`zip`), so the work per row is one list append; each column
is then parsed in one pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias

import numpy as np
import pandas as pd

from billkit import frame_dtypes
from billkit.reportfiles.errors import ReportFileError
from billkit.reportfiles.records import blank, column_key
from billkit.reportfiles.values import (
    currency_code,
    microseconds,
    parse_amount,
    parse_count,
    parse_day,
    parse_instant,
)

__all__ = ["Column", "ColumnKind", "read_table"]

#: text: a string (empty -> NA); key: a non-empty token without spaces; currency: ISO 4217, upper case;
#: amount: major units -> Int64 minor units of the row's currency; instant: ISO 8601 -> UTC; day: a date;
#: count: a non-negative integer.
ColumnKind: TypeAlias = Literal["text", "key", "currency", "amount", "instant", "day", "count"]
_NS_PER_US: Final = 1000
_MISSING_TIME: Final = np.iinfo(np.int64).min


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: ColumnKind = "text"
    required: bool = False


class _Table:
    """The table's raw values and where each row is, for messages."""

    def __init__(self, name: str, header_line: int, names: list[str]) -> None:
        self.name = name
        self.header_line = header_line
        self.names = names
        self.lines: list[int] = []
        self.rows: list[list[str]] = []

    def fail(self, index: int, column: str, message: str) -> ReportFileError:
        return ReportFileError(self.name, message, line=self.lines[index], column=column)


def read_table(
    name: str,
    rows: Iterator[tuple[int, list[str]]],
    columns: Sequence[Column],
    first: tuple[int, list[str]] | None = None,
) -> pd.DataFrame:
    """The typed frame of the table in `rows` (its column-name row first, or given as `first`)."""
    if first is None:
        first = next(((line, raw) for line, raw in rows if not blank(raw)), None)
    if first is None:
        raise ReportFileError(name, "the file has a header but no table (no column names row)")
    header_line, raw_names = first
    while raw_names and not raw_names[-1].strip():
        raw_names = raw_names[:-1]  # a spreadsheet's padding
    table = _Table(name, header_line, [value.strip() for value in raw_names])
    positions = _positions(table, columns)
    width = len(table.names)
    for line, fields in rows:
        if len(fields) != width:
            if blank(fields):
                continue
            if len(fields) > width and blank(fields[width:]):
                fields = fields[:width]
            else:
                raise ReportFileError(
                    name,
                    f"{len(fields)} fields, but the column names on line {header_line} are {width}",
                    line=line,
                )
        table.lines.append(line)
        table.rows.append(fields)
    by_position = list(zip(*table.rows, strict=True)) if table.rows else [()] * width
    typed: dict[str, Any] = {}
    currencies: list[tuple[str, int]] = []
    absent = [""] * len(table.rows)  # a column the file does not have: every value empty
    ordered = sorted(columns, key=lambda column: column.kind != "currency")  # currency first
    for column in ordered:
        position = positions.get(column.name)
        values: Sequence[str] = by_position[position] if position is not None else absent
        if column.kind == "currency":
            currencies, typed[column.name] = _currencies(table, column, values)
        elif column.kind == "amount":
            typed[column.name] = _amounts(table, column, values, currencies)
        else:
            typed[column.name] = _PARSERS[column.kind](table, column, values)
    frame = pd.DataFrame(
        {column.name: typed[column.name] for column in columns},
        index=pd.RangeIndex(len(table.rows)),
    )
    known = set(positions.values())
    for position, column_name in enumerate(table.names):
        if position not in known:
            frame[column_name] = pd.array(by_position[position], dtype=frame_dtypes.STRING)
    return frame


def _positions(table: _Table, columns: Sequence[Column]) -> dict[str, int]:
    """Known column name -> its position in the file; an error for a missing required or repeated one."""
    seen: dict[str, int] = {}
    for position, raw in enumerate(table.names):
        key = column_key(raw)
        if not key:
            raise ReportFileError(
                table.name, f"column {position + 1} has no name", line=table.header_line
            )
        if key in seen:
            raise ReportFileError(
                table.name, "the column is named twice", line=table.header_line, column=raw
            )
        seen[key] = position
    positions = {column.name: seen[column.name] for column in columns if column.name in seen}
    missing = [
        column.name for column in columns if column.required and column.name not in positions
    ]
    if missing:
        raise ReportFileError(
            table.name,
            f"no {', '.join(missing)} column (the columns are: {', '.join(table.names)})",
            line=table.header_line,
            column=missing[0],
        )
    return positions


def _empty_check(table: _Table, column: Column, values: Sequence[str]) -> list[str | None]:
    """The stripped values, None for empty ones; an error for an empty value of a required column."""
    result = [value.strip() or None for value in values]
    if column.required and None in result:
        raise table.fail(result.index(None), column.name, "empty, but every row needs a value")
    return result


def _text(table: _Table, column: Column, values: Sequence[str]) -> Any:
    return pd.array(_empty_check(table, column, values), dtype=frame_dtypes.STRING)


def _key(table: _Table, column: Column, values: Sequence[str]) -> Any:
    checked = _empty_check(table, column, values)
    for index, value in enumerate(checked):
        if value is not None and (
            len(value) > 64
            or not value.isascii()
            or not value.replace("-", "").replace("_", "").isalnum()
        ):
            raise table.fail(
                index, column.name, f"{value!r} is not an identifier (letters, digits, '-', '_')"
            )
    return pd.array(checked, dtype=frame_dtypes.STRING)


def _currencies(
    table: _Table, column: Column, values: Sequence[str]
) -> tuple[list[tuple[str, int]], Any]:
    """Each row's (code, exponent), and the column; each distinct spelling is looked up once."""
    known: dict[str | None, tuple[str, int]] = {}
    codes: list[tuple[str, int]] = []
    for index, value in enumerate(_empty_check(table, column, values)):
        found = known.get(value)
        if found is None:
            try:
                found = known[value] = currency_code(value or "")
            except ValueError as exc:
                raise table.fail(index, column.name, str(exc)) from None
        codes.append(found)
    return codes, pd.array([code for code, _ in codes], dtype=frame_dtypes.STRING)


def _amounts(
    table: _Table, column: Column, values: Sequence[str], currencies: Sequence[tuple[str, int]]
) -> Any:
    minor = np.zeros(len(values), dtype=np.int64)
    missing = np.zeros(len(values), dtype=bool)
    for index, value in enumerate(_empty_check(table, column, values)):
        if value is None:
            missing[index] = True
            continue
        code, exponent = currencies[index]
        try:
            minor[index] = parse_amount(value, code, exponent)
        except (ValueError, OverflowError) as exc:
            raise table.fail(index, column.name, str(exc)) from None
    return pd.arrays.IntegerArray(minor, missing)


def _counts(table: _Table, column: Column, values: Sequence[str]) -> Any:
    result: list[int | None] = []
    for index, value in enumerate(_empty_check(table, column, values)):
        try:
            result.append(None if value is None else parse_count(value))
        except ValueError as exc:
            raise table.fail(index, column.name, str(exc)) from None
    return pd.array(result, dtype=frame_dtypes.MINOR)


def _instants(table: _Table, column: Column, values: Sequence[str]) -> Any:
    stamps = np.full(len(table.rows), _MISSING_TIME, dtype=np.int64)
    for index, value in enumerate(_empty_check(table, column, values)):
        if value is None:
            continue
        try:
            stamps[index] = microseconds(parse_instant(value)) * _NS_PER_US
        except ValueError as exc:
            raise table.fail(index, column.name, str(exc)) from None
    return pd.DatetimeIndex(stamps.view("datetime64[ns]")).tz_localize("UTC").array


def _days(table: _Table, column: Column, values: Sequence[str]) -> Any:
    days: list[Any] = []
    for index, value in enumerate(_empty_check(table, column, values)):
        try:
            days.append(None if value is None else parse_day(value))
        except ValueError as exc:
            raise table.fail(index, column.name, str(exc)) from None
    return pd.to_datetime(pd.Series(days, dtype=object)).to_numpy(dtype=frame_dtypes.DATE)


_PARSERS: Final[dict[str, Callable[[_Table, Column, Sequence[str]], Any]]] = {
    "text": _text,
    "key": _key,
    "count": _counts,
    "instant": _instants,
    "day": _days,
}
