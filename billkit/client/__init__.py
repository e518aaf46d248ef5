"""billkit's client for Moment's Billing API: `Client`, `AsyncClient`, their typed objects and params."""

from billkit.client._base import RecordsObjects
from billkit.client._client import AsyncClient, Client
from billkit.client._models import (
    Account,
    Bill,
    Customer,
    MomentObject,
    PaymentRequest,
    PaymentRequestLink,
    PaymentRules,
    ResponseInfo,
)
from billkit.client._params import NewAccount, NewCustomer
from billkit.client._sandbox_models import (
    Delivery,
    Page,
    PaymentObligation,
    SandboxPayment,
    SandboxReport,
    WebhookEndpoint,
)

__all__ = [
    "Account",
    "AsyncClient",
    "Bill",
    "Client",
    "Customer",
    "Delivery",
    "MomentObject",
    "NewAccount",
    "NewCustomer",
    "Page",
    "PaymentObligation",
    "PaymentRequest",
    "PaymentRequestLink",
    "PaymentRules",
    "RecordsObjects",
    "ResponseInfo",
    "SandboxPayment",
    "SandboxReport",
    "WebhookEndpoint",
]
