"""The sandbox's SQLite store: every table and every SQL statement of the sandbox, one `Store` per running
sandbox, one transaction per request.

    store = Store.open("sandbox.sqlite3")          # or ":memory:"
    with store.transaction():
        bill = store.bills.find("UBR1234567890")
        ...

`add_event` is the one place an event is written together with the delivery it is owed, and `outbox` is
the one writer of the outbox; when a transaction that queued a delivery commits, `on_delivery_queued` is
called (the runtime wakes the delivery worker with it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from billkit.sandbox.domain.errors import DuplicateReference
from billkit.sandbox.domain.payments import AppliedPayment
from billkit.sandbox.store.bill_files import BillFiles
from billkit.sandbox.store.database import Database, StoreError, Transaction
from billkit.sandbox.store.events import EventLog
from billkit.sandbox.store.idempotency import IdempotencyRecords, Scope, StoredResponse
from billkit.sandbox.store.meta import Meta
from billkit.sandbox.store.objects import ObjectKind, ObjectTable
from billkit.sandbox.store.outbox import Outbox
from billkit.sandbox.store.paging import Page, UnknownCursor
from billkit.sandbox.store.payment_requests import PaymentRequestTable
from billkit.sandbox.store.receipts import PageReceipts
from billkit.sandbox.store.reports import Reports
from billkit.sandbox.store.versions import Versions
from billkit.sandbox.store.webhooks import WebhookEndpoints

__all__ = [
    "DuplicateReference",
    "ObjectKind",
    "Page",
    "Scope",
    "Store",
    "StoreError",
    "StoredResponse",
    "UnknownCursor",
]

#: What `POST /_sandbox/reset` empties, children before parents. The key, the webhook secret, the endpoint
#: and the clock are kept. Reports are made of the payments, so they go too (files already in the SFTP
#: folder are the merchant's and stay, as results files do).
_RESET_TABLES = (
    "reports",
    "versions",
    "bill_file_rows",
    "bill_files",
    "page_receipts",
    "payment_requests",
    "outbox",
    "events",
    "payments",
    "bills",
    "accounts",
    "customers",
    "idempotency",
)
#: The counts `reset()` reports, by table.
_COUNTED = ("customers", "accounts", "bills", "payments", "events")


class Store:
    def __init__(self, database: Database) -> None:
        self.database = database
        connection = database.connection
        self.versions = Versions(connection)
        self.customers = ObjectTable(connection, "customer", self.versions)
        self.accounts = ObjectTable(connection, "account", self.versions)
        self.bills = ObjectTable(connection, "bill", self.versions)
        self.payment_requests = PaymentRequestTable(connection)
        self.page_receipts = PageReceipts(connection)
        self.bill_files = BillFiles(connection)
        self.reports = Reports(connection)
        self.events = EventLog(connection)
        self.outbox = Outbox(connection)
        self.webhook_endpoints = WebhookEndpoints(connection)
        self.idempotency = IdempotencyRecords(connection)
        self.meta = Meta(connection)
        #: Called after a transaction that queued a webhook delivery has committed.
        self.on_delivery_queued: Callable[[], None] | None = None
        #: Inside a transaction: undo only one block's writes if it raises.
        self.savepoint = database.savepoint
        self._tables: dict[ObjectKind, ObjectTable] = {
            "customer": self.customers,
            "account": self.accounts,
            "bill": self.bills,
        }

    @classmethod
    def open(cls, path: str) -> Store:
        return cls(Database.open(path))

    def transaction(self) -> Transaction:
        """All or nothing (see `Database.transaction`); wakes the delivery worker once a transaction
        that queued a delivery has committed."""
        self.outbox.written = False
        return self.database.transaction(on_commit=self._committed)

    def _committed(self) -> None:
        if self.outbox.written and self.on_delivery_queued is not None:
            self.outbox.written = False
            self.on_delivery_queued()

    def objects(self, kind: ObjectKind) -> ObjectTable:
        return self._tables[kind]

    def open_bill_currencies(
        self, owner: Literal["customer", "account"], owner_id: str
    ) -> set[str]:
        """The currencies of the bills of `owner_id` that are not voided."""
        column = {"customer": "customer_id", "account": "account_id"}[owner]  # never from input
        rows = self.database.connection.execute(
            f"SELECT DISTINCT json_extract(object, '$.currency') FROM bills "
            f"WHERE {column} = ? AND status != 'voided'",
            (owner_id,),
        )
        return {str(currency) for (currency,) in rows}

    def record_payment(self, applied: AppliedPayment, *, now: float) -> None:
        """Write everything `applied` changes: the obligation, the payment, its event and delivery."""
        self.objects(applied.kind).update(applied.obligation, at=now)
        self.events.add_payment(applied.payment, created_at=now)
        self.add_event(applied.event, now=now)

    def add_event(self, event: dict[str, Any], *, now: float) -> None:
        """Store an event and, when an endpoint is registered, owe it a delivery."""
        self.events.add_event(event, created_at=now)
        endpoint = self.webhook_endpoints.current()
        if endpoint is not None:
            self.outbox.enqueue(event["id"], endpoint["id"], origin="event", now=now)

    def reset(self) -> dict[str, int]:
        """Delete all billing data and events (inside the caller's transaction); counts by kind."""
        connection = self.database.connection
        counts = {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in _COUNTED
        }
        for table in _RESET_TABLES:
            connection.execute(f"DELETE FROM {table}")
        return counts

    def close(self) -> None:
        self.database.close()
