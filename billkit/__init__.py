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
    "PayloadTooLargeError": "billkit.errors",
    "PaymentRequest": "billkit.client",
    "PaymentRules": "billkit.client",
    "PermissionDeniedError": "billkit.errors",
    "RateLimitError": "billkit.errors",
    "RecordsObjects": "billkit.client",
    "UnexpectedResponseError": "billkit.errors",
    "UnprocessableEntityError": "billkit.errors",
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
    from billkit.client import (
        Account,
        AsyncClient,
        Bill,
        Client,
        Customer,
        NewAccount,
        NewCustomer,
        PaymentRequest,
        PaymentRules,
        RecordsObjects,
    )
    from billkit.errors import (
        APIConnectionError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        BillkitError,
        ConfigurationError,
        ConflictError,
        InternalServerError,
        InvalidArgumentError,
        NotFoundError,
        PayloadTooLargeError,
        PermissionDeniedError,
        RateLimitError,
        UnexpectedResponseError,
        UnprocessableEntityError,
    )
    from billkit.ledger import Ledger
