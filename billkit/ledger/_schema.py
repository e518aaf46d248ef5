"""Every SQL statement the ledger runs, in one module: tables, migration, writes and reads.

Keeping the SQL here (and nothing else) is what lets a second backend be added beside SQLite later.

`object_versions` keeps one row per *state* of an object: `valid_from` is when that state began (the source's own
time when it knows it, as the sandbox's `GET /_sandbox/versions` does; else when the ledger observed it), and a
row is added only when its body differs from the state already in effect at that time (the latest row at or
before it). So recording the same state again, at the same or a later time, writes nothing, while a balance
that goes 2000 -> 0 -> 2000 keeps all three states. `events` keeps each webhook event once, keyed on its `evt_` ID.

Columns are typed: instants are INTEGER microseconds since 1970-01-01 UTC, calendar dates INTEGER days since
then, money INTEGER minor units. Reads are columnar: the rows are rendered as CSV by SQLite and parsed into
typed columns by pyarrow (`billkit.ledger._readers`), without a Python object per value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias

#: Bumped whenever the tables change shape; a ledger file from a newer billkit is refused, not misread.
#: 3 added Moment's report files (`REPORTS_DDL`); schema 2 moves up by creating those tables.
SCHEMA_VERSION: Final = 3

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
#: A new state's row. Which states are new is decided for the whole batch first (`billkit.ledger._writes`),
#: so this is a plain insert: the very statement the benchmark's baseline runs.
INSERT_VERSION: Final = (
    f"INSERT INTO object_versions ({', '.join(VERSION_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(VERSION_COLUMNS))})"
)
PLAIN_INSERT_VERSION: Final = INSERT_VERSION

# The stored state in effect for each of a batch's states, when that state began: (its position in the
# batch, the stored state's valid_from and body), for those whose object has one by then. The subquery walks
# only the timeline index; the body is read for the states found.
_IN_EFFECT: Final = """
SELECT j.key, v.valid_from, v.body FROM json_each(?1) AS j
JOIN object_versions AS v ON v.seq = (
    SELECT seq FROM object_versions
    WHERE kind = ?2 AND object_id = {object_id} AND valid_from <= {valid_from}
    ORDER BY valid_from DESC, seq DESC LIMIT 1
)
"""
#: ... for states that all began at one time (?3): ?1 is a JSON array of their object IDs.
STORED_IN_EFFECT_AT: Final = _IN_EFFECT.format(object_id="j.value", valid_from="?3")
#: ... for states that began at times of their own: ?1 is a JSON array of [object ID, valid_from] pairs.
STORED_IN_EFFECT: Final = _IN_EFFECT.format(
    object_id="json_extract(j.value, '$[0]')", valid_from="json_extract(j.value, '$[1]')"
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
#: `category`, minor `Int64`, date naive `datetime64[ns]`, timestamp `datetime64[ns, UTC]`, flag `bool`,
#: integer a plain int64 array (no missing values).
ColumnType: TypeAlias = Literal[
    "id", "text", "category", "minor", "date", "timestamp", "flag", "integer"
]
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

#: What `Ledger.as_of` reads: each kind's states without bodies (bills without `observed_at`, which the frames
#: do not use), and the applied payments without their type and when they were received.
AS_OF_KIND_COLUMNS: Final[Mapping[str, tuple[ColumnSpec, ...]]] = {
    kind: tuple(spec for spec in KIND_COLUMNS[kind] if kind != "bill" or spec[0] != "observed_at")
    for kind in ("bill", "customer", "account")
}
AS_OF_EVENT_COLUMNS: Final[tuple[ColumnSpec, ...]] = tuple(
    spec for spec in EVENT_FRAME_COLUMNS if spec[0] not in ("type", "received_at")
)

#: What `versions` adds to a kind's columns: the recording order, and the body when asked for.
SEQ: Final[ColumnSpec] = ("seq", "seq", "integer")
BODY: Final[ColumnSpec] = ("body", "body", "text")
_TEXT: Final = frozenset({"id", "text", "category"})
#: Text columns whose every value was checked when recorded to be a Moment ID (a prefix, then letters and
#: digits: `billkit.ids`) or a currency code: nothing in them needs quoting, which costs SQLite time.
_UNQUOTED: Final = frozenset(
    {"object_id", "customer_id", "account_id", "bill_id", "event_id", "currency"}
)

#: The columnar read's CSV (see `billkit.ledger._readers`): printf's %Q quotes text as 'it''s' and writes a
#: missing one as NULL, unquoted; %s writes a missing number as nothing.
CSV_QUOTE: Final = "'"
CSV_NULLS: Final = ("", "NULL")


def _csv_chunk(columns: Sequence[ColumnSpec], table: str, where: str) -> str:
    """Rows of `table` matching `where` (parameters first), after rowid ? and at most ? of them, rendered as
    CSV lines in one blob: (blob, the last rowid, how many rows). `+kind` and `+type` keep SQLite on the
    rowid range of the table: through an index (the timeline, or events by type and time) it would look each
    row up in index order and sort every remaining row by rowid again for each chunk, which grows with the
    square of the table's size."""
    line = ",".join(
        "%Q" if kind in _TEXT and sql not in _UNQUOTED else "%s" for _, sql, kind in columns
    )
    selected = ", ".join(sql for _, sql, _ in columns)
    return (
        "SELECT CAST(group_concat(line, char(10)) AS BLOB), max(rid), count(*) FROM ("
        f"SELECT printf('{line}', {selected}) AS line, rowid AS rid FROM {table} "
        f"WHERE {where} AND rowid > ? ORDER BY rowid LIMIT ?)"
    )


