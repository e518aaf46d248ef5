"""Every error billkit raises, in one tree:

    BillkitError
    ├── ConfigurationError            (also ValueError) settings or a key that cannot be used
    ├── InvalidArgumentError          (also ValueError) a call refused before anything was sent
    ├── UnexpectedResponseError       the API answered 2xx with a body billkit cannot read
    ├── APIConnectionError            the API never answered: connection refused, reset, DNS, ...
    │   └── APITimeoutError           ... or it did not answer in time
    └── APIStatusError                the API answered and said no (any other status)
        ├── BadRequestError               400
        ├── AuthenticationError           401
        ├── PermissionDeniedError         403
        ├── NotFoundError                 404
        ├── ConflictError                 409
        ├── PayloadTooLargeError          413
        ├── UnprocessableEntityError      422
        ├── RateLimitError                429
        └── InternalServerError           5xx

"The API never answered" and "the API said no" are kept apart because they call for different actions: the
first may be retried with the same idempotency key, the second needs the request changed.
`error_from_response()` is the one place a status error is built, from Moment's problem+json body
(RFC 9457: type, title, status, detail, instance, errors) or, failing that, a plain-text body.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import httpx

from billkit.keys import redact, scrub

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BillkitError",
    "ConfigurationError",
    "ConflictError",
    "FieldError",
    "InternalServerError",
    "InvalidArgumentError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnexpectedResponseError",
    "UnprocessableEntityError",
    "error_from_response",
]

# RFC 9110 names where Python 3.11's http.HTTPStatus still uses the older ones.
_REASONS = {413: "Content Too Large", 422: "Unprocessable Content"}
_SENSITIVE_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
_BODY_EXCERPT = 300


class BillkitError(Exception):
    """Base of every error billkit raises: `except billkit.BillkitError` catches them all."""


class ConfigurationError(BillkitError, ValueError):
    """A setting or API key cannot be used; the message says which and what to do."""


class InvalidArgumentError(BillkitError, ValueError):
    """A call was refused before any request was sent, because an argument is wrong."""


class UnexpectedResponseError(BillkitError):
    """The API answered with success but its body is not what Moment documents."""

    def __init__(self, message: str, *, status_code: int, method: str, path: str) -> None:
        # The message may quote the body, which can hold a secret (a webhook endpoint's, say).
        super().__init__(f"{status_code} on {method} {path}: {scrub(message)}")
        self.status_code = status_code
        self.method = method
        self.path = path


class APIConnectionError(BillkitError):
    """The API never answered: the connection failed or broke before a response arrived."""

    def __init__(self, reason: str, *, method: str, path: str, attempts: int = 1) -> None:
        tries = f" (after {attempts} attempts)" if attempts > 1 else ""
        super().__init__(f"{method} {path}: the API never answered: {scrub(reason)}{tries}")
        self.method = method
        self.path = path
        self.attempts = attempts


class APITimeoutError(APIConnectionError):
    """The API did not answer within the client's timeout."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One entry of a problem's `errors` list: which request field was wrong and why."""

    field: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class APIStatusError(BillkitError):
    """The API answered with an error status. Every problem+json field is kept.

    Attributes: `status_code`, `type`, `title`, `detail`, `instance`, `errors` (list of `FieldError`),
    `problem` (the whole problem document, extension members included), `method`, `path`,
    `request_headers` (with `Authorization` masked), `response_headers`, `body` (the raw text),
    `attempts` (how many times the request was sent).
    """

    def __init__(
        self,
        *,
        status_code: int,
        method: str,
        path: str,
        problem: Mapping[str, Any],
        body: str = "",
        request_headers: Mapping[str, str] | None = None,
        response_headers: Mapping[str, str] | None = None,
        attempts: int = 1,
    ) -> None:
        self.status_code = status_code
        self.method = method
        self.path = path
        self.problem = dict(problem)
        self.type = _optional_str(problem.get("type"))
        self.title = _optional_str(problem.get("title"))
        self.detail = _optional_str(problem.get("detail"))
        self.instance = _optional_str(problem.get("instance"))
        self.errors = _field_errors(problem.get("errors"))
        self.body = scrub(body)
        self.request_headers = _masked(request_headers or {})
        self.response_headers = dict(response_headers or {})
        self.attempts = attempts
        super().__init__(self._message())

    @property
    def reason(self) -> str:
        """The status's standard name, `Unprocessable Content` for 422."""
        return _reason(self.status_code)

    @property
    def idempotency_key(self) -> str | None:
        """The `Idempotency-Key` the failed request carried: retry with it to stay safe from doubles."""
        return _header(self.request_headers, "idempotency-key")

    @property
    def replayed(self) -> bool:
        """Whether this error is Moment's stored answer to an earlier request with the same key."""
        return _header(self.response_headers, "idempotent-replayed") == "true"

    def _message(self) -> str:
        explanation = self.detail or self.title or _excerpt(self.body) or "no details given"
        text = f"{self.status_code} {self.reason} on {self.method} {self.path}: {explanation}"
        if self.errors:
            label = "field" if len(self.errors) == 1 else "fields"
            text += f" ({label} {'; '.join(str(error) for error in self.errors)})"
        if self.attempts > 1:
            text += f" [after {self.attempts} attempts]"
        return scrub(text)


