"""The sandbox database's schema, as an ordered list of SQL steps.

`PRAGMA user_version` records how many steps a database has had; opening it runs the rest, each in its own
transaction. Append a step to change the schema; never edit one that has shipped.

Every object is kept whole as JSON in `object`, next to the columns the sandbox searches or sorts on.
`seq` orders lists newest first and makes `starting_after` cursors cheap.
"""

from __future__ import annotations

__all__ = ["MIGRATIONS"]

_BILLING = """
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE customers (
    seq                INTEGER PRIMARY KEY,
    id                 TEXT NOT NULL UNIQUE,
    external_reference TEXT NOT NULL UNIQUE,
    object             TEXT NOT NULL
);
CREATE TABLE accounts (
    seq                INTEGER PRIMARY KEY,
    id                 TEXT NOT NULL UNIQUE,
    external_reference TEXT NOT NULL UNIQUE,
    customer_id        TEXT NOT NULL,
    object             TEXT NOT NULL
);
CREATE INDEX accounts_by_customer ON accounts (customer_id, seq);
CREATE TABLE bills (
    seq                INTEGER PRIMARY KEY,
    id                 TEXT NOT NULL UNIQUE,
    external_reference TEXT NOT NULL UNIQUE,
    customer_id        TEXT NOT NULL,
    account_id         TEXT,
    status             TEXT NOT NULL,
    object             TEXT NOT NULL
);
CREATE INDEX bills_by_customer ON bills (customer_id, seq);
CREATE INDEX bills_by_account ON bills (account_id, seq) WHERE account_id IS NOT NULL;
-- One row per (key owner, method, path, key): the first response, replayed for 24 hours of sandbox time.
-- Expired rows are swept about once an hour by a scan, which costs less than indexing every write.
CREATE TABLE idempotency (
    owner       TEXT NOT NULL,
    method      TEXT NOT NULL,
    path        TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status      INTEGER NOT NULL,
    body        TEXT NOT NULL,
    created_at  REAL NOT NULL,
    PRIMARY KEY (owner, method, path, key)
) WITHOUT ROWID;
"""

_PAYMENTS_AND_EVENTS = """
CREATE TABLE payments (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    object     TEXT NOT NULL
);
CREATE TABLE events (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    type       TEXT NOT NULL,
    created_at REAL NOT NULL,
    object     TEXT NOT NULL
);
CREATE TABLE webhook_endpoints (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    url        TEXT NOT NULL,
    chaos      TEXT,
    created_at REAL NOT NULL
);
-- Deliveries still owed to the webhook endpoint, written in the same transaction as their event.
-- status: pending (due at due_at, sandbox clock), delivered, failed (schedule exhausted) or cancelled
-- (the endpoint was deleted). attempts counts the tries made so far.
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY,
    event_id    TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    endpoint_id TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending',
    attempts    INTEGER NOT NULL DEFAULT 0,
    due_at      REAL NOT NULL,
    created_at  REAL NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, due_at);
CREATE INDEX outbox_by_event ON outbox (event_id);
"""

# Webhook delivery (billkit.sandbox.delivery): why each outbox row exists (event, redeliver, or a chaos
# copy), whether chaos was rolled for it yet, and a log of every attempt. Attempts go with their event.
_DELIVERY_LOG = """
ALTER TABLE outbox ADD COLUMN origin TEXT NOT NULL DEFAULT 'event';
ALTER TABLE outbox ADD COLUMN chaos_rolled INTEGER NOT NULL DEFAULT 0;
CREATE TABLE webhook_attempts (
    seq          INTEGER PRIMARY KEY,
    event_id     TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    outbox_seq   INTEGER NOT NULL,
    webhook_id   TEXT NOT NULL,
    attempt      INTEGER NOT NULL,
    timestamp    INTEGER NOT NULL,
    status_code  INTEGER,
    error        TEXT,
    duration_ms  REAL NOT NULL
);
CREATE INDEX webhook_attempts_by_event ON webhook_attempts (event_id, seq);
"""

