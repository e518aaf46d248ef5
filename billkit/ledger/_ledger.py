"""`Ledger`: the SQLite record of what billkit saw, and the typed DataFrames analysis starts from."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Final, Self

import pandas as pd

from billkit.errors import BillkitError
from billkit.ledger._readers import parse_bodies, read_typed, select_list
from billkit.ledger._records import (
    OBJECT_KINDS,
    ObjectKind,
    Recordable,
    as_mapping,
    check_kind,
    event_row,
    format_timestamp,
    object_row,
)
from billkit.ledger._sandbox_import import ImportResult, SandboxClient
from billkit.ledger._schema import (
    DDL,
    EVENT_FRAME_COLUMNS,
    INSERT_EVENT,
    INSERT_VERSION,
    KIND_COLUMNS,
    SCHEMA_VERSION,
    ColumnSpec,
)

#: Marks a SQLite file as a billkit ledger (`PRAGMA application_id`), so another database is never misread.
APPLICATION_ID: Final = 0x424B4C47  # "BKLG"
_BUSY_TIMEOUT_MS: Final = 10_000


class LedgerError(BillkitError):
    """The ledger file cannot be opened or used; the message names the file and the reason."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Ledger:
    """The local record an analyst's frames come from: objects billkit saw, and every verified webhook event.

    Moment has no list endpoints, so this is the data: each object the client created, retrieved or changed (with
    the time it was observed), each webhook event, and imports of the sandbox's lists. Recording is idempotent:
    the same event (by `evt_` ID) or the same object version, recorded again, changes nothing.

        with billkit.Ledger("payments.sqlite") as ledger:
            ledger.record_object("bill", bill, observed_at=datetime.now(timezone.utc))
            ledger.record_event(event)
            bills = ledger.latest("bill")          # one row per bill, typed columns
            events = ledger.events_frame()

    `path` is a file (created if missing; its folder must exist) or `":memory:"`. One `Ledger` may be shared
    by threads (a webhook receiver and a notebook); several processes may share a file (SQLite WAL).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = os.fspath(path)
        self._lock = threading.RLock()
        self._connection: sqlite3.Connection | None = self._open(self._path)

    @staticmethod
    def _open(path: str) -> sqlite3.Connection:
        in_memory = path == ":memory:"
        if not in_memory and not Path(path).parent.is_dir():
            raise LedgerError(f"cannot open ledger {path!r}: its folder does not exist")
        try:
            connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot open ledger {path!r}: {exc}") from exc
        try:
            connection.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            _check_or_create_schema(connection, path)
            if not in_memory:
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            connection.close()
            raise LedgerError(f"cannot use ledger {path!r}: {exc}") from exc
        except LedgerError:
            connection.close()
            raise
        return connection

    @property
    def path(self) -> str:
        return self._path

    def __repr__(self) -> str:
        state = "closed" if self._connection is None else "open"
        return f"Ledger({self._path!r}, {state})"

    def close(self) -> None:
        """Close the file; later calls raise `LedgerError`. Closing twice is harmless."""
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

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
    def _db(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._connection is None:
                raise LedgerError(f"ledger {self._path!r} is closed")
            yield self._connection

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._db() as connection:
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
        model with `to_dict()`. Nothing is written if this version is already the one in effect at that time.
        """
        self.record_objects(kind, [obj], observed_at)

    def record_objects(
        self,
        kind: str,
        objects: Iterable[Recordable],
        observed_at: dt.datetime | None = None,
    ) -> int:
        """Record many objects of one kind, all or none; returns how many new versions were written."""
        checked_kind = check_kind(kind)
        stamp = format_timestamp(_now() if observed_at is None else observed_at, "observed_at")
        rows = [object_row(checked_kind, item, stamp) for item in objects]
        return self._write_versions(rows)

    def _write_versions(self, rows: list[dict[str, Any]]) -> int:
        # Oldest first, so each row is compared with the version in effect just before it.
        rows.sort(key=lambda row: row["observed_at"])
        with self._transaction() as connection:
            before = connection.total_changes
            connection.executemany(INSERT_VERSION, rows)
            return connection.total_changes - before

    def record_event(self, event: Recordable, received_at: dt.datetime | None = None) -> None:
        """Record one verified webhook event (a dict or a typed event with `to_dict()`); repeats are ignored."""
        self.record_events([event], received_at)

    def record_events(
        self, events: Iterable[Recordable], received_at: dt.datetime | None = None
    ) -> int:
        """Record many events, all or none; returns how many were new (by `evt_` ID)."""
        stamp = format_timestamp(_now() if received_at is None else received_at, "received_at")
        rows = [event_row(event, stamp) for event in events]
        with self._transaction() as connection:
            before = connection.total_changes
            connection.executemany(INSERT_EVENT, rows)
            return connection.total_changes - before

    def import_sandbox(
        self, client: SandboxClient, observed_at: dt.datetime | None = None
    ) -> ImportResult:
        """Record everything the billkit sandbox lists: customers, accounts, bills and events.

        Everything is read and checked first and then written in one transaction, so a failed read or a bad item
        leaves the ledger as it was. Importing twice records nothing new the second time. `observed_at` stamps
        the objects (default now; pass the sandbox clock's time to line objects up with its events).
        """
        stamp = format_timestamp(_now() if observed_at is None else observed_at, "observed_at")
        routes = client.sandbox
        listed: dict[ObjectKind, Iterable[Recordable]] = {
            "customer": routes.customers.list(),
            "account": routes.accounts.list(),
            "bill": routes.bills.list(),
        }
        version_rows = {
            kind: [object_row(kind, item, stamp) for item in items]
            for kind, items in listed.items()
        }
        event_rows = [event_row(event, stamp) for event in routes.events.iterate()]
        recorded: dict[str, int] = {}
        with self._transaction() as connection:
            for kind, rows in version_rows.items():
                before = connection.total_changes
                connection.executemany(INSERT_VERSION, rows)
                recorded[kind] = connection.total_changes - before
            before = connection.total_changes
            connection.executemany(INSERT_EVENT, event_rows)
            recorded["event"] = connection.total_changes - before
        seen = {kind: len(rows) for kind, rows in version_rows.items()} | {"event": len(event_rows)}
        return ImportResult(seen=seen, recorded=recorded)

    # -- reading -------------------------------------------------------------------------------------------

    def versions(
        self, kind: ObjectKind, *, as_of: dt.datetime | None = None, include_body: bool = False
    ) -> pd.DataFrame:
        """Every version of every object of `kind`, oldest first per object.

        Columns: the kind's typed columns (see `latest`), `observed_at` (when this version was first seen) and
        `superseded_at` (when the next version was first seen; NaT for the current one). `as_of` ignores
        observations after that time. `include_body` adds `body`, the object's JSON as a dict.
        """
        checked_kind = check_kind(kind)
        columns = KIND_COLUMNS[checked_kind]
        where, params = _kind_filter(checked_kind, as_of)
        sql = (
            f"SELECT {select_list(columns)}, content_hash, body FROM object_versions WHERE {where} "
            "ORDER BY object_id, observed_at, seq"
        )
        with self._db() as connection:
            frame = read_typed(connection, sql, params, columns, extra=("content_hash", "body"))
        object_ids = frame.iloc[:, 0]
        same_object = object_ids.eq(object_ids.shift()).fillna(False)
        # Observations recorded out of order can leave two equal versions in a row; they are one version.
        repeated = same_object & frame["content_hash"].eq(frame["content_hash"].shift())
        frame = frame.loc[~repeated.to_numpy(dtype=bool)].reset_index(drop=True)
        object_ids = frame.iloc[:, 0]
        next_is_same = object_ids.eq(object_ids.shift(-1)).fillna(False).to_numpy(dtype=bool)
        frame["superseded_at"] = frame["observed_at"].shift(-1).where(next_is_same)
        return _finish(frame, include_body)

    def bill_versions(self, *, as_of: dt.datetime | None = None) -> pd.DataFrame:
        """Every version of every bill (see `versions`): how amounts and status changed over time."""
        return self.versions("bill", as_of=as_of)

    def latest(
        self, kind: ObjectKind, *, as_of: dt.datetime | None = None, include_body: bool = False
    ) -> pd.DataFrame:
        """The latest version of each object of `kind` (as known at `as_of`, default now), one row each.

        Columns (ids and text are `string`, currency and status `category`, amounts `Int64` minor units,
        dates `datetime64[ns]`, times `datetime64[ns, UTC]`):
        customer: customer_id, external_reference, name, currency, balance;
        account: account_id, customer_id, external_reference, name, currency, balance;
        bill: bill_id, customer_id, account_id, external_reference, currency, status, amount_due, amount_paid,
        amount_remaining, bill_date, due_date;
        payment_request: payment_request_id, external_reference, currency, status, amount;
        then observed_at (when this version was first seen) and first_observed_at (when the object was).
        """
        checked_kind = check_kind(kind)
        columns = KIND_COLUMNS[checked_kind]
        where, params = _kind_filter(checked_kind, as_of)
        sql = (
            f"SELECT {select_list(columns)}, first_observed_at, content_hash, body FROM ("
            "  SELECT *, ROW_NUMBER() OVER (PARTITION BY object_id ORDER BY observed_at DESC, seq DESC)"
            "    AS recency, MIN(observed_at) OVER (PARTITION BY object_id) AS first_observed_at"
            f"  FROM object_versions WHERE {where}"
            ") WHERE recency = 1 ORDER BY object_id"
        )
        first_seen: tuple[ColumnSpec, ...] = (
            ("first_observed_at", "first_observed_at", "timestamp"),
        )
        with self._db() as connection:
            frame = read_typed(
                connection, sql, params, (*columns, *first_seen), extra=("content_hash", "body")
            )
        return _finish(frame, include_body)

    def events_frame(
        self, event_type: str | None = None, *, include_body: bool = False
    ) -> pd.DataFrame:
        """Every recorded event (or those of `event_type`), in order of their `created_at`.

        Columns: event_id, type, created_at (the sandbox's or Moment's time of the application), received_at,
        data_id (`ob_...` for an applied amount), payment_id, amount (Int64 minor units), currency, bill_id,
        account_id, customer_id. `include_body` adds `body`, the whole event as a dict.
        """
        where, params = ("type = ?", [event_type]) if event_type is not None else ("1 = 1", [])
        sql = (
            f"SELECT {select_list(EVENT_FRAME_COLUMNS)}, body FROM events WHERE {where} "
            "ORDER BY created_at, event_id"
        )
        with self._db() as connection:
            frame = read_typed(connection, sql, params, EVENT_FRAME_COLUMNS, extra=("body",))
        return _finish(frame, include_body)

    def get(self, kind: ObjectKind, object_id: str) -> dict[str, Any] | None:
        """The latest recorded JSON of one object, or None if the ledger never saw it."""
        checked_kind = check_kind(kind)
        with self._db() as connection:
            found = connection.execute(
                "SELECT body FROM object_versions WHERE kind = ? AND object_id = ? "
                "ORDER BY observed_at DESC, seq DESC LIMIT 1",
                (checked_kind, object_id),
            ).fetchone()
        return None if found is None else dict(as_mapping(json.loads(found[0]), "body"))

    def counts(self) -> dict[str, int]:
        """Objects (distinct IDs) per kind, plus events: a quick look at what the ledger holds."""
        with self._db() as connection:
            per_kind = dict(
                connection.execute(
                    "SELECT kind, COUNT(DISTINCT object_id) FROM object_versions GROUP BY kind"
                ).fetchall()
            )
            (events,) = connection.execute("SELECT COUNT(*) FROM events").fetchone()
        return {kind: int(per_kind.get(kind, 0)) for kind in OBJECT_KINDS} | {"event": int(events)}