class BadRequestError(APIStatusError):
    """400: the request is malformed, has an unknown field or a value of the wrong type or range."""


class AuthenticationError(APIStatusError):
    """401: no API key, or one Moment does not know."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this (a public key on billing routes, a live key on the sandbox, ...)."""


class NotFoundError(APIStatusError):
    """404: no object with that ID or external_reference, or no such route."""


class ConflictError(APIStatusError):
    """409: a duplicate external_reference, or the same idempotency key still being processed."""


class PayloadTooLargeError(APIStatusError):
    """413: the request body is over the size Moment accepts."""


class UnprocessableEntityError(APIStatusError):
    """422: well-formed, but a business rule refused it (currency mismatch, voided bill, ...)."""


class RateLimitError(APIStatusError):
    """429: too many requests; billkit retries these, honouring `Retry-After`, before raising."""


class InternalServerError(APIStatusError):
    """5xx: Moment failed; billkit retries these before raising."""


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_class_for(status_code: int) -> type[APIStatusError]:
    """The `APIStatusError` subclass for an HTTP status (plain `APIStatusError` for unlisted ones)."""
    if status_code >= 500:
        return InternalServerError
    return _STATUS_ERRORS.get(status_code, APIStatusError)


def error_from_response(response: httpx.Response, *, attempts: int = 1) -> APIStatusError:
    """Build the error for a non-2xx `response` from its problem+json body (or plain text)."""
    request = response.request
    # Masked before parsing, so an echoed key is hidden in `detail`, `errors` and `problem` as in `body`.
    body = scrub(response.text)
    return error_class_for(response.status_code)(
        status_code=response.status_code,
        method=request.method,
        path=request.url.raw_path.decode("ascii", errors="replace"),
        problem=_problem(body),
        body=body,
        request_headers=dict(request.headers),
        response_headers=dict(response.headers),
        attempts=attempts,
    )


def _problem(body: str) -> dict[str, Any]:
    # Moment answers problem+json, but a proxy in between may answer HTML or text: keep that as `body`.
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _field_errors(raw: object) -> list[FieldError]:
    if not isinstance(raw, list):
        return []
    errors = []
    for entry in raw:
        if isinstance(entry, Mapping):
            message = entry.get("message") or entry.get("detail") or json.dumps(dict(entry))
            errors.append(FieldError(_optional_str(entry.get("field")), str(message)))
        else:
            errors.append(FieldError(None, str(entry)))
    return errors


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)


def _masked(headers: Mapping[str, str]) -> dict[str, str]:
    return {
        name: _mask_credential(value) if name.lower() in _SENSITIVE_HEADERS else value
        for name, value in headers.items()
    }


def _mask_credential(value: str) -> str:
    scheme, _, credential = value.partition(" ")
    return f"{scheme} {redact(credential)}" if credential else redact(value)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return next((value for key, value in headers.items() if key.lower() == name), None)


def _reason(status_code: int) -> str:
    if status_code in _REASONS:
        return _REASONS[status_code]
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Error"


def _excerpt(body: str) -> str:
    text = " ".join(body.split())
    return text if len(text) <= _BODY_EXCERPT else text[: _BODY_EXCERPT - 1] + "…"
