"""`/openapi.json` describes exactly the faithful surface and the sandbox routes, and a schema-driven fuzzer
(schemathesis) holds the running sandbox to it: no 5xx, no response outside its schema, no undeclared status,
valid data accepted, invalid data refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from billkit.sandbox import Sandbox
from billkit.sandbox.app import create_app
from billkit.sandbox.settings import SandboxSettings

FUZZ_KEY = "sk_test_schemathesisFuzzKey"
DESCRIBED = {
    "/billing/customers": {"post"},
    "/billing/customers/{customer}": {"get", "patch"},
    "/billing/accounts": {"post"},
    "/billing/accounts/{account}": {"get", "patch"},
    "/billing/bills": {"post"},
    "/billing/bills/{bill}": {"get", "patch"},
    "/billing/bills/{bill}/void": {"post"},
    "/collect/payment_requests": {"post"},
    "/collect/payment_requests/{payment_request}": {"get", "patch"},
    "/_sandbox/payments": {"post"},
    "/_sandbox/events": {"get"},
    "/_sandbox/events/{event}": {"get"},
    "/_sandbox/events/{event}/deliveries": {"get"},
    "/_sandbox/events/{event}/redeliver": {"post"},
    "/_sandbox/webhook_endpoints": {"get", "post"},
    "/_sandbox/webhook_endpoints/{endpoint}": {"delete"},
    "/_sandbox/billing/customers": {"get"},
    "/_sandbox/billing/accounts": {"get"},
    "/_sandbox/billing/bills": {"get"},
    "/_sandbox/clock": {"get", "post"},
    "/_sandbox/versions": {"get"},
    "/_sandbox/reset": {"post"},
}

OPENAPI: dict[str, Any] = create_app(SandboxSettings()).state.openapi

# Valid data may still break a business rule (422), name something missing (404) or reuse a reference (409).
CONFIG = SchemathesisConfig.from_str(
    """
[checks.positive_data_acceptance]
expected-statuses = [200, 201, 401, 403, 404, 409, 422]
"""
)
schema = schemathesis.openapi.from_dict(OPENAPI, config=CONFIG)


@pytest.fixture(scope="module")
def fuzzed() -> Iterator[Sandbox]:
    with Sandbox(api_key=FUZZ_KEY) as running:
        yield running


def test_served_document_is_the_built_one(sandbox: Sandbox) -> None:
    served = httpx.get(f"{sandbox.base_url}/openapi.json")
    assert served.status_code == 200
    assert served.json()["paths"] == OPENAPI["paths"]


def test_document_describes_exactly_the_contract_routes() -> None:
    assert {path: set(ops) for path, ops in OPENAPI["paths"].items()} == DESCRIBED


def test_every_error_status_is_declared_as_problem_json() -> None:
    for path, operations in OPENAPI["paths"].items():
        for method, operation in operations.items():
            statuses = {int(status) for status in operation["responses"]}
            assert {400, 401, 403, 500} <= statuses, (method, path)
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (method, path)


def test_idempotency_key_is_a_required_header_on_faithful_posts() -> None:
    for path, operations in OPENAPI["paths"].items():
        post = operations.get("post")
        if post is None:
            continue
        [header] = [p for p in post["parameters"] if p["in"] == "header"]
        required = not path.startswith("/_sandbox/") or path == "/_sandbox/payments"
        assert (header["name"], header["required"]) == ("Idempotency-Key", required), path


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_fuzzer_finds_no_5xx_and_no_schema_violation(case: Any, fuzzed: Sandbox) -> None:
    case.call_and_validate(
        base_url=fuzzed.base_url, headers={"Authorization": f"Bearer {FUZZ_KEY}"}
    )
