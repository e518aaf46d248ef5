"""Typed objects for what Moment returns: customers, accounts, bills, payment rules and payment requests.

Each keeps fields Moment adds later (`extra="allow"`: readable as attributes, present in `to_dict()`), is
immutable, and remembers how it was obtained (`.response`). `to_dict()` gives back exactly the JSON received,
so optional fields Moment did not send stay absent rather than turning into `None`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from billkit.money import to_major

__all__ = [
    "Account",
    "Bill",
    "Customer",
    "MomentObject",
    "PaymentRequest",
    "PaymentRequestLink",
    "PaymentRules",
    "ResponseInfo",
]


@dataclass(frozen=True, slots=True)
class ResponseInfo:
    """How an object reached you: the request that fetched it and whether Moment replayed a stored answer."""

    status_code: int
    method: str
    path: str
    idempotency_key: str | None
    #: True when Moment answered from its idempotency store (`Idempotent-Replayed: true`): no new object
    #: was made by this call, it returned the one an earlier call with the same key made.
    replayed: bool
    attempts: int = 1


class MomentObject(BaseModel):
    """Base of billkit's typed API objects."""

    model_config = ConfigDict(extra="allow", frozen=True)

    _raw: dict[str, Any] | None = PrivateAttr(default=None)
    _response: ResponseInfo | None = PrivateAttr(default=None)

    @classmethod
    def from_api(cls, data: dict[str, Any], response: ResponseInfo | None = None) -> Self:
        """Build from a decoded JSON body, which the object keeps (do not change it afterwards)."""
        obj = cls.model_validate(data)
        # No copy here: a freshly decoded body belongs to no one else, and to_dict() hands out copies.
        obj._raw = data
        obj._response = response
        return obj

    @property
    def response(self) -> ResponseInfo | None:
        """The response this object came from (None for objects built by hand)."""
        return self._response

    def to_dict(self) -> dict[str, Any]:
        """The object as plain JSON-ready data: exactly what the API sent, unknown fields included."""
        if self._raw is not None:
            return copy.deepcopy(self._raw)
        return self.model_dump(mode="json", exclude_unset=True)


class PaymentRules(MomentObject):
    """What a payer may pay against an obligation; an entity without them cannot be paid."""

    min_amount: int
    max_amount: int
    underpayment_allowed: bool
    overpayment_allowed: bool


class _Balance(MomentObject):
    currency: str | None = None
    #: Minor units: positive means the customer owes, negative is credit held. Absent: not tracked.
    balance: int | None = None

    @property
    def balance_decimal(self) -> Decimal | None:
        """`balance` in major units, or None when no balance (or no currency) is tracked."""
        if self.balance is None or self.currency is None:
            return None
        return to_major(self.balance, self.currency)


class Customer(_Balance):
    """A person or business; may hold a balance and own accounts and bills."""

    id: str
    external_reference: str
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    payment_rules: PaymentRules | None = None
    metadata: dict[str, str] = Field(default_factory=dict)


class Account(_Balance):
    """A sub-entity of one customer with its own balance and payment rules."""

    id: str
    external_reference: str
    customer_id: str
    name: str | None = None
    payment_rules: PaymentRules | None = None
    metadata: dict[str, str] = Field(default_factory=dict)


class Bill(MomentObject):
    """One charge with an amount due, on a customer or an account. `status`: unpaid, paid or voided."""

    id: str
    external_reference: str
    customer_id: str
    account_id: str | None = None
    status: str
    currency: str
    amount_due: int
    amount_paid: int
    amount_remaining: int
    bill_date: date | None = None
    due_date: date | None = None
    payment_rules: PaymentRules | None = None
    metadata: dict[str, str] = Field(default_factory=dict)

    @property
    def amount_due_decimal(self) -> Decimal:
        return to_major(self.amount_due, self.currency)

    @property
    def amount_paid_decimal(self) -> Decimal:
        return to_major(self.amount_paid, self.currency)

    @property
    def amount_remaining_decimal(self) -> Decimal:
        return to_major(self.amount_remaining, self.currency)


class PaymentRequestLink(MomentObject):
    """Where a payer pays a `link` payment request."""

    checkout_session_id: str | None = None
    link_url: str | None = None


class PaymentRequest(MomentObject):
    """A Collect payment request: a link (or bank push) asking for one full payment."""

    id: str
    status: str
    amount: int
    currency: str
    type: str | None = None
    external_reference: str | None = None
    description: str | None = None
    expires_at: datetime | None = None
    link: PaymentRequestLink | None = None
    push: dict[str, Any] | None = None
    payment_id: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def amount_decimal(self) -> Decimal:
        return to_major(self.amount, self.currency)
