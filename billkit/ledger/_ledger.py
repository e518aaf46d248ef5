"""`Ledger`: the record of what billkit saw (a SQLite file, or PostgreSQL for a team), and the typed DataFrames
analysis starts from."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import os
import sqlite3
import threading
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Self, TypeVar

import numpy as np
import pandas as pd

from billkit.errors import BillkitError, InvalidArgumentError, NotFoundError
from billkit.ledger import _postgres, _reports, _schema_pg, _writes
from billkit.ledger import _schema as sql
from billkit.ledger._readers import (
    CHUNK_ROWS,
    load_body,
    parse_bodies,
    parse_csv,
    sqlite_chunks,
    typed_frame,
)
from billkit.ledger._records import (
    AMOUNT_APPLIED,
    OBJECT_KINDS,
    ObjectKind,
    Recordable,
    as_mapping,
    check_kind,
    event_row,
    event_rows,
    microseconds,
    object_row,
    object_rows,
    parse_instant,
)
from billkit.ledger._sandbox_import import (
    ImportResult,
    SandboxClient,
    iterate_versions,
    sandbox_report_files,
)

if TYPE_CHECKING:
    from billkit.analysis._as_of import AsOfLike
    from billkit.analysis.point_in_time import AsOfFrames
    from billkit.analysis.three_way import Reports as ThreeWayReports
    from billkit.reportfiles.names import ReportKind
    from billkit.reportfiles.report import ReconciliationReport, SettlementReport

#: Marks a SQLite file as a billkit ledger (`PRAGMA application_id`), so another database is never misread.
APPLICATION_ID: Final = 0x424B4C47  # "BKLG"
_BUSY_TIMEOUT_MS: Final = 10_000
#: How many as-of reads of other scopes a ledger keeps (a one-off customer's, beside the report's whole day).
_AS_OF_READS_KEPT: Final = 4
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_Kept = TypeVar("_Kept")


class LedgerError(BillkitError):
    """The ledger file cannot be opened or used; the message names the file and the reason."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@contextmanager
def _no_collection() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a batch's rows are made and written: a million new
    tuples set it off again and again to walk every object alive (a tenth of the time), and rows hold no
    cycles. The rows are dropped before it resumes, so it does not walk them even once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _stamp(moment: dt.datetime | None, what: str) -> int:
    return microseconds(_now() if moment is None else moment, what)


