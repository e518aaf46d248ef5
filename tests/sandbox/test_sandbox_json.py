"""The sandbox's fast JSON paths (orjson, pydantic's parser) agree with the standard library's `json`, which
defines them: the same bodies read as the same values or refused alike, the same canonical text (stored
Idempotency-Key fingerprints are made from it), and stored objects that read back as they were written."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from billkit.sandbox.http.problems import ApiError
from billkit.sandbox.http.validation import BodyParser, canonical_json
from billkit.sandbox.schemas.billing import BillCreate
from billkit.sandbox.store.objects import dumps, loads

#: Every code point, lone surrogates and controls included (st.text leaves surrogates out by default).
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | any_text,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(any_text, children, max_size=4)
    ),
    max_leaves=12,
)


def _reference_read(raw: bytes) -> Any:
    """What the sandbox has always read a body as: json, in the encoding json detects, no NaN."""
    text = raw.decode(json.detect_encoding(raw), "surrogatepass")
    return json.loads(text, parse_constant=_refuse)


def _refuse(constant: str) -> None:
    raise ValueError(constant)


def _json_text(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


@settings(deadline=None)
@given(json_values)
@example({"a": "\x7f"})
@example({"é": 1, "big": 2**70})
@example({"e": [1e-05, 1e16, 0.1]})
def test_canonical_text_is_jsons(value: Any) -> None:
    assert canonical_json(value) == json.dumps(value, sort_keys=True, separators=(",", ":"))


@settings(deadline=None)
@given(
    st.one_of(
        json_values.map(_json_text),
        json_values.map(lambda value: json.dumps(value).encode()),
        st.binary(max_size=40),
        st.sampled_from(
            [
                b"\xef\xbb\xbf{}",
                "{}".encode("utf-16"),
                b'"\\udfff"',
                b"NaN",
                b"[1,]",
                b"1e400",
                b"[" * 3000,
            ]
            + [b"[" * depth + b"]" * depth for depth in (63, 64, 65, 900, 5000)]
        ),
    )
)
def test_bodies_read_as_json_reads_them(raw: bytes) -> None:
    parser = BodyParser(BillCreate)
    try:
        expected = _reference_read(raw)
    except (ValueError, RecursionError):
        with pytest.raises(ApiError) as refused:
            parser.decode(raw)
        assert refused.value.status == 400
        return
    assert repr(parser.decode(raw).value) == repr(expected)


@settings(deadline=None)
@given(st.dictionaries(any_text, json_values, max_size=6))
@example({"big": 2**70, "lone": "\udfff"})
def test_stored_objects_read_back_as_written(obj: dict[str, Any]) -> None:
    text = dumps(obj)
    assert repr(loads(text)) == repr(obj)
    assert json.loads(text) == json.loads(json.dumps(obj))
