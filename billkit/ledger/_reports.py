"""Moment's report files in the ledger: a read report into rows, which of them are new, and the frames back.

The rules (docs/reports.md):

* A file is imported once, by name. The same name and bytes again changes nothing; the same name with other
  bytes is refused (Moment writes each report once), so a ledger never holds two versions of one file.
* A reconciliation row is kept once per `reconciliation_id`, from the first file that carried it (files of a
  folder are imported oldest period first). The same row again, in the same file or a later one, changes nothing.
  A row whose values differ from the kept one (another amount, say) is a conflict: the first stays, and the
  import's `conflicts` names the ID, so a late correction is seen and never silently replaces what was there.
* Settlement rows are kept per file: a file's rows are written when the file is, and never again.

No SQL here: the statements are in `_schema` / `_schema_pg`, and the ledger runs them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

import numpy as np
import orjson
import pandas as pd

from billkit import frame_dtypes
from billkit.ledger._schema import (
    RECONCILIATION_FRAME_COLUMNS,
    REPORT_FILE_FRAME_COLUMNS,
    REPORT_FILE_ORDER,
    REPORT_FILE_TAIL,
    REPORT_ROW_ORDER,
    REPORT_ROW_TAIL,
    SETTLEMENT_FRAME_COLUMNS,
    ColumnSpec,
)
from billkit.reportfiles.names import ReportFileName, ReportKind
from billkit.reportfiles.report import (
    RECONCILIATION_COLUMNS,
    SETTLEMENT_COLUMNS,
    ReconciliationReport,
    SettlementReport,
)
from billkit.reportfiles.values import as_day, microseconds

__all__ = ["ReportImport", "import_one", "report_paths", "rows_frame", "stored_day"]

Report = ReconciliationReport | SettlementReport
Insert = Callable[[Any, str, list[tuple[Any, ...]]], int]
_EPOCH_DAY: Final = date(1970, 1, 1)
#: The columns a reconciliation row's fingerprint covers: the file's known values, not where it came from.
_COMPARED: Final = RECONCILIATION_COLUMNS[: -len(("report_name", "period_end"))]


@dataclass(frozen=True)
class ReportImport:
    """What importing one report file did."""

    name: str
    #: "reconciliation" or "settlement".
    kind: str
    #: Table rows in the file.
    rows: int
    #: Rows written now (0 for a file imported before).
    recorded: int
    #: Reconciliation IDs whose values differ from the row already kept for them (the kept row stays).
    conflicts: tuple[str, ...] = ()
    #: The same file (name and checksum) had been imported before: nothing was written.
    already_imported: bool = False

    @property
    def unchanged(self) -> int:
        """Rows the ledger already held as they are."""
        return self.rows - self.recorded - len(self.conflicts)


def stored_day(day: date) -> int:
    return (day - _EPOCH_DAY).days


def report_paths(source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The report files of a folder (those named as Moment names reports), or the files given, oldest
    period first (files named otherwise last, by name)."""
    if isinstance(source, str | os.PathLike):
        base = Path(source)
        if not base.is_dir():
            raise NotADirectoryError(f"{base} is not a folder")
        paths = [
            path for path in base.iterdir() if path.is_file() and ReportFileName.maybe(path.name)
        ]
    else:
        paths = [Path(path) for path in source]

    def order(path: Path) -> tuple[bool, date, date, str]:
        parsed = ReportFileName.maybe(path.name)
        if parsed is None:
            return (True, date.max, date.max, path.name)
        return (False, parsed.period_end, parsed.generated, path.name)

    return sorted(paths, key=order)


def _objects(series: pd.Series) -> list[Any]:
    """Python values (ints, strs), None where missing: what both database drivers take."""
    values: list[Any] = series.astype(object).where(series.notna(), None).tolist()
    return values


def _days(series: pd.Series) -> list[int]:
    days = series.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
    return [int(day) for day in days]


def _extras(frame: pd.DataFrame, known: Sequence[str]) -> list[str | None]:
    """Each row's columns billkit does not know, as a JSON object (None when the file has none)."""
    names = [column for column in frame.columns if column not in known]
    if not names:
        return [None] * len(frame)
    columns = [_objects(frame[name]) for name in names]
    return [
        orjson.dumps(dict(zip(names, values, strict=True))).decode()
        for values in zip(*columns, strict=True)
    ]


def _file_row(report: Report, stamp: int) -> tuple[Any, ...]:
    header = report.header
    return (
        report.name,
        report.kind.name.lower(),
        None if report.file_name is None else stored_day(report.file_name.generated),
        stored_day(report.period_end),
        header.title,
        header.version,
        header.merchant_alias,
        microseconds(header.start),
        microseconds(header.end),
        orjson.dumps(dict(header.extra)).decode() if header.extra else None,
        stamp,
        report.checksum,
        len(report.rows),
    )


