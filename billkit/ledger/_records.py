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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from typing import Any, Final, Literal, Protocol, TypeAlias, get_args, runtime_checkable

import orjson

from billkit._json import json_text
from billkit.errors import InvalidArgumentError
from billkit.ids import ID_PREFIXES, are_moment_ids, id_problem
from billkit.ids import is_moment_id as _is_id
from billkit.ledger._schema import VERSION_COLUMNS

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


#: What a field's value must be: an ID with a prefix, non-empty text, an integer amount, a currency code, a
#: YYYY-MM-DD date (stored as days), or one of a few words.
Rule: TypeAlias = Literal["id", "text", "integer", "currency", "day", "choice"]


@dataclass(frozen=True, slots=True)
class _Field:
    """One JSON field of an object or event and the ledger column it fills."""

    column: str
    name: str
    rule: Rule
    required: bool = False
    prefix: str = ""  # of an ID
    allowed: tuple[str, ...] = ()  # of a choice


def _id(column: str, prefix: str, *, required: bool = False, name: str | None = None) -> _Field:
    return _Field(column, name or column, "id", required, prefix)


_REFERENCE: Final = _Field("external_reference", "external_reference", "text")


def _holder(kind: str) -> tuple[_Field, ...]:
    """What a customer and an account both have: an ID, a currency, a reference, a name and a balance."""
    return (
        _id("object_id", ID_PREFIXES[kind], required=True, name="id"),
        _Field("currency", "currency", "currency"),
        _REFERENCE,
        _Field("name", "name", "text"),
        _Field("balance", "balance", "integer"),
    )


#: Each kind's fields, in the order they are checked (the first bad one is named): every `object_versions`
#: column after the body that the kind fills; the others stay NULL.
_OBJECT_FIELDS: Final[Mapping[str, tuple[_Field, ...]]] = {
    "customer": _holder("customer"),
    "account": (*_holder("account"), _id("customer_id", ID_PREFIXES["customer"], required=True)),
    "bill": (
        _id("object_id", ID_PREFIXES["bill"], required=True, name="id"),
        _Field("currency", "currency", "currency", required=True),
        _REFERENCE,
        _id("customer_id", ID_PREFIXES["customer"], required=True),
        _id("account_id", ID_PREFIXES["account"]),
        _Field("status", "status", "choice", required=True, allowed=BILL_STATUSES),
        _Field("amount_due", "amount_due", "integer", required=True),
        _Field("amount_paid", "amount_paid", "integer", required=True),
        _Field("amount_remaining", "amount_remaining", "integer", required=True),
        _Field("bill_date", "bill_date", "day"),
        _Field("due_date", "due_date", "day"),
    ),
    "payment_request": (
        _id("object_id", ID_PREFIXES["payment_request"], required=True, name="id"),
        _Field("currency", "currency", "currency", required=True),
        _REFERENCE,
        _Field("status", "status", "text", required=True),
        _Field("amount", "amount", "integer", required=True),
    ),
}
_VERSION_TAIL: Final = VERSION_COLUMNS[
    6:
]  # the columns after kind, object_id, the times, the flag and the body

_EVENT_ID: Final = _id("event_id", ID_PREFIXES["event"], required=True, name="id")
_EVENT_TYPE: Final = _Field("type", "type", "text", required=True)
#: The fields of an event's `data` (after its `created_at`), in the order they are checked; `required` means
#: required of an applied amount (`obligation.amount_applied`), whose columns the payment frames read.
_EVENT_DATA_FIELDS: Final = (
    _Field("data_id", "id", "text", required=True),
    _Field("payment_id", "payment_id", "text", required=True),
    _Field("amount", "amount", "integer", required=True),
    _Field("currency", "currency", "currency", required=True),
    _id("bill_id", ID_PREFIXES["bill"]),
    _id("account_id", ID_PREFIXES["account"]),
    _id("customer_id", ID_PREFIXES["customer"]),
)


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

    def read(self, spec: _Field, *, required: bool | None = None) -> Any:
        """The value of `spec`'s field as its column stores it (None when missing and not required)."""
        needed = spec.required if required is None else required
        field = spec.name
        value = self.data.get(field)
        if value is None:
            if needed:
                raise self.fail(field, _EXPECTED[spec.rule](spec))
            return None
        if spec.rule == "day":
            if _is_date(value):
                try:
                    return _day_number(value)
                except ValueError:
                    pass
        elif spec.rule == "choice":
            if value in spec.allowed:
                return str(value)
        elif _ACCEPTS[spec.rule](value, spec.prefix):
            return value
        raise self.fail(field, _EXPECTED[spec.rule](spec))


