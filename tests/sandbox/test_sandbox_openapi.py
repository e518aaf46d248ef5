"""`/openapi.json` describes exactly the faithful surface and the sandbox routes, and a schema-driven fuzzer
(schemathesis) holds the running sandbox to it: no 5xx, no response outside its schema, no undeclared status,
valid data accepted, invalid data refused.

The fuzzer's schema comes from a fixture (`schemathesis.pytest.from_fixture`): one test item, each operation
a subtest named after it, its cases built when the test runs. Built at collection (`schema.parametrize()`),
the coverage phase's ~1,900 explicit cases cost ~10 CPU-s in every process that collects the suite, each
pytest-xdist worker included, even when the fuzzer is not run."""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.schemas import BaseSchema

from billkit.sandbox import Sandbox
from billkit.sandbox.app import create_app
from billkit.sandbox.domain.objects import (
    ACCOUNT_FIELDS,
    BILL_FIELDS,
    CUSTOMER_FIELDS,
    PAYMENT_REQUEST_FIELDS,
)
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
    "/_sandbox/files": {"get"},
    "/_sandbox/files/{file}": {"get"},
    "/_sandbox/reports": {"get", "post"},
    "/_sandbox/reports/{report}": {"get"},
}

OPENAPI: dict[str, Any] = create_app(SandboxSettings()).state.openapi

# Valid data may still break a business rule (422), name something missing (404) or reuse a reference (409).
CONFIG = SchemathesisConfig.from_str(
    """
[checks.positive_data_acceptance]
expected-statuses = [200, 201, 401, 403, 404, 409, 422]
"""
)
# A copy: the stateful phase writes the links it infers into the document it is given.
schema = schemathesis.openapi.from_dict(copy.deepcopy(OPENAPI), config=CONFIG)


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


@pytest.mark.parametrize(
    ("name", "order"),
    [
        ("Customer", CUSTOMER_FIELDS),
        ("Account", ACCOUNT_FIELDS),
        ("Bill", BILL_FIELDS),
        ("PaymentRequest", PAYMENT_REQUEST_FIELDS),
    ],
)
def test_answered_objects_are_described_by_the_domain_definitions(
    name: str, order: tuple[str, ...]
) -> None:
    """The one definition of each object gives both the order the domain builds it in and the response
    schema: closed, with the fields in the same order."""
    described = OPENAPI["components"]["schemas"][name]
    assert tuple(described["properties"]) == order
    assert described["additionalProperties"] is False
    assert set(described["required"]) < set(order)


def test_idempotency_key_is_a_required_header_on_faithful_posts() -> None:
    for path, operations in OPENAPI["paths"].items():
        post = operations.get("post")
        if post is None:
            continue
        [header] = [p for p in post["parameters"] if p["in"] == "header"]
        required = not path.startswith("/_sandbox/") or path == "/_sandbox/payments"
        assert (header["name"], header["required"]) == ("Idempotency-Key", required), path


_VALID_KEY = re.compile(r"[a-zA-Z0-9-]{1,255}")


def _json_integers(value: Any) -> Any:
    """JSON Schema counts -90.0 as an integer, so the fuzzer sends it as one; the contract (§2) does not:
    money is written as a JSON integer. Integral floats are sent as the integers they stand for."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {name: _json_integers(item) for name, item in value.items()}
    if isinstance(value, list):
        return [_json_integers(item) for item in value]
    return value


def _prepared(case: Any) -> None:
    """A valid generated Idempotency-Key becomes a new one, so a finding is never a replay of another
    call's answer (an invalid one stays: refusing it is what is being checked); see `_json_integers`."""
    headers = case.headers or {}
    key = headers.get("Idempotency-Key")
    if isinstance(key, str) and _VALID_KEY.fullmatch(key):
        headers["Idempotency-Key"] = str(uuid.uuid4())
    if isinstance(case.body, dict | list):
        case.body = _json_integers(case.body)


@pytest.fixture
def fuzzed_schema(request: pytest.FixtureRequest) -> BaseSchema:
    """The schema `from_fixture` builds each operation's test from, when the fuzzer runs.

    schemathesis 4.32's lazy loader reads and writes the item's `_nodeid` (to name each operation's
    reports), which pytest 9.2's items no longer have: given one, the item keeps its id, and each
    operation's subtest report is labelled with the operation instead."""
    request.node._nodeid = request.node.nodeid
    return schema


@pytest.mark.slow  # one item for every operation, ~50 CPU-s
@schemathesis.pytest.from_fixture("fuzzed_schema").parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_fuzzer_finds_no_5xx_and_no_schema_violation(case: Any, fuzzed: Sandbox) -> None:
    _prepared(case)
    case.call_and_validate(
        base_url=fuzzed.base_url, headers={"Authorization": f"Bearer {FUZZ_KEY}"}
    )


#: Where each stateful scenario's own sandbox clock starts (see `_Workflow.setup`).
_SCENARIO_CLOCK = datetime(2027, 1, 1, tzinfo=UTC)


class _Workflow(schema.as_state_machine()):  # type: ignore[misc]
    """Stateful phase: sequences of calls that feed one call's IDs to the next (links schemathesis infers
    from the document), e.g. create a bill, pay it, read it back, void it.

    Each scenario runs against a new sandbox whose clock starts at the same instant. Hypothesis replays
    and extends the scenarios it has seen, and a scenario's next steps depend on what the sandbox answered
    (an ID to follow only exists if its create succeeded): against one shared sandbox, whose data and
    clock the earlier scenarios moved, a replay could take another path, which Hypothesis reports as
    inconsistent data generation instead of the finding."""

    def setup(self) -> None:
        self.sandbox = Sandbox(api_key=FUZZ_KEY, clock_start=_SCENARIO_CLOCK).start()

    def teardown(self) -> None:
        self.sandbox.stop()

    def before_call(self, case: Any) -> None:
        _prepared(case)

    def get_call_kwargs(self, case: Any) -> dict[str, Any]:
        return {
            "base_url": self.sandbox.base_url,
            "headers": {"Authorization": f"Bearer {FUZZ_KEY}"},
        }


def test_stateful_fuzzing_finds_no_5xx_and_no_schema_violation() -> None:
    # Bounded for CI: about a hundred calls in all.
    _Workflow.run(
        settings=settings(
            max_examples=12,
            stateful_step_count=8,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
