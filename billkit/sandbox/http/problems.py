"""Errors as the sandbox answers them: RFC 9457 problem+json with Moment's type slugs (contract §3).

Route code raises `ApiError(status, detail, errors=...)`; `problem_body()` turns it into the document
every error path answers with, so the shape is decided in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from billkit._redact import scrub

__all__ = [
    "ERROR_TYPE_BASE",
    "PROBLEM_CONTENT_TYPE",
    "SLUGS",
    "ApiError",
    "FieldProblem",
    "problem_body",
]

PROBLEM_CONTENT_TYPE = "application/problem+json"
ERROR_TYPE_BASE = "https://api.momentco.io/docs/errors#"

#: status -> (slug, title)
SLUGS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "The request is not valid"),
    401: ("unauthorized", "No valid API key was provided"),
    402: ("request-failed", "The request failed"),
    403: ("forbidden", "The API key is not allowed to make this request"),
    404: ("not-found", "The requested resource was not found"),
    405: ("method-not-allowed", "The method is not allowed on this path"),
    409: ("conflict", "The request conflicts with the current state"),
    413: ("payload-too-large", "The request body is too large"),
    422: ("unprocessable-content", "The request could not be processed"),
    429: ("too-many-requests", "Too many requests"),
    500: ("internal-server-error", "Internal server error"),
}


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One entry of `errors`: the request field to blame (dotted path) and what is wrong with it."""

    field: str
    message: str


class ApiError(Exception):
    """An answer other than success. `errors` names the fields to blame, when fields are to blame."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: Sequence[FieldProblem] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        if status not in SLUGS:
            raise ValueError(f"no problem type for status {status}")
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = tuple(errors)
        self.headers = headers or {}

    @classmethod
    def for_field(cls, status: int, field: str, message: str) -> ApiError:
        """An error blamed on one field; the detail repeats it so a person reading only `detail` can act."""
        return cls(status, f"{field}: {message}", errors=[FieldProblem(field, message)])


def problem_body(error: ApiError, instance: str) -> dict[str, Any]:
    """The problem document; anything shaped like a key or secret (a key pasted into a path, say) is masked."""
    slug, title = SLUGS[error.status]
    body: dict[str, Any] = {
        "type": ERROR_TYPE_BASE + slug,
        "title": title,
        "status": error.status,
        "detail": scrub(error.detail),
        "instance": scrub(instance),
    }
    if error.errors:
        body["errors"] = [
            {"field": item.field, "message": scrub(item.message)} for item in error.errors
        ]
    return body
