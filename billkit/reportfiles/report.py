"""Reading one report file: its name, header and table, into a `ReconciliationReport` or `SettlementReport`.

`read_reconciliation` and `read_settlement` check that the file is the report asked for (by its title, and by
its name when the name is a report file name); `read_report` picks the reader by the name, else the title.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from billkit import frame_dtypes
from billkit.reportfiles.errors import ReportFileError
from billkit.reportfiles.header import ReportHeader, read_header
from billkit.reportfiles.names import ReportFileName, ReportKind, kind_of_title
from billkit.reportfiles.records import ReportSource, records
from billkit.reportfiles.table import Column, read_table

__all__ = [
    "RECONCILIATION_COLUMNS",
    "SETTLEMENT_COLUMNS",
    "ReconciliationReport",
    "SettlementReport",
    "read_reconciliation",
    "read_report",
    "read_settlement",
]

Source = str | os.PathLike[str] | bytes

#: The reconciliation table's known columns, in the frame's order (contract §10); other columns are kept after
#: `report_name` and `period_end`.
RECONCILIATION_TABLE = (
    Column("reconciliation_id", "key", required=True),
    Column("transaction_type", required=True),
    Column("transaction_timestamp", "instant", required=True),
    Column("merchant_reference_id"),
    Column("payment_method"),
    Column("payment_method_tender"),
    Column("customer_reference"),
    Column("country"),
    Column("currency", "currency", required=True),
    Column("amount", "amount", required=True),
    Column("fee", "amount"),
    Column("net_amount", "amount"),
    Column("payment_id"),
    Column("obligation_id"),
    Column("channel"),
)
SETTLEMENT_TABLE = (
    Column("settlement_date", "day", required=True),
    Column("currency", "currency", required=True),
    Column("transaction_count", "count", required=True),
    Column("gross_amount", "amount", required=True),
    Column("fees", "amount", required=True),
    Column("net_amount", "amount", required=True),
)
_SOURCE_COLUMNS = ("report_name", "period_end")
#: The columns every frame of each report starts with (docs/reports.md); extra file columns follow.
RECONCILIATION_COLUMNS = tuple(column.name for column in RECONCILIATION_TABLE) + _SOURCE_COLUMNS
SETTLEMENT_COLUMNS = tuple(column.name for column in SETTLEMENT_TABLE) + _SOURCE_COLUMNS


@dataclass(frozen=True)
class _Report:
    name: str
    header: ReportHeader
    rows: pd.DataFrame
    #: The parts of the name (None when the file was read under another name: then period_end comes from
    #: the header's End Date).
    file_name: ReportFileName | None = None
    #: `sha256:` and the hex digest of the file's bytes (empty for a report built by hand).
    checksum: str = ""

    @property
    def period_end(self) -> date:
        return _period_end(self.file_name, self.header)


@dataclass(frozen=True)
class ReconciliationReport(_Report):
    """A Merchant Reconciliation Report: one row per transaction of the period (`RECONCILIATION_COLUMNS`)."""

    kind = ReportKind.RECONCILIATION


@dataclass(frozen=True)
class SettlementReport(_Report):
    """A Merchant Settlement Report: one row per currency of the period (`SETTLEMENT_COLUMNS`)."""

    kind = ReportKind.SETTLEMENT


def _period_end(file_name: ReportFileName | None, header: ReportHeader) -> date:
    """The name's period end; else the last day the header's period covers (an End Date at midnight is
    the end of the day before)."""
    if file_name is not None:
        return file_name.period_end
    end = header.end
    if end > header.start and end.time() == end.min.time():
        end -= timedelta(microseconds=1)
    return end.date()


def read_reconciliation(source: Source, *, name: str | None = None) -> ReconciliationReport:
    """A reconciliation report from a path or bytes (`name`: the file name the bytes had)."""
    report = _read(ReportSource.of(source, name), ReportKind.RECONCILIATION, RECONCILIATION_TABLE)
    assert isinstance(report, ReconciliationReport)
    return report


def read_settlement(source: Source, *, name: str | None = None) -> SettlementReport:
    """A settlement report from a path or bytes (`name`: the file name the bytes had)."""
    report = _read(ReportSource.of(source, name), ReportKind.SETTLEMENT, SETTLEMENT_TABLE)
    assert isinstance(report, SettlementReport)
    return report


def read_report(
    source: Source, *, name: str | None = None
) -> ReconciliationReport | SettlementReport:
    """Either report, told apart by the file name (or, for another name, by its Report Title)."""
    read = ReportSource.of(source, name)
    file_name = ReportFileName.maybe(read.name)
    kind = file_name.kind if file_name is not None else _title_kind(read)
    table = RECONCILIATION_TABLE if kind is ReportKind.RECONCILIATION else SETTLEMENT_TABLE
    return _read(read, kind, table)


def _title_kind(source: ReportSource) -> ReportKind:
    header, _ = read_header(source.name, records(source), frozenset())
    kind = kind_of_title(header.title)
    if kind is None:
        raise ReportFileError(
            source.name,
            f"neither a report file name nor a known Report Title ({header.title!r})",
            column="Report Title",
        )
    return kind


def _read(
    source: ReportSource, kind: ReportKind, table: Sequence[Column]
) -> ReconciliationReport | SettlementReport:
    file_name = ReportFileName.maybe(source.name)
    if file_name is not None and file_name.kind is not kind:
        raise ReportFileError(
            source.name,
            f"the name says a {file_name.kind.name.lower()} report, not a {kind.name.lower()} one",
        )
    rows = records(source)
    required = frozenset(column.name for column in table if column.required)
    header, first = read_header(source.name, rows, required)
    titled = kind_of_title(header.title)
    if titled is not kind:
        raise ReportFileError(
            source.name,
            f"the Report Title is {header.title!r}, not {kind.title!r}",
            column="Report Title",
        )
    frame = read_table(source.name, rows, table, first)
    known = len(table)
    frame.insert(
        known, "report_name", pd.Series(source.name, index=frame.index, dtype=frame_dtypes.STRING)
    )
    period_end = pd.Timestamp(_period_end(file_name, header))
    frame.insert(
        known + 1, "period_end", pd.Series(period_end, index=frame.index, dtype=frame_dtypes.DATE)
    )
    if kind is ReportKind.RECONCILIATION:
        return ReconciliationReport(source.name, header, frame, file_name, source.checksum)
    return SettlementReport(source.name, header, frame, file_name, source.checksum)