class Ledger:
    """The local record an analyst's frames come from: every state of every object, and every webhook event.

    Moment has no list endpoints, so this is the data: each object the client created, retrieved or changed (with
    the time it was observed), each webhook event, and imports of the sandbox (with the time each change
    happened). Recording is idempotent: the same event (by `evt_` ID) or the same state, recorded again, changes
    nothing; a changed state is kept beside the earlier ones.

        with billkit.Ledger("payments.sqlite") as ledger:
            ledger.record_object("bill", bill, observed_at=datetime.now(timezone.utc))
            ledger.record_event(event)
            day = ledger.as_of("2025-03-31", tz="Africa/Johannesburg")   # frames true to that day
            day.bills, day.payments, day.aging()

    `as_of` is the one path from a ledger to figures for a day: see `billkit.analysis.point_in_time`.

    `path` is a SQLite file (created if missing; its folder must exist), `":memory:"`, or a
    `postgresql://user@host/db` URL for a team ledger (tables created in an empty database; see
    docs/team-ledger.md). One `Ledger` may be shared by threads (a webhook receiver and a notebook); several
    processes may share a file (SQLite WAL) or a PostgreSQL database.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = os.fspath(path)
        self._lock = threading.RLock()
        # What was read from the ledger (or prepared from what was read) while its data had one version: the
        # version, and the values by key (see `_kept`).
        self._kept_reads: tuple[tuple[Any, ...], dict[Hashable, Any]] | None = None
        self._postgres = _postgres.is_postgres_url(self._path)
        # The SQL of the backend: `_schema` and `_schema_pg` expose the same names.
        self._sql: Any = _schema_pg if self._postgres else sql
        # A sqlite3 or a psycopg connection: the methods used here (execute, fetchone, fetchmany) are alike.
        self._connection: Any = (
            self._open_postgres(self._path) if self._postgres else self._open(self._path)
        )

    @staticmethod
    def _open_postgres(url: str) -> Any:
        connection = _postgres.connect(url, LedgerError)
        try:
            _postgres.check_or_create_schema(connection, url, LedgerError)
        except BaseException:
            connection.close()
            raise
        return connection

    @staticmethod
    def _open(path: str) -> sqlite3.Connection:
        in_memory = path == ":memory:"
        if not in_memory and not Path(path).parent.is_dir():
            raise LedgerError(f"cannot open ledger {path!r}: its folder does not exist")
        try:
            connection = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, cached_statements=64
            )
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot open ledger {path!r}: {exc}") from exc
        try:
            connection.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            _check_or_create_schema(connection, path)
            if not in_memory:
                for pragma in sql.FILE_PRAGMAS:
                    connection.execute(pragma)
        except sqlite3.Error as exc:
            connection.close()
            raise LedgerError(f"cannot use ledger {path!r}: {exc}") from exc
        except LedgerError:
            connection.close()
            raise
        return connection

    @property
    def path(self) -> str:
        """The SQLite path or the PostgreSQL URL (its password masked)."""
        return _postgres.shown(self._path) if self._postgres else self._path

    @property
    def url(self) -> str:
        """Where the ledger is, to open it again elsewhere (a PostgreSQL URL keeps its password)."""
        return self._path

    def __repr__(self) -> str:
        state = "closed" if self._connection is None else "open"
        return f"Ledger({self.path!r}, {state})"

    def close(self) -> None:
        """Close the file; later calls raise `LedgerError`. Closing twice is harmless."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
            self._kept_reads = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _db(self) -> Iterator[Any]:
        with self._lock:
            if self._connection is None:
                raise LedgerError(f"ledger {self.path!r} is closed")
            if not self._postgres:
                yield self._connection
                return
            if self._connection.broken:  # the server restarted: connect again
                self._connection.close()
                self._connection = self._open_postgres(self._path)
            try:
                yield self._connection
            except Exception as exc:
                if _postgres.is_driver_error(exc):  # e.g. permission denied: say which ledger
                    raise LedgerError(f"ledger {self.path!r}: {_postgres.first_line(exc)}") from exc
                raise

    @contextmanager
    def _transaction(self, *, states: bool = True) -> Iterator[Any]:
        """One write transaction. Writers of states are serialised (each compares with the state in
        effect); events alone need not be on PostgreSQL, where their primary key decides."""
        with self._db() as connection:
            if self._postgres:
                connection.execute(_schema_pg.BEGIN_WRITE)
                if states:
                    connection.execute(_schema_pg.WRITE_LOCK)
            else:
                connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    # -- recording -----------------------------------------------------------------------------------------

    def record_object(
        self, kind: str, obj: Recordable, observed_at: dt.datetime | None = None
    ) -> None:
        """Record one object as observed at `observed_at` (timezone-aware; default now).

        `kind` is "customer", "account", "bill" or "payment_request"; `obj` is the API's JSON dict or a typed
        model with `to_dict()`. Nothing is written if this state is already the one in effect at that time.
        Moment's objects carry no times of their own, so the state counts from when it was observed.
        """
        self.record_objects(kind, [obj], observed_at)

    def record_objects(
        self,
        kind: str,
        objects: Iterable[Recordable],
        observed_at: dt.datetime | None = None,
    ) -> int:
        """Record many objects of one kind, all or none; returns how many new states were written."""
        checked_kind = check_kind(kind)
        stamp = _stamp(observed_at, "observed_at")
        with _no_collection():
            rows = object_rows(checked_kind, objects, stamp, stamp, False)
            with self._transaction() as connection:
                written = _writes.write_states(connection, checked_kind, rows)
            del rows  # freed before the collector is back, so it need not walk them
        return written

    def record_event(self, event: Recordable, received_at: dt.datetime | None = None) -> None:
        """Record one verified webhook event (a dict or a typed event with `to_dict()`); repeats are ignored."""
        self.record_events([event], received_at)

    def record_events(
        self, events: Iterable[Recordable], received_at: dt.datetime | None = None
    ) -> int:
        """Record many events, all or none; returns how many were new (by `evt_` ID)."""
        stamp = _stamp(received_at, "received_at")
        with _no_collection():
            rows = event_rows(events, stamp)
            with self._transaction(states=False) as connection:
                written = _writes.write_events(connection, rows)
            del rows
        return written

    def record_arrivals(self, arrivals: Sequence[tuple[Recordable, dt.datetime]]) -> list[bool]:
        """Record events, each with the time it arrived, in one transaction, all or none (a webhook
        receiver's group commit); for each, whether it was new (by `evt_` ID: False if recorded already,
        by anyone, or earlier in `arrivals`)."""
        rows = [event_row(event, _stamp(at, "received_at")) for event, at in arrivals]
        new = [False] * len(rows)
        with self._transaction(states=False) as connection:
            # In event ID order: writers sharing a PostgreSQL ledger then wait for each other's rows in one
            # order, never in a cycle (a deadlock).
            for index in sorted(range(len(rows)), key=lambda i: rows[i][0]):
                new[index] = (
                    _writes.insert_rows(connection, self._sql.INSERT_EVENT, [rows[index]]) == 1
                )
        return new

    def import_sandbox(
        self, client: SandboxClient, observed_at: dt.datetime | None = None
    ) -> ImportResult:
        """Record everything the billkit sandbox holds: every state of its customers, accounts and bills
        (`GET /_sandbox/versions`, each with the sandbox-clock time it began), every event, and the
        reconciliation and settlement reports it wrote (`GET /_sandbox/reports`, as `import_reports` would).

        Everything is read and checked first and then written (the objects and events in one transaction,
        the reports in the next), so a failed read or a bad item leaves the ledger as it was. Importing
        twice records nothing new the second time. `observed_at` stamps when the import saw them (default
        now; pass the sandbox clock's time). A sandbox without the versions route is imported from its
        current lists, whose states then count from `observed_at`; one without the reports routes gives
        no reports (and no "report" count).
        """
        stamp = _stamp(observed_at, "observed_at")
        routes = client.sandbox
        rows: dict[str, list[tuple[Any, ...]]] = {"customer": [], "account": [], "bill": []}
        with_history = True
        try:
            for version in iterate_versions(routes.versions):  # type: ignore[attr-defined]
                what = f"sandbox version {version.seq} at"
                when = (
                    microseconds(version.at, what)
                    if isinstance(version.at, dt.datetime)
                    else parse_instant(version.at, what)
                )
                rows[version.kind].append(
                    object_row(version.kind, version.obj, when, stamp, True)  # type: ignore[arg-type]
                )
        except (
            AttributeError,
            NotFoundError,
        ):  # a client or sandbox from before the versions route
            with_history = False
            listed: dict[ObjectKind, Iterable[Recordable]] = {
                "customer": routes.customers.list(),
                "account": routes.accounts.list(),
                "bill": routes.bills.list(),
            }
            rows = {
                kind: [object_row(kind, item, stamp, stamp, False) for item in items]
                for kind, items in listed.items()
            }
        events = [event_row(event, stamp) for event in routes.events.iterate()]
        from billkit.reportfiles.report import read_report

        files = sandbox_report_files(routes)
        reports = [read_report(data, name=name) for name, data in files or ()]
        recorded: dict[str, int] = {}
        with self._transaction() as connection:
            for kind, kind_rows in rows.items():
                kind_rows.sort(
                    key=lambda row: row[2]
                )  # oldest first: each is compared with the one before
                recorded[kind] = _writes.write_states(connection, kind, kind_rows)
            recorded["event"] = _writes.write_events(connection, events)
        seen = {kind: len(kind_rows) for kind, kind_rows in rows.items()} | {"event": len(events)}
        if files is not None:
            imports = self._import_reports(reports, observed_at) if reports else []
            seen["report"] = len(reports)
            recorded["report"] = sum(not done.already_imported for done in imports)
        return ImportResult(seen=seen, recorded=recorded, with_history=with_history)

    # -- Moment's report files (docs/reports.md) ----------------------------------------------------------

    def import_report(
        self,
        source: str | os.PathLike[str] | bytes,
        *,
        name: str | None = None,
        imported_at: dt.datetime | None = None,
    ) -> _reports.ReportImport:
        """Import one reconciliation or settlement report file (told apart by its name, else its title).

        Idempotent: the same file again changes nothing; a reconciliation row is kept once per
        `reconciliation_id` (a later row with other values is counted in `conflicts`, the first stays); a file
        of the same name with other bytes is refused (`LedgerError`). A file billkit cannot read raises
        `billkit.reportfiles.ReportFileError` naming the line and column, and writes nothing.
        """
        from billkit.reportfiles.report import read_report

        return self._import_reports([read_report(source, name=name)], imported_at)[0]

    def import_reports(
        self,
        folder: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
        *,
        imported_at: dt.datetime | None = None,
    ) -> list[_reports.ReportImport]:
        """Import every report file of `folder` (files named as Moment names reports; others are left alone),
        or the report files listed, oldest period first, all or none: each file is read and checked before
        anything is written. Returns one `ReportImport` per file, in that order."""
        from billkit.reportfiles.report import read_report

        try:
            paths = _reports.report_paths(folder)
        except OSError as exc:
            raise LedgerError(f"cannot import reports: {exc}") from None
        return self._import_reports([read_report(path) for path in paths], imported_at)

    def _import_reports(
        self,
        reports: list[ReconciliationReport | SettlementReport],
        imported_at: dt.datetime | None,
    ) -> list[_reports.ReportImport]:
        stamp = _stamp(imported_at, "imported_at")
        with self._transaction() as connection:
            return [
                _reports.import_one(
                    connection,
                    self._sql,
                    report,
                    stamp,
                    _writes.insert_rows,
                    sqlite=not self._postgres,
                    refuse=LedgerError,
                )
                for report in reports
            ]

    def reconciliation_rows(self, *, as_of: dt.date | str | None = None) -> pd.DataFrame:
        """Every kept reconciliation row, one per `reconciliation_id`, in the columns docs/reports.md gives (then any
        extra columns the files carried, as strings; NA for rows of files without them).

        `as_of` (a day): only rows of reports whose period ended on or before it, i.e. what the reports had
        said about the days up to then. Ordered by period end, file, and place in the file."""
        from billkit.reportfiles.names import ReportKind

        return self._report_rows(ReportKind.RECONCILIATION, as_of).copy()

    def settlement_rows(self, *, as_of: dt.date | str | None = None) -> pd.DataFrame:
        """Every settlement row of every imported settlement file (see `reconciliation_rows` for `as_of`)."""
        from billkit.reportfiles.names import ReportKind

        return self._report_rows(ReportKind.SETTLEMENT, as_of).copy()

    def three_way_reports(self) -> ThreeWayReports:
        """Every kept reconciliation and settlement row as `billkit.analysis.three_way` matches them
        (`Reports.of(self.reconciliation_rows(), self.settlement_rows())`), prepared once for as long as the
        ledger has not changed: a report of each day of a month matches the same rows every day. Read-only."""
        from billkit.analysis.three_way import Reports
        from billkit.reportfiles.names import ReportKind

        return self._kept(
            ("three_way_reports", self._report_files_count()),
            lambda: Reports.of(
                self._report_rows(ReportKind.RECONCILIATION, None),
                self._report_rows(ReportKind.SETTLEMENT, None),
            ),
        )

    def _report_rows(self, kind: ReportKind, as_of: dt.date | str | None) -> pd.DataFrame:
        """The rows of one report kind, read once while the ledger is unchanged: shared, so read-only (the
        public readers hand out copies)."""
        return self._kept(
            ("report_rows", kind, as_of, self._report_files_count()),
            lambda: _reports.rows_frame(self._read, self._sql, kind, as_of),
        )

    def _report_files_count(self) -> int:
        """How many report files were imported, which says whether the report rows changed: PostgreSQL's data
        version (`_kept`) leaves the report tables out, as a role may read the ledger without them."""
        with self._db() as connection:
            (count,) = connection.execute(self._sql.COUNT_REPORT_FILES).fetchone()
        return int(count)

    def report_files(self) -> pd.DataFrame:
        """One row per imported report file: name, kind, generated, period_end, title, version,
        merchant_alias, start, end, imported_at, checksum, rows, header_extra (a dict)."""
        return _reports.files_frame(self._read, self._sql)

    # -- reading -------------------------------------------------------------------------------------------

    def versions(
        self, kind: ObjectKind, *, as_of: dt.datetime | None = None, include_body: bool = False
    ) -> pd.DataFrame:
        """Every state of every object of `kind`, oldest first per object (objects in recording order).

        Columns: the kind's typed columns (see `latest`), `valid_from` (when the state began: the source's time
        when `from_source`, else when the ledger observed it), `observed_at` (when the ledger first saw it),
        `from_source`, and `superseded_at` (when the next state began; NaT for the current one). `as_of` leaves
        out states that began after that time. `include_body` adds `body`, the object's JSON as a dict.
        """
        checked_kind = check_kind(kind)
        columns = (*sql.KIND_COLUMNS[checked_kind], sql.SEQ, sql.BODY)
        params: list[Any] = [checked_kind]
        if as_of is not None:
            params.append(microseconds(as_of, "as_of"))
        query = self._sql.read_versions(columns, until=as_of is not None)
        return _timeline(self._read(query, params, columns, ("seq",)), include_body)

    def bill_versions(self, *, as_of: dt.datetime | None = None) -> pd.DataFrame:
        """Every state of every bill (see `versions`): how amounts and status changed over time."""
        return self.versions("bill", as_of=as_of)

    def latest(
        self, kind: ObjectKind, *, as_of: dt.datetime | None = None, include_body: bool = False
    ) -> pd.DataFrame:
        """The latest state of each object of `kind` (as known at `as_of`, default now), one row each.

        This is the ledger's raw record, not a day's figures: for those use `as_of(day, tz=...)`.
        Columns (ids and text are `string`, currency and status `category`, amounts `Int64` minor units,
        dates `datetime64[ns]`, times `datetime64[ns, UTC]`):
        customer: customer_id, external_reference, name, currency, balance;
        account: account_id, customer_id, external_reference, name, currency, balance;
        bill: bill_id, customer_id, account_id, external_reference, currency, status, amount_due, amount_paid,
        amount_remaining, bill_date, due_date;
        payment_request: payment_request_id, external_reference, currency, status, amount;
        then valid_from, observed_at, from_source (see `versions`) and first_observed_at (when the ledger
        first saw the object).
        """
        states = self.versions(kind, as_of=as_of, include_body=include_body)
        id_column = states.columns[0]
        first_seen = states.groupby(id_column, sort=False, observed=True)["observed_at"].transform(
            "min"
        )
        states = states.assign(first_observed_at=first_seen)
        current = states.loc[states["superseded_at"].isna().to_numpy(dtype=bool)]
        return current.drop(columns="superseded_at").reset_index(drop=True)

    def events_frame(
        self, event_type: str | None = None, *, include_body: bool = False
    ) -> pd.DataFrame:
        """Every recorded event (or those of `event_type`), in order of their `created_at`.

        Columns: event_id, type, created_at (the sandbox's or Moment's time of the application), received_at,
        data_id (`ob_...` for an applied amount), payment_id, amount (Int64 minor units), currency, bill_id,
        account_id, customer_id. `include_body` adds `body`, the whole event as a dict.
        """
        params = [] if event_type is None else [event_type]
        columns = (*sql.EVENT_FRAME_COLUMNS, *((sql.BODY,) if include_body else ()))
        query = self._sql.read_events(columns, event_type=event_type is not None)
        frame = self._read(query, params, columns, ("created_at", "event_id"))
        if include_body:
            frame["body"] = parse_bodies(frame["body"])
        return frame

    def as_of(
        self,
        as_of: AsOfLike,
        *,
        tz: str = "UTC",
        currency: str | None = None,
        customer: str | None = None,
    ) -> AsOfFrames:
        """The ledger as it stood at the end of the local day `as_of` in `tz` (or at an instant): the one path
        from a ledger to a day's frames, which every billkit metric, chart, table and the report use.

        `currency` (an ISO 4217 code as recorded) and `customer` (a customer_id) give the same day for one
        currency and/or one customer with its accounts and bills, as `AsOfFrames.narrowed` does. See
        `billkit.analysis.point_in_time.as_of_frames` for the rules (which bills exist, which payments count,
        from when a change counts). Only what the day needs is read: the states and payments that can matter
        before the cutoff, of that currency and customer (docs/analysis.md, "The ledger on disk").
        """
        from billkit.analysis.point_in_time import as_of_frames, cutoff_of

        for name, value in (("currency", currency), ("customer", customer)):
            if value is not None and not isinstance(value, str):
                raise InvalidArgumentError(f"{name} must be a string, not {type(value).__name__}")
        cutoff = cutoff_of(as_of, tz)
        scope = sql.Scope(before=-(-cutoff.value // 1000), currency=currency, customer=customer)
        day = as_of_frames(**self._as_of_inputs(scope), as_of=as_of, tz=tz)
        if currency is None and customer is None:
            return day
        return day.narrowed(customer_id=customer, currency=currency)

    def _kept(self, key: Hashable, read: Callable[[], _Kept]) -> _Kept:
        """What `read()` returns, read once for as long as the ledger has not changed (under `key`).

        The ledger only ever grows, so the number of states and events says whether it changed: SQLite's
        `data_version` and this connection's own changes, PostgreSQL's last `seq` and count of events (report
        rows are kept under the count of report files as well). What is kept is shared by every caller:
        read-only.
        """
        with self._db() as connection:
            version = tuple(connection.execute(self._sql.DATA_VERSION).fetchone())
            if not self._postgres:
                version += (connection.total_changes,)
            if self._kept_reads is None or self._kept_reads[0] != version:
                self._kept_reads = (version, {})
            values = self._kept_reads[1]
            if key not in values:
                values[key] = read()
            value: _Kept = values[key]
            return value

    def _as_of_inputs(self, scope: sql.Scope) -> dict[str, pd.DataFrame]:
        """What `as_of` reads for `scope`, read once for as long as the ledger has not changed (`_kept`).

        A report asks for many days (the period's end, the previous period, each month of the trend); each is
        the same record seen at another cutoff, so what was read for one cutoff (and currency, and customer)
        serves every earlier cutoff of the same or a narrower selection, cut in memory. A later cutoff reads
        the payments again but not the states, which are read whatever the cutoff (`sql.scoped_versions`); and
        a read whose cutoff is after the last recorded activity holds everything, so it serves every cutoff.
        """
        with self._db() as connection:
            kept: list[tuple[sql.Scope, dict[str, pd.DataFrame]]] = self._kept("as_of", list)
            for covered, inputs in kept:
                if covered.covers(scope):
                    return inputs
            selection = dataclasses.replace(scope, before=None)
            states = next(
                (
                    inputs
                    for covered, inputs in kept
                    if dataclasses.replace(covered, before=None) == selection
                ),
                None,
            )
            if states is None:
                states = {
                    f"{kind}_versions": self._states(kind, scope)
                    for kind in ("bill", "customer", "account")
                }
            inputs = {
                "bill_versions": states["bill_versions"],
                "events": self._payment_events(scope),
                "customer_versions": states["customer_versions"],
                "account_versions": states["account_versions"],
            }
            if scope.before is not None:
                (_, last) = connection.execute(self._sql.ACTIVITY_SPAN).fetchone()
                if last is None or last < scope.before:  # nothing happened from the cutoff on
                    scope = selection
            kept[:] = [(scope, inputs), *(entry for entry in kept if not scope.covers(entry[0]))]
            del kept[_AS_OF_READS_KEPT:]
            return inputs

    def _payment_events(self, scope: sql.Scope) -> pd.DataFrame:
        """The applied payments `scope` needs, with only the columns `as_of` uses (their type is known; when
        they were received is not needed): what it reads of the events."""
        columns = sql.AS_OF_EVENT_COLUMNS
        where, params = self._sql.events_scope(scope, 2)
        query = self._sql.read_events(columns, event_type=True, where=where)
        frame = self._read(query, [AMOUNT_APPLIED, *params], columns, ("created_at", "event_id"))
        kinds = pd.CategoricalDtype([AMOUNT_APPLIED])
        return frame.assign(type=pd.Categorical.from_codes(np.zeros(len(frame), int), dtype=kinds))

    def _states(self, kind: ObjectKind, scope: sql.Scope) -> pd.DataFrame:
        """The recorded states of `kind` that `scope` needs, in recording order, without bodies: what `as_of`
        reads.

        Equal neighbouring states are left as they are: the later one says the same thing from a later time.
        """
        columns = (*sql.AS_OF_KIND_COLUMNS[kind], sql.SEQ)
        where, params = self._sql.versions_scope(kind, scope, 2)
        query = self._sql.read_versions(columns, until=False, where=where, few=self._few(kind))
        return self._read(query, [kind, *params], columns, ("seq",)).drop(columns="seq")

    def _few(self, kind: ObjectKind) -> bool:
        """Whether SQLite finds the states of `kind` faster through the index than by walking the table: a
        ledger of a million bills holds a few thousand customers, whose walk would read every bill too."""
        if self._postgres:
            return False
        with self._db() as connection:
            (total,) = connection.execute(sql.STATES_TOTAL).fetchone()
            # Counted up to one past the most that can still be few, so the answer is the same as a full count's.
            most = min(CHUNK_ROWS, int(sql.FEW_STATES_SHARE * (total or 0)))
            (count,) = connection.execute(sql.KIND_COUNT_UP_TO, [kind, most + 1]).fetchone()
        return bool(count <= CHUNK_ROWS and count < sql.FEW_STATES_SHARE * (total or 0))

    def _read(
        self,
        query: str,
        params: list[Any],
        columns: tuple[sql.ColumnSpec, ...],
        order_by: tuple[str, ...],
    ) -> pd.DataFrame:
        """Run one of the backend's columnar reads (`read_versions`, `read_events`) into a typed frame."""
        with self._db() as connection:
            if self._postgres:
                with connection.transaction():
                    blobs = [_postgres.copy_out(connection, query, params)]
                table = parse_csv(blobs, columns, _schema_pg.CSV_QUOTE, _schema_pg.CSV_NULLS)
            else:
                connection.execute("BEGIN")  # one snapshot for every chunk
                try:
                    table = parse_csv(
                        sqlite_chunks(connection, query, params),
                        columns,
                        sql.CSV_QUOTE,
                        sql.CSV_NULLS,
                    )
                finally:
                    connection.execute("COMMIT")
        return typed_frame(table, columns, order_by)

    def activity_span(self) -> tuple[pd.Timestamp, pd.Timestamp] | None:
        """The first and last instant of recorded activity (a state beginning or a payment), or None if empty."""
        with self._db() as connection:
            first, last = connection.execute(self._sql.ACTIVITY_SPAN).fetchone()
        if first is None:
            return None
        return _instant(first), _instant(last)

    def currencies(self) -> list[str]:
        """The currencies of every recorded bill and applied payment, sorted."""
        with self._db() as connection:
            return [code for (code,) in connection.execute(self._sql.CURRENCIES)]

    def has_activity(
        self,
        *,
        first_day: dt.date,
        last_day: dt.date,
        begins: dt.datetime,
        ends: dt.datetime,
        currency: str | None = None,
    ) -> bool:
        """Whether a bill is dated `first_day`..`last_day` or a payment was made in [`begins`, `ends`)."""
        days = [(day - _EPOCH.date()).days for day in (first_day, last_day)]
        instants = [microseconds(begins, "begins"), microseconds(ends, "ends")]
        params: list[Any] = (
            [*days, *instants] if currency is None else [*days, currency, *instants, currency]
        )
        with self._db() as connection:
            (found,) = connection.execute(
                self._sql.any_activity(currency is not None), params
            ).fetchone()
        return bool(found)

    def get(self, kind: ObjectKind, object_id: str) -> dict[str, Any] | None:
        """The latest recorded JSON of one object, or None if the ledger never saw it."""
        checked_kind = check_kind(kind)
        with self._db() as connection:
            found = connection.execute(
                self._sql.SELECT_LATEST_BODY, (checked_kind, object_id)
            ).fetchone()
        return None if found is None else dict(as_mapping(load_body(found[0]), "body"))

    def counts(self) -> dict[str, int]:
        """Objects (distinct IDs) per kind, plus events: a quick look at what the ledger holds."""
        with self._db() as connection:
            per_kind = dict(connection.execute(self._sql.COUNT_OBJECTS).fetchall())
            (events,) = connection.execute(self._sql.COUNT_EVENTS).fetchone()
        return {kind: int(per_kind.get(kind, 0)) for kind in OBJECT_KINDS} | {"event": int(events)}


def _instant(value: int) -> pd.Timestamp:
    return pd.Timestamp(value * 1000, tz="UTC")


def _timeline(frame: pd.DataFrame, include_body: bool) -> pd.DataFrame:
    """Recorded states per object, oldest first, equal neighbours merged, each with when it was superseded."""
    codes, _ = pd.factorize(frame.iloc[:, 0])
    seq = frame["seq"].to_numpy(dtype=np.int64)
    valid_from = frame["valid_from"].to_numpy(dtype="datetime64[ns]").view(np.int64)
    order = np.lexsort((seq, valid_from, codes))
    if not np.array_equal(order, np.arange(len(order))):
        frame = frame.take(order)
        codes = codes[order]
    bodies = frame["body"].array
    # States recorded out of order can leave two equal states in a row; they are one state.
    repeated = np.zeros(len(codes), dtype=bool)
    if len(codes) > 1:
        same_body = np.asarray(bodies[1:] == bodies[:-1], dtype=bool)
        repeated[1:] = (codes[1:] == codes[:-1]) & same_body
    if repeated.any():
        frame, codes = frame.loc[~repeated], codes[~repeated]
    frame = frame.reset_index(drop=True)
    next_is_same = np.zeros(len(codes), dtype=bool)
    next_is_same[:-1] = codes[1:] == codes[:-1]
    frame["superseded_at"] = frame["valid_from"].shift(-1).where(next_is_same)
    frame = frame.drop(columns="seq")
    if include_body:
        frame["body"] = parse_bodies(frame["body"])
        return frame
    return frame.drop(columns="body")


def _check_or_create_schema(connection: sqlite3.Connection, path: str) -> None:
    (application_id,) = connection.execute("PRAGMA application_id").fetchone()
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    tables = [name for (name,) in connection.execute(sql.LIST_TABLES)]
    if application_id != APPLICATION_ID:
        if tables:
            raise LedgerError(
                f"{path!r} is a SQLite database but not a billkit ledger (its tables: {', '.join(tables)})"
            )
        connection.executescript(sql.DDL + sql.REPORTS_DDL)
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version = {sql.SCHEMA_VERSION}")
        return
    if version > sql.SCHEMA_VERSION:
        raise LedgerError(
            f"ledger {path!r} was written by a newer billkit (schema {version}, this one reads "
            f"{sql.SCHEMA_VERSION}); upgrade billkit to read it"
        )
    if version == 1:
        connection.executescript(
            f"BEGIN; {sql.MIGRATE_FROM_1} PRAGMA user_version = {sql.SCHEMA_VERSION}; COMMIT;"
        )
    if version < sql.SCHEMA_VERSION:  # schema 2 -> 3: the report tables are new, nothing moves
        connection.executescript(
            f"BEGIN; {sql.REPORTS_DDL} PRAGMA user_version = {sql.SCHEMA_VERSION}; COMMIT;"
        )
    connection.executescript(sql.DDL + sql.REPORTS_DDL)