# Collect payment requests (billkit.sandbox.payment_requests), and the receipts of hosted-page payments
# filed under the form token that made them, so a second submission of one form shows its receipt.
_PAYMENT_REQUESTS_AND_PAGES = """
CREATE TABLE payment_requests (
    seq                INTEGER PRIMARY KEY,
    id                 TEXT NOT NULL UNIQUE,
    external_reference TEXT UNIQUE,
    object             TEXT NOT NULL
);
CREATE TABLE page_receipts (
    token      TEXT PRIMARY KEY,
    target_id  TEXT NOT NULL,
    receipt    TEXT NOT NULL,
    created_at REAL NOT NULL
) WITHOUT ROWID;
"""


# Every state each customer, account and bill has had (GET /_sandbox/versions), written in the same
# transaction as the change. Objects that existed before this step get one version, dated when the
# database was upgraded (on the sandbox clock: wall time plus the kept clock offset).
_VERSIONS = """
CREATE TABLE versions (
    seq    INTEGER PRIMARY KEY,
    kind   TEXT NOT NULL,
    id     TEXT NOT NULL,
    at     REAL NOT NULL,
    object TEXT NOT NULL
);
CREATE INDEX versions_by_kind ON versions (kind, seq);
INSERT INTO versions (kind, id, at, object)
    SELECT kind, id, (julianday('now') - 2440587.5) * 86400.0
                     + coalesce((SELECT CAST(value AS REAL) FROM meta WHERE name = 'clock_offset'), 0),
           object
    FROM (SELECT 1 AS rank, seq, 'customer' AS kind, id, object FROM customers
          UNION ALL SELECT 2, seq, 'account', id, object FROM accounts
          UNION ALL SELECT 3, seq, 'bill', id, object FROM bills)
    ORDER BY rank, seq;
"""

# Billing files received over SFTP (contract §9): one entry per processing, and each row's result.
_BILL_FILES = """
CREATE TABLE bill_files (
    seq         INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    received_at TEXT NOT NULL,
    status      TEXT NOT NULL,
    created     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    unchanged   INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX bill_files_by_name ON bill_files (name, seq);
CREATE TABLE bill_file_rows (
    file_seq           INTEGER NOT NULL REFERENCES bill_files (seq) ON DELETE CASCADE,
    row                INTEGER NOT NULL,
    external_reference TEXT NOT NULL,
    bill_reference     TEXT NOT NULL,
    status             TEXT NOT NULL,
    customer_id        TEXT NOT NULL,
    bill_id            TEXT NOT NULL,
    errors             TEXT NOT NULL,
    PRIMARY KEY (file_seq, row)
) WITHOUT ROWID;
"""

# Reconciliation and settlement reports (contract §10). Payments get their time on the sandbox clock as a
# column, so the days that held payments are found from an index, not by reading every payment; payments
# made before this step take it from their created_at. Each report is kept whole (so it can be served and
# filed into SFTP later); `filed` says whether it is in /outbound/reports/ yet.
_REPORTS = """
ALTER TABLE payments ADD COLUMN created_at REAL;
UPDATE payments
    SET created_at = round((julianday(json_extract(object, '$.created_at')) - 2440587.5) * 86400.0);
CREATE INDEX payments_by_time ON payments (created_at);
CREATE TABLE reports (
    seq          INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    period       TEXT NOT NULL,
    generated_on TEXT NOT NULL,
    uuid         TEXT NOT NULL,
    name         TEXT NOT NULL UNIQUE,
    content      BLOB NOT NULL,
    sha256       TEXT NOT NULL,
    row_count    INTEGER NOT NULL,
    written_at   REAL NOT NULL,
    filed        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, period)
);
CREATE INDEX reports_unfiled ON reports (seq) WHERE filed = 0;
"""

MIGRATIONS: list[str] = [
    _BILLING,
    _PAYMENTS_AND_EVENTS,
    _DELIVERY_LOG,
    _PAYMENT_REQUESTS_AND_PAGES,
    _VERSIONS,
    _BILL_FILES,
    _REPORTS,
]
