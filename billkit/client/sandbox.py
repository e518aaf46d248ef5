"""`client.sandbox`: the routes only billkit's local sandbox has (sandbox contract §6).

Register a webhook endpoint, pay a bill as a payer would, look at the events and their deliveries, list what
the sandbox holds, move its clock, start over. These routes do not exist on Moment's API, so a client pointed
at Moment refuses them before sending anything.

    with billkit.Sandbox() as sandbox:
        client = sandbox.client()
        bill = client.bills.create(...)
        client.sandbox.payments.create(bill=bill.id, amount=bill.amount_due)
        for event in client.sandbox.events.iterate():
            ...
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import date, datetime, timedelta
from typing import Any, TypeVar, Unpack

from billkit.client import _sandbox_calls as calls
from billkit.client._base import AsyncSend, SyncSend
from billkit.client._models import Account, Bill, Customer
from billkit.client._resource import AsyncResource, SyncResource
from billkit.client._sandbox_models import (
    Delivery,
    ObjectVersion,
    Page,
    SandboxPayment,
    SandboxReport,
    WebhookEndpoint,
)

__all__ = ["AsyncSandboxRoutes", "SandboxRoutes", "aiterate_pages", "iterate_pages"]

T = TypeVar("T")


def iterate_pages(send: SyncSend, page_calls: calls.PageCalls[T]) -> Iterator[T]:
    """Every item of a paged list, fetching the next page only when the previous one is used up."""
    cursor = None
    while True:
        page = send(page_calls(cursor))
        yield from page.data
        if not page.has_more or page.next_cursor is None:
            return
        cursor = page.next_cursor


async def aiterate_pages(send: AsyncSend, page_calls: calls.PageCalls[T]) -> AsyncIterator[T]:
    """The async twin of `iterate_pages`."""
    cursor = None
    while True:
        page = await send(page_calls(cursor))
        for item in page.data:
            yield item
        if not page.has_more or page.next_cursor is None:
            return
        cursor = page.next_cursor


class WebhookEndpoints(SyncResource):
    """`client.sandbox.webhook_endpoints`: where the sandbox sends signed events (one at a time)."""

    def create(
        self,
        url: str,
        chaos: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> WebhookEndpoint:
        """Register (or replace) the endpoint. `chaos` makes delivery unreliable on purpose, to test a
        receiver: `{"duplicate_rate": 0..1, "delay_rate": 0..1, "max_delay_seconds": 0..300, "seed": int}`.
        """
        return self._send(calls.create_webhook_endpoint(url, chaos, idempotency_key))

    def list(self) -> builtins.list[WebhookEndpoint]:
        return self._send(calls.list_webhook_endpoints())

    def delete(self, endpoint_id: str) -> None:
        self._send(calls.delete_webhook_endpoint(endpoint_id))


class Payments(SyncResource):
    """`client.sandbox.payments`: pay as a payer would, firing `obligation.amount_applied`."""

    def create(
        self, *, idempotency_key: str | None = None, **params: Unpack[calls.SandboxPaymentParams]
    ) -> SandboxPayment:
        """Apply `amount` (minor units) to exactly one `bill`, `account`, `customer` or
        `payment_request`: `client.sandbox.payments.create(bill=bill.id, amount=2000)`.
        """
        return self._send(calls.create_payment(params, idempotency_key))


class Events(SyncResource):
    """`client.sandbox.events`: every event the sandbox emitted, newest first, as the API sends them."""

    def list(
        self, limit: int = calls.DEFAULT_EVENTS_PAGE, starting_after: str | None = None
    ) -> Page[dict[str, Any]]:
        return self._send(calls.list_events(limit, starting_after))

    def iterate(self, *, page_size: int = calls.MAX_PAGE_SIZE) -> Iterator[dict[str, Any]]:
        """Every event, newest first, fetched a page at a time."""
        return iterate_pages(self._send, calls.event_pages(page_size))

    def retrieve(self, event_id: str) -> dict[str, Any]:
        return self._send(calls.retrieve_event(event_id))

    def deliveries(self, event_id: str) -> builtins.list[Delivery]:
        """Each attempt at delivering the event to the webhook endpoint, and how it went."""
        return self._send(calls.event_deliveries(event_id))

    def redeliver(self, event_id: str, *, idempotency_key: str | None = None) -> None:
        """Queue a fresh delivery of the event (same `evt_` id, new `webhook-id`)."""
        self._send(calls.redeliver_event(event_id, idempotency_key))


class Versions(SyncResource):
    """`client.sandbox.versions`: every state each customer, account and bill has had, oldest first,
    with the sandbox-clock time it began (what a ledger needs to know what was true on a past day)."""

    def list(
        self,
        *,
        kind: str | None = None,
        since: datetime | None = None,
        limit: int = calls.DEFAULT_VERSIONS_PAGE,
        starting_after: int | None = None,
    ) -> Page[ObjectVersion]:
        """One page: `kind` customer, account or bill; `since` an aware datetime; `starting_after` a seq."""
        return self._send(calls.list_versions(kind, since, limit, starting_after))

    def iterate(
        self,
        *,
        kind: str | None = None,
        since: datetime | None = None,
        page_size: int = calls.MAX_VERSIONS_PAGE,
    ) -> Iterator[ObjectVersion]:
        """Every version, oldest first, fetched a page at a time."""
        return iterate_pages(self._send, calls.version_pages(kind, since, page_size))


class CustomerList(SyncResource):
    def list(self, *, page_size: int = calls.MAX_PAGE_SIZE) -> Iterator[Customer]:
        """Every customer the sandbox holds, fetched a page at a time."""
        return iterate_pages(self._send, calls.customer_pages(page_size))


class AccountList(SyncResource):
    def list(
        self, *, customer: str | None = None, page_size: int = calls.MAX_PAGE_SIZE
    ) -> Iterator[Account]:
        """Every account the sandbox holds (of one customer, if given)."""
        return iterate_pages(self._send, calls.account_pages(customer, page_size))


class BillList(SyncResource):
    def list(
        self,
        *,
        customer: str | None = None,
        account: str | None = None,
        status: str | None = None,
        page_size: int = calls.MAX_PAGE_SIZE,
    ) -> Iterator[Bill]:
        """Every bill the sandbox holds, narrowed by customer, account and status (unpaid/paid/voided)."""
        return iterate_pages(self._send, calls.bill_pages(customer, account, status, page_size))


class Clock(SyncResource):
    """`client.sandbox.clock`: sandbox time, which only moves forward (webhook retries, expiries)."""

    def now(self) -> datetime:
        return self._send(calls.read_clock())

    def advance(
        self, seconds: float | timedelta, *, idempotency_key: str | None = None
    ) -> datetime:
        """Move sandbox time forward; returns the new time."""
        return self._send(calls.advance_clock(seconds, idempotency_key))


class Reports(SyncResource):
    """`client.sandbox.reports`: the reconciliation and settlement reports the sandbox wrote (§10)."""

    def create(self, day: date, *, idempotency_key: str | None = None) -> list[SandboxReport]:
        """Both reports of `day` (which must have ended on the sandbox clock), written now unless they
        were already: asking again answers the same two."""
        return self._send(calls.write_reports(day, idempotency_key))

    def list(
        self, *, kind: str | None = None, since: date | None = None
    ) -> builtins.list[SandboxReport]:
        """Oldest day first; `kind` reconciliation or settlement, `since` a first day."""
        return self._send(calls.list_reports(kind, since))

    def retrieve(self, name: str) -> SandboxReport:
        """One report by file name, with its `content` (`.content_bytes` is the file)."""
        return self._send(calls.retrieve_report(name))


class SandboxRoutes(SyncResource):
    """`client.sandbox`: routes that exist only on billkit's local sandbox."""

    def __init__(self, send: SyncSend) -> None:
        super().__init__(send)
        self.webhook_endpoints = WebhookEndpoints(send)
        self.payments = Payments(send)
        self.events = Events(send)
        self.versions = Versions(send)
        self.customers = CustomerList(send)
        self.accounts = AccountList(send)
        self.bills = BillList(send)
        self.clock = Clock(send)
        self.reports = Reports(send)

    def reset(self, *, idempotency_key: str | None = None) -> None:
        """Delete all billing data, events and reports; the API key and the webhook endpoint stay."""
        self._send(calls.reset(idempotency_key))


