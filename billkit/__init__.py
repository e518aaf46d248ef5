"""billkit: a Jupyter-based toolkit for Moment's Billing API.

Public names are imported lazily, so `import billkit` stays light: the sandbox (FastAPI, uvicorn) and the
analysis layer (pandas, plotly) load only when first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "APIConnectionError": "billkit.errors",
    "APIStatusError": "billkit.errors",
    "APITimeoutError": "billkit.errors",
    "Account": "billkit.client",
    "AsyncClient": "billkit.client",
    "AuthenticationError": "billkit.errors",
    "BadRequestError": "billkit.errors",
    "Bill": "billkit.client",
    "BillkitError": "billkit.errors",
    "Client": "billkit.client",
    "ConfigurationError": "billkit.errors",
    "ConflictError": "billkit.errors",
    "Customer": "billkit.client",
    "InternalServerError": "billkit.errors",
    "InvalidArgumentError": "billkit.errors",
    "Ledger": "billkit.ledger",
    "NewAccount": "billkit.client",
    "NewCustomer": "billkit.client",
    "NotFoundError": "billkit.errors",
    "ObligationAmountApplied": "billkit.webhooks",
    "PayloadTooLargeError": "billkit.errors",
    "PaymentRequest": "billkit.client",
    "PaymentRequestEvent": "billkit.webhooks",
    "PaymentRules": "billkit.client",
    "PermissionDeniedError": "billkit.errors",
    "RateLimitError": "billkit.errors",
    "RecordsObjects": "billkit.client",
    "Sandbox": "billkit.sandbox",
    "UnexpectedResponseError": "billkit.errors",
    "UnprocessableEntityError": "billkit.errors",
    "WebhookReceiver": "billkit.webhooks",
    "WebhookVerificationError": "billkit.webhooks",
}

__all__: list[str] = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'billkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    # `Name as Name` marks an explicit re-export: `from billkit import Client` type-checks under --strict.
    from billkit.client import Account as Account
    from billkit.client import AsyncClient as AsyncClient
    from billkit.client import Bill as Bill
    from billkit.client import Client as Client
    from billkit.client import Customer as Customer
    from billkit.client import NewAccount as NewAccount
    from billkit.client import NewCustomer as NewCustomer
    from billkit.client import PaymentRequest as PaymentRequest
    from billkit.client import PaymentRules as PaymentRules
    from billkit.client import RecordsObjects as RecordsObjects
    from billkit.errors import APIConnectionError as APIConnectionError
    from billkit.errors import APIStatusError as APIStatusError
    from billkit.errors import APITimeoutError as APITimeoutError
    from billkit.errors import AuthenticationError as AuthenticationError
    from billkit.errors import BadRequestError as BadRequestError
    from billkit.errors import BillkitError as BillkitError
    from billkit.errors import ConfigurationError as ConfigurationError
    from billkit.errors import ConflictError as ConflictError
    from billkit.errors import InternalServerError as InternalServerError
    from billkit.errors import InvalidArgumentError as InvalidArgumentError
    from billkit.errors import NotFoundError as NotFoundError
    from billkit.errors import PayloadTooLargeError as PayloadTooLargeError
    from billkit.errors import PermissionDeniedError as PermissionDeniedError
    from billkit.errors import RateLimitError as RateLimitError
    from billkit.errors import UnexpectedResponseError as UnexpectedResponseError
    from billkit.errors import UnprocessableEntityError as UnprocessableEntityError
    from billkit.ledger import Ledger as Ledger
    from billkit.sandbox import Sandbox as Sandbox
    from billkit.webhooks import ObligationAmountApplied as ObligationAmountApplied
    from billkit.webhooks import PaymentRequestEvent as PaymentRequestEvent
    from billkit.webhooks import WebhookReceiver as WebhookReceiver
    from billkit.webhooks import WebhookVerificationError as WebhookVerificationError
