"""The calls of billkit's sandbox-only routes (`/_sandbox/...`, sandbox contract §6), checked before sending.

`client.sandbox` (in `sandbox.py`) wraps each in a sync and an async method; paging through lists is here too,
as the function that turns one page's answer into the next page's call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypedDict, TypeVar

from billkit.client._base import Call
from billkit.client._models import Account, Bill, Customer, MomentObject, ResponseInfo
from billkit.client._params import (
    checked_idempotency_key,
    checked_params,
    encode_body,
    path_segment,
)
from billkit.client._resource import parse_nothing, parse_object
from billkit.client._sandbox_models import (
    Delivery,
    ObjectVersion,
    Page,
    SandboxPayment,
    SandboxReport,
    WebhookEndpoint,
)
from billkit.errors import InvalidArgumentError

__all__ = [
    "DEFAULT_EVENTS_PAGE",
    "DEFAULT_VERSIONS_PAGE",
    "MAX_PAGE_SIZE",
    "MAX_VERSIONS_PAGE",
    "PageCalls",
    "SandboxPaymentParams",
    "account_pages",
    "advance_clock",
    "bill_pages",
    "create_payment",
    "create_webhook_endpoint",
    "customer_pages",
    "delete_webhook_endpoint",
    "event_deliveries",
    "event_pages",
    "list_events",
    "list_objects",
    "list_reports",
    "list_versions",
    "list_webhook_endpoints",
    "read_clock",
    "redeliver_event",
    "reset",
    "retrieve_event",
    "retrieve_report",
    "version_pages",
    "write_reports",
]

T = TypeVar("T")
M = TypeVar("M", bound=MomentObject)

DEFAULT_EVENTS_PAGE = 20
MAX_PAGE_SIZE = 100
DEFAULT_VERSIONS_PAGE = 100
MAX_VERSIONS_PAGE = 1000
_VERSION_KINDS = ("customer", "account", "bill")
_PAYMENT_TARGETS = ("bill", "account", "customer", "payment_request")
_WEBHOOK_ENDPOINTS = "/_sandbox/webhook_endpoints"
_EVENTS = "/_sandbox/events"
_CLOCK = "/_sandbox/clock"

#: Builds the call for the page after `starting_after` (None: the first page).
PageCalls = Callable[[str | None], Call[Page[T]]]


def create_webhook_endpoint(
    url: str, chaos: Mapping[str, Any] | None, idempotency_key: str | None
) -> Call[WebhookEndpoint]:
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise InvalidArgumentError(
            f"webhook_endpoints.create: url must be an http(s) URL, not {url!r}"
        )
    if chaos is not None and not isinstance(chaos, Mapping):
        raise InvalidArgumentError(
            "webhook_endpoints.create: chaos must be a dict such as "
            '{"duplicate_rate": 0.2, "delay_rate": 0.5, "max_delay_seconds": 30, "seed": 7}'
        )
    body = encode_body({"url": url, "chaos": chaos}, where="webhook_endpoints.create")
    return Call(
        "POST",
        _WEBHOOK_ENDPOINTS,
        parse_object(WebhookEndpoint),
        body=body,
        idempotency_key=checked_idempotency_key(idempotency_key),
    )


def list_webhook_endpoints() -> Call[list[WebhookEndpoint]]:
    return Call("GET", _WEBHOOK_ENDPOINTS, _parse_list(parse_object(WebhookEndpoint)))


def delete_webhook_endpoint(endpoint_id: str) -> Call[None]:
    path = f"{_WEBHOOK_ENDPOINTS}/{path_segment(endpoint_id, what='webhook endpoint')}"
    return Call("DELETE", path, parse_nothing)


class _PaymentRequired(TypedDict):
    #: Minor units, checked against the obligation's payment_rules.
    amount: int


class SandboxPaymentParams(_PaymentRequired, total=False):
    """Exactly one of `bill`, `account`, `customer` (ID or external_reference) or `payment_request`."""

    bill: str
    account: str
    customer: str
    payment_request: str
    currency: str
    #: api (default), ebp, in_person or payment_request.
    channel: str
    metadata: Mapping[str, str]
    #: What the reconciliation report shows it was paid with: 1 to 40 printable characters
    #: (default `Card`); the tender defaults to the payment_method.
    payment_method: str
    payment_method_tender: str


def create_payment(params: Mapping[str, Any], idempotency_key: str | None) -> Call[SandboxPayment]:
    where = "sandbox.payments.create"
    checked_params(params, SandboxPaymentParams, where=where)
    given = [name for name in _PAYMENT_TARGETS if params.get(name) is not None]
    if len(given) != 1:
        raise InvalidArgumentError(
            f"{where}: a payment applies to exactly one of bill, account, customer or payment_request; "
            f"got {', '.join(given) or 'none'}"
        )
    path_segment(params[given[0]], what=given[0])
    return Call(
        "POST",
        "/_sandbox/payments",
        parse_object(SandboxPayment),
        body=encode_body(params, where=where),
        idempotency_key=checked_idempotency_key(idempotency_key),
    )


def list_events(limit: int, starting_after: str | None) -> Call[Page[dict[str, Any]]]:
    return Call(
        "GET", _EVENTS, _parse_page(_as_event), query=_page_query(limit, starting_after, "events")
    )


def event_pages(limit: int) -> PageCalls[dict[str, Any]]:
    """Page calls for every event, `limit` a page."""
    _page_query(limit, None, "sandbox.events.iterate")  # refuse a bad limit before the first page
    return lambda starting_after: list_events(limit, starting_after)


def retrieve_event(event_id: str) -> Call[dict[str, Any]]:
    return Call("GET", _event_path(event_id), _as_event)


def event_deliveries(event_id: str) -> Call[list[Delivery]]:
    return Call("GET", f"{_event_path(event_id)}/deliveries", _parse_list(parse_object(Delivery)))


def redeliver_event(event_id: str, idempotency_key: str | None) -> Call[None]:
    return Call(
        "POST",
        f"{_event_path(event_id)}/redeliver",
        parse_nothing,
        idempotency_key=checked_idempotency_key(idempotency_key),
    )


def list_objects(
    model: type[M], collection: str, limit: int, filters: Mapping[str, str | None]
) -> PageCalls[M]:
    """Page calls for `/_sandbox/billing/{collection}` (customers, accounts, bills) with `filters`."""
    where = f"sandbox.{collection}.list"
    chosen = {name: value for name, value in filters.items() if value is not None}
    for name, value in chosen.items():
        if not isinstance(value, str) or not value:
            raise InvalidArgumentError(f"{where}: {name} must be a non-empty str, not {value!r}")
    _page_query(limit, None, where)  # refuse a bad limit now, not when the first page is fetched

    def page(starting_after: str | None) -> Call[Page[M]]:
        query = {**chosen, **_page_query(limit, starting_after, where)}
        return Call(
            "GET", f"/_sandbox/billing/{collection}", _parse_page(parse_object(model)), query=query
        )

    return page


def customer_pages(page_size: int) -> PageCalls[Customer]:
    return list_objects(Customer, "customers", page_size, {})


def account_pages(customer: str | None, page_size: int) -> PageCalls[Account]:
    return list_objects(Account, "accounts", page_size, {"customer": customer})


def bill_pages(
    customer: str | None, account: str | None, status: str | None, page_size: int
) -> PageCalls[Bill]:
    filters = {"customer": customer, "account": account, "status": status}
    return list_objects(Bill, "bills", page_size, filters)


def list_versions(
    kind: str | None, since: datetime | None, limit: int, starting_after: int | None
) -> Call[Page[ObjectVersion]]:
    """`GET /_sandbox/versions`: states of billing objects, oldest first."""
    where = "sandbox.versions.list"
    query: dict[str, str | int] = {}
    if kind is not None:
        if kind not in _VERSION_KINDS:
            raise InvalidArgumentError(
                f"{where}: kind must be one of {_VERSION_KINDS}, not {kind!r}"
            )
        query["kind"] = kind
    if since is not None:
        if not isinstance(since, datetime) or since.utcoffset() is None:
            raise InvalidArgumentError(
                f"{where}: since must be a timezone-aware datetime, not {since!r}"
            )
        query["since"] = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_VERSIONS_PAGE:
        raise InvalidArgumentError(
            f"{where}: limit must be an int from 1 to {MAX_VERSIONS_PAGE}, not {limit!r}"
        )
    query["limit"] = limit
    if starting_after is not None:
        if (
            isinstance(starting_after, bool)
            or not isinstance(starting_after, int)
            or starting_after < 0
        ):
            raise InvalidArgumentError(
                f"{where}: starting_after must be a version's seq (an int >= 0), not {starting_after!r}"
            )
        query["starting_after"] = starting_after
    parse = _parse_page(parse_object(ObjectVersion), cursor="seq")
    return Call("GET", "/_sandbox/versions", parse, query=query)


def version_pages(
    kind: str | None, since: datetime | None, page_size: int
) -> PageCalls[ObjectVersion]:
    """Page calls for every version (of one kind, from `since`), `page_size` a page."""
    list_versions(kind, since, page_size, None)  # refuse bad arguments before the first page
    return lambda after: list_versions(
        kind, since, page_size, None if after is None else int(after)
    )


def read_clock() -> Call[datetime]:
    return Call("GET", _CLOCK, _parse_now)


def advance_clock(seconds: float | timedelta, idempotency_key: str | None) -> Call[datetime]:
    if isinstance(seconds, timedelta):
        seconds = seconds.total_seconds()
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds > 0:
        raise InvalidArgumentError(
            f"sandbox.clock.advance: seconds must be a positive number or timedelta, not {seconds!r} "
            "(the sandbox clock only moves forward)"
        )
    if isinstance(seconds, float) and seconds.is_integer():
        seconds = int(seconds)  # timedelta gives floats; whole seconds go out as JSON integers
    return Call(
        "POST",
        _CLOCK,
        _parse_now,
        body={"advance_seconds": seconds},
        idempotency_key=checked_idempotency_key(idempotency_key),
    )


def reset(idempotency_key: str | None) -> Call[None]:
    return Call(
        "POST",
        "/_sandbox/reset",
        parse_nothing,
        idempotency_key=checked_idempotency_key(idempotency_key),
    )


_REPORTS = "/_sandbox/reports"
_REPORT_KINDS = ("reconciliation", "settlement")


def write_reports(day: date, idempotency_key: str | None) -> Call[list[SandboxReport]]:
    """`POST /_sandbox/reports`: both reports of a day that has ended, written now unless they were."""
    body = {"date": _day(day, "sandbox.reports.create", "day")}
    return Call(
        "POST",
        _REPORTS,
        _parse_list(parse_object(SandboxReport)),
        body=body,
        idempotency_key=checked_idempotency_key(idempotency_key),
    )


def list_reports(kind: str | None, since: date | None) -> Call[list[SandboxReport]]:
    where = "sandbox.reports.list"
    query: dict[str, str | int] = {}
    if kind is not None:
        if kind not in _REPORT_KINDS:
            raise InvalidArgumentError(
                f"{where}: kind must be one of {_REPORT_KINDS}, not {kind!r}"
            )
        query["kind"] = kind
    if since is not None:
        query["since"] = _day(since, where, "since")
    return Call("GET", _REPORTS, _parse_list(parse_object(SandboxReport)), query=query)


def retrieve_report(name: str) -> Call[SandboxReport]:
    return Call(
        "GET", f"{_REPORTS}/{path_segment(name, what='report')}", parse_object(SandboxReport)
    )


def _day(value: date, where: str, name: str) -> str:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidArgumentError(f"{where}: {name} must be a datetime.date, not {value!r}")
    return value.isoformat()


def _event_path(event_id: str) -> str:
    return f"{_EVENTS}/{path_segment(event_id, what='event')}"


def _page_query(limit: int, starting_after: str | None, where: str) -> dict[str, str | int]:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE_SIZE:
        raise InvalidArgumentError(
            f"{where}: limit must be an int from 1 to {MAX_PAGE_SIZE}, not {limit!r}"
        )
    query: dict[str, str | int] = {"limit": limit}
    if starting_after is not None:
        if not isinstance(starting_after, str) or not starting_after:
            raise InvalidArgumentError(
                f"{where}: starting_after must be an ID, not {starting_after!r}"
            )
        query["starting_after"] = starting_after
    return query


def _as_event(body: Any, info: ResponseInfo) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ValueError(f"expected an event object, got {body!r:.80}")
    return body


def _items(body: Any) -> list[Any]:
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise ValueError(f'expected {{"data": [...]}}, got {body!r:.80}')
    items: list[Any] = body["data"]
    return items


def _parse_list(
    parse_item: Callable[[Any, ResponseInfo], T],
) -> Callable[[Any, ResponseInfo], list[T]]:
    def parse(body: Any, info: ResponseInfo) -> list[T]:
        return [parse_item(item, info) for item in _items(body)]

    return parse


def _parse_page(
    parse_item: Callable[[Any, ResponseInfo], T], *, cursor: str = "id"
) -> Callable[[Any, ResponseInfo], Page[T]]:
    def parse(body: Any, info: ResponseInfo) -> Page[T]:
        raw = _items(body)
        has_more = body.get("has_more", False)
        if not isinstance(has_more, bool):
            raise ValueError(f"has_more must be true or false, not {has_more!r}")
        last = raw[-1] if raw else None
        after = last.get(cursor) if isinstance(last, dict) else None
        next_cursor = None if after is None else str(after)
        return Page([parse_item(item, info) for item in raw], has_more, next_cursor)

    return parse


def _parse_now(body: Any, info: ResponseInfo) -> datetime:
    if not isinstance(body, dict) or not isinstance(body.get("now"), str):
        raise ValueError(f'expected {{"now": "...Z"}}, got {body!r:.80}')
    return datetime.fromisoformat(body["now"])