def read_versions(
    columns: Sequence[ColumnSpec], *, until: bool, where: str = "", few: bool = False
) -> str:
    """Every state of one kind (?), optionally only those that began by a time (?) and those `where` (a
    `versions_scope` clause, its parameters next) keeps, a chunk at a time. `few`: the kind is a small part
    of the table (`KIND_COUNT_UP_TO`), so its states are found through the timeline index instead of a walk of
    the whole table."""
    return _csv_chunk(
        columns,
        "object_versions",
        ("kind = ?" if few else "+kind = ?")
        + (" AND valid_from <= ?" if until else "")
        + (f" AND {where}" if where else ""),
    )


#: About how many states the table has (its last `seq`).
STATES_TOTAL: Final = "SELECT max(seq) FROM object_versions"
#: How many states a kind has, counted in the timeline index up to a limit (?2): counting every bill of a
#: million-bill ledger costs a quarter of a second, and only a small count changes how the kind is read.
KIND_COUNT_UP_TO: Final = (
    "SELECT count(*) FROM (SELECT 1 FROM object_versions WHERE kind = ?1 LIMIT ?2)"
)
#: A kind with fewer states than this part of the table (and at most one chunk) is read through the index.
FEW_STATES_SHARE: Final = 0.25


def read_events(columns: Sequence[ColumnSpec], *, event_type: bool, where: str = "") -> str:
    """Every event (or those of one type, ?, and those `where` keeps: `events_scope`), a chunk at a time."""
    return _csv_chunk(
        columns,
        "events",
        ("+type = ?" if event_type else "1 = 1") + (f" AND {where}" if where else ""),
    )


@dataclass(frozen=True)
class Scope:
    """What one `Ledger.as_of` call needs of the record: states and payments that can matter before the cutoff
    `before` (µs; None: any time), for the frames of one `currency` and/or one `customer` (None: all).

    The clauses below keep a superset of the rows the frames use, never fewer: whole objects (every state of
    an object that ever matched), so the state in effect at the cutoff is picked, and the frames narrowed,
    by the same code as after a full read.
    """

    before: int | None = None
    currency: str | None = None
    customer: str | None = None

    def covers(self, other: Scope) -> bool:
        """Whether the rows read for this scope hold every row `other` needs."""
        return (
            (self.before is None or (other.before is not None and other.before <= self.before))
            and self.currency in (None, other.currency)
            and self.customer in (None, other.customer)
        )


#: Writes the SQL parameter number `n` (from 1) in a backend's style: SQLite `?`, PostgreSQL `$n`.
Mark: TypeAlias = Callable[[int], str]


class _Parameters:
    """A clause's parameters, numbered from `first`: calling it with a value adds it and gives its mark."""

    def __init__(self, mark: Mark, first: int) -> None:
        self._mark, self._first = mark, first
        self.values: list[Any] = []

    def __call__(self, value: Any) -> str:
        self.values.append(value)
        return self._mark(self._first + len(self.values) - 1)


def _objects(kind: str, column: str, marked: str) -> str:
    """The objects of `kind` of which any state has `column` = the parameter `marked`."""
    return f"SELECT object_id FROM object_versions WHERE kind = '{kind}' AND {column} = {marked}"


