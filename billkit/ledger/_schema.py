"""Every SQL statement the ledger runs, in one module: tables, migration, writes and reads.

Keeping the SQL here (and nothing else) is what lets a second backend be added beside SQLite later.

`object_versions` keeps one row per *state* of an object: `valid_from` is when that state began (the source's own
time when it knows it, as the sandbox's `GET /_sandbox/versions` does; else when the ledger observed it), and a
row is added only when its body differs from the state already in effect at that time (the latest row at or
before it). So recording the same state again, at the same or a later time, writes nothing, while a balance
that goes 2000 -> 0 -> 2000 keeps all three states. `events` keeps each webhook event once, keyed on its `evt_` ID.

Columns are typed: instants are INTEGER microseconds since 1970-01-01 UTC, calendar dates INTEGER days since
then, money INTEGER minor units. Reads select missing numbers as `NULL_NUMBER`, so a column reads back as one
int64 array and a mask, without a Python object per value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Final, Literal, TypeAlias

#: Bumped whenever the tables change shape; a ledger file from a newer billkit is refused, not misread.
#: 3 added Moment's report files (`REPORTS_DDL`); schema 2 moves up by creating those tables.
SCHEMA_VERSION: Final = 3
#: How a missing integer is selected (the smallest int64, which no amount, date or time can be).
NULL_NUMBER: Final = -(2**63)

#: Connection settings for bulk work: WAL lets readers and one writer share a file; NORMAL sync is durable
#: at each checkpoint, which is what WAL is designed for; a 64 MiB page cache and in-memory temp storage keep
#: a big batch's index updates off the disk. No mmap: a mapped file counts against the reader's memory.
FILE_PRAGMAS: Final = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA temp_store = MEMORY",
    "PRAGMA cache_size = -65536",
)

DDL: Final = """
CREATE TABLE IF NOT EXISTS object_versions (
    seq                INTEGER PRIMARY KEY,  -- recording order: breaks ties between states that began at once
    kind               TEXT NOT NULL,
    object_id          TEXT NOT NULL,
    valid_from         INTEGER NOT NULL,     -- µs since the epoch (UTC): when this state began
    observed_at        INTEGER NOT NULL,     -- µs: when the ledger first saw it
    from_source        INTEGER NOT NULL,     -- 1: valid_from is the source's time of the change; 0: observed
    body               TEXT NOT NULL,        -- canonical JSON, exactly as the API returned it minus nulls
    external_reference TEXT,
    customer_id        TEXT,
    account_id         TEXT,
    name               TEXT,
    currency           TEXT,
    status             TEXT,
    amount             INTEGER,
    amount_due         INTEGER,
    amount_paid        INTEGER,
    amount_remaining   INTEGER,
    balance            INTEGER,
    bill_date          INTEGER,              -- days since 1970-01-01
    due_date           INTEGER
);
CREATE INDEX IF NOT EXISTS object_versions_timeline
    ON object_versions (kind, object_id, valid_from, seq);

