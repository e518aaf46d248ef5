"""The sandbox's SQLite store: one `Store` per running sandbox, one transaction per request.

    store = Store.open("sandbox.sqlite3")          # or ":memory:"
    with store.transaction():
        bill = store.bills.find("UBR1234567890")
        ...

`record_payment` is the one place a payment's effects are written (obligation, payment, event and, when an
endpoint is registered, the outbox row), so every way of paying stores exactly the same things.
"""

from __future__ import annotations

from typing import Any

from billkit.sandbox.domain.payments import AppliedPayment
from billkit.sandbox.store.database import Database, StoreError
from billkit.sandbox.store.events import EventLog
from billkit.sandbox.store.idempotency import IdempotencyRecords, Scope, StoredResponse
from billkit.sandbox.store.meta import Meta
from billkit.sandbox.store.objects import DuplicateReference, ObjectKind, ObjectTable
from billkit.sandbox.store.paging import Page, UnknownCursor
from billkit.sandbox.store.webhooks import WebhookEndpoints

__all__ = [
    "RESET_TABLES",
    "DuplicateReference",
    "ObjectKind",
    "Page",
    "Scope",
    "Store",
    "StoreError",
    "StoredResponse",
    "UnknownCursor",
]

#: What `POST /_sandbox/reset` empties, children before parents. Modules that add tables of billing data
#: or events append them here. The key, the webhook secret, the endpoint and the clock are kept.
RESET_TABLES: list[str] = [
    "page_receipts",
    "payment_requests",
    "outbox",
    "events",
    "payments",
    "bills",
    "accounts",
    "customers",
    "idempotency",
]
#: The counts `reset()` reports, by table.
_COUNTED = ("customers", "accounts", "bills", "payments", "events")


class Store:
    def __init__(self, database: Database) -> None:
        self.database = database
        connection = database.connection
        self.customers = ObjectTable(connection, "customer")
        self.accounts = ObjectTable(connection, "account")
        self.bills = ObjectTable(connection, "bill")
        self.events = EventLog(connection)
        self.webhook_endpoints = WebhookEndpoints(connection)
        self.idempotency = IdempotencyRecords(connection)
        self.meta = Meta(connection)
        #: All or nothing (see `Database.transaction`); `savepoint()` undoes one block inside it.
        self.transaction = database.transaction
        self.savepoint = database.savepoint
        self._tables: dict[ObjectKind, ObjectTable] = {
            "customer": self.customers,
            "account": self.accounts,
            "bill": self.bills,
        }

    @classmethod
    def open(cls, path: str) -> Store:
        return cls(Database.open(path))

    def objects(self, kind: ObjectKind) -> ObjectTable:
        return self._tables[kind]

    def record_payment(self, applied: AppliedPayment, *, now: float) -> bool:
        """Write everything `applied` changes; True when a webhook delivery was queued with it."""
        self.objects(applied.kind).update(applied.obligation)
        self.events.add_payment(applied.payment)
        return self.add_event(applied.event, now=now)

    def add_event(self, event: dict[str, Any], *, now: float) -> bool:
        """Store an event and, when an endpoint is registered, owe it a delivery; True if one was queued."""
        self.events.add_event(event, created_at=now)
        endpoint = self.webhook_endpoints.current()
        if endpoint is None:
            return False
        self.events.enqueue(event["id"], endpoint_id=endpoint["id"], now=now)
        return True

    def reset(self) -> dict[str, int]:
        """Delete all billing data and events (inside the caller's transaction); counts by kind."""
        connection = self.database.connection
        counts = {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in _COUNTED
        }
        for table in RESET_TABLES:
            connection.execute(f"DELETE FROM {table}")
        return counts

    def close(self) -> None:
        self.database.close()
