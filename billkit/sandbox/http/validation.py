"""Request bodies and query strings checked against their schema; every failure becomes one 400 whose
`errors` name each field to blame, in words a person can act on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from billkit.sandbox.http.problems import ApiError, FieldProblem
from billkit.sandbox.schemas.common import UNION_TAGS

__all__ = ["BodyParser", "QueryParser", "field_problems"]

T = TypeVar("T")

_SHOWN_ERRORS = 20


class BodyParser:
    """Parses a JSON body into the TypedDict `schema`, strictly: no coercion, no unknown fields.

    `empty_is_object`: routes whose body has no fields (void, reset) also accept no body at all.
    """

    def __init__(self, schema: type, *, empty_is_object: bool = False) -> None:
        self.schema = schema
        self._adapter: TypeAdapter[dict[str, Any]] = TypeAdapter(schema)
        self.empty_is_object = empty_is_object

    def parse(self, raw: bytes) -> dict[str, Any]:
        if self.empty_is_object and not raw.strip():
            raw = b"{}"
        try:
            return self._adapter.validate_json(raw, strict=True)
        except ValidationError as exc:
            raise _bad_request(exc, where="body") from None


class QueryParser:
    """Parses query parameters into the TypedDict `schema`; each parameter may appear once."""

    def __init__(self, schema: type) -> None:
        self.schema = schema
        self._adapter: TypeAdapter[dict[str, Any]] = TypeAdapter(schema)

    def parse(self, items: Sequence[tuple[str, str]]) -> dict[str, Any]:
        seen: dict[str, str] = {}
        for name, value in items:
            if name in seen:
                raise ApiError.for_field(400, name, "is given more than once")
            seen[name] = value
        try:
            return self._adapter.validate_python(seen)
        except ValidationError as exc:
            raise _bad_request(exc, where="query") from None


def _bad_request(exc: ValidationError, *, where: str) -> ApiError:
    details = exc.errors(include_url=False, include_input=False)
    if any(detail["type"] == "json_invalid" for detail in details):
        reason = details[0].get("ctx", {}).get("error", "")
        return ApiError(400, f"The request body is not valid JSON: {reason}")
    if len(details) == 1 and not details[0]["loc"] and details[0]["type"] == "dict_type":
        return ApiError(400, "The request body must be a JSON object")
    problems = field_problems(details)
    listed = "; ".join(f"{p.field}: {p.message}" for p in problems[:_SHOWN_ERRORS])
    return ApiError(400, f"Invalid {where}: {listed}", errors=problems)


def field_problems(details: Sequence[ErrorDetails]) -> list[FieldProblem]:
    """One `FieldProblem` per error, its field a dotted path without pydantic's union tags."""
    problems: list[FieldProblem] = []
    for detail in details:
        loc = detail["loc"]
        if loc and loc[-1] == "[key]":  # a bad key inside an object such as metadata
            field = _field_path(loc[:-2])
            message = f"key {loc[-2]!r} {_message(detail, field)}"
        else:
            field = _field_path(loc)
            message = _message(detail, field)
        problem = FieldProblem(field or "body", message)
        if problem not in problems:
            problems.append(problem)
    return problems


def _field_path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if part in UNION_TAGS:
            continue
        parts.append(f"[{part}]" if isinstance(part, int) else str(part))
    return ".".join(parts).replace(".[", "[")


def _message(detail: ErrorDetails, field: str) -> str:
    kind = detail["type"]
    ctx: Mapping[str, Any] = detail.get("ctx", {})
    if kind == "extra_forbidden":
        if field == "external_reference":
            return "cannot be changed after the object is created"
        return "is not a known field"
    if kind == "missing":
        return "is required"
    if kind in ("string_type", "int_type", "float_type", "bool_type", "dict_type", "list_type"):
        noun = {
            "string_type": "a string",
            "int_type": "an integer",
            "float_type": "a number",
            "bool_type": "true or false",
            "dict_type": "an object",
            "list_type": "a list",
        }[kind]
        return f"must be {noun}"
    if kind == "int_parsing":
        return "must be an integer"
    if kind == "string_pattern_mismatch":
        return f"must match the pattern {ctx.get('pattern')}"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "string_too_short":
        return f"must be at least {ctx.get('min_length')} character(s)"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} entries"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = next(iter(ctx.values()), None)
        words = {
            "greater_than": "more than",
            "greater_than_equal": "at least",
            "less_than": "less than",
            "less_than_equal": "at most",
        }[kind]
        return f"must be {words} {bound}"
    if kind == "finite_number":
        return "must be a finite number"
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_type"):
        return "must be a date written YYYY-MM-DD"
    return str(detail["msg"])
