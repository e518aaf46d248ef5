"""The public surface of `import billkit` is exactly what is intended, and every name resolves."""

from __future__ import annotations

import ast
import inspect
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


def test_every_public_name_resolves_to_the_object_of_that_name() -> None:
    for name in billkit.__all__:
        assert getattr(billkit, name).__name__ == name


def test_type_checking_imports_mirror_the_lazy_exports() -> None:
    """Type checkers see `billkit.X` through the TYPE_CHECKING block: it must name the same modules."""
    tree = ast.parse(inspect.getsource(billkit))
    guarded = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    )
    imported = {
        alias.name: node.module
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.asname == alias.name
    }
    assert imported == billkit._EXPORTS


def test_unknown_name_raises_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        billkit.NoSuchThing  # noqa: B018


def test_import_is_light() -> None:
    """`import billkit` must not pull in the sandbox server or the analysis stack."""
    heavy = ("uvicorn", "fastapi", "pandas", "plotly")
    code = f"import sys, billkit; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
