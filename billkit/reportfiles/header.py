"""The header rows above a report's table (contract §10):

    Report Title,Moment Merchant Reconciliation Report
    Version,1.0
    Merchant alias,acme
    From,Start Date,2024-12-30T00:00:00Z
    To,End Date,2024-12-31T00:00:00Z
    <an empty row>

Rows are recognised by their first field (case and spacing aside), in any order; `Start Date,<ISO>` and
`End Date,<ISO>` alone are read too. Trailing empty fields (a spreadsheet's padding) are ignored. Rows billkit
does not know are kept in `ReportHeader.extra` (first field -> the rest, joined by commas). The header ends at
the first empty row, or at a row that is already the table's column names.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from billkit.reportfiles.errors import ReportFileError
from billkit.reportfiles.records import blank, column_key
from billkit.reportfiles.values import parse_instant

__all__ = ["ReportHeader", "read_header"]

#: Header row (first field, normalised) -> (ReportHeader field, the row's name in messages).
_KNOWN = {
    "report title": ("title", "Report Title"),
    "version": ("version", "Version"),
    "merchant alias": ("merchant_alias", "Merchant alias"),
    "from": ("start", "Start Date"),
    "start date": ("start", "Start Date"),
    "to": ("end", "End Date"),
    "end date": ("end", "End Date"),
}
#: The label a `From` / `To` row carries before its value.
_LABELS = {"start date", "end date"}


@dataclass(frozen=True)
class ReportHeader:
    title: str
    version: str
    merchant_alias: str
    #: The period reported, tz-aware UTC (From, Start Date; To, End Date).
    start: datetime
    end: datetime
    extra: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _trimmed(fields: list[str]) -> list[str]:
    end = len(fields)
    while end and not fields[end - 1].strip():
        end -= 1
    return [value.strip() for value in fields[:end]]


def read_header(
    name: str, rows: Iterator[tuple[int, list[str]]], table_columns: frozenset[str]
) -> tuple[ReportHeader, tuple[int, list[str]] | None]:
    """The header read from `rows`, and the table's column-name row if it came with no empty row before it.

    `table_columns`: the table's required column names (a row naming all of them starts the table)."""
    found: dict[str, tuple[int, str]] = {}
    extra: dict[str, str] = {}
    table: tuple[int, list[str]] | None = None
    for line, raw in rows:
        if blank(raw):
            if found or extra:
                break
            continue  # empty lines before the header
        fields = _trimmed(raw)
        if table_columns and table_columns <= {column_key(value) for value in fields}:
            table = (line, raw)
            break
        key = _key(fields[0])
        values = fields[1:]
        if key not in _KNOWN:
            extra[fields[0]] = ",".join(values)
            continue
        attribute, shown = _KNOWN[key]
        if values and _key(values[0]) in _LABELS:
            values = values[1:]
        if attribute in found:
            raise ReportFileError(name, f"a second {shown} header row", line=line, column=shown)
        value = ",".join(values)  # an unquoted comma in a title or an alias splits it
        if not value or (attribute in ("start", "end") and len(values) != 1):
            raise ReportFileError(
                name, f"the {shown} header row needs exactly one value", line=line, column=shown
            )
        found[attribute] = (line, value)
    return _header(name, found, extra), table


def _header(name: str, found: dict[str, tuple[int, str]], extra: dict[str, str]) -> ReportHeader:
    missing = [
        shown for attribute, shown in dict.fromkeys(_KNOWN.values()) if attribute not in found
    ]
    if missing:
        raise ReportFileError(
            name,
            f"the header has no {', '.join(missing)} row; a report starts with Report Title, Version, "
            "Merchant alias, From,Start Date,<ISO 8601> and To,End Date,<ISO 8601>, then an empty row",
            column=missing[0],
        )
    instants: dict[str, datetime] = {}
    for attribute, shown in (("start", "Start Date"), ("end", "End Date")):
        line, text = found[attribute]
        try:
            instants[attribute] = parse_instant(text, date_only=True)
        except ValueError as exc:
            raise ReportFileError(name, str(exc), line=line, column=shown) from None
    if instants["end"] < instants["start"]:
        line = found["end"][0]
        raise ReportFileError(
            name, "the End Date is before the Start Date", line=line, column="End Date"
        )
    return ReportHeader(
        title=found["title"][1],
        version=found["version"][1],
        merchant_alias=found["merchant_alias"][1],
        start=instants["start"],
        end=instants["end"],
        extra=MappingProxyType(extra),
    )