def _kind_filter(kind: str, as_of: dt.datetime | None) -> tuple[str, list[str]]:
    if as_of is None:
        return "kind = ?", [kind]
    return "kind = ? AND observed_at <= ?", [kind, format_timestamp(as_of, "as_of")]


def _finish(frame: pd.DataFrame, include_body: bool) -> pd.DataFrame:
    if include_body:
        frame["body"] = parse_bodies(frame["body"])
    else:
        frame = frame.drop(columns="body")
    return frame.drop(columns="content_hash", errors="ignore")


def _check_or_create_schema(connection: sqlite3.Connection, path: str) -> None:
    (application_id,) = connection.execute("PRAGMA application_id").fetchone()
    (version,) = connection.execute("PRAGMA user_version").fetchone()
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )
    ]
    if application_id != APPLICATION_ID:
        if tables:
            raise LedgerError(
                f"{path!r} is a SQLite database but not a billkit ledger (its tables: {', '.join(tables)})"
            )
        connection.executescript(DDL)
        connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        return
    if version > SCHEMA_VERSION:
        raise LedgerError(
            f"ledger {path!r} was written by a newer billkit (schema {version}, this one reads "
            f"{SCHEMA_VERSION}); upgrade billkit to read it"
        )
    connection.executescript(DDL)
