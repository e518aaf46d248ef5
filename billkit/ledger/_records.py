"""Turning API objects and webhook events into ledger rows: validation and denormalisation, no SQL.

Everything is checked before anything is written, so a bad object or event is refused with a message that names
the field, and a batch with one bad item writes nothing. Rows are plain tuples in the column order of
`billkit.ledger._schema` (`VERSION_COLUMNS`, `EVENT_COLUMNS`): the ledger records a million of them at a time,
so each check here is a few C-level calls and a body is serialised once, by orjson.

Times are stored as integer microseconds since 1970-01-01 UTC and calendar dates as integer days since then:
typed columns that compare, sort and read back into pandas without parsing text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Final, Literal, Protocol, TypeAlias, get_args, runtime_checkable

import orjson

from billkit._json import json_text
from billkit.errors import InvalidArgumentError
from billkit.ids import ID_PREFIXES, id_problem
from billkit.ids import is_moment_id as _is_id

ObjectKind: TypeAlias = Literal["customer", "account", "bill", "payment_request"]
OBJECT_KINDS: Final[tuple[str, ...]] = get_args(ObjectKind)

BILL_STATUSES: Final[tuple[str, ...]] = ("unpaid", "paid", "voided")
AMOUNT_APPLIED: Final = "obligation.amount_applied"

_SHOWN_VALUE = 60
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EPOCH_ORDINAL: Final = dt.date(1970, 1, 1).toordinal()
_MICROSECOND: Final = dt.timedelta(microseconds=1)


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
        text = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
        if (
            b"null" in text
        ):  # rare: only then walk the object to drop the nulls (a string may say null too)
            text = orjson.dumps(_without_nulls(data), option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        # orjson refuses what UTF-8 cannot encode (a lone surrogate from a "\udfff" escape): the slow path
        # writes it back as that escape, and refuses what is not JSON at all.
        try:
            return json_text(_without_nulls(data), sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise InvalidArgumentError(f"{what} is not JSON-serialisable: {exc}") from None
    return text.decode()


def microseconds(moment: dt.datetime, what: str) -> int:
    """A timezone-aware datetime as the ledger's integer microseconds since the Unix epoch (UTC)."""
    if not isinstance(moment, dt.datetime):
        raise InvalidArgumentError(f"{what} must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidArgumentError(
            f"{what} must be timezone-aware (for example datetime.now(timezone.utc)), got {moment.isoformat()}"
        )
    return (moment - _EPOCH) // _MICROSECOND


def parse_instant(value: object, what: str) -> int:
    """An ISO 8601 timestamp string (with an offset or Z) as microseconds since the epoch."""
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
    return microseconds(moment, what)


class _Fields:
    """Typed reads of one object's fields, with errors that name the object and the field."""

    __slots__ = ("data", "what")

    def __init__(self, data: Mapping[str, Any], what: str) -> None:
        self.data = data
        self.what = what

    def fail(self, field: str, expected: str) -> InvalidArgumentError:
        value = self.data.get(field)
        got = "it is missing" if value is None else f"got {_shown(value)}"
        return InvalidArgumentError(f"{self.what}: {field!r} must be {expected}; {got}")

    def text(self, field: str, *, required: bool = False) -> str | None:
        value = self.data.get(field)
        if value is None and not required:
            return None
        if type(value) is not str or not value:
            raise self.fail(field, "a non-empty string")
        return value

    def moment_id(self, field: str, prefix: str, *, required: bool = False) -> str | None:
        value = self.data.get(field)
        if value is None and not required:
            return None
        if not _is_id(value, prefix):
            raise self.fail(field, id_problem(prefix))
        return value

    def integer(self, field: str, *, required: bool = False) -> int | None:
        value = self.data.get(field)
        if value is None and not required:
            return None
        if type(value) is not int:  # bool is not an amount
            raise self.fail(field, "an integer amount in minor units")
        return value

    def currency(self, *, required: bool = False) -> str | None:
        value = self.data.get("currency")
        if value is None and not required:
            return None
        if not _is_currency(value):
            raise self.fail("currency", "an ISO 4217 code such as 'ZAR'")
        return value

    def day(self, field: str) -> int | None:
        """A YYYY-MM-DD date as days since 1970-01-01."""
        value = self.data.get(field)
        if value is None:
            return None
        if _is_date(value):
            try:
                return _day_number(value)
            except ValueError:
                pass
        raise self.fail(field, "a date as YYYY-MM-DD")

    def choice(self, field: str, allowed: tuple[str, ...]) -> str:
        value = self.data.get(field)
        if value not in allowed:
            raise self.fail(field, "one of " + ", ".join(allowed))
        return str(value)