def _reconciliation_rows(report: ReconciliationReport) -> Iterator[tuple[Any, ...]]:
    frame = report.rows
    values = [_objects(frame[name]) for name in _COMPARED]
    stamp_index = _COMPARED.index("transaction_timestamp")
    values[stamp_index] = (frame["transaction_timestamp"].array.asi8 // 1000).tolist()
    period_end = stored_day(report.period_end)
    extras = _extras(frame, RECONCILIATION_COLUMNS)
    for number, (row, extra) in enumerate(zip(zip(*values, strict=True), extras, strict=True)):
        fingerprint = hashlib.sha256(repr(row).encode()).hexdigest()[:32]
        yield (*row, report.name, period_end, number, extra, fingerprint)


def _settlement_rows(report: SettlementReport) -> list[tuple[Any, ...]]:
    frame = report.rows
    columns = [
        _days(frame["settlement_date"]),
        *(_objects(frame[name]) for name in SETTLEMENT_COLUMNS[1:6]),
    ]
    period_end = stored_day(report.period_end)
    extras = _extras(frame, SETTLEMENT_COLUMNS)
    return [
        (report.name, number, *values, period_end, extra)
        for number, (values, extra) in enumerate(
            zip(zip(*columns, strict=True), extras, strict=True)
        )
    ]


def import_one(
    connection: Any,
    sql: Any,
    report: Report,
    stamp: int,
    insert: Insert,
    *,
    sqlite: bool,
    refuse: Callable[[str], Exception],
) -> ReportImport:
    """Write one report inside the caller's transaction (see the module rules); `refuse` makes the error for
    a file imported before with other bytes."""
    kind = report.kind.name.lower()
    found = connection.execute(sql.SELECT_REPORT_CHECKSUM, [report.name]).fetchone()
    if found is not None and found[0] != report.checksum:
        raise refuse(
            f"report {report.name} was imported before with other content ({found[0]}, now "
            f"{report.checksum}); Moment writes each report once, so it is not imported again"
        )
    if isinstance(report, SettlementReport):
        if found is not None:
            return ReportImport(report.name, kind, len(report.rows), 0, already_imported=True)
        insert(connection, sql.INSERT_REPORT_FILE, [_file_row(report, stamp)])
        written = insert(connection, sql.INSERT_SETTLEMENT_ROW, _settlement_rows(report))
        return ReportImport(report.name, kind, len(report.rows), written)
    rows = list(_reconciliation_rows(report))
    ids = [row[0] for row in rows]
    parameter: Any = orjson.dumps(ids).decode() if sqlite else ids
    kept: dict[str, str] = dict(
        connection.execute(sql.SELECT_RECONCILIATION_FINGERPRINTS, [parameter]).fetchall()
    )
    new: list[tuple[Any, ...]] = []
    conflicts: list[str] = []
    for row in rows:
        reconciliation_id, fingerprint = row[0], row[-1]
        earlier = kept.get(reconciliation_id)
        if earlier is None:
            kept[reconciliation_id] = fingerprint
            new.append(row)
        elif earlier != fingerprint:
            conflicts.append(reconciliation_id)
    if found is None:
        insert(connection, sql.INSERT_REPORT_FILE, [_file_row(report, stamp)])
    written = insert(connection, sql.INSERT_RECONCILIATION_ROW, new)
    return ReportImport(
        report.name, kind, len(rows), written, tuple(conflicts), already_imported=found is not None
    )


#: A backend's columnar read (`Ledger._read`): a query, its parameters, the columns it selects and the
#: columns to put the rows in order by.
Read = Callable[[str, list[Any], tuple[ColumnSpec, ...], tuple[str, ...]], pd.DataFrame]


def rows_frame(read: Read, sql: Any, kind: ReportKind, as_of: date | str | None) -> pd.DataFrame:
    """The kept rows of one report kind in the shape docs/reports.md gives; `as_of`: of periods ending by that day."""
    if kind is ReportKind.RECONCILIATION:
        table, columns = "report_reconciliation_rows", RECONCILIATION_FRAME_COLUMNS
    else:
        table, columns = "report_settlement_rows", SETTLEMENT_FRAME_COLUMNS
    params = [] if as_of is None else [stored_day(as_day(as_of))]
    selected = (*columns, *REPORT_ROW_TAIL)
    query = sql.read_report_rows(table, selected, until=as_of is not None)
    frame = read(query, params, selected, REPORT_ROW_ORDER).drop(columns="row_number")
    return _with_extras(frame.pop("extra"), frame)


def _with_extras(extras: pd.Series, frame: pd.DataFrame) -> pd.DataFrame:
    """The stored extra columns back as string columns, in the order they were first seen (NA where a row's
    file did not have the column)."""
    # A missing text reads back as None or NaN, depending on how pandas typed the column.
    parsed = [orjson.loads(text) if isinstance(text, str) else None for text in extras.tolist()]
    names: dict[str, None] = {}
    for values in parsed:
        if values:
            names.update(dict.fromkeys(values))
    for name in names:
        frame[name] = pd.array(
            [None if values is None else values.get(name) for values in parsed],
            dtype=frame_dtypes.STRING,
        )
    return frame


def files_frame(read: Read, sql: Any) -> pd.DataFrame:
    """One row per imported report file: what `Ledger.report_files()` returns."""
    selected = (*REPORT_FILE_FRAME_COLUMNS, *REPORT_FILE_TAIL)
    frame = read(sql.read_report_files(selected), [], selected, REPORT_FILE_ORDER)
    frame["header_extra"] = pd.Series(
        [orjson.loads(text) if isinstance(text, str) else {} for text in frame["header_extra"]],
        index=frame.index,
        dtype=object,
    )
    return frame
