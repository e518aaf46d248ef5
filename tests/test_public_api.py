"""The public surface of `import billkit` is exactly what is intended, and every name resolves."""

from __future__ import annotations

import subprocess
import sys

import pytest

import billkit

EXPECTED: set[str] = {
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "Account",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "Bill",
    "BillkitError",
    "Client",
    "ConfigurationError",
    "ConflictError",
    "Customer",
    "InternalServerError",
    "InvalidArgumentError",
    "Ledger",
    "NewAccount",
    "NewCustomer",
    "NotFoundError",
    "ObligationAmountApplied",
    "PayloadTooLargeError",
    "PaymentRequest",
    "PaymentRequestEvent",
    "PaymentRules",
    "PermissionDeniedError",
    "RateLimitError",
    "RecordsObjects",
    "Sandbox",
    "UnexpectedResponseError",
    "UnprocessableEntityError",
    "WebhookReceiver",
    "WebhookVerificationError",
}


def test_all_is_sorted_and_exact() -> None:
    assert billkit.__all__ == sorted(billkit.__all__)
    assert set(billkit.__all__) == EXPECTED


def test_every_public_name_resolves() -> None:
    for name in billkit.__all__:
        assert getattr(billkit, name) is not None, name


def test_unknown_name_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        billkit.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018


def test_import_is_light() -> None:
    """`import billkit` must not pull in the sandbox server or the analysis stack."""
    heavy = ("uvicorn", "fastapi", "pandas", "plotly")
    code = f"import sys, billkit; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
