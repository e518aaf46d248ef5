"""`Client` and `AsyncClient`: the entry points. They own the httpx client and the send-and-sleep loop;
everything else (checks, idempotency keys, retry decisions, error mapping, parsing) is `RequestCore`'s.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import Self, TypeVar

import httpx

from billkit._config import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT, ClientSettings
from billkit.client._base import Call, RecordsObjects, RequestCore
from billkit.client.accounts import Accounts, AsyncAccounts
from billkit.client.bills import AsyncBills, Bills
from billkit.client.customers import AsyncCustomers, Customers
from billkit.client.payment_requests import AsyncPaymentRequests, PaymentRequests
from billkit.client.sandbox import AsyncSandboxRoutes, SandboxRoutes

__all__ = ["AsyncClient", "Client"]

T = TypeVar("T")


class _ClientBase:
    """What both clients show of themselves: where they point, and which key (masked)."""

    _core: RequestCore

    @property
    def base_url(self) -> str:
        return self._core.settings.base_url

    def __repr__(self) -> str:
        key = self._core.settings.redacted_key
        return f"{type(self).__name__}(base_url={self.base_url!r}, api_key={key!r})"


def _core(
    api_key: str | None,
    base_url: str | None,
    allow_live: bool,
    max_retries: int,
    timeout: float,
    env: Mapping[str, str] | None,
    ledger: RecordsObjects | None,
) -> RequestCore:
    settings = ClientSettings.resolve(
        api_key=api_key,
        base_url=base_url,
        allow_live=allow_live,
        max_retries=max_retries,
        timeout=timeout,
        env=env,
    )
    return RequestCore(settings, ledger=ledger)


class Client(_ClientBase):
    """A client for Moment's Billing API (or billkit's sandbox, which answers the same way).

        with billkit.Client() as client:            # MOMENT_API_KEY, MOMENT_BASE_URL from the environment
            bill = client.bills.create(external_reference="INV-1", currency="ZAR", amount_due=2000,
                                       customer="bcus_...")

    Arguments win over `MOMENT_API_KEY` / `MOMENT_BASE_URL` (read from `env` when given, else `os.environ`);
    the base URL defaults to https://api.momentpay.net. A live key is refused unless `allow_live=True`.
    Every POST and PATCH carries an Idempotency-Key (yours or a fresh UUID4), the same on every attempt;
    connection errors, timeouts, 409, 429 and 5xx are retried up to `max_retries` times.
    `transport` and `sleep` are for tests; `ledger` is told about every object created, read or changed.
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        allow_live: bool = False,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] | None = None,
        env: Mapping[str, str] | None = None,
        ledger: RecordsObjects | None = None,
    ) -> None:
        self._core = _core(api_key, base_url, allow_live, max_retries, timeout, env, ledger)
        self._http = httpx.Client(transport=transport, **self._core.http_options())
        self._sleep = sleep or time.sleep
        self.customers = Customers(self._request)
        self.accounts = Accounts(self._request)
        self.bills = Bills(self._request)
        self.payment_requests = PaymentRequests(self._request)
        self.sandbox = SandboxRoutes(self._request)

    def _request(self, call: Call[T]) -> T:
        prepared = self._core.prepare(self._http, call)
        attempt = 1
        while True:
            try:
                response = self._http.send(prepared.request)
            except httpx.RequestError as error:
                delay = self._core.delay_after_failure(error, retries_done=attempt - 1)
                if delay is None:
                    raise self._core.connection_error(error, prepared, attempts=attempt) from error
            else:
                delay = self._core.delay_after_response(response, retries_done=attempt - 1)
                if delay is None:
                    return self._core.finish(call, prepared, response, attempts=attempt)
            self._sleep(delay)
            attempt += 1

    def close(self) -> None:
        """Close the connections; the client cannot be used afterwards."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient(_ClientBase):
    """The asyncio twin of `Client`: the same arguments, resources and rules, with awaitable calls.

    async with billkit.AsyncClient() as client:
        bill = await client.bills.retrieve("INV-1")
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        allow_live: bool = False,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        env: Mapping[str, str] | None = None,
        ledger: RecordsObjects | None = None,
    ) -> None:
        self._core = _core(api_key, base_url, allow_live, max_retries, timeout, env, ledger)
        self._http = httpx.AsyncClient(transport=transport, **self._core.http_options())
        self._sleep = sleep or asyncio.sleep
        self.customers = AsyncCustomers(self._request)
        self.accounts = AsyncAccounts(self._request)
        self.bills = AsyncBills(self._request)
        self.payment_requests = AsyncPaymentRequests(self._request)
        self.sandbox = AsyncSandboxRoutes(self._request)

    async def _request(self, call: Call[T]) -> T:
        prepared = self._core.prepare(self._http, call)
        attempt = 1
        while True:
            try:
                response = await self._http.send(prepared.request)
            except httpx.RequestError as error:
                delay = self._core.delay_after_failure(error, retries_done=attempt - 1)
                if delay is None:
                    raise self._core.connection_error(error, prepared, attempts=attempt) from error
            else:
                delay = self._core.delay_after_response(response, retries_done=attempt - 1)
                if delay is None:
                    return self._core.finish(call, prepared, response, attempts=attempt)
            await self._sleep(delay)
            attempt += 1

    async def close(self) -> None:
        """Close the connections; the client cannot be used afterwards."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
