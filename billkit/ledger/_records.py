"""Turning API objects and webhook events into ledger rows: validation and denormalisation, no SQL.

Everything is checked before anything is written, so a bad object or event is refused with a message that names
the field, and a batch with one bad item writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from typing import Any, Final, Literal, Protocol, TypeAlias, get_args, runtime_checkable

from billkit._json import json_text
from billkit.errors import InvalidArgumentError

ObjectKind: TypeAlias = Literal["customer", "account", "bill", "payment_request"]
OBJECT_KINDS: Final[tuple[str, ...]] = get_args(ObjectKind)

#: Moment's ID prefix for each kind of object the ledger records.
ID_PREFIXES: Final[Mapping[str, str]] = {
    "customer": "bcus_",
    "account": "bacc_",
    "bill": "bill_",
    "payment_request": "pr_",
}
BILL_STATUSES: Final[tuple[str, ...]] = ("unpaid", "paid", "voided")
AMOUNT_APPLIED: Final = "obligation.amount_applied"

_ID_BODY = re.compile(r"[A-Za-z0-9]+")
_CURRENCY = re.compile(r"[A-Z]{3}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SHOWN_VALUE = 60
#: Stored timestamps are fixed-width UTC text, so text order is time order and pandas parses them quickly.
TIMESTAMP_FORMAT: Final = "%Y-%m-%dT%H:%M:%S.%fZ"


@runtime_checkable
class SupportsToDict(Protocol):
    """A typed billkit model (client object or webhook event) that can give back its JSON dict."""

    def to_dict(self) -> Mapping[str, Any]: ...


Recordable: TypeAlias = Mapping[str, Any] | SupportsToDict


def as_mapping(item: Recordable, what: str) -> Mapping[str, Any]:
    """The plain JSON dict behind `item`, which is a Mapping or has `to_dict()`."""
    if isinstance(item, Mapping):
        return item
    if isinstance(item, SupportsToDict):
        data = item.to_dict()
        if isinstance(data, Mapping):
            return data
    raise InvalidArgumentError(
        f"{what} must be a mapping or have to_dict(), not {type(item).__name__}"
    )


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN_VALUE else text[: _SHOWN_VALUE - 1] + "…"


def _without_nulls(value: Any) -> Any:
    # The API omits optional fields that were never set; typed models may spell them None. Both are one version.
    if isinstance(value, Mapping):
        return {str(k): _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_without_nulls(v) for v in value]
    return value


def canonical_json(data: Mapping[str, Any], what: str) -> str:
    """`data` as compact JSON with sorted keys and no nulls: equal content gives equal text."""
    try:
        return json_text(_without_nulls(data), sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(f"{what} is not JSON-serialisable: {exc}") from None


def format_timestamp(moment: dt.datetime, what: str) -> str:
    """A timezone-aware datetime as the ledger's UTC text; naive datetimes are refused (ambiguous)."""
    if not isinstance(moment, dt.datetime):
        raise InvalidArgumentError(f"{what} must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidArgumentError(
            f"{what} must be timezone-aware (for example datetime.now(timezone.utc)), got {moment.isoformat()}"
        )
    return moment.astimezone(dt.UTC).strftime(TIMESTAMP_FORMAT)