def check_kind(kind: object) -> ObjectKind:
    """`kind` if it names an object kind the ledger records, else a clear error."""
    if kind not in OBJECT_KINDS:
        raise InvalidArgumentError(
            f"kind must be one of {', '.join(OBJECT_KINDS)}; got {_shown(kind)}"
        )
    return kind  # type: ignore[return-value]  # narrowed by the membership test above


@lru_cache(maxsize=65_536)
def _day_number(value: str) -> int:
    """A YYYY-MM-DD date as days since 1970-01-01 (cached: a batch of bills shares few dates)."""
    return dt.date.fromisoformat(value).toordinal() - _EPOCH_ORDINAL


def _is_currency(value: object) -> bool:
    return (
        type(value) is str
        and len(value) == 3
        and value.isascii()
        and value.isalpha()
        and value.isupper()
    )


def _is_date(value: object) -> bool:
    return type(value) is str and len(value) == 10 and value[4] == "-" and value[7] == "-"


def _bill_row(
    data: dict[str, Any], valid_from: int, observed_at: int, from_source: bool
) -> tuple[Any, ...] | None:
    """The row of a well-formed bill in one pass of cheap checks, or None to take the checked path."""
    get = data.get
    object_id, customer_id, account_id = get("id"), get("customer_id"), get("account_id")
    currency, status, reference = get("currency"), get("status"), get("external_reference")
    due, paid, remaining = get("amount_due"), get("amount_paid"), get("amount_remaining")
    bill_date, due_date = get("bill_date"), get("due_date")
    if not (
        _is_id(object_id, "bill_")
        and _is_id(customer_id, "bcus_")
        and (account_id is None or _is_id(account_id, "bacc_"))
        and _is_currency(currency)
        and status in BILL_STATUSES
        and type(due) is int
        and type(paid) is int
        and type(remaining) is int
        and (reference is None or (type(reference) is str and reference))
        and (bill_date is None or _is_date(bill_date))
        and (due_date is None or _is_date(due_date))
    ):
        return None
    try:
        bill_day = None if bill_date is None else _day_number(bill_date)
        due_day = None if due_date is None else _day_number(due_date)
    except ValueError:
        return None
    body = canonical_json(data, f"bill {object_id}")
    return (
        "bill", object_id, valid_from, observed_at, int(from_source), body, reference, customer_id,
        account_id, None, currency, status, None, due, paid, remaining, None, bill_day, due_day,
    )  # fmt: skip