_ACCEPTS: Final[Mapping[str, Callable[[object, str], bool]]] = {
    "id": _is_id,
    "text": lambda value, _: type(value) is str and bool(value),
    "integer": lambda value, _: type(value) is int,  # bool is not an amount
    "currency": lambda value, _: _is_currency(value),
}
_EXPECTED: Final[Mapping[str, Callable[[_Field], str]]] = {
    "id": lambda spec: id_problem(spec.prefix),
    "text": lambda spec: "a non-empty string",
    "integer": lambda spec: "an integer amount in minor units",
    "currency": lambda spec: "an ISO 4217 code such as 'ZAR'",
    "day": lambda spec: "a date as YYYY-MM-DD",
    "choice": lambda spec: "one of " + ", ".join(spec.allowed),
}


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


# -- one item at a time: every check, and errors that name the item and the field ---------------------------


def object_row(
    kind: ObjectKind, item: Recordable, valid_from: int, observed_at: int, from_source: bool
) -> tuple[Any, ...]:
    """The `object_versions` row (in `VERSION_COLUMNS` order) for one state of an object.

    `valid_from` is when that state began (microseconds), `observed_at` when the ledger saw it, and
    `from_source` whether `valid_from` is the source's own time for the change (else it is the observation).
    """
    data = item if type(item) is dict else as_mapping(item, f"{kind} object")
    fields = _Fields(data, f"{kind} object")
    values: dict[str, Any] = {}
    for spec in _OBJECT_FIELDS[kind]:
        values[spec.column] = fields.read(spec)
        if spec.column == "object_id":
            fields.what = f"{kind} {values['object_id']}"
    body = canonical_json(data, fields.what)
    return (
        kind,
        values["object_id"],
        valid_from,
        observed_at,
        int(from_source),
        body,
        *(values.get(column) for column in _VERSION_TAIL),
    )


def event_row(item: Recordable, received_at: int) -> tuple[Any, ...]:
    """The `events` row (in `EVENT_COLUMNS` order) for one verified webhook event."""
    envelope = item if type(item) is dict else as_mapping(item, "event")
    fields = _Fields(envelope, "event")
    event_id = fields.read(_EVENT_ID)
    fields.what = f"event {event_id}"
    event_type = fields.read(_EVENT_TYPE)
    raw_data = envelope.get("data")
    if not isinstance(raw_data, Mapping):
        raise InvalidArgumentError(f"event {event_id}: 'data' must be an object")
    data = _Fields(raw_data, f"event {event_id} data")
    applied = event_type == AMOUNT_APPLIED
    created_at = raw_data.get("created_at")
    created = (
        parse_instant(created_at, f"event {event_id} data.created_at")
        if created_at is not None
        # A payment without its own time (Moment's quickstart payloads) counts from when it arrived.
        else (received_at if applied else None)
    )
    columns = [data.read(spec, required=spec.required and applied) for spec in _EVENT_DATA_FIELDS]
    body = canonical_json(envelope, f"event {event_id}")
    return (event_id, event_type, received_at, created, *columns, body)


# -- a whole batch at once: the same checks, a column at a time -----------------------------------------------
# A batch of API dicts is checked a column at a time by C-level passes (the set of a column's types, its few
# distinct currencies or dates, `are_moment_ids` over its IDs) and its rows made by one `zip`: a few hundred
# nanoseconds an item where the checks above cost microseconds. A column that does not pass is not an error
# here: the batch then takes the item-at-a-time path, which finds the bad item and names it.

_NONE: Final = type(None)


def _column(values: list[Any], spec: _Field) -> list[Any] | None:
    """`values` of one field as its column stores them, if every one passes `spec` (else None)."""
    types = set(map(type, values))
    missing = not spec.required and _NONE in types
    if missing:
        types.discard(_NONE)
    if spec.rule == "integer":
        return values if types <= {int} else None
    if not types <= {str}:
        return None
    present = [value for value in values if value is not None] if missing else values
    try:
        if spec.rule == "id":
            return values if are_moment_ids(present, spec.prefix) else None
        if spec.rule == "text":
            return values if "" not in present else None
        distinct = set(present)
        if spec.rule == "currency":
            return values if all(map(_is_currency, distinct)) else None
        if spec.rule == "choice":
            return values if distinct <= set(spec.allowed) else None
        if not all(map(_is_date, distinct)):
            return None
        days: dict[str | None, int | None] = {value: _day_number(value) for value in distinct}
    except ValueError:  # a date that is not on the calendar
        return None
    days[None] = None
    return [days[value] for value in values]


