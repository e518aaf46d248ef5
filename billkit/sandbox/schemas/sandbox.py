"""Shapes of the sandbox-only routes (`/_sandbox/...`, contract §6): payments, events, webhook endpoints,
lists, the clock and reset. The payment and event answered are the domain's own definitions
(`domain/objects.py`)."""

from __future__ import annotations

import re
from typing import Annotated, Literal, NotRequired

from pydantic import (
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    with_config,
)
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict

from billkit.sandbox.clock import MAX_ADVANCE_SECONDS
from billkit.sandbox.domain.objects import (
    Event,
    ObligationAmountApplied,
    ObligationType,
    Payment,
    PaymentChannel,
)
from billkit.sandbox.schemas.billing import Account, Bill, BillStatus, Customer
from billkit.sandbox.schemas.common import (
    CLOSED,
    AccountId,
    BillId,
    Currency,
    CustomerId,
    EventId,
    IdOrReference,
    Metadata,
    PositiveAmount,
    Timestamp,
    WebhookEndpointId,
    in_range,
    range_schema,
)
from billkit.sandbox.schemas.payment_requests import PaymentRequestId
from billkit.sandbox.settings import MAX_URL_LENGTH

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_VERSIONS_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "PAYMENT_TARGETS",
    "AccountList",
    "AccountListQuery",
    "BillList",
    "BillListQuery",
    "Chaos",
    "Clock",
    "ClockAdvance",
    "CustomerList",
    "CustomerListQuery",
    "DeletedWebhookEndpoint",
    "Event",
    "EventList",
    "EventListQuery",
    "ObligationAmountApplied",
    "Payment",
    "PaymentChannel",
    "PaymentCreate",
    "Reset",
    "ResetCounts",
    "ResetRequest",
    "Version",
    "VersionList",
    "VersionListQuery",
    "WebhookEndpoint",
    "WebhookEndpointCreate",
    "WebhookEndpointList",
]

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
DEFAULT_VERSIONS_PAGE_SIZE = 100
MAX_VERSIONS_PAGE_SIZE = 1000
#: The body fields naming what a payment is applied to; exactly one is given.
PAYMENT_TARGETS: tuple[ObligationType, ...] = ("bill", "account", "customer")
#: How a payment was paid, as the reconciliation report shows it ("Capitec Pay", "Bank Transfer"): 1 to 40
#: printable ASCII characters, not starting or ending with a space (contract §10).
PaymentMethod = Annotated[
    str, StringConstraints(min_length=1, max_length=40, pattern=r"^[!-~]([ -~]*[!-~])?$")
]

# ---- payments ----------------------------------------------------------------------------------


@with_config(
    ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "oneOf": [{"required": [target]} for target in (*PAYMENT_TARGETS, "payment_request")]
        },
    )
)
class PaymentCreate(TypedDict):
    """Exactly one of `bill`, `account`, `customer` (ID or external_reference) or `payment_request`
    (its ID; the amount must be the request's)."""

    amount: PositiveAmount
    bill: NotRequired[IdOrReference]
    account: NotRequired[IdOrReference]
    customer: NotRequired[IdOrReference]
    payment_request: NotRequired[PaymentRequestId]
    currency: NotRequired[Currency]
    channel: NotRequired[PaymentChannel]
    metadata: NotRequired[Metadata]
    #: Default `Card`.
    payment_method: NotRequired[PaymentMethod]
    #: Default: the payment_method (so `Card` when neither is given).
    payment_method_tender: NotRequired[PaymentMethod]


# ---- webhook endpoints -------------------------------------------------------------------------

_Rate = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
_Url = Annotated[
    str,
    StringConstraints(max_length=MAX_URL_LENGTH, pattern=r"^https?://[^\s/?#]+[^\s]*$"),
]


_SEED_RANGE = (-(2**63), 2**63 - 1)


@with_config(ConfigDict(extra="forbid", strict=True))
class Chaos(TypedDict, total=False):
    """Misbehaviour the delivery worker adds on purpose, so receivers can be tested against it."""

    duplicate_rate: _Rate
    delay_rate: _Rate
    max_delay_seconds: Annotated[float, Field(ge=0, le=300, allow_inf_nan=False)]
    seed: Annotated[int, in_range(*_SEED_RANGE), range_schema(*_SEED_RANGE)]