def object_row(
    kind: ObjectKind, item: Recordable, valid_from: int, observed_at: int, from_source: bool
) -> tuple[Any, ...]:
    """The `object_versions` row (in `VERSION_COLUMNS` order) for one state of an object.

    `valid_from` is when that state began (microseconds), `observed_at` when the ledger saw it, and
    `from_source` whether `valid_from` is the source's own time for the change (else it is the observation).
    """
    if kind == "bill" and type(item) is dict:
        row = _bill_row(item, valid_from, observed_at, from_source)
        if row is not None:
            return row
    data = item if type(item) is dict else as_mapping(item, f"{kind} object")
    fields = _Fields(data, f"{kind} object")
    object_id = fields.moment_id("id", ID_PREFIXES[kind], required=True)
    fields.what = f"{kind} {object_id}"
    currency = fields.currency(required=kind in ("bill", "payment_request"))
    reference = fields.text("external_reference")
    customer_id = account_id = name = status = None
    amount = amount_due = amount_paid = amount_remaining = balance = bill_date = due_date = None
    if kind == "bill":
        customer_id = fields.moment_id("customer_id", "bcus_", required=True)
        account_id = fields.moment_id("account_id", "bacc_")
        status = fields.choice("status", BILL_STATUSES)
        amount_due = fields.integer("amount_due", required=True)
        amount_paid = fields.integer("amount_paid", required=True)
        amount_remaining = fields.integer("amount_remaining", required=True)
        bill_date = fields.day("bill_date")
        due_date = fields.day("due_date")
    elif kind == "payment_request":
        status = fields.text("status", required=True)
        amount = fields.integer("amount", required=True)
    else:
        name = fields.text("name")
        balance = fields.integer("balance")
        if kind == "account":
            customer_id = fields.moment_id("customer_id", "bcus_", required=True)
    body = canonical_json(data, fields.what)
    return (
        kind, object_id, valid_from, observed_at, int(from_source), body, reference, customer_id,
        account_id, name, currency, status, amount, amount_due, amount_paid, amount_remaining,
        balance, bill_date, due_date,
    )  # fmt: skip


def _applied_row(envelope: dict[str, Any], received_at: int) -> tuple[Any, ...] | None:
    """The row of a well-formed `obligation.amount_applied` event in one pass, or None to take the checked path."""
    event_id, data = envelope.get("id"), envelope.get("data")
    if (
        envelope.get("type") != AMOUNT_APPLIED
        or type(data) is not dict
        or not _is_id(event_id, "evt_")
    ):
        return None
    get = data.get
    data_id, payment_id, amount, currency = (
        get("id"),
        get("payment_id"),
        get("amount"),
        get("currency"),
    )
    bill_id, account_id, customer_id = get("bill_id"), get("account_id"), get("customer_id")
    created_at = get("created_at")
    if not (
        type(data_id) is str
        and data_id
        and type(payment_id) is str
        and payment_id
        and type(amount) is int
        and _is_currency(currency)
        and (bill_id is None or _is_id(bill_id, "bill_"))
        and (account_id is None or _is_id(account_id, "bacc_"))
        and (customer_id is None or _is_id(customer_id, "bcus_"))
        and type(created_at) is str
    ):
        return None
    try:
        moment = dt.datetime.fromisoformat(created_at)
    except ValueError:
        return None
    if moment.utcoffset() is None:
        return None
    # Whole seconds from the float timestamp (exact for any second), microseconds from the field.
    created = int(moment.timestamp()) * 1_000_000 + moment.microsecond
    body = canonical_json(envelope, f"event {event_id}")
    return (
        event_id, AMOUNT_APPLIED, received_at, created, data_id, payment_id, amount, currency,
        bill_id, account_id, customer_id, body,
    )  # fmt: skip


def event_row(item: Recordable, received_at: int) -> tuple[Any, ...]:
    """The `events` row (in `EVENT_COLUMNS` order) for one verified webhook event."""
    if type(item) is dict:
        row = _applied_row(item, received_at)
        if row is not None:
            return row
    envelope = item if type(item) is dict else as_mapping(item, "event")
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
    return (
        event_id,
        event_type,
        received_at,
        (
            parse_instant(created_at, f"event {event_id} data.created_at")
            if created_at is not None
            # A payment without its own time (Moment's quickstart payloads) counts from when it arrived.
            else (received_at if applied else None)
        ),
        data.text("id", required=applied),
        data.text("payment_id", required=applied),
        data.integer("amount", required=applied),
        data.currency(required=applied),
        data.moment_id("bill_id", "bill_"),
        data.moment_id("account_id", "bacc_"),
        data.moment_id("customer_id", "bcus_"),
        canonical_json(envelope, f"event {event_id}"),
    )