def _values(datas: list[dict[str, Any]], name: str) -> list[Any]:
    """Every item's `name` field (None where missing)."""
    return [data.get(name) for data in datas]


def _columns(datas: list[dict[str, Any]], specs: tuple[_Field, ...]) -> dict[str, list[Any]] | None:
    found: dict[str, list[Any]] = {}
    for spec in specs:
        column = _column(_values(datas, spec.name), spec)
        if column is None:
            return None
        found[spec.column] = column
    return found


def _bodies(datas: list[dict[str, Any]], what: str) -> list[str] | None:
    """Each item's `canonical_json`, or None if one needs more than orjson (it is then made item by item)."""
    dumps, option = orjson.dumps, orjson.OPT_SORT_KEYS
    try:
        # Decoded as soon as made: a kept bytes object sits in memory the allocator must find anew each batch.
        texts = [dumps(data, option=option).decode() for data in datas]
    except orjson.JSONEncodeError:
        return None
    for position, text in enumerate(texts):
        if (
            "null" in text
        ):  # rare: only then walk the object to drop the nulls (a string may say null too)
            texts[position] = canonical_json(datas[position], what)
    return texts


def _mappings(items: Iterable[Recordable], what: str) -> list[Mapping[str, Any]]:
    """Each item as its JSON mapping (a typed model's `to_dict()`), refusing what is neither."""
    return [item if type(item) is dict else as_mapping(item, what) for item in items]


def _all_dicts(mappings: list[Mapping[str, Any]]) -> bool:
    return set(map(type, mappings)) <= {dict}


def object_rows(
    kind: ObjectKind,
    items: Iterable[Recordable],
    valid_from: int | Sequence[int],
    observed_at: int,
    from_source: bool,
) -> list[tuple[Any, ...]]:
    """`object_row` of every item, in order; `valid_from` is one time for all, or one per item."""
    what = f"{kind} object"
    datas = _mappings(items, what)
    columns = _columns(datas, _OBJECT_FIELDS[kind]) if _all_dicts(datas) else None  # type: ignore[arg-type]
    bodies = None if columns is None else _bodies(datas, what)  # type: ignore[arg-type]
    times = repeat(valid_from) if isinstance(valid_from, int) else valid_from
    if columns is None or bodies is None:
        return [
            object_row(kind, data, time, observed_at, from_source)
            for data, time in zip(datas, times, strict=False)
        ]
    nothing = repeat(None)
    return list(
        zip(
            repeat(kind),
            columns["object_id"],
            times,
            repeat(observed_at),
            repeat(int(from_source)),
            bodies,
            *(columns.get(column, nothing) for column in _VERSION_TAIL),
        )
    )


def _created_instants(values: list[Any]) -> list[int] | None:
    """Every applied amount's `created_at` as microseconds, if each is an ISO 8601 time with an offset."""
    if set(map(type, values)) != {str}:
        return None
    try:
        moments = list(map(dt.datetime.fromisoformat, values))
    except ValueError:
        return None
    if any(moment.tzinfo is None for moment in moments):
        return None
    return [(moment - _EPOCH) // _MICROSECOND for moment in moments]


def event_rows(events: Iterable[Recordable], received_at: int) -> list[tuple[Any, ...]]:
    """`event_row` of every event, in order; a batch of applied amounts (the bulk of any ledger) a column at
    a time."""
    envelopes = _mappings(events, "event")
    rows = _applied_rows(envelopes, received_at) if _all_dicts(envelopes) else None  # type: ignore[arg-type]
    return [event_row(envelope, received_at) for envelope in envelopes] if rows is None else rows


def _applied_rows(
    envelopes: list[dict[str, Any]], received_at: int
) -> list[tuple[Any, ...]] | None:
    if not envelopes:
        return []
    try:
        if {envelope.get("type") for envelope in envelopes} != {AMOUNT_APPLIED}:
            return None
    except TypeError:  # an unhashable type
        return None
    event_ids = _values(envelopes, "id")
    datas = _values(envelopes, "data")
    if not are_moment_ids(event_ids, ID_PREFIXES["event"]) or set(map(type, datas)) != {dict}:
        return None
    created = _created_instants(_values(datas, "created_at"))
    columns = None if created is None else _columns(datas, _EVENT_DATA_FIELDS)
    bodies = None if columns is None else _bodies(envelopes, "event")
    if created is None or columns is None or bodies is None:
        return None
    return list(
        zip(
            event_ids,
            repeat(AMOUNT_APPLIED),
            repeat(received_at),
            created,
            *(columns[spec.column] for spec in _EVENT_DATA_FIELDS),
            bodies,
        )
    )