class AsyncWebhookEndpoints(AsyncResource):
    async def create(
        self,
        url: str,
        chaos: Mapping[str, Any] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> WebhookEndpoint:
        return await self._send(calls.create_webhook_endpoint(url, chaos, idempotency_key))

    async def list(self) -> builtins.list[WebhookEndpoint]:
        return await self._send(calls.list_webhook_endpoints())

    async def delete(self, endpoint_id: str) -> None:
        await self._send(calls.delete_webhook_endpoint(endpoint_id))


class AsyncPayments(AsyncResource):
    async def create(
        self, *, idempotency_key: str | None = None, **params: Unpack[calls.SandboxPaymentParams]
    ) -> SandboxPayment:
        return await self._send(calls.create_payment(params, idempotency_key))


class AsyncEvents(AsyncResource):
    async def list(
        self, limit: int = calls.DEFAULT_EVENTS_PAGE, starting_after: str | None = None
    ) -> Page[dict[str, Any]]:
        return await self._send(calls.list_events(limit, starting_after))

    def iterate(self, *, page_size: int = calls.MAX_PAGE_SIZE) -> AsyncIterator[dict[str, Any]]:
        return aiterate_pages(self._send, calls.event_pages(page_size))

    async def retrieve(self, event_id: str) -> dict[str, Any]:
        return await self._send(calls.retrieve_event(event_id))

    async def deliveries(self, event_id: str) -> builtins.list[Delivery]:
        return await self._send(calls.event_deliveries(event_id))

    async def redeliver(self, event_id: str, *, idempotency_key: str | None = None) -> None:
        await self._send(calls.redeliver_event(event_id, idempotency_key))


class AsyncVersions(AsyncResource):
    async def list(
        self,
        *,
        kind: str | None = None,
        since: datetime | None = None,
        limit: int = calls.DEFAULT_VERSIONS_PAGE,
        starting_after: int | None = None,
    ) -> Page[ObjectVersion]:
        return await self._send(calls.list_versions(kind, since, limit, starting_after))

    def iterate(
        self,
        *,
        kind: str | None = None,
        since: datetime | None = None,
        page_size: int = calls.MAX_VERSIONS_PAGE,
    ) -> AsyncIterator[ObjectVersion]:
        return aiterate_pages(self._send, calls.version_pages(kind, since, page_size))


class AsyncCustomerList(AsyncResource):
    def list(self, *, page_size: int = calls.MAX_PAGE_SIZE) -> AsyncIterator[Customer]:
        return aiterate_pages(self._send, calls.customer_pages(page_size))


class AsyncAccountList(AsyncResource):
    def list(
        self, *, customer: str | None = None, page_size: int = calls.MAX_PAGE_SIZE
    ) -> AsyncIterator[Account]:
        return aiterate_pages(self._send, calls.account_pages(customer, page_size))


class AsyncBillList(AsyncResource):
    def list(
        self,
        *,
        customer: str | None = None,
        account: str | None = None,
        status: str | None = None,
        page_size: int = calls.MAX_PAGE_SIZE,
    ) -> AsyncIterator[Bill]:
        return aiterate_pages(self._send, calls.bill_pages(customer, account, status, page_size))


class AsyncClock(AsyncResource):
    async def now(self) -> datetime:
        return await self._send(calls.read_clock())

    async def advance(
        self, seconds: float | timedelta, *, idempotency_key: str | None = None
    ) -> datetime:
        return await self._send(calls.advance_clock(seconds, idempotency_key))


class AsyncReports(AsyncResource):
    async def create(self, day: date, *, idempotency_key: str | None = None) -> list[SandboxReport]:
        return await self._send(calls.write_reports(day, idempotency_key))

    async def list(
        self, *, kind: str | None = None, since: date | None = None
    ) -> builtins.list[SandboxReport]:
        return await self._send(calls.list_reports(kind, since))

    async def retrieve(self, name: str) -> SandboxReport:
        return await self._send(calls.retrieve_report(name))


class AsyncSandboxRoutes(AsyncResource):
    """`AsyncClient.sandbox`: the awaitable twin of `SandboxRoutes`."""

    def __init__(self, send: AsyncSend) -> None:
        super().__init__(send)
        self.webhook_endpoints = AsyncWebhookEndpoints(send)
        self.payments = AsyncPayments(send)
        self.events = AsyncEvents(send)
        self.versions = AsyncVersions(send)
        self.customers = AsyncCustomerList(send)
        self.accounts = AsyncAccountList(send)
        self.bills = AsyncBillList(send)
        self.clock = AsyncClock(send)
        self.reports = AsyncReports(send)

    async def reset(self, *, idempotency_key: str | None = None) -> None:
        await self._send(calls.reset(idempotency_key))
