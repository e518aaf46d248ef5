"""Typed webhook events: `obligation.amount_applied`, `payment_request.*`, and any other type as `UnknownEvent`.

Every model keeps fields Moment adds later (`extra="allow"`: readable as attributes and kept by `to_dict()`,
which gives back exactly the JSON received). Validation is strict where billkit relies on a field (the event id
it deduplicates on, amounts as integers in minor units, the obligation a payment went to) and lenient elsewhere,
because a verified event refused for an optional detail would be retried until the sender gives up.

    event = parse_event(body)
    if isinstance(event, ObligationAmountApplied):
        event.obligation_type, event.obligation_id, event.data.amount
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import (
    Annotated,
    Any,
    Final,
    Generic,
    Literal,
    NoReturn,
    Self,
    TypeAlias,
    TypeVar,
    get_args,
)

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictInt,
    ValidationError,
    model_validator,
)

from billkit._json import json_text
from billkit.ids import ID_PREFIXES, id_problem, is_moment_id
from billkit.webhooks._errors import WebhookPayloadError

__all__ = [
    "AMOUNT_APPLIED",
    "PAYMENT_REQUEST_TYPES",
    "Event",
    "ObligationAmountApplied",
    "ObligationApplication",
    "ObligationType",
    "PaymentRequestData",
    "PaymentRequestEvent",
    "UnknownEvent",
    "WebhookEvent",
    "parse_event",
]

AMOUNT_APPLIED: Final = "obligation.amount_applied"
PaymentRequestType: TypeAlias = Literal[
    "payment_request.created", "payment_request.updated", "payment_request.paid"
]
PAYMENT_REQUEST_TYPES: Final[tuple[str, ...]] = get_args(PaymentRequestType)
ObligationType: TypeAlias = Literal["bill", "account", "customer"]

_Id = Field(min_length=1, max_length=255)
_Currency = Field(pattern=r"^[A-Z]{3}$")


def _moment_id(prefix: str) -> AfterValidator:
    """The one ID rule (`billkit.ids`), so the receiver refuses (400) what the ledger could never record."""

    def check(value: str) -> str:
        if not is_moment_id(value, prefix):
            raise ValueError(f"must be {id_problem(prefix)}")
        return value

    return AfterValidator(check)


EventId = Annotated[str, _moment_id(ID_PREFIXES["event"])]
BillId = Annotated[str, _moment_id(ID_PREFIXES["bill"])]
AccountId = Annotated[str, _moment_id(ID_PREFIXES["account"])]
CustomerId = Annotated[str, _moment_id(ID_PREFIXES["customer"])]


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class ObligationApplication(_Model):
    """`data` of `obligation.amount_applied`: an amount applied to one bill, account balance or customer balance.

    Which ids are present says what was paid: a bill carries `bill_id` (and its account's or customer's id),
    an account balance `account_id`, a customer balance `customer_id`.
    """

    id: str = _Id
    amount: StrictInt
    currency: str = _Currency
    payment_id: str = _Id
    bill_id: BillId | None = None
    account_id: AccountId | None = None
    customer_id: CustomerId | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    # Moment's quickstart payloads omit the timestamps, so they are optional here.
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _names_an_obligation(self) -> Self:
        if not (self.bill_id or self.account_id or self.customer_id):
            raise ValueError("names no obligation: expected bill_id, account_id or customer_id")
        return self

    @property
    def obligation_type(self) -> ObligationType:
        """What was paid: `"bill"` when a bill id is present, else `"account"`, else `"customer"`."""
        if self.bill_id:
            return "bill"
        return "account" if self.account_id else "customer"

    @property
    def obligation_id(self) -> str:
        """The id of what was paid (the bill, the account or the customer)."""
        found = self.bill_id or self.account_id or self.customer_id
        assert found is not None  # guaranteed by _names_an_obligation
        return found

    @property
    def amount_decimal(self) -> Decimal:
        """`amount` in major units (`2000` ZAR is `Decimal("20.00")`)."""
        from billkit.money import to_major  # babel loads only when money is shown

        return to_major(self.amount, self.currency)


class PaymentRequestData(_Model):
    """`data` of `payment_request.*`: the payment request object (Moment API §9.3), unknown fields kept."""

    id: str = _Id
    status: str
    amount: StrictInt
    currency: str = _Currency
    type: str | None = None
    external_reference: str | None = None
    description: str | None = None
    payment_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    expires_at: AwareDatetime | None = None
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None


DataT = TypeVar("DataT")


class Event(_Model, Generic[DataT]):
    """The envelope every Moment event shares: `{"id": "evt_...", "type": "...", "data": {...}}`."""

    #: The event's id: the same on every delivery attempt, so it is what receivers deduplicate on.
    id: EventId
    type: str = Field(min_length=1)
    data: DataT

    _raw: dict[str, Any] | None = PrivateAttr(default=None)

    def to_dict(self) -> dict[str, Any]:
        """The event as plain JSON data: exactly what was received, unknown fields included."""
        if self._raw is not None:
            return copy.deepcopy(self._raw)
        return self.model_dump(mode="json", exclude_unset=True)

    def to_json_text(self) -> str:
        """`to_dict()` as one line of compact JSON (`billkit._json.json_text`), without copying it first."""
        return json_text(
            self._raw if self._raw is not None else self.model_dump(mode="json", exclude_unset=True)
        )


class ObligationAmountApplied(Event[ObligationApplication]):
    """A payment was applied to a bill, an account balance or a customer balance."""

    type: Literal["obligation.amount_applied"]

    @property
    def obligation_type(self) -> ObligationType:
        return self.data.obligation_type

    @property
    def obligation_id(self) -> str:
        return self.data.obligation_id


class PaymentRequestEvent(Event[PaymentRequestData]):
    """A Collect payment request was created, updated or paid; `data` is the request object."""

    type: PaymentRequestType


class UnknownEvent(Event[dict[str, Any]]):
    """An event type billkit has no model for: still verified, deduplicated and recorded, `data` as a dict."""


WebhookEvent: TypeAlias = ObligationAmountApplied | PaymentRequestEvent | UnknownEvent

_MODELS: Final[Mapping[str, type[ObligationAmountApplied] | type[PaymentRequestEvent]]] = {
    AMOUNT_APPLIED: ObligationAmountApplied,
    **dict.fromkeys(PAYMENT_REQUEST_TYPES, PaymentRequestEvent),
}


#: Moment's events nest three or four levels; far deeper ones would exhaust the stack of whatever copies,
#: validates or prints them, so they are refused as the malformed messages they are.
MAX_NESTING: Final = 64


class _NotStandardJSON(ValueError):
    pass


def _refuse_constant(name: str) -> NoReturn:
    # Python's json reads NaN and Infinity, but they are not JSON: printed back they would not parse.
    raise _NotStandardJSON(f"{name} is not a JSON value")


def _decode(body: bytes | str) -> Any:
    try:
        return json.loads(body, parse_constant=_refuse_constant)
    except _NotStandardJSON as exc:
        raise WebhookPayloadError("invalid_json", f"the body is not JSON: {exc}") from None
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        detail = exc.msg if isinstance(exc, json.JSONDecodeError) else type(exc).__name__
        raise WebhookPayloadError("invalid_json", f"the body is not JSON: {detail}") from None


def _nests_deeper_than(value: object, limit: int) -> bool:
    pending: list[tuple[object, int]] = [
        (value, 1)
    ]  # a loop, not recursion: the depth is the question
    while pending:
        item, depth = pending.pop()
        if isinstance(item, Mapping):
            children: Iterable[object] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def _problems(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or 'event'}: {item['msg']}"
        for item in error.errors(include_url=False, include_input=False)
    )


def parse_event(body: bytes | str | Mapping[str, Any]) -> WebhookEvent:
    """The typed event in `body` (raw JSON bytes or text, or an already-decoded dict).

    Raises `WebhookPayloadError` (reason `invalid_json` or `invalid_event`) naming every field that is wrong.
    Parse only what `verify` accepted: the signature covers the raw bytes, not this object.
    """
    raw = _decode(body) if isinstance(body, bytes | bytearray | str) else body
    if not isinstance(raw, Mapping):
        raise WebhookPayloadError(
            "invalid_event", f"an event is a JSON object, not {type(raw).__name__}"
        )
    if _nests_deeper_than(raw, MAX_NESTING):
        raise WebhookPayloadError(
            "invalid_event",
            f"the event nests objects or arrays more than {MAX_NESTING} levels deep",
        )
    event_type = raw.get("type")
    model: type[WebhookEvent] = (
        _MODELS.get(event_type, UnknownEvent) if isinstance(event_type, str) else UnknownEvent
    )
    try:
        event = model.model_validate(raw)
    except ValidationError as exc:
        label = f"event {raw.get('id')!r}" if isinstance(raw.get("id"), str) else "event"
        raise WebhookPayloadError(
            "invalid_event", f"{label} of type {event_type!r} is not valid: {_problems(exc)}"
        ) from None
    event._raw = copy.deepcopy(dict(raw))
    return event
