"""The objects the sandbox keeps and answers with (billing objects, payment requests, payments, events): one
typed definition each, in Moment's field order.

These TypedDicts are the one description of each object's shape. The domain builds its objects in the order
`field_order` reads from them; the HTTP layer answers with them and describes them in /openapi.json
(`closed=True`: an answer never carries a field that is not listed; `NotRequired`: absent when never set,
never null). Formats that only HTTP checks (ID patterns, limits of request fields) live in `schemas/`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NotRequired

from typing_extensions import TypedDict

__all__ = [
    "ACCOUNT_FIELDS",
    "BILL_FIELDS",
    "CUSTOMER_FIELDS",
    "PAYMENT_FIELDS",
    "PAYMENT_REQUEST_FIELDS",
    "Account",
    "Bill",
    "BillStatus",
    "CheckoutLink",
    "Currency",
    "Customer",
    "Event",
    "EventType",
    "Obligation",
    "ObligationAmountApplied",
    "ObligationType",
    "Payment",
    "PaymentChannel",
    "PaymentRequest",
    "PaymentRequestStatus",
    "PaymentRules",
    "field_order",
    "in_order",
]

Currency = Literal["USD", "ZAR"]
BillStatus = Literal["unpaid", "paid", "voided"]
PaymentRequestStatus = Literal["active", "paid", "expired"]
PaymentChannel = Literal["api", "ebp", "in_person", "payment_request"]
ObligationType = Literal["bill", "account", "customer"]
EventType = Literal[
    "obligation.amount_applied",
    "payment_request.created",
    "payment_request.updated",
    "payment_request.paid",
]


class PaymentRules(TypedDict, closed=True):
    min_amount: int
    max_amount: int
    underpayment_allowed: bool
    overpayment_allowed: bool


class Customer(TypedDict, closed=True):
    id: str
    external_reference: str
    name: NotRequired[str]
    email: NotRequired[str]
    phone: NotRequired[str]
    currency: NotRequired[Currency]
    balance: NotRequired[int]
    payment_rules: NotRequired[PaymentRules]
    metadata: NotRequired[dict[str, str]]


class Account(TypedDict, closed=True):
    id: str
    external_reference: str
    customer_id: str
    name: NotRequired[str]
    currency: NotRequired[Currency]
    balance: NotRequired[int]
    payment_rules: NotRequired[PaymentRules]
    metadata: NotRequired[dict[str, str]]


class Bill(TypedDict, closed=True):
    id: str
    external_reference: str
    customer_id: str
    account_id: NotRequired[str]
    status: BillStatus
    currency: Currency
    amount_due: int
    amount_paid: int
    amount_remaining: int
    bill_date: NotRequired[str]
    due_date: NotRequired[str]
    payment_rules: NotRequired[PaymentRules]
    metadata: NotRequired[dict[str, str]]


class CheckoutLink(TypedDict, closed=True):
    checkout_session_id: str
    #: The sandbox's own hosted page: `{public_url}/pay/{id}`.
    link_url: str


class PaymentRequest(TypedDict, closed=True):
    id: str
    type: Literal["link"]
    status: PaymentRequestStatus
    amount: int
    currency: Currency
    external_reference: NotRequired[str]
    description: NotRequired[str]
    #: ISO 8601 UTC, whole seconds (2025-01-15T10:00:00Z), as every time below.
    expires_at: NotRequired[str]
    link: CheckoutLink
    payment_id: NotRequired[str]
    metadata: NotRequired[dict[str, str]]
    created_at: str
    updated_at: str


class Obligation(TypedDict, closed=True):
    """What a payment was applied to: an unlinked payment request is its own obligation."""

    type: ObligationType | Literal["payment_request"]
    id: str


class Payment(TypedDict, closed=True):
    id: str
    amount: int
    currency: Currency
    channel: PaymentChannel
    #: What the reconciliation report shows it was paid with (contract §10); `Card` by default.
    payment_method: str
    payment_method_tender: str
    status: Literal["succeeded"]
    obligation: Obligation
    #: Absent only when a payment request tied to no obligation was paid.
    application_id: NotRequired[str]
    event_id: str
    #: The payment request this payment paid, if any.
    payment_request: NotRequired[str]
    created_at: str


class ObligationAmountApplied(TypedDict, closed=True):
    """`data` of `obligation.amount_applied`: which ids appear depends on what was paid (contract §4)."""

    id: str
    amount: int
    currency: Currency
    payment_id: str
    bill_id: NotRequired[str]
    account_id: NotRequired[str]
    customer_id: NotRequired[str]
    metadata: dict[str, str]
    created_at: str
    updated_at: str


class Event(TypedDict, closed=True):
    """`data` is the application for `obligation.amount_applied`, the request for `payment_request.*`."""

    id: str
    type: EventType
    data: ObligationAmountApplied | PaymentRequest


def field_order(shape: type) -> tuple[str, ...]:
    """The fields of an object's TypedDict, in the order they are declared (Moment's order)."""
    return tuple(shape.__annotations__)


CUSTOMER_FIELDS = field_order(Customer)
ACCOUNT_FIELDS = field_order(Account)
BILL_FIELDS = field_order(Bill)
PAYMENT_REQUEST_FIELDS = field_order(PaymentRequest)
PAYMENT_FIELDS = field_order(Payment)


def in_order(obj: Mapping[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    """`obj`'s fields in `order`; fields never set stay absent."""
    return {name: obj[name] for name in order if name in obj}
