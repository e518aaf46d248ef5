"""No request body of the kinds that have hurt servers (sizes, nesting, numbers, unicode) holds the sandbox's
event loop for long or earns a 5xx (contract §2's limits; item "one request must not freeze the sandbox").

Hypothesis builds the bodies; a bystander (`LoopProbe`) measures how long the loop was held while they were
handled, rather than timing the requests themselves."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sandbox_helpers import LOOP_HELD_AT_MOST, LoopProbe

from billkit.sandbox import Sandbox

PATHS = ["/billing/customers", "/billing/bills", "/_sandbox/payments", "/collect/payment_requests"]
FIELDS = ["external_reference", "name", "amount_due", "amount", "currency", "metadata", "customer"]


def _nested(depth: int, opening: str, closing: str) -> str:
    return opening * depth + closing * depth


#: JSON text, as raw as a client could send it: the kinds of input that cost servers the most.
hostile_values = st.one_of(
    # sizes
    st.integers(0, 900_000).map(lambda n: json.dumps("x" * n)),
    st.integers(1, 70_000).map(lambda n: json.dumps({f"k{i}": i for i in range(n)})),
    st.integers(1, 70_000).map(lambda n: json.dumps(list(range(n)))),
    st.integers(1, 30_000).map(lambda n: "[" + ",".join("{}" for _ in range(n)) + "]"),
    # nesting
    st.integers(1, 5_000).map(lambda n: _nested(n, "[", "]")),
    st.integers(1, 3_000).map(lambda n: '{"a":' * n + "1" + "}" * n),
    # numbers
    st.integers(1, 200_000).map(lambda n: "9" * n),
    st.integers(1, 200_000).map(lambda n: "1" + "0" * n + ".5"),
    st.sampled_from(
        ["1e999999", "-1e-999999", "1E400", "-0.0", "2000.0", "1e3", "NaN", "Infinity"]
    ),
    st.integers(min_value=-(2**200), max_value=2**200).map(str),
    # unicode
    st.text(max_size=2_000).map(json.dumps),
    st.sampled_from(['"\\udfff"', '"\\ud800\\udc00"', '"\\u0000"', '"\u202e\u0661\uff11"']),
)


@st.composite
def hostile_bodies(draw: st.DrawFn) -> bytes:
    """A body with one hostile value in a field (or as the whole body), or raw bytes of other encodings."""
    value = draw(hostile_values)
    shape = draw(st.sampled_from(["field", "whole", "metadata", "bytes"]))
    if shape == "whole":
        return value.encode("utf-8", "surrogatepass")
    if shape == "bytes":
        return draw(st.sampled_from([b"\xff\xfe{", b"\xed\xbf\xbf", "{}".encode("utf-16")]))
    field = draw(st.sampled_from(FIELDS))
    text = f'{{"metadata":{{"k":{value}}}}}' if shape == "metadata" else f'{{"{field}":{value}}}'
    return text.encode("utf-8", "surrogatepass")


@pytest.fixture(scope="module")
def target() -> Iterator[tuple[Sandbox, httpx.Client]]:
    with (
        Sandbox() as sandbox,
        httpx.Client(
            base_url=sandbox.base_url,
            headers={
                "Authorization": f"Bearer {sandbox.api_key}",
                "Content-Type": "application/json",
            },
            timeout=600,
        ) as http,
    ):
        yield sandbox, http


def test_no_hostile_body_holds_the_loop_or_earns_a_5xx(
    target: tuple[Sandbox, httpx.Client],
) -> None:
    sandbox, http = target
    answers: list[int] = []

    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(path=st.sampled_from(PATHS), body=hostile_bodies())
    # The extremes, always: what froze the sandbox (60,000 unknown keys) and its neighbours.
    @example(
        path="/billing/customers", body=json.dumps({f"k{i}": 1 for i in range(60_000)}).encode()
    )
    @example(path="/billing/bills", body=b'{"metadata":' + _nested(5_000, "[", "]").encode() + b"}")
    @example(path="/_sandbox/payments", body=b'{"amount":' + b"9" * 200_000 + b"}")
    @example(path="/billing/customers", body=json.dumps({"name": "x" * 1_000_000}).encode())
    @example(path="/billing/customers", body=b'{"metadata":{"k":"\\udfff"}}')
    def send(path: str, body: bytes) -> None:
        key = {"Idempotency-Key": str(uuid.uuid4())}  # a new key: every answer is this body's own
        response = http.post(path, content=body, headers=key)
        answers.append(response.status_code)
        assert response.status_code < 500, (path, body[:200], response.text[:500])
        assert len(response.content) <= max(4096, 2 * len(body))  # never several times the request

    with LoopProbe(sandbox) as probe:
        send()
    assert answers
    assert probe.worst < LOOP_HELD_AT_MOST