def scoped_versions(kind: str, scope: Scope, mark: Mark, first: int) -> tuple[str, list[Any]]:
    """The clause (and its parameters, numbered from `first`) keeping the states of `kind` that `scope` needs.

    A currency: objects that ever had it, and for customers also the owners of accounts that did (an
    account's frame is labelled with its customer). A customer: that customer, and the accounts and bills
    that ever belonged to it. The cutoff is not applied to states: the state in effect is the latest before
    it or, for an object recorded only after it, the first, so a clause keeping both was measured at a third
    more CPU for a 1M-bill read while leaving out only the states that came later (few per object).
    """
    clauses: list[str] = []
    param = _Parameters(mark, first)
    if scope.currency is not None:
        found = f"object_id IN ({_objects(kind, 'currency', param(scope.currency))})"
        if kind == "customer":
            owners = (
                "SELECT customer_id FROM object_versions WHERE kind = 'account'"
                f" AND currency = {param(scope.currency)}"
            )
            found = f"({found} OR object_id IN ({owners}))"
        clauses.append(found)
    if scope.customer is not None:
        marked = param(scope.customer)
        clauses.append(
            f"object_id = {marked}"
            if kind == "customer"
            else f"object_id IN ({_objects(kind, 'customer_id', marked)})"
        )
    return " AND ".join(clauses), param.values


def scoped_events(scope: Scope, mark: Mark, first: int) -> tuple[str, list[Any]]:
    """The clause (and its parameters, numbered from `first`) keeping the payment events `scope` needs.

    Before the cutoff: payments made before it, and every payment to a balance (an account or customer),
    since a balance first recorded after the cutoff is wound back by the payments in between. A currency:
    payments in it (no payment counts towards an object of another currency). A customer: payments naming
    it, or one of the bills or accounts that ever belonged to it.
    """
    clauses: list[str] = []
    param = _Parameters(mark, first)
    if scope.before is not None:
        clauses.append(f"(created_at < {param(scope.before)} OR bill_id IS NULL)")
    if scope.currency is not None:
        clauses.append(f"currency = {param(scope.currency)}")
    if scope.customer is not None:
        own = param(scope.customer)
        bills = _objects("bill", "customer_id", param(scope.customer))
        accounts = _objects("account", "customer_id", param(scope.customer))
        clauses.append(
            f"(customer_id = {own} OR bill_id IN ({bills}) OR account_id IN ({accounts}))"
        )
    return " AND ".join(clauses), param.values


def _sqlite_mark(n: int) -> str:
    return "?"


def versions_scope(kind: str, scope: Scope, first: int) -> tuple[str, list[Any]]:
    """`scoped_versions` with SQLite's parameters."""
    return scoped_versions(kind, scope, _sqlite_mark, first)


def events_scope(scope: Scope, first: int) -> tuple[str, list[Any]]:
    """`scoped_events` with SQLite's parameters."""
    return scoped_events(scope, _sqlite_mark, first)


SELECT_LATEST_BODY: Final = (
    "SELECT body FROM object_versions WHERE kind = ? AND object_id = ? "
    "ORDER BY valid_from DESC, seq DESC LIMIT 1"
)
COUNT_OBJECTS: Final = "SELECT kind, COUNT(DISTINCT object_id) FROM object_versions GROUP BY kind"
COUNT_EVENTS: Final = "SELECT COUNT(*) FROM events"
#: How many report files were imported (a file's rows are written with it): whether the report rows changed.
COUNT_REPORT_FILES: Final = "SELECT COUNT(*) FROM report_files"
#: Changes when another connection commits to the file (this connection's own: `total_changes`).
DATA_VERSION: Final = "PRAGMA data_version"
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


#: What a report read adds to the frame's columns: the stored extras (JSON text) and the row's place in its
#: file, by which rows are put in file order (period, file, place) once read.
REPORT_ROW_TAIL: Final[tuple[ColumnSpec, ...]] = (
    ("extra", "extra", "text"),
    ("row_number", "row_number", "integer"),
)
REPORT_ROW_ORDER: Final = ("period_end", "report_name", "row_number")
REPORT_FILE_TAIL: Final[tuple[ColumnSpec, ...]] = (("header_extra", "header_extra", "text"),)
REPORT_FILE_ORDER: Final = ("period_end", "generated", "name")


def read_report_rows(table: str, columns: Sequence[ColumnSpec], *, until: bool) -> str:
    """A report table's rows (optionally only of periods ending by a day, ?), a chunk at a time."""
    return _csv_chunk(columns, table, "period_end <= ?" if until else "1 = 1")


def read_report_files(columns: Sequence[ColumnSpec]) -> str:
    return _csv_chunk(columns, "report_files", "1 = 1")
