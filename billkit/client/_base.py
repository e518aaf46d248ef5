"""The one request path every call takes, whatever the resource and whether sync or async.

A resource method only describes its call (`Call`: method, path, body, how to read the answer). `RequestCore`
does the rest, without doing I/O itself, so `Client` and `AsyncClient` share it and differ only in their
send-and-sleep loop:

    prepare()  checks the key may make this call, picks the Idempotency-Key once (before any attempt, so
               every attempt carries the same one) and builds the httpx request;
    delay_after_response() / delay_after_failure()
               whether to try again and after how long (see `_retry`);
    finish()   maps an error status to its `APIStatusError`, or reads the body into the typed object,
               tells the ledger, and returns it;
    connection_error()
               the one place httpx's transport errors become billkit's.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

import httpx
from pydantic import ValidationError

import billkit
from billkit._config import ClientSettings, KeyKind
from billkit.client._models import MomentObject, ResponseInfo
from billkit.client._retry import RetryPolicy, retry_delay
from billkit.errors import (
    APIConnectionError,
    APITimeoutError,
    ConfigurationError,
    UnexpectedResponseError,
    error_from_response,
)

__all__ = ["AsyncSend", "Call", "Prepared", "RecordsObjects", "RequestCore", "SyncSend"]

T = TypeVar("T")

logger = logging.getLogger("billkit.client")

_KEYED_METHODS = frozenset({"POST", "PATCH"})
# Transport errors after which the same request may well succeed; others (an unsupported scheme, a proxy
# refusing, a malformed request) would fail the same way again.
_TRANSIENT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
_BILLING_PREFIXES = ("/billing/", "/_sandbox/billing/")
_SANDBOX_PREFIX = "/_sandbox/"


class RecordsObjects(Protocol):
    """What the client tells about every object it creates, retrieves, updates or voids (`billkit.Ledger`).

    `kind` is "customer", "account", "bill" or "payment_request"; `obj` is the object's JSON as received;
    `observed_at` is the UTC time of the response.
    """

    def record_object(self, kind: str, obj: Mapping[str, Any], observed_at: datetime) -> None: ...


@dataclass(slots=True)  # not frozen: one is built per call, and frozen dataclasses build slower
class Call(Generic[T]):
    """One API operation, described: what to send and how to read the answer into `T`."""

    method: str
    path: str
    #: Reads the decoded JSON body (None for an empty one) into the result.
    parse: Callable[[Any, ResponseInfo], T]
    body: Mapping[str, Any] | None = None
    query: Mapping[str, str | int] | None = None
    idempotency_key: str | None = None
    #: Ledger kind to record the result under; None for calls whose results are not billing objects.
    record_as: str | None = None


@dataclass(frozen=True, slots=True)
class Prepared:
    request: httpx.Request
    idempotency_key: str | None
    #: The path as sent (quoted, with any query), for messages and `ResponseInfo`.
    path: str


class SyncSend(Protocol):
    def __call__(self, call: Call[T], /) -> T: ...


class AsyncSend(Protocol):
    def __call__(self, call: Call[T], /) -> Awaitable[T]: ...


class RequestCore:
    """Everything about a request except sending it and sleeping between attempts."""

    def __init__(self, settings: ClientSettings, *, ledger: RecordsObjects | None = None) -> None:
        self.settings = settings
        self._ledger = ledger
        self._policy = RetryPolicy(max_retries=settings.max_retries)
        self._random = random.Random()

    def http_options(self) -> dict[str, Any]:
        """Keyword arguments for the `httpx.Client` / `httpx.AsyncClient` underneath."""
        return {
            "base_url": self.settings.base_url,
            "timeout": self.settings.timeout,
            "headers": {
                "Authorization": f"Bearer {self.settings.api_key}",
                "Accept": "application/json",
                "User-Agent": f"billkit/{billkit.__version__} python-httpx/{httpx.__version__}",
            },
        }

    def prepare(self, http: httpx.Client | httpx.AsyncClient, call: Call[Any]) -> Prepared:
        if self.settings.key_kind is KeyKind.PUBLIC and call.path.startswith(_BILLING_PREFIXES):
            raise ConfigurationError(
                f"{call.method} {call.path}: a public key ({self.settings.redacted_key}) cannot make "
                "billing calls; Moment accepts only secret keys (sk_test_...) there"
            )
        if call.path.startswith(_SANDBOX_PREFIX) and self.settings.is_moment_host:
            raise ConfigurationError(
                f"{call.method} {call.path} exists only on billkit's local sandbox, and this client points "
                f"at Moment's API ({self.settings.base_url})"
            )
        key = None
        if call.method in _KEYED_METHODS:
            key = call.idempotency_key or str(uuid.uuid4())
        request = http.build_request(
            call.method,
            call.path,
            json=call.body,
            params=call.query,
            headers={"Idempotency-Key": key} if key else None,
        )
        return Prepared(request, key, _path(request))

    def delay_after_response(self, response: httpx.Response, *, retries_done: int) -> float | None:
        if response.is_success:
            return None
        delay = retry_delay(
            self._policy,
            retries_done=retries_done,
            status_code=response.status_code,
            headers=response.headers,
            random=self._random.random,
        )
        if delay is not None:
            logger.info(
                "%s %s answered %s; retrying in %.2fs (retry %d of %d)",
                response.request.method,
                _path(response.request),
                response.status_code,
                delay,
                retries_done + 1,
                self._policy.max_retries,
            )
        return delay

    def delay_after_failure(self, error: httpx.RequestError, *, retries_done: int) -> float | None:
        if not isinstance(error, _TRANSIENT_ERRORS):
            return None
        delay = retry_delay(
            self._policy, retries_done=retries_done, status_code=None, random=self._random.random
        )
        if delay is not None:
            logger.info(
                "%s %s failed (%s); retrying in %.2fs (retry %d of %d)",
                error.request.method,
                _path(error.request),
                type(error).__name__,
                delay,
                retries_done + 1,
                self._policy.max_retries,
            )
        return delay

    def connection_error(
        self, error: httpx.RequestError, prepared: Prepared, *, attempts: int
    ) -> APIConnectionError:
        """billkit's error for an httpx transport failure; raise it `from` the httpx error."""
        request = prepared.request
        reason = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        error_class = (
            APITimeoutError if isinstance(error, httpx.TimeoutException) else APIConnectionError
        )
        return error_class(
            f"{reason} ({request.url.scheme}://{request.url.netloc.decode('ascii')})",
            method=request.method,
            path=prepared.path,
            attempts=attempts,
        )

    def finish(
        self, call: Call[T], prepared: Prepared, response: httpx.Response, *, attempts: int
    ) -> T:
        """The call's result from a final response, or the error it stands for."""
        method = prepared.request.method
        logger.debug(
            "%s %s -> %s (attempt %d)", method, prepared.path, response.status_code, attempts
        )
        if not response.is_success:
            raise error_from_response(response, attempts=attempts)
        info = ResponseInfo(
            status_code=response.status_code,
            method=method,
            path=prepared.path,
            idempotency_key=prepared.idempotency_key,
            replayed=response.headers.get("idempotent-replayed", "").lower() == "true",
            attempts=attempts,
        )
        try:
            body = json.loads(response.content) if response.content else None
            result = call.parse(body, info)
        except (ValueError, ValidationError) as exc:
            # ValidationError is a ValueError too; both mean the body is not what Moment documents.
            raise UnexpectedResponseError(
                _unreadable(exc),
                status_code=response.status_code,
                method=info.method,
                path=info.path,
            ) from exc
        if self._ledger is not None and call.record_as and isinstance(result, MomentObject):
            self._ledger.record_object(call.record_as, result.to_dict(), datetime.now(UTC))
        return result


def _path(request: httpx.Request) -> str:
    return request.url.raw_path.decode("ascii", errors="replace")


def _unreadable(error: Exception) -> str:
    if isinstance(error, ValidationError):
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'body'}: {item['msg']}"
            for item in error.errors()
        )
        return f"the body does not match what Moment documents ({problems})"
    return f"the body is not JSON ({error})"