CREATE TABLE IF NOT EXISTS events (
    event_id    TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    created_at  INTEGER,
    data_id     TEXT,
    payment_id  TEXT,
    amount      INTEGER,
    currency    TEXT,
    bill_id     TEXT,
    account_id  TEXT,
    customer_id TEXT,
    body        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_type_time ON events (type, created_at);
"""

# Schema 1 kept times and dates as ISO text and a content hash; its rows move over as they are.
_V1_MICROSECONDS = "(CAST(strftime('%s', substr({0}, 1, 19)) AS INTEGER) * 1000000 + CAST(substr({0}, 21, 6) AS INTEGER))"
_V1_DAYS = "CAST(julianday({0}) - 2440587.5 AS INTEGER)"
MIGRATE_FROM_1: Final = f"""
ALTER TABLE object_versions RENAME TO object_versions_v1;
ALTER TABLE events RENAME TO events_v1;
DROP INDEX IF EXISTS object_versions_timeline;
DROP INDEX IF EXISTS events_by_type_time;
{DDL}
INSERT INTO object_versions
SELECT seq, kind, object_id, {_V1_MICROSECONDS.format("observed_at")}, {_V1_MICROSECONDS.format("observed_at")},
       0, body, external_reference, customer_id, account_id, name, currency, status, amount, amount_due,
       amount_paid, amount_remaining, balance, {_V1_DAYS.format("bill_date")}, {_V1_DAYS.format("due_date")}
FROM object_versions_v1;
INSERT INTO events
SELECT event_id, type, {_V1_MICROSECONDS.format("received_at")},
       CASE WHEN created_at IS NULL THEN NULL ELSE {_V1_MICROSECONDS.format("created_at")} END,
       data_id, payment_id, amount, currency, bill_id, account_id, customer_id, body
FROM events_v1;
DROP TABLE object_versions_v1;
DROP TABLE events_v1;
"""

VERSION_COLUMNS: Final = (
    "kind", "object_id", "valid_from", "observed_at", "from_source", "body", "external_reference",
    "customer_id", "account_id", "name", "currency", "status", "amount", "amount_due", "amount_paid",
    "amount_remaining", "balance", "bill_date", "due_date",
)  # fmt: skip
_KIND, _OBJECT_ID, _VALID_FROM, _BODY = 1, 2, 3, 6  # their ?N positions in INSERT_VERSION

# A state is new only if it differs from the state in effect when it began.
INSERT_VERSION: Final = f"""
INSERT INTO object_versions ({", ".join(VERSION_COLUMNS)})
SELECT {", ".join(f"?{n}" for n in range(1, len(VERSION_COLUMNS) + 1))}
WHERE (
    SELECT body FROM object_versions
    WHERE kind = ?{_KIND} AND object_id = ?{_OBJECT_ID} AND valid_from <= ?{_VALID_FROM}
    ORDER BY valid_from DESC, seq DESC LIMIT 1
) IS NOT ?{_BODY}
"""
#: The same rows without the check: what the benchmark measures the ledger against.
PLAIN_INSERT_VERSION: Final = (
    f"INSERT INTO object_versions ({', '.join(VERSION_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(VERSION_COLUMNS))})"
)

EVENT_COLUMNS: Final = (
    "event_id", "type", "received_at", "created_at", "data_id", "payment_id", "amount", "currency",
    "bill_id", "account_id", "customer_id", "body",
)  # fmt: skip
INSERT_EVENT: Final = (
    f"INSERT OR IGNORE INTO events ({', '.join(EVENT_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(EVENT_COLUMNS))})"
)
PLAIN_INSERT_EVENT: Final = INSERT_EVENT.replace(" OR IGNORE", "")

#: What a column becomes in a DataFrame (dtypes in `billkit.frame_dtypes`): id and text `string`, category
#: `category`, minor `Int64`, date naive `datetime64[ns]`, timestamp `datetime64[ns, UTC]`, flag `bool`.
ColumnType: TypeAlias = Literal["id", "text", "category", "minor", "date", "timestamp", "flag"]
ColumnSpec: TypeAlias = tuple[str, str, ColumnType]

# Per kind: (frame column, SQL column, type). The object's own ID is named after its kind (bill_id, ...),
# so frames of different kinds join on the names the API and the webhook events use.
_VERSION_TAIL: Final[tuple[ColumnSpec, ...]] = (
    ("valid_from", "valid_from", "timestamp"),
    ("observed_at", "observed_at", "timestamp"),
    ("from_source", "from_source", "flag"),
)
KIND_COLUMNS: Final[Mapping[str, tuple[ColumnSpec, ...]]] = {
    "customer": (
        ("customer_id", "object_id", "id"),
        ("external_reference", "external_reference", "text"),
        ("name", "name", "text"),
        ("currency", "currency", "category"),
        ("balance", "balance", "minor"),
        *_VERSION_TAIL,
    ),
    "account": (
        ("account_id", "object_id", "id"),
        ("customer_id", "customer_id", "id"),
        ("external_reference", "external_reference", "text"),
        ("name", "name", "text"),
        ("currency", "currency", "category"),
        ("balance", "balance", "minor"),
        *_VERSION_TAIL,
    ),
    "bill": (
        ("bill_id", "object_id", "id"),
        ("customer_id", "customer_id", "id"),
        ("account_id", "account_id", "id"),
        ("external_reference", "external_reference", "text"),
        ("currency", "currency", "category"),
        ("status", "status", "category"),
        ("amount_due", "amount_due", "minor"),
        ("amount_paid", "amount_paid", "minor"),
        ("amount_remaining", "amount_remaining", "minor"),
        ("bill_date", "bill_date", "date"),
        ("due_date", "due_date", "date"),
        *_VERSION_TAIL,
    ),
    "payment_request": (
        ("payment_request_id", "object_id", "id"),
        ("external_reference", "external_reference", "text"),
        ("currency", "currency", "category"),
        ("status", "status", "category"),
        ("amount", "amount", "minor"),
        *_VERSION_TAIL,
    ),
}

EVENT_FRAME_COLUMNS: Final[tuple[ColumnSpec, ...]] = (
    ("event_id", "event_id", "id"),
    ("type", "type", "category"),
    ("created_at", "created_at", "timestamp"),
    ("received_at", "received_at", "timestamp"),
    ("data_id", "data_id", "id"),
    ("payment_id", "payment_id", "id"),
    ("amount", "amount", "minor"),
    ("currency", "currency", "category"),
    ("bill_id", "bill_id", "id"),
    ("account_id", "account_id", "id"),
    ("customer_id", "customer_id", "id"),
)

_NUMERIC: Final = frozenset({"minor", "date", "timestamp", "flag"})


def select_list(columns: tuple[ColumnSpec, ...]) -> str:
    """The SELECT list for `columns`: numbers with NULL as `NULL_NUMBER`, so they read back as int64."""
    return ", ".join(
        f"IFNULL({sql}, {NULL_NUMBER})" if kind in _NUMERIC else sql for _, sql, kind in columns
    )


def select_versions(columns: tuple[ColumnSpec, ...], *, until: bool, body: bool) -> str:
    """Every state of one kind (optionally only those that began by a time), in recording order.

    `+kind` keeps SQLite on a straight table scan: reading every row in rowid order is faster than walking the
    timeline index and looking each row up.
    """
    extra = ", body" if body else ""
    where = "+kind = ?" + (" AND valid_from <= ?" if until else "")
    return (
        f"SELECT {select_list(columns)}, seq{extra} FROM object_versions WHERE {where} ORDER BY seq"
    )


def select_events(event_type: bool, body: bool) -> str:
    where = "type = ?" if event_type else "1 = 1"
    extra = ", body" if body else ""
    return (
        f"SELECT {select_list(EVENT_FRAME_COLUMNS)}{extra} FROM events WHERE {where} "
        "ORDER BY created_at, event_id"
    )


SELECT_LATEST_BODY: Final = (
    "SELECT body FROM object_versions WHERE kind = ? AND object_id = ? "
    "ORDER BY valid_from DESC, seq DESC LIMIT 1"
)
COUNT_OBJECTS: Final = "SELECT kind, COUNT(DISTINCT object_id) FROM object_versions GROUP BY kind"
COUNT_EVENTS: Final = "SELECT COUNT(*) FROM events"
LIST_TABLES: Final = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
#: The first and last instant of recorded activity: states and applied payments.
ACTIVITY_SPAN: Final = (
    "SELECT MIN(t), MAX(t) FROM ("
    " SELECT MIN(valid_from) AS t FROM object_versions UNION ALL SELECT MAX(valid_from) FROM object_versions"
    " UNION ALL SELECT MIN(created_at) FROM events WHERE type = 'obligation.amount_applied'"
    " UNION ALL SELECT MAX(created_at) FROM events WHERE type = 'obligation.amount_applied')"
)
BILL_DATE_SPAN: Final = (
    "SELECT MIN(bill_date), MAX(bill_date) FROM object_versions WHERE kind = 'bill'"
)

#: The currencies any bill or applied payment is in.
CURRENCIES: Final = (
    "SELECT currency FROM object_versions WHERE kind = 'bill' AND currency IS NOT NULL"
    " UNION SELECT currency FROM events WHERE type = 'obligation.amount_applied' AND currency IS NOT NULL"
    " ORDER BY 1"
)


def any_activity(currency: bool) -> str:
    """Whether a bill is dated in [?, ?] (days) or a payment made in [?, ?) (µs), optionally in one currency."""
    in_currency = " AND currency = ?" if currency else ""
    return (
        "SELECT EXISTS (SELECT 1 FROM object_versions WHERE kind = 'bill' AND bill_date BETWEEN ? AND ?"
        f"{in_currency}) OR EXISTS (SELECT 1 FROM events WHERE type = 'obligation.amount_applied'"
        f" AND created_at >= ? AND created_at < ?{in_currency})"
    )


# -- Moment's report files (contract §10; billkit.reportfiles) -------------------------------------------------
# One row per imported file; reconciliation rows once per `reconciliation_id` (the first file that carried it
# keeps it); settlement rows once per file. Days are INTEGER days since 1970-01-01, instants µs, money minor
# units; `extra` is a JSON object of the columns (or header rows) billkit does not know, NULL when none.
REPORTS_DDL: Final = """
CREATE TABLE IF NOT EXISTS report_files (
    name           TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,     -- reconciliation | settlement
    generated      INTEGER,           -- days: the name's generation date (NULL for a file named otherwise)
    period_end     INTEGER NOT NULL,  -- days
    title          TEXT NOT NULL,
    version        TEXT NOT NULL,
    merchant_alias TEXT NOT NULL,
    period_start   INTEGER NOT NULL,  -- µs: the header's From, Start Date
    period_until   INTEGER NOT NULL,  -- µs: the header's To, End Date
    header_extra   TEXT,
    imported_at    INTEGER NOT NULL,  -- µs
    checksum       TEXT NOT NULL,     -- sha256: of the file's bytes
    row_count      INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS report_reconciliation_rows (
    reconciliation_id     TEXT PRIMARY KEY,
    transaction_type      TEXT NOT NULL,
    transaction_timestamp INTEGER NOT NULL,
    merchant_reference_id TEXT,
    payment_method        TEXT,
    payment_method_tender TEXT,
    customer_reference    TEXT,
    country               TEXT,
    currency              TEXT NOT NULL,
    amount                INTEGER NOT NULL,
    fee                   INTEGER,
    net_amount            INTEGER,
    payment_id            TEXT,
    obligation_id         TEXT,
    channel               TEXT,
    report_name           TEXT NOT NULL,
    period_end            INTEGER NOT NULL,
    row_number            INTEGER NOT NULL,  -- its place in that file's table, from 0
    extra                 TEXT,
    fingerprint           TEXT NOT NULL      -- of the row's values: tells a repeat from a conflict
);
CREATE INDEX IF NOT EXISTS report_reconciliation_rows_by_period
    ON report_reconciliation_rows (period_end, report_name, row_number);
CREATE TABLE IF NOT EXISTS report_settlement_rows (
    report_name       TEXT NOT NULL,
    row_number        INTEGER NOT NULL,
    settlement_date   INTEGER NOT NULL,
    currency          TEXT NOT NULL,
    transaction_count INTEGER NOT NULL,
    gross_amount      INTEGER NOT NULL,
    fees              INTEGER NOT NULL,
    net_amount        INTEGER NOT NULL,
    period_end        INTEGER NOT NULL,
    extra             TEXT,
    PRIMARY KEY (report_name, row_number)
);
"""

REPORT_FILE_COLUMNS: Final = (
    "name", "kind", "generated", "period_end", "title", "version", "merchant_alias", "period_start",
    "period_until", "header_extra", "imported_at", "checksum", "row_count",
)  # fmt: skip
RECONCILIATION_ROW_COLUMNS: Final = (
    "reconciliation_id", "transaction_type", "transaction_timestamp", "merchant_reference_id",
    "payment_method", "payment_method_tender", "customer_reference", "country", "currency", "amount", "fee",
    "net_amount", "payment_id", "obligation_id", "channel", "report_name", "period_end", "row_number",
    "extra", "fingerprint",
)  # fmt: skip
SETTLEMENT_ROW_COLUMNS: Final = (
    "report_name", "row_number", "settlement_date", "currency", "transaction_count", "gross_amount", "fees",
    "net_amount", "period_end", "extra",
)  # fmt: skip


def report_inserts(values: Callable[[tuple[str, ...]], str]) -> tuple[str, str, str]:
    """The INSERTs of a report file, its reconciliation rows (once per ID) and its settlement rows, with
    `values(columns)` writing the dialect's parameters."""

    def insert(table: str, columns: tuple[str, ...], conflict: str = "") -> str:
        return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({values(columns)}){conflict}"

    return (
        insert("report_files", REPORT_FILE_COLUMNS),
        insert(
            "report_reconciliation_rows",
            RECONCILIATION_ROW_COLUMNS,
            " ON CONFLICT (reconciliation_id) DO NOTHING",
        ),
        insert("report_settlement_rows", SETTLEMENT_ROW_COLUMNS),
    )


INSERT_REPORT_FILE, INSERT_RECONCILIATION_ROW, INSERT_SETTLEMENT_ROW = report_inserts(
    lambda columns: ", ".join("?" * len(columns))
)
SELECT_REPORT_CHECKSUM: Final = "SELECT checksum FROM report_files WHERE name = ?"
#: The kept rows' fingerprints for a JSON array of reconciliation IDs (one parameter however many IDs).
SELECT_RECONCILIATION_FINGERPRINTS: Final = (
    "SELECT reconciliation_id, fingerprint FROM report_reconciliation_rows"
    " WHERE reconciliation_id IN (SELECT value FROM json_each(?))"
)

#: The frames' columns (frame column, SQL column, type), in docs/reports.md's order.
RECONCILIATION_FRAME_COLUMNS: Final[tuple[ColumnSpec, ...]] = (
    ("reconciliation_id", "reconciliation_id", "id"),
    ("transaction_type", "transaction_type", "text"),
    ("transaction_timestamp", "transaction_timestamp", "timestamp"),
    ("merchant_reference_id", "merchant_reference_id", "text"),
    ("payment_method", "payment_method", "text"),
    ("payment_method_tender", "payment_method_tender", "text"),
    ("customer_reference", "customer_reference", "text"),
    ("country", "country", "text"),
    ("currency", "currency", "text"),
    ("amount", "amount", "minor"),
    ("fee", "fee", "minor"),
    ("net_amount", "net_amount", "minor"),
    ("payment_id", "payment_id", "id"),
    ("obligation_id", "obligation_id", "id"),
    ("channel", "channel", "text"),
    ("report_name", "report_name", "text"),
    ("period_end", "period_end", "date"),
)
SETTLEMENT_FRAME_COLUMNS: Final[tuple[ColumnSpec, ...]] = (
    ("settlement_date", "settlement_date", "date"),
    ("currency", "currency", "text"),
    ("transaction_count", "transaction_count", "minor"),
    ("gross_amount", "gross_amount", "minor"),
    ("fees", "fees", "minor"),
    ("net_amount", "net_amount", "minor"),
    ("report_name", "report_name", "text"),
    ("period_end", "period_end", "date"),
)
REPORT_FILE_FRAME_COLUMNS: Final[tuple[ColumnSpec, ...]] = (
    ("name", "name", "text"),
    ("kind", "kind", "text"),
    ("generated", "generated", "date"),
    ("period_end", "period_end", "date"),
    ("title", "title", "text"),
    ("version", "version", "text"),
    ("merchant_alias", "merchant_alias", "text"),
    ("start", "period_start", "timestamp"),
    ("end", "period_until", "timestamp"),
    ("imported_at", "imported_at", "timestamp"),
    ("checksum", "checksum", "text"),
    ("rows", "row_count", "minor"),
)


def report_rows_query(
    selected: str, table: str, *, until: str | None = None, collate: str = ""
) -> str:
    """A report table's rows in file order (period, file, place); `until`: the parameter that keeps periods
    ending by a day. `collate` orders names by bytes in a database whose default collation does not."""
    where = f" WHERE period_end <= {until}" if until else ""
    return (
        f"SELECT {selected}, extra FROM {table}{where}"
        f" ORDER BY period_end, report_name{collate}, row_number"
    )


def report_files_query(selected: str, collate: str = "") -> str:
    return (
        f"SELECT {selected}, header_extra FROM report_files"
        f" ORDER BY period_end, generated, name{collate}"
    )


def select_report_rows(table: str, columns: tuple[ColumnSpec, ...], *, until: bool) -> str:
    return report_rows_query(select_list(columns), table, until="?" if until else None)


SELECT_REPORT_FILES: Final = report_files_query(select_list(REPORT_FILE_FRAME_COLUMNS))