def _parse_timestamp(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidArgumentError(
            f"{what} must be an ISO 8601 timestamp string, got {_shown(value)}"
        )
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InvalidArgumentError(
            f"{what} must be an ISO 8601 timestamp such as '2025-01-15T10:00:00Z', got {_shown(value)}"
        ) from None
    return format_timestamp(moment, what)


class _Fields:
    """Typed reads of one object's fields, with errors that name the object and the field."""

    def __init__(self, data: Mapping[str, Any], what: str) -> None:
        self.data = data
        self.what = what

    def _fail(self, field: str, expected: str) -> InvalidArgumentError:
        value = self.data.get(field)
        got = "it is missing" if value is None else f"got {_shown(value)}"
        return InvalidArgumentError(f"{self.what}: {field!r} must be {expected}; {got}")

    def text(self, field: str, *, required: bool = False) -> str | None:
        value = self.data.get(field)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value:
            raise self._fail(field, "a non-empty string")
        return value

    def moment_id(self, field: str, prefix: str, *, required: bool = False) -> str | None:
        value = self.data.get(field)
        if value is None and not required:
            return None
        if not (
            isinstance(value, str)
            and value.startswith(prefix)
            and _ID_BODY.fullmatch(value[len(prefix) :])
        ):
            raise self._fail(field, f"a Moment ID such as '{prefix}H4jp6KnU5cPw263v1jyz4'")
        return value

    def integer(self, field: str, *, required: bool = False) -> int | None:
        value = self.data.get(field)
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(field, "an integer amount in minor units")
        return value

    def currency(self, *, required: bool = False) -> str | None:
        value = self.data.get("currency")
        if value is None and not required:
            return None
        if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
            raise self._fail("currency", "an ISO 4217 code such as 'ZAR'")
        return value

    def date(self, field: str) -> str | None:
        value = self.data.get(field)
        if value is None:
            return None
        if isinstance(value, str) and _DATE.fullmatch(value):
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                pass
            else:
                return value
        raise self._fail(field, "a date as YYYY-MM-DD")

    def choice(self, field: str, allowed: tuple[str, ...]) -> str:
        value = self.data.get(field)
        if value not in allowed:
            raise self._fail(field, "one of " + ", ".join(allowed))
        return str(value)


def check_kind(kind: object) -> ObjectKind:
    """`kind` if it names an object kind the ledger records, else a clear error."""
    if kind not in OBJECT_KINDS:
        raise InvalidArgumentError(
            f"kind must be one of {', '.join(OBJECT_KINDS)}; got {_shown(kind)}"
        )
    return kind  # type: ignore[return-value]  # narrowed by the membership test above


def object_row(kind: ObjectKind, item: Recordable, observed_at: str) -> dict[str, Any]:
    """The `object_versions` row for one observed object: its JSON, content hash and typed columns."""
    data = as_mapping(item, f"{kind} object")
    fields = _Fields(data, f"{kind} object")
    object_id = fields.moment_id("id", ID_PREFIXES[kind], required=True)
    fields.what = f"{kind} {object_id}"
    body = canonical_json(data, fields.what)
    row: dict[str, Any] = {
        "kind": kind,
        "object_id": object_id,
        "observed_at": observed_at,
        "content_hash": hashlib.sha256(body.encode()).hexdigest(),
        "body": body,
        "external_reference": fields.text("external_reference"),
        "customer_id": None,
        "account_id": None,
        "name": None,
        "currency": fields.currency(required=kind in ("bill", "payment_request")),
        "status": None,
        "amount": None,
        "amount_due": None,
        "amount_paid": None,
        "amount_remaining": None,
        "balance": None,
        "bill_date": None,
        "due_date": None,
    }
    if kind in ("customer", "account"):
        row["name"] = fields.text("name")
        row["balance"] = fields.integer("balance")
    if kind == "account":
        row["customer_id"] = fields.moment_id("customer_id", "bcus_", required=True)
    if kind == "bill":
        row["customer_id"] = fields.moment_id("customer_id", "bcus_", required=True)
        row["account_id"] = fields.moment_id("account_id", "bacc_")
        row["status"] = fields.choice("status", BILL_STATUSES)
        for amount in ("amount_due", "amount_paid", "amount_remaining"):
            row[amount] = fields.integer(amount, required=True)
        row["bill_date"] = fields.date("bill_date")
        row["due_date"] = fields.date("due_date")
    if kind == "payment_request":
        row["status"] = fields.text("status", required=True)
        row["amount"] = fields.integer("amount", required=True)
    return row


def event_row(item: Recordable, received_at: str) -> dict[str, Any]:
    """The `events` row for one verified webhook event, with the payment fields pulled out of `data`."""
    envelope = as_mapping(item, "event")
    fields = _Fields(envelope, "event")
    event_id = fields.moment_id("id", "evt_", required=True)
    fields.what = f"event {event_id}"
    event_type = fields.text("type", required=True)
    raw_data = envelope.get("data")
    if not isinstance(raw_data, Mapping):
        raise InvalidArgumentError(f"event {event_id}: 'data' must be an object")
    data = _Fields(raw_data, f"event {event_id} data")
    applied = event_type == AMOUNT_APPLIED
    created_at = raw_data.get("created_at")
    return {
        "event_id": event_id,
        "type": event_type,
        "received_at": received_at,
        "created_at": (
            _parse_timestamp(created_at, f"event {event_id} data.created_at")
            if applied or created_at is not None
            else None
        ),
        "data_id": data.text("id", required=applied),
        "payment_id": data.text("payment_id", required=applied),
        "amount": data.integer("amount", required=applied),
        "currency": data.currency(required=applied),
        "bill_id": data.moment_id("bill_id", "bill_"),
        "account_id": data.moment_id("account_id", "bacc_"),
        "customer_id": data.moment_id("customer_id", "bcus_"),
        "body": canonical_json(envelope, f"event {event_id}"),
    }
