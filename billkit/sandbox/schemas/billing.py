"""Customers, accounts and bills on the faithful surface (`/billing/...`): Moment's fields, limits and shapes."""

from __future__ import annotations

from typing import Annotated, Literal, NotRequired

from pydantic import ConfigDict, Tag, with_config
from typing_extensions import TypedDict

from billkit.sandbox.schemas.common import (
    CLOSED,
    OBJECT_TAG,
    REFERENCE_TAG,
    AccountId,
    AmountDue,
    AmountPaid,
    Balance,
    BillDate,
    BillId,
    Currency,
    CustomerId,
    Email,
    ExternalReference,
    IdOrReference,
    Metadata,
    MetadataPatch,
    Name,
    Phone,
    reference_or_object,
)

__all__ = [
    "Account",
    "AccountCreate",
    "AccountUpdate",
    "Bill",
    "BillCreate",
    "BillStatus",
    "BillUpdate",
    "BillVoid",
    "Customer",
    "CustomerCreate",
    "CustomerUpdate",
    "NewAccount",
    "PaymentRules",
]

BillStatus = Literal["unpaid", "paid", "voided"]


# ---- requests ----------------------------------------------------------------------------------


@with_config(CLOSED)
class CustomerCreate(TypedDict):
    external_reference: ExternalReference
    name: NotRequired[Name]
    email: NotRequired[Email]
    phone: NotRequired[Phone]
    currency: NotRequired[Currency]
    balance: NotRequired[Balance]
    metadata: NotRequired[Metadata]


@with_config(CLOSED)
class CustomerUpdate(TypedDict, total=False):
    name: Name
    email: Email
    phone: Phone
    currency: Currency
    balance: Balance
    metadata: MetadataPatch


CustomerField = Annotated[
    Annotated[IdOrReference, Tag(REFERENCE_TAG)] | Annotated[CustomerCreate, Tag(OBJECT_TAG)],
    reference_or_object("customer"),
]


@with_config(CLOSED)
class AccountCreate(TypedDict):
    customer: CustomerField
    external_reference: ExternalReference
    name: NotRequired[Name]
    currency: NotRequired[Currency]
    balance: NotRequired[Balance]
    metadata: NotRequired[Metadata]


@with_config(CLOSED)
class AccountUpdate(TypedDict, total=False):
    name: Name
    currency: Currency
    balance: Balance
    metadata: MetadataPatch


@with_config(CLOSED)
class NewAccount(TypedDict):
    """An account created inside a bill create; its customer is here or the bill's `customer`."""

    external_reference: ExternalReference
    customer: NotRequired[CustomerField]
    name: NotRequired[Name]
    currency: NotRequired[Currency]
    balance: NotRequired[Balance]
    metadata: NotRequired[Metadata]


AccountField = Annotated[
    Annotated[IdOrReference, Tag(REFERENCE_TAG)] | Annotated[NewAccount, Tag(OBJECT_TAG)],
    reference_or_object("account"),
]


@with_config(
    ConfigDict(
        extra="forbid",
        strict=True,
        # A customer, or an account that is an existing one's reference or a new one with its customer:
        # a new account with no customer anywhere is a missing field (400 account.customer, contract §2).
        json_schema_extra={
            "anyOf": [
                {"required": ["customer"]},
                {
                    "required": ["account"],
                    "properties": {
                        "account": {"anyOf": [{"type": "string"}, {"required": ["customer"]}]}
                    },
                },
            ]
        },
    )
)
class BillCreate(TypedDict):
    """A bill on `customer`, on `account`, or both (see the forms in `routes/bills.py`)."""

    external_reference: ExternalReference
    currency: Currency
    amount_due: AmountDue
    customer: NotRequired[CustomerField]
    account: NotRequired[AccountField]
    bill_date: NotRequired[BillDate]
    due_date: NotRequired[BillDate]
    metadata: NotRequired[Metadata]


@with_config(CLOSED)
class BillUpdate(TypedDict, total=False):
    currency: Currency
    amount_paid: AmountPaid
    metadata: MetadataPatch


@with_config(CLOSED)
class BillVoid(TypedDict):
    """Voiding takes no fields; an empty body or `{}`."""


# ---- responses ---------------------------------------------------------------------------------


@with_config(CLOSED)
class PaymentRules(TypedDict):
    min_amount: int
    max_amount: int
    underpayment_allowed: bool
    overpayment_allowed: bool


@with_config(CLOSED)
class Customer(TypedDict):
    id: CustomerId
    external_reference: str
    name: NotRequired[str]
    email: NotRequired[str]
    phone: NotRequired[str]
    currency: NotRequired[Currency]
    balance: NotRequired[int]
    payment_rules: NotRequired[PaymentRules]
    metadata: NotRequired[dict[str, str]]


@with_config(CLOSED)
class Account(TypedDict):
    id: AccountId
    external_reference: str
    customer_id: CustomerId
    name: NotRequired[str]
    currency: NotRequired[Currency]
    balance: NotRequired[int]
    payment_rules: NotRequired[PaymentRules]
    metadata: NotRequired[dict[str, str]]


@with_config(CLOSED)
class Bill(TypedDict):
    id: BillId
    external_reference: str
    customer_id: CustomerId
    account_id: NotRequired[AccountId]
    status: BillStatus
    currency: Currency
    amount_due: int
    amount_paid: int
    amount_remaining: int
    bill_date: NotRequired[BillDate]
    due_date: NotRequired[BillDate]
    payment_rules: NotRequired[PaymentRules]
    metadata: NotRequired[dict[str, str]]
