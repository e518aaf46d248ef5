"""Contract §2 and §3: problem+json everywhere, 404 for unknown paths, 405 for DELETE, 413, bad JSON, and
400s that name each field to blame."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sandbox_helpers import LOOP_HELD_AT_MOST, Api, LoopProbe, ref
from starlette.routing import Route

from billkit.sandbox import Sandbox
from billkit.sandbox.app import create_app
from billkit.sandbox.http.endpoint import Endpoint, RequestContext
from billkit.sandbox.http.pipeline import route
from billkit.sandbox.http.validation import MAX_CHECKED_FIELDS, MAX_LISTED_PROBLEMS
from billkit.sandbox.runtime import Runtime
from billkit.sandbox.settings import SandboxSettings

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert PROBLEM_KEYS <= set(body) <= PROBLEM_KEYS | {"errors"}
    assert body["type"] == f"https://api.momentco.io/docs/errors#{slug}"
    assert body["status"] == status
    assert body["instance"] == response.request.url.path
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


def fields_of(body: dict[str, object]) -> dict[str, str]:
    errors = body.get("errors")
    assert isinstance(errors, list)
    return {item["field"]: item["message"] for item in errors}


@pytest.mark.parametrize(
    "path",
    ["/nowhere", "/billing", "/billing/invoices", "/billing/bills/x/refund", "/_sandbox/nope"],
)
def test_unknown_paths_are_404_problems(api: Api, path: str) -> None:
    assert_problem(api.get(path), 404, "not-found")


def test_trailing_slash_is_not_redirected(api: Api) -> None:
    assert_problem(api.post("/billing/customers/", {}), 404, "not-found")


@pytest.mark.parametrize(
    "path",
    [
        "/billing/customers",
        "/billing/customers/UCR1",
        "/billing/accounts",
        "/billing/accounts/UAR1",
        "/billing/bills",
        "/billing/bills/UBR1",
        "/billing/bills/UBR1/void",
    ],
)
def test_delete_on_billing_paths_is_405(api: Api, path: str) -> None:
    response = api.delete(path)
    assert_problem(response, 405, "method-not-allowed")
    assert "DELETE" not in response.headers["allow"]


def test_405_lists_the_allowed_methods(api: Api) -> None:
    response = api.http.put("/billing/bills/UBR1", json={})
    assert_problem(response, 405, "method-not-allowed")
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "PATCH"}


def test_no_list_endpoint_on_the_faithful_surface(api: Api) -> None:
    assert_problem(api.get("/billing/customers"), 405, "method-not-allowed")


def test_unknown_object_is_404(api: Api) -> None:
    for kind in ("customers", "accounts", "bills"):
        assert_problem(api.get(f"/billing/{kind}/{ref()}"), 404, "not-found")


def test_malformed_json_is_400(api: Api) -> None:
    response = api.post(
        "/billing/customers",
        content=b'{"external_reference": ',
        headers={"Content-Type": "application/json"},
    )
    body = assert_problem(response, 400, "bad-request")
    assert "not valid JSON" in str(body["detail"])


@pytest.mark.parametrize("payload", [b"[]", b'"text"', b"42", b"null"])
def test_body_that_is_not_an_object_is_400(api: Api, payload: bytes) -> None:
    assert_problem(api.post("/billing/customers", content=payload), 400, "bad-request")


def test_unknown_fields_are_400_naming_each(api: Api) -> None:
    response = api.post(
        "/billing/customers",
        {"external_reference": ref(), "nickname": "Jo", "metadata": {"a": "b"}, "extra": 1},
    )
    body = assert_problem(response, 400, "bad-request")
    assert set(fields_of(body)) == {"nickname", "extra"}


@pytest.mark.parametrize("count", [16_000, 60_000])
def test_many_unknown_fields_get_a_short_answer_without_holding_the_loop(
    api: Api, sandbox: Sandbox, count: int
) -> None:
    body = json.dumps({"external_reference": ref(), **{f"k{i}": 1 for i in range(count)}}).encode()
    with LoopProbe(sandbox) as probe:
        response = api.post("/billing/customers", content=body)
    problem = assert_problem(response, 400, "bad-request")
    listed = fields_of(problem)
    assert len(listed) == MAX_LISTED_PROBLEMS
    assert listed["k0"] == "is not a known field"
    assert f"{count - MAX_CHECKED_FIELDS + 1} more unknown fields" in str(problem["detail"])
    assert len(response.content) < len(body) // 10
    assert probe.worst < LOOP_HELD_AT_MOST


def test_a_known_field_after_many_unknown_ones_is_still_checked(api: Api) -> None:
    fields: dict[str, object] = {f"k{i}": 1 for i in range(1000)}
    response = api.post("/billing/customers", {**fields, "currency": "EUR"})
    problem = assert_problem(response, 400, "bad-request")
    assert "currency" in fields_of(problem)
    assert "external_reference" in fields_of(problem)  # still required: nothing was assumed


def test_unknown_nested_field_is_named_with_its_path(api: Api) -> None:
    response = api.post(
        "/billing/bills",
        {
            "external_reference": ref(),
            "currency": "ZAR",
            "amount_due": 100,
            "account": {
                "external_reference": ref(),
                "customer": {"external_reference": ref(), "age": 3},
            },
        },
    )
    body = assert_problem(response, 400, "bad-request")
    assert fields_of(body) == {"account.customer.age": "is not a known field"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount_due", "2000"),  # no coercion of strings
        ("amount_due", 20.5),
        ("amount_due", True),
        ("amount_due", 0),
        ("amount_due", 100_000_000),
        ("currency", "EUR"),
        ("currency", "zar"),
        ("external_reference", "has space"),
        ("external_reference", "x" * 256),
        ("external_reference", ""),
        ("due_date", "2025-02-30"),
        ("due_date", "31/01/2025"),
        ("metadata", {"k": 5}),
        ("metadata", {f"k{i}": "v" for i in range(11)}),
        ("metadata", {"k" * 41: "v"}),
        ("metadata", {"k": "v" * 501}),
        ("metadata", []),
    ],
)
def test_bad_bill_fields_are_400_naming_the_field(api: Api, field: str, value: object) -> None:
    body = {
        "external_reference": ref(),
        "currency": "ZAR",
        "amount_due": 2000,
        "customer": "bcus_x",
    }
    body[field] = value
    problem = assert_problem(api.post("/billing/bills", body), 400, "bad-request")
    [named] = fields_of(problem)
    assert named == field or named.startswith(f"{field}.")  # metadata.<key> names the key


@pytest.mark.parametrize("token", ["2000.0", "2e3", "2E3", "2000.00"])
def test_money_written_with_a_fraction_or_exponent_is_400_naming_the_field(
    api: Api, token: str
) -> None:
    """Contract §2: a client computing money in floats finds out here, not in production."""
    customer = api.customer(currency="ZAR")
    reference = ref()
    content = (
        f'{{"external_reference":"{reference}","currency":"ZAR","amount_due":{token},'
        f'"customer":"{customer["id"]}"}}'
    )
    problem = assert_problem(api.post("/billing/bills", content=content), 400, "bad-request")
    assert fields_of(problem) == {
        "amount_due": "must be an integer, written without a decimal point or exponent"
    }
    payment = api.post(
        "/_sandbox/payments", content=f'{{"customer":"{customer["id"]}","amount":1e2}}'
    )
    assert "amount" in fields_of(assert_problem(payment, 400, "bad-request"))


def test_range_message_says_the_range(api: Api) -> None:
    body = {"external_reference": ref(), "currency": "ZAR", "amount_due": 0, "customer": "bcus_x"}
    problem = assert_problem(api.post("/billing/bills", body), 400, "bad-request")
    assert fields_of(problem) == {"amount_due": "must be between 1 and 99999999"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("phone", "0821234567"),
        ("phone", "+0821234567"),
        ("phone", "+٣٣٣٣٣"),
        ("email", "not-an-email"),
        ("balance", 100_000_000),
        ("balance", -100_000_000),
        ("name", "x" * 256),
    ],
)
def test_bad_customer_fields_are_400(api: Api, field: str, value: object) -> None:
    body = {"external_reference": ref(), "currency": "ZAR", field: value}
    problem = assert_problem(api.post("/billing/customers", body), 400, "bad-request")
    assert list(fields_of(problem)) == [field]


def test_missing_required_fields_are_named(api: Api) -> None:
    problem = assert_problem(api.post("/billing/bills", {}), 400, "bad-request")
    assert fields_of(problem) == {
        "external_reference": "is required",
        "currency": "is required",
        "amount_due": "is required",
    }


def test_external_reference_cannot_be_patched(api: Api) -> None:
    customer = api.customer()
    response = api.patch(f"/billing/customers/{customer['id']}", {"external_reference": ref()})
    problem = assert_problem(response, 400, "bad-request")
    assert "cannot be changed" in fields_of(problem)["external_reference"]


def test_null_is_not_a_value_for_plain_fields(api: Api) -> None:
    customer = api.customer(name="Jo")
    problem = assert_problem(
        api.patch(f"/billing/customers/{customer['id']}", {"name": None}), 400, "bad-request"
    )
    assert list(fields_of(problem)) == ["name"]


def test_lone_surrogate_in_json_is_400(api: Api) -> None:
    payload = b'{"external_reference": "\\ud800"}'
    assert_problem(api.post("/billing/customers", content=payload), 400, "bad-request")


def test_body_over_1_mib_is_413_by_content_length(api: Api) -> None:
    big = json.dumps({"external_reference": ref(), "name": "x" * (1024 * 1024)}).encode()
    assert_problem(api.post("/billing/customers", content=big), 413, "payload-too-large")


def test_body_exactly_1_mib_is_read(api: Api) -> None:
    """The limit is on size, not on content: a 1 MiB body is parsed (and here refused for its fields)."""
    prefix = b'{"external_reference": "'
    suffix = b'"}'
    payload = prefix + b"x" * (1024 * 1024 - len(prefix) - len(suffix)) + suffix
    assert len(payload) == 1024 * 1024
    assert_problem(api.post("/billing/customers", content=payload), 400, "bad-request")


def test_chunked_body_over_1_mib_is_413(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"external_reference": "'
        for _ in range(17):
            yield b"x" * 65536
        yield b'"}'

    assert_problem(api.post("/billing/customers", content=chunks()), 413, "payload-too-large")


def test_problem_detail_never_contains_the_key(api: Api, sandbox: Sandbox) -> None:
    response = api.get(f"/billing/customers/{sandbox.api_key}")
    assert response.status_code == 404
    assert sandbox.api_key not in response.text
    assert response.json()["instance"].startswith("/billing/customers/sk_test_…")


def test_a_crash_is_a_500_problem_and_rolls_back_the_request() -> None:
    """A bug in a handler answers problem+json 500 without its details, and nothing it wrote is kept."""
    settings = SandboxSettings(api_key="sk_test_crashTestKey")
    runtime = Runtime.start(settings)
    reference = ref()

    def crash(context: RequestContext) -> dict[str, Any]:
        context.store.customers.insert(
            {"id": "bcus_crash", "external_reference": reference}, at=0.0
        )
        raise RuntimeError("secret internals sk_test_crashTestKey")

    endpoint = Endpoint("POST", "/crash", crash, "crash", "test", 201, dict)
    app = create_app(
        settings,
        runtime=runtime,
        deliver_webhooks=False,
        extra_routes=[Route("/crash", route(endpoint), methods=["POST"])],
    )

    async def scenario() -> tuple[httpx.Response, bool]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
                response = await client.post(
                    "/crash", headers={"Authorization": "Bearer sk_test_crashTestKey"}
                )
            return response, runtime.store.customers.find(reference) is not None

    response, kept = asyncio.run(scenario())
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("#internal-server-error")
    assert "secret internals" not in response.text
    assert not kept