@with_config(CLOSED)
class WebhookEndpointCreate(TypedDict):
    url: _Url
    chaos: NotRequired[Chaos]


@with_config(CLOSED)
class WebhookEndpoint(TypedDict):
    id: WebhookEndpointId
    url: str
    secret: Annotated[str, Field(pattern=r"^whsec_[A-Za-z0-9+/=]+$")]
    chaos: NotRequired[Chaos]


@with_config(CLOSED)
class WebhookEndpointList(TypedDict):
    data: list[WebhookEndpoint]


@with_config(CLOSED)
class DeletedWebhookEndpoint(TypedDict):
    id: WebhookEndpointId
    deleted: Literal[True]


# ---- clock and reset ---------------------------------------------------------------------------


@with_config(CLOSED)
class ClockAdvance(TypedDict):
    advance_seconds: Annotated[float, Field(gt=0, le=MAX_ADVANCE_SECONDS, allow_inf_nan=False)]


@with_config(CLOSED)
class Clock(TypedDict):
    now: Timestamp


@with_config(CLOSED)
class ResetRequest(TypedDict):
    """Reset takes no fields; an empty body or `{}`."""


@with_config(CLOSED)
class ResetCounts(TypedDict):
    customers: int
    accounts: int
    bills: int
    payments: int
    events: int


@with_config(CLOSED)
class Reset(TypedDict):
    deleted: ResetCounts


# ---- lists -------------------------------------------------------------------------------------

_Limit = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)]
# Query strings arrive as text: these models are validated in lax mode so "20" reads as 20.
# `starting_after` is the ID of the last item of the previous page.
_QUERY = ConfigDict(extra="forbid", strict=False)


@with_config(_QUERY)
class EventListQuery(TypedDict, total=False):
    limit: _Limit
    starting_after: EventId


@with_config(_QUERY)
class CustomerListQuery(TypedDict, total=False):
    limit: _Limit
    starting_after: CustomerId


@with_config(_QUERY)
class AccountListQuery(TypedDict, total=False):
    limit: _Limit
    starting_after: AccountId
    customer: IdOrReference


@with_config(_QUERY)
class BillListQuery(TypedDict, total=False):
    limit: _Limit
    starting_after: BillId
    customer: IdOrReference
    account: IdOrReference
    status: BillStatus


@with_config(CLOSED)
class CustomerList(TypedDict):
    data: list[Customer]
    has_more: bool


@with_config(CLOSED)
class AccountList(TypedDict):
    data: list[Account]
    has_more: bool


@with_config(CLOSED)
class BillList(TypedDict):
    data: list[Bill]
    has_more: bool


@with_config(CLOSED)
class EventList(TypedDict):
    data: list[Event]
    has_more: bool


# ---- versions ----------------------------------------------------------------------------------

ObjectKind = Literal["customer", "account", "bill"]
_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def _rfc3339_text(value: object) -> object:
    """Query values are text, which lax parsing would also read as Unix seconds: only RFC 3339 is taken."""
    if isinstance(value, str) and _RFC3339.fullmatch(value) is None:
        raise PydanticCustomError("timestamp", "must be a moment written YYYY-MM-DDTHH:MM:SSZ")
    return value


#: An instant in a query string, written as RFC 3339 (`2025-01-15T10:00:00Z`).
QueryInstant = Annotated[AwareDatetime, BeforeValidator(_rfc3339_text)]


@with_config(_QUERY)
class VersionListQuery(TypedDict, total=False):
    kind: ObjectKind
    #: Only versions whose `at` is this or later.
    since: QueryInstant
    limit: Annotated[int, Field(ge=1, le=MAX_VERSIONS_PAGE_SIZE)]
    #: The `seq` of the last version of the previous page (SQLite integers end at 2**63 - 1).
    starting_after: Annotated[int, Field(ge=0, le=2**63 - 1)]


@with_config(CLOSED)
class Version(TypedDict):
    """One state of a billing object: `at` is when (on the sandbox clock) that state began."""

    seq: Annotated[int, Field(ge=1)]
    kind: ObjectKind
    id: str
    at: Timestamp
    object: Customer | Account | Bill


@with_config(CLOSED)
class VersionList(TypedDict):
    data: list[Version]
    has_more: bool
