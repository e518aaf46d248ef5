"""Request bodies and query strings checked against their schema; every failure becomes one 400 whose
`errors` name the fields to blame (the first 50), in words a person can act on."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, TypeVar

import orjson
from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails, from_json

from billkit.sandbox.http.problems import ApiError, FieldProblem
from billkit.sandbox.schemas.common import UNION_TAGS

__all__ = [
    "MAX_CHECKED_FIELDS",
    "MAX_LISTED_PROBLEMS",
    "BodyParser",
    "DecodedBody",
    "QueryParser",
    "field_problems",
]

T = TypeVar("T")

#: How many problems the detail spells out, and how many `errors` lists: an answer stays small, however
#: much of a request is wrong.
_SHOWN_IN_DETAIL = 20
MAX_LISTED_PROBLEMS = 50
#: No request object has this many fields (metadata holds at most 10). Past it, only fields some schema
#: knows are checked one by one, so a body of 60,000 unknown keys costs the validator 64 problems, not
#: 60,000: validation runs on the event loop and must stay short whatever arrives.
MAX_CHECKED_FIELDS = 64


#: `json.dumps(value, sort_keys=True, separators=(",", ":"))` with its encoder made once, not per call. Its
#: text is what stored fingerprints were made from, so it stays the definition (see `canonical_json`).
_canonical = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode


def canonical_json(value: Any) -> str:
    """`value` as JSON with sorted keys, no spaces and only ASCII, exactly as `json` writes it.

    orjson writes the same text about ten times faster whenever its text is ASCII without DEL (`json`
    escapes both; orjson does not) and no number is a float (the two spell some floats differently); it
    refuses integers past 64 bits and lone surrogates. Anything else goes through `json` itself."""
    if not _holds_float(value):
        try:
            text = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            pass
        else:
            if text.isascii() and b"\x7f" not in text:
                return text.decode()
    return _canonical(value)


def _holds_float(value: Any) -> bool:
    pending = [value]  # a loop, not recursion: a body may nest as deep as `json` reads
    while pending:
        item = pending.pop()
        if isinstance(item, float):
            return True
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


@dataclass(frozen=True, slots=True)
class DecodedBody:
    """A body read as JSON (well-formed, not yet checked against its schema)."""

    raw: bytes
    value: Any
    #: Fields past MAX_CHECKED_FIELDS of some object that no schema knows: not checked one by one.
    unchecked: int

    def canonical(self) -> str:
        """The JSON with sorted keys and no spaces: equal for bodies that differ only in layout."""
        return canonical_json(self.value)

    def comparable(self) -> bytes:
        """What two requests with one Idempotency-Key are compared by: the parsed JSON, or the bytes for a
        body whose unchecked fields are not in `value`."""
        return self.raw if self.unchecked else self.canonical().encode()


class BodyParser:
    """Parses a JSON body into the TypedDict `schema`, strictly: no coercion, no unknown fields.

    `decode` checks only that the body is JSON (a refusal made before the request is processed);
    `validate` checks it against the schema. `empty_is_object`: routes whose body has no fields (void,
    reset) also accept no body at all.
    """

    def __init__(self, schema: type, *, empty_is_object: bool = False) -> None:
        self.schema = schema
        self._adapter: TypeAdapter[dict[str, Any]] = TypeAdapter(schema)
        self.empty_is_object = empty_is_object
        self._known = frozenset(_property_names(self._adapter.json_schema()))

    def decode(self, raw: bytes) -> DecodedBody:
        if self.empty_is_object and not raw.strip():
            raw = b"{}"
        # Each field of an object takes a colon: a body with few colons has no object to cap, and is
        # read without the (slower) per-object hook.
        cap = _FieldCap(self._known) if raw.count(b":") > MAX_CHECKED_FIELDS else None
        if cap is None and raw.count(b"[") + raw.count(b"{") <= _FAST_NESTING:
            try:
                return DecodedBody(raw, _fast_decode(raw), 0)
            except ValueError:
                pass  # json decides, and words the reason
        try:
            if cap is None:  # json.loads, with the decoder made once rather than per call
                value = _DECODER.decode(raw.decode(json.detect_encoding(raw), "surrogatepass"))
            else:
                value = json.loads(raw, object_pairs_hook=cap, parse_constant=_not_json)
        except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
            reason = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise ApiError(400, f"The request body is not valid JSON: {reason}") from None
        return DecodedBody(raw, value, 0 if cap is None else cap.unchecked)

    def validate(self, body: DecodedBody) -> dict[str, Any]:
        checked = body.raw if not body.unchecked else body.canonical().encode()
        try:
            return self._adapter.validate_json(checked, strict=True)
        except ValidationError as exc:
            raise _bad_request(exc, where="body", unchecked=body.unchecked) from None

    def parse(self, raw: bytes) -> dict[str, Any]:
        return self.validate(self.decode(raw))


class _FieldCap:
    """`json.loads` hook: objects keep their first MAX_CHECKED_FIELDS fields and any the schema knows."""

    def __init__(self, known: frozenset[str]) -> None:
        self._known = known
        self.unchecked = 0

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if len(pairs) > MAX_CHECKED_FIELDS:
            rest = pairs[MAX_CHECKED_FIELDS:]
            known = [pair for pair in rest if pair[0] in self._known]
            self.unchecked += len(rest) - len(known)
            pairs = pairs[:MAX_CHECKED_FIELDS] + known
        return dict(pairs)


def _not_json(constant: str) -> NoReturn:
    raise ValueError(f"{constant} is not a JSON value")


_DECODER = json.JSONDecoder(parse_constant=_not_json)


#: Bodies with at most this many brackets go through `_fast_decode`; deeper nesting is left to `json`, whose
#: limit (Python's recursion limit) is not pydantic's.
_FAST_NESTING = 64


def _fast_decode(raw: bytes) -> Any:
    """A UTF-8 body as `json` reads it, several times faster (pydantic's parser: integers of any size,
    floats as `json` rounds them). It refuses what `json` may still read (a byte order mark, another
    encoding, a lone surrogate) with ValueError, and never reads what `json` refuses."""
    return from_json(raw, allow_inf_nan=False, cache_strings="keys")


def _property_names(schema: object) -> Iterator[str]:
    """Every field name a JSON Schema document gives an object anywhere in it."""
    pending = [schema]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            properties = node.get("properties")
            if isinstance(properties, dict):
                yield from properties
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)


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


def _bad_request(exc: ValidationError, *, where: str, unchecked: int = 0) -> ApiError:
    details = exc.errors(include_url=False, include_input=False)
    if any(detail["type"] == "json_invalid" for detail in details):
        reason = details[0].get("ctx", {}).get("error", "")
        return ApiError(400, f"The request body is not valid JSON: {reason}")
    if len(details) == 1 and not details[0]["loc"] and details[0]["type"] == "dict_type":
        return ApiError(400, "The request body must be a JSON object")
    problems = field_problems(details)
    detail = f"Invalid {where}: " + "; ".join(
        f"{p.field}: {p.message}" for p in problems[:_SHOWN_IN_DETAIL]
    )
    if len(problems) > _SHOWN_IN_DETAIL:
        detail += f"; and {len(problems) - _SHOWN_IN_DETAIL} more"
        if len(problems) > MAX_LISTED_PROBLEMS:
            detail += f" ({len(problems)} problems; errors lists the first {MAX_LISTED_PROBLEMS})"
    if unchecked:
        detail += (
            f"; {unchecked} more unknown fields, past the first {MAX_CHECKED_FIELDS} of an object, "
            "were not checked one by one"
        )
    return ApiError(400, detail, errors=problems[:MAX_LISTED_PROBLEMS])


def field_problems(details: Sequence[ErrorDetails]) -> list[FieldProblem]:
    """One `FieldProblem` per distinct error, in order, its field a dotted path without pydantic's union
    tags (a union reports one mistake once per alternative)."""
    problems: dict[FieldProblem, None] = {}  # an ordered set: linear however many errors there are
    for detail in details:
        loc = detail["loc"]
        if loc and loc[-1] == "[key]":  # a bad key inside an object such as metadata
            field = _field_path(loc[:-2])
            message = f"key {loc[-2]!r} {_message(detail, field)}"
        else:
            field = _field_path(loc)
            message = _message(detail, field)
        problems.setdefault(FieldProblem(field or "body", message))
    return list(problems)


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
    if kind in ("int_type", "int_parsing"):
        # Money is minor units written as a JSON integer: 100.0 and 1e3 are refused (contract §2).
        return "must be an integer, written without a decimal point or exponent"
    if kind in ("string_type", "float_type", "bool_type", "dict_type", "list_type"):
        noun = {
            "string_type": "a string",
            "float_type": "a number",
            "bool_type": "true or false",
            "dict_type": "an object",
            "list_type": "a list",
        }[kind]
        return f"must be {noun}"
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
