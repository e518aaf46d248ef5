"""The ledger's SQLite schema and the typed columns each reader returns.

`object_versions` keeps one row per *change* of an object: a row is added only when the content observed at a
time differs from the version already in effect at that time (the latest row observed at or before it). So
recording the same version again, at the same or a later time, writes nothing, while a balance that goes
2000 -> 0 -> 2000 keeps all three versions (uniqueness on the content hash alone would lose the last one).
`events` keeps each webhook event once, keyed on its `evt_` ID.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal, TypeAlias

#: Bumped whenever the tables change shape; a ledger file from a newer billkit is refused, not misread.
SCHEMA_VERSION: Final = 1

DDL: Final = """
CREATE TABLE IF NOT EXISTS object_versions (
    seq                INTEGER PRIMARY KEY,  -- recording order: breaks ties between versions seen at one instant
    kind               TEXT NOT NULL,
    object_id          TEXT NOT NULL,
    observed_at        TEXT NOT NULL,        -- UTC, fixed-width ISO 8601 (text order is time order)
    content_hash       TEXT NOT NULL,        -- sha256 of the canonical JSON body
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
    bill_date          TEXT,
    due_date           TEXT,
    UNIQUE (kind, object_id, observed_at, content_hash)
);
CREATE INDEX IF NOT EXISTS object_versions_timeline
    ON object_versions (kind, object_id, observed_at, seq);

CREATE TABLE IF NOT EXISTS events (
    event_id    TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    received_at TEXT NOT NULL,
    created_at  TEXT,
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

OBJECT_COLUMNS: Final = (
    "kind",
    "object_id",
    "observed_at",
    "content_hash",
    "body",
    "external_reference",
    "customer_id",
    "account_id",
    "name",
    "currency",
    "status",
    "amount",
    "amount_due",
    "amount_paid",
    "amount_remaining",
    "balance",
    "bill_date",
    "due_date",
)

# A version is new only if it differs from the version in effect at its observation time.
INSERT_VERSION: Final = f"""
INSERT OR IGNORE INTO object_versions ({", ".join(OBJECT_COLUMNS)})
SELECT {", ".join(":" + c for c in OBJECT_COLUMNS)}
WHERE (
    SELECT content_hash FROM object_versions
    WHERE kind = :kind AND object_id = :object_id AND observed_at <= :observed_at
    ORDER BY observed_at DESC, seq DESC LIMIT 1
) IS NOT :content_hash
"""

EVENT_COLUMNS: Final = (
    "event_id",
    "type",
    "received_at",
    "created_at",
    "data_id",
    "payment_id",
    "amount",
    "currency",
    "bill_id",
    "account_id",
    "customer_id",
    "body",
)
INSERT_EVENT: Final = f"""
INSERT OR IGNORE INTO events ({", ".join(EVENT_COLUMNS)})
VALUES ({", ".join(":" + c for c in EVENT_COLUMNS)})
"""

#: What a column becomes in a DataFrame (dtypes in `billkit.frame_dtypes`): id and text `string`, category
#: `category`, minor `Int64`, date naive `datetime64[ns]`, timestamp `datetime64[ns, UTC]`.
ColumnType: TypeAlias = Literal["id", "text", "category", "minor", "date", "timestamp"]
ColumnSpec: TypeAlias = tuple[str, str, ColumnType]

# Per kind: (frame column, SQL column, type). The object's own ID is named after its kind (bill_id, ...),
# so frames of different kinds join on the names the API and the webhook events use.
_VERSION_TAIL: Final[tuple[ColumnSpec, ...]] = (("observed_at", "observed_at", "timestamp"),)
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
