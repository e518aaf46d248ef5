"""The ledger's SQL for PostgreSQL: the same tables, columns and statements as `_schema` (SQLite), in its dialect.

The two modules expose the same names, so `Ledger` picks one at open and runs the same code over either. Types
are the same integers (µs since the epoch, days since 1970-01-01, minor units), as `bigint`. Parameters are
numbered `$N` (psycopg's raw cursor), each cast to its column's type so a NULL is never an untyped value.

Writers of states take a transaction-level advisory lock first: "is this state new?" reads what is in effect
and then inserts (`billkit.ledger._writes`), and two receivers must not both decide yes (SQLite's `BEGIN IMMEDIATE` does the same).
Events need no lock: `ON CONFLICT (event_id) DO NOTHING` lets the primary key decide.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from billkit.ledger._schema import (
    EVENT_COLUMNS,
    RECONCILIATION_FRAME_COLUMNS,
    REPORT_FILE_FRAME_COLUMNS,
    SCHEMA_VERSION,
    SETTLEMENT_FRAME_COLUMNS,
    VERSION_COLUMNS,
    ColumnSpec,
    Scope,
    report_inserts,
    scoped_events,
    scoped_versions,
)

__all__ = [
    "RECONCILIATION_FRAME_COLUMNS",
    "REPORT_FILE_FRAME_COLUMNS",
    "SCHEMA_VERSION",
    "SETTLEMENT_FRAME_COLUMNS",
]

#: The table that marks a database as a billkit ledger and holds its schema version.
META_TABLE: Final = "billkit_ledger"
#: Serialises writers of states (and schema creation) across every process sharing the database.
WRITE_LOCK: Final = "SELECT pg_advisory_xact_lock(4774106818393243463)"
BEGIN_WRITE: Final = "BEGIN"

# Moment's report files: the tables of `_schema.REPORTS_DDL`, in PostgreSQL's types. Text is ordered
# COLLATE "C" where rows are read, so the order is SQLite's (byte order) whatever the database's locale.
REPORTS_DDL: Final = """
CREATE TABLE IF NOT EXISTS report_files (
    name           text PRIMARY KEY,
    kind           text NOT NULL,
    generated      integer,
    period_end     integer NOT NULL,
    title          text NOT NULL,
    version        text NOT NULL,
    merchant_alias text NOT NULL,
    period_start   bigint NOT NULL,
    period_until   bigint NOT NULL,
    header_extra   text,
    imported_at    bigint NOT NULL,
    checksum       text NOT NULL,
    row_count      bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS report_reconciliation_rows (
    reconciliation_id     text PRIMARY KEY,
    transaction_type      text NOT NULL,
    transaction_timestamp bigint NOT NULL,
    merchant_reference_id text,
    payment_method        text,
    payment_method_tender text,
    customer_reference    text,
    country               text,
    currency              text NOT NULL,
    amount                bigint NOT NULL,
    fee                   bigint,
    net_amount            bigint,
    payment_id            text,
    obligation_id         text,
    channel               text,
    report_name           text NOT NULL,
    period_end            integer NOT NULL,
    row_number            bigint NOT NULL,
    extra                 text,
    fingerprint           text NOT NULL
);
CREATE INDEX IF NOT EXISTS report_reconciliation_rows_by_period
    ON report_reconciliation_rows (period_end, report_name, row_number);
CREATE TABLE IF NOT EXISTS report_settlement_rows (
    report_name       text NOT NULL,
    row_number        bigint NOT NULL,
    settlement_date   integer NOT NULL,
    currency          text NOT NULL,
    transaction_count bigint NOT NULL,
    gross_amount      bigint NOT NULL,
    fees              bigint NOT NULL,
    net_amount        bigint NOT NULL,
    period_end        integer NOT NULL,
    extra             text,
    PRIMARY KEY (report_name, row_number)
);
"""
DDL: Final = f"""
CREATE TABLE IF NOT EXISTS object_versions (
    seq                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind               text NOT NULL,
    object_id          text NOT NULL,
    valid_from         bigint NOT NULL,
    observed_at        bigint NOT NULL,
    from_source        smallint NOT NULL,
    body               text NOT NULL,
    external_reference text,
    customer_id        text,
    account_id         text,
    name               text,
    currency           text,
    status             text,
    amount             bigint,
    amount_due         bigint,
    amount_paid        bigint,
    amount_remaining   bigint,
    balance            bigint,
    bill_date          integer,
    due_date           integer
);
CREATE INDEX IF NOT EXISTS object_versions_timeline ON object_versions (kind, object_id, valid_from, seq);
CREATE TABLE IF NOT EXISTS events (
    event_id    text PRIMARY KEY,
    type        text NOT NULL,
    received_at bigint NOT NULL,
    created_at  bigint,
    data_id     text,
    payment_id  text,
    amount      bigint,
    currency    text,
    bill_id     text,
    account_id  text,
    customer_id text,
    body        text NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_type_time ON events (type, created_at);
CREATE TABLE IF NOT EXISTS {META_TABLE} (
    only_row       boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    schema_version integer NOT NULL
);
{REPORTS_DDL}"""
#: Steps from an older PostgreSQL schema to the next; schema 2 is the first a PostgreSQL ledger has.
MIGRATIONS: Final[Mapping[int, str]] = {2: REPORTS_DDL}

READ_SCHEMA: Final = f"SELECT schema_version FROM {META_TABLE}"
SET_SCHEMA: Final = (
    f"INSERT INTO {META_TABLE} (schema_version) VALUES ($1) "
    "ON CONFLICT (only_row) DO UPDATE SET schema_version = excluded.schema_version"
)
#: Which of the ledger's tables exist in the schema the connection writes to.
LEDGER_TABLES: Final = (
    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
    f"AND table_name IN ('object_versions', 'events', '{META_TABLE}') ORDER BY 1"
)

_TYPES: Final[Mapping[str, str]] = {
    "valid_from": "bigint", "observed_at": "bigint", "from_source": "smallint", "amount": "bigint",
    "amount_due": "bigint", "amount_paid": "bigint", "amount_remaining": "bigint", "balance": "bigint",
    "bill_date": "integer", "due_date": "integer", "received_at": "bigint", "created_at": "bigint",
    "generated": "integer", "period_end": "integer", "period_start": "bigint", "period_until": "bigint",
    "imported_at": "bigint", "row_count": "bigint", "transaction_timestamp": "bigint", "fee": "bigint",
    "net_amount": "bigint", "row_number": "bigint", "settlement_date": "integer",
    "transaction_count": "bigint", "gross_amount": "bigint", "fees": "bigint",
}  # fmt: skip


def _params(columns: tuple[str, ...]) -> str:
    return ", ".join(f"${n}::{_TYPES.get(name, 'text')}" for n, name in enumerate(columns, 1))


INSERT_VERSION: Final = f"INSERT INTO object_versions ({', '.join(VERSION_COLUMNS)}) VALUES ({_params(VERSION_COLUMNS)})"
#: The stored state in effect for each of a batch's states when it began (see `_schema.STORED_IN_EFFECT`):
#: $1 their object IDs, $2 their times, $3 the kind.
STORED_IN_EFFECT: Final = """
SELECT b.position - 1, v.valid_from, v.body
FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS b (object_id, valid_from, position)
CROSS JOIN LATERAL (
    SELECT s.valid_from, s.body FROM object_versions s
    WHERE s.kind = $3::text AND s.object_id = b.object_id AND s.valid_from <= b.valid_from
    ORDER BY s.valid_from DESC, s.seq DESC LIMIT 1
) AS v
"""
INSERT_EVENT: Final = (
    f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({_params(EVENT_COLUMNS)}) "
    "ON CONFLICT (event_id) DO NOTHING"
)

# Bulk writes: new states (decided before, `billkit.ledger._writes`) are COPYed straight into their table;
# a batch of events is COPYed into a temporary table of this session, then moved by one INSERT ... SELECT
# that lets the primary key decide, as INSERT_EVENT does.
#: The smallest batch worth COPY; a receiver's single event takes INSERT_EVENT.
COPY_ROWS: Final = 1000
COPY_VERSIONS: Final = f"COPY object_versions ({', '.join(VERSION_COLUMNS)}) FROM STDIN"


def _stage(name: str, columns: tuple[str, ...]) -> str:
    typed = ", ".join(f"{column} {_TYPES.get(column, 'text')}" for column in columns)
    return (
        f"CREATE TEMP TABLE IF NOT EXISTS {name} (position bigint, {typed}) ON COMMIT DELETE ROWS"
    )


STAGE_EVENTS: Final = _stage("billkit_events_in", EVENT_COLUMNS)
COPY_EVENTS: Final = f"COPY billkit_events_in (position, {', '.join(EVENT_COLUMNS)}) FROM STDIN"
MOVE_EVENTS: Final = (
    f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) "
    f"SELECT {', '.join(EVENT_COLUMNS)} FROM billkit_events_in ORDER BY position "
    "ON CONFLICT (event_id) DO NOTHING"
)
CLEAR_EVENTS: Final = "DELETE FROM billkit_events_in"

#: The columnar read's CSV (`COPY ... TO STDOUT (FORMAT csv)`): text that needs it is quoted with ", a
#: missing value is an empty field, an empty text is "".
CSV_QUOTE: Final = '"'
CSV_NULLS: Final = ("",)


def _csv_copy(columns: Sequence[ColumnSpec], table: str, where: str) -> str:
    """Rows of `table` matching `where` as CSV. COPY takes no bound parameters: `$N` are inlined as literals
    (`_postgres.copy_out`)."""
    selected = ", ".join(sql for _, sql, _ in columns)
    return f"COPY (SELECT {selected} FROM {table} WHERE {where}) TO STDOUT (FORMAT csv)"


def read_versions(
    columns: Sequence[ColumnSpec], *, until: bool, where: str = "", few: bool = False
) -> str:
    """Every state of one kind ($1), optionally only those that began by a time ($2) and those `where` (a
    `versions_scope` clause, its parameters next) keeps. (`few` is SQLite's: PostgreSQL's planner knows
    the share of each kind from its statistics.)"""
    return _csv_copy(
        columns,
        "object_versions",
        "kind = $1"
        + (" AND valid_from <= $2" if until else "")
        + (f" AND {where}" if where else ""),
    )


def read_events(columns: Sequence[ColumnSpec], *, event_type: bool, where: str = "") -> str:
    """Every event (or those of one type, $1, and those `where` keeps: `events_scope`)."""
    return _csv_copy(
        columns,
        "events",
        ("type = $1" if event_type else "true") + (f" AND {where}" if where else ""),
    )


def _mark(n: int) -> str:
    return f"${n}"


def versions_scope(kind: str, scope: Scope, first: int) -> tuple[str, list[Any]]:
    """`_schema.scoped_versions` with PostgreSQL's parameters."""
    return scoped_versions(kind, scope, _mark, first)


def events_scope(scope: Scope, first: int) -> tuple[str, list[Any]]:
    """`_schema.scoped_events` with PostgreSQL's parameters."""
    return scoped_events(scope, _mark, first)


SELECT_LATEST_BODY: Final = (
    "SELECT body FROM object_versions WHERE kind = $1 AND object_id = $2 "
    "ORDER BY valid_from DESC, seq DESC LIMIT 1"
)
COUNT_OBJECTS: Final = "SELECT kind, COUNT(DISTINCT object_id) FROM object_versions GROUP BY kind"
COUNT_EVENTS: Final = "SELECT COUNT(*) FROM events"
#: How many report files were imported (a file's rows are written with it): whether the report rows changed.
COUNT_REPORT_FILES: Final = "SELECT COUNT(*) FROM report_files"
#: The ledger only grows: its last state and its number of events say whether anything was added.
DATA_VERSION: Final = "SELECT (SELECT max(seq) FROM object_versions), (SELECT count(*) FROM events)"
ACTIVITY_SPAN: Final = (
    "SELECT MIN(t), MAX(t) FROM ("
    " SELECT MIN(valid_from) AS t FROM object_versions UNION ALL SELECT MAX(valid_from) FROM object_versions"
    " UNION ALL SELECT MIN(created_at) FROM events WHERE type = 'obligation.amount_applied'"
    " UNION ALL SELECT MAX(created_at) FROM events WHERE type = 'obligation.amount_applied') AS spans"
)
CURRENCIES: Final = (
    "SELECT currency FROM object_versions WHERE kind = 'bill' AND currency IS NOT NULL"
    " UNION SELECT currency FROM events WHERE type = 'obligation.amount_applied' AND currency IS NOT NULL"
    " ORDER BY 1"
)


def any_activity(currency: bool) -> str:
    """Whether a bill is dated in [$1, $2] (days) or a payment made in [$3, $4) (µs), optionally in one currency."""
    if currency:
        bills = "bill_date BETWEEN $1 AND $2 AND currency = $3"
        payments = "created_at >= $4 AND created_at < $5 AND currency = $6"
    else:
        bills, payments = "bill_date BETWEEN $1 AND $2", "created_at >= $3 AND created_at < $4"
    return (
        f"SELECT EXISTS (SELECT 1 FROM object_versions WHERE kind = 'bill' AND {bills})"
        f" OR EXISTS (SELECT 1 FROM events WHERE type = 'obligation.amount_applied' AND {payments})"
    )


INSERT_REPORT_FILE, INSERT_RECONCILIATION_ROW, INSERT_SETTLEMENT_ROW = report_inserts(_params)
SELECT_REPORT_CHECKSUM: Final = "SELECT checksum FROM report_files WHERE name = $1"
SELECT_RECONCILIATION_FINGERPRINTS: Final = (
    "SELECT reconciliation_id, fingerprint FROM report_reconciliation_rows"
    " WHERE reconciliation_id = ANY($1::text[])"
)


def read_report_rows(table: str, columns: Sequence[ColumnSpec], *, until: bool) -> str:
    """A report table's rows (optionally only of periods ending by a day, $1)."""
    return _csv_copy(columns, table, "period_end <= $1" if until else "true")


def read_report_files(columns: Sequence[ColumnSpec]) -> str:
    return _csv_copy(columns, "report_files", "true")
