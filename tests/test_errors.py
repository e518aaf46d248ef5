"""The error tree, and `error_from_response` building each status error from problem+json."""

from __future__ import annotations

import httpx
import pytest

from billkit import (
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
from billkit.errors import FieldError, error_from_response

KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"


def response(
    status: int,
    body: object = None,
    *,
    text: str | None = None,
    method: str = "POST",
    url: str = "http://sandbox.test/billing/bills",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    request = httpx.Request(
        method,
        url,
        headers={"Authorization": f"Bearer {KEY}", "Idempotency-Key": "key-1"},
    )
    if text is not None:
        return httpx.Response(status, text=text, request=request, headers=headers)
    return httpx.Response(
        status,
        json=body,
        request=request,
        headers={"Content-Type": "application/problem+json", **(headers or {})},
    )


CURRENCY_PROBLEM = {
    "type": "https://api.momentco.io/docs/errors#unprocessable-content",
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "currency USD differs from the account's ZAR",
    "instance": "/billing/bills",
    "errors": [{"field": "currency", "message": "must match the account's currency ZAR"}],
    "account_id": "bacc_1",
}


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (413, PayloadTooLargeError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (504, InternalServerError),
        (402, APIStatusError),
        (405, APIStatusError),
        (418, APIStatusError),
    ],
)
def test_each_status_maps_to_its_error(status: int, error_class: type[APIStatusError]) -> None:
    error = error_from_response(response(status, {"status": status, "detail": "x"}))
    assert type(error) is error_class
    assert error.status_code == status
    assert isinstance(error, APIStatusError)
    assert isinstance(error, BillkitError)


def test_every_problem_field_is_kept() -> None:
    error = error_from_response(response(422, CURRENCY_PROBLEM))
    assert error.type == CURRENCY_PROBLEM["type"]
    assert error.title == "Unprocessable Content"
    assert error.detail == "currency USD differs from the account's ZAR"
    assert error.instance == "/billing/bills"
    assert error.errors == [FieldError("currency", "must match the account's currency ZAR")]
    assert error.problem == CURRENCY_PROBLEM  # extension members too
    assert (error.method, error.path) == ("POST", "/billing/bills")


def test_str_reads_well_in_a_notebook() -> None:
    error = error_from_response(response(422, CURRENCY_PROBLEM))
    assert str(error) == (
        "422 Unprocessable Content on POST /billing/bills: currency USD differs from the account's ZAR "
        "(field currency: must match the account's currency ZAR)"
    )


def test_str_lists_several_field_errors() -> None:
    body = {
        "status": 400,
        "detail": "2 fields are invalid",
        "errors": [
            {"field": "amount_due", "message": "must be between 1 and 99999999"},
            {"field": "currency", "message": "must be USD or ZAR"},
        ],
    }
    error = error_from_response(
        response(400, body, method="PATCH", url="http://x/billing/bills/b%2F1")
    )
    assert str(error) == (
        "400 Bad Request on PATCH /billing/bills/b%2F1: 2 fields are invalid "
        "(fields amount_due: must be between 1 and 99999999; currency: must be USD or ZAR)"
    )


def test_title_stands_in_when_there_is_no_detail() -> None:
    error = error_from_response(response(404, {"title": "The requested resource was not found"}))
    assert str(error).endswith(": The requested resource was not found")


def test_plain_text_bodies_are_kept() -> None:
    error = error_from_response(response(502, text="<html><body>Bad   gateway</body></html>"))
    assert isinstance(error, InternalServerError)
    assert error.detail is None
    assert error.body == "<html><body>Bad   gateway</body></html>"
    assert (
        str(error)
        == "502 Bad Gateway on POST /billing/bills: <html><body>Bad gateway</body></html>"
    )


def test_long_plain_text_is_shortened_in_str_only() -> None:
    error = error_from_response(response(500, text="x" * 1000))
    assert len(error.body) == 1000
    assert len(str(error)) < 400


def test_empty_body() -> None:
    error = error_from_response(response(503, text=""))
    assert str(error) == "503 Service Unavailable on POST /billing/bills: no details given"


def test_malformed_errors_entries_do_not_break_the_error() -> None:
    body = {"detail": "bad", "errors": ["just text", {"message": "no field"}, {"field": "x"}]}
    error = error_from_response(response(400, body))
    assert [str(e) for e in error.errors] == ["just text", "no field", 'x: {"field": "x"}']


def test_request_headers_are_kept_with_the_key_masked() -> None:
    error = error_from_response(response(401, {"detail": "unknown key"}))
    assert error.request_headers["authorization"] == "Bearer sk_test_…p7dc"
    assert error.idempotency_key == "key-1"
    assert KEY not in repr(error.request_headers)
    assert KEY not in str(error)


def test_secrets_echoed_in_a_body_are_masked() -> None:
    error = error_from_response(
        response(401, {"detail": f"key {KEY} is not known", "errors": [f"{KEY} revoked"]})
    )
    assert KEY not in str(error)
    assert KEY not in error.body
    assert KEY not in f"{error.detail} {error.problem} {error.errors}"
    assert error.detail == "key sk_test_…p7dc is not known"
    assert "sk_test_…p7dc" in str(error)


def test_replayed_errors_say_so() -> None:
    error = error_from_response(
        response(409, {"detail": "dup"}, headers={"Idempotent-Replayed": "true"})
    )
    assert error.replayed
    assert not error_from_response(response(409, {"detail": "dup"})).replayed


def test_never_answered_is_apart_from_said_no() -> None:
    assert issubclass(APITimeoutError, APIConnectionError)
    assert not issubclass(APIConnectionError, APIStatusError)
    assert not issubclass(APIStatusError, APIConnectionError)
    for error_class in (APIConnectionError, APIStatusError, UnexpectedResponseError):
        assert issubclass(error_class, BillkitError)


def test_argument_errors_are_value_errors_too() -> None:
    assert issubclass(ConfigurationError, ValueError)
    assert issubclass(InvalidArgumentError, ValueError)
    assert issubclass(ConfigurationError, BillkitError)


def test_connection_error_text() -> None:
    error = APITimeoutError(
        "ReadTimeout: timed out", method="GET", path="/billing/bills/b1", attempts=3
    )
    assert str(error) == (
        "GET /billing/bills/b1: the API never answered: ReadTimeout: timed out (after 3 attempts)"
    )
