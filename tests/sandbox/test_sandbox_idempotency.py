"""Contract §2, idempotency: required on POST, the first response replayed for 24 h of sandbox time, 422 for
another body (compared as parsed JSON), refusals before processing not stored, a key taken only once the
body has arrived, scoped by key owner, method, path and key."""

from __future__ import annotations

import socket
import threading
import uuid

import httpx
import pytest
from sandbox_helpers import Api, ref

from billkit.sandbox import Sandbox

FAITHFUL_POSTS = [
    "/billing/customers",
    "/billing/accounts",
    "/billing/bills",
    "/billing/bills/x/void",
]


@pytest.mark.parametrize("path", [*FAITHFUL_POSTS, "/_sandbox/payments"])
def test_key_is_required(api: Api, path: str) -> None:
    response = api.http.post(path, json={})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


@pytest.mark.parametrize("key", ["has space", "x" * 256, "ünïcode", "under_score", ""])
def test_key_must_be_letters_digits_and_hyphens(api: Api, key: str) -> None:
    response = api.http.post(
        "/billing/customers",
        json={"external_reference": ref()},
        headers={b"Idempotency-Key": key.encode()},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


@pytest.mark.parametrize(
    "path", ["/_sandbox/clock", "/_sandbox/reset", "/_sandbox/webhook_endpoints"]
)
def test_key_is_optional_on_other_sandbox_posts(fresh_api: Api, path: str) -> None:
    bodies = {
        "/_sandbox/clock": {"advance_seconds": 1},
        "/_sandbox/reset": {},
        "/_sandbox/webhook_endpoints": {"url": "http://127.0.0.1:9/hook"},
    }
    response = fresh_api.http.post(path, json=bodies[path])
    assert response.status_code in (200, 201), response.text


def test_replay_returns_the_first_response_with_the_header(api: Api) -> None:
    key = str(uuid.uuid4())
    body = {"external_reference": ref(), "name": "Jo"}
    first = api.post("/billing/customers", body, key=key)
    again = api.post("/billing/customers", body, key=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers


def test_replay_creates_nothing_new(api: Api) -> None:
    key = str(uuid.uuid4())
    body = {
        "currency": "ZAR",
        "amount_due": 500,
        "external_reference": ref(),
        "customer": api.customer()["id"],
    }
    ids = {api.post("/billing/bills", body, key=key).json()["id"] for _ in range(3)}
    assert len(ids) == 1


def test_errors_are_stored_and_replayed_too(api: Api) -> None:
    key = str(uuid.uuid4())
    body = {
        "external_reference": ref(),
        "currency": "ZAR",
        "amount_due": 100,
        "customer": "bcus_missing",
    }
    first = api.post("/billing/bills", body, key=key)
    assert first.status_code == 404
    # The customer now exists, but the stored answer to this key stays the same.
    api.created("/billing/customers", {"external_reference": "bcus_missing-" + key[:8]})
    again = api.post("/billing/bills", body, key=key)
    assert (again.status_code, again.json()) == (404, first.json())
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["content-type"] == "application/problem+json"


def test_validation_errors_are_replayed(api: Api) -> None:
    key = str(uuid.uuid4())
    first = api.post("/billing/customers", {"nope": 1}, key=key)
    again = api.post("/billing/customers", {"nope": 1}, key=key)
    assert first.status_code == again.status_code == 400
    assert again.headers["idempotent-replayed"] == "true"


def test_same_key_with_another_body_is_422(api: Api) -> None:
    key = str(uuid.uuid4())
    assert api.post("/billing/customers", {"external_reference": ref()}, key=key).status_code == 201
    response = api.post("/billing/customers", {"external_reference": ref()}, key=key)
    assert response.status_code == 422
    assert response.json()["type"].endswith("#unprocessable-content")
    assert "idempotent-replayed" not in response.headers


def test_scope_includes_the_path(api: Api) -> None:
    key = str(uuid.uuid4())
    customer = api.post("/billing/customers", {"external_reference": ref()}, key=key)
    account = api.post(
        "/billing/accounts",
        {"customer": customer.json()["id"], "external_reference": ref()},
        key=key,
    )
    assert account.status_code == 201
    assert "idempotent-replayed" not in account.headers


def test_scope_includes_the_key_owner(db_file: str) -> None:
    """The same key sent with another API key (a restart with --api-key) is a new request."""
    key = str(uuid.uuid4())
    body = {"external_reference": ref()}
    with Sandbox(db=db_file, api_key="sk_test_ownerOne") as first, Api(first) as api:
        one = api.post("/billing/customers", body, key=key)
    with Sandbox(db=db_file, api_key="sk_test_ownerTwo") as second, Api(second) as api:
        two = api.post("/billing/customers", body, key=key)
    assert one.status_code == 201
    assert two.status_code == 409  # a new request, so the reference is now taken
    assert "idempotent-replayed" not in two.headers


def test_keys_expire_after_24_hours_of_sandbox_time(fresh_api: Api) -> None:
    key = str(uuid.uuid4())
    body = {"external_reference": ref()}
    assert fresh_api.post("/billing/customers", body, key=key).status_code == 201
    fresh_api.post("/_sandbox/clock", {"advance_seconds": 23 * 3600})
    assert (
        fresh_api.post("/billing/customers", body, key=key).headers["idempotent-replayed"] == "true"
    )
    fresh_api.post("/_sandbox/clock", {"advance_seconds": 3601})
    expired = fresh_api.post("/billing/customers", body, key=key)
    assert expired.status_code == 409  # treated as new: the reference already exists
    assert "idempotent-replayed" not in expired.headers


def test_patch_honours_a_key_when_sent(api: Api) -> None:
    customer = api.customer(currency="ZAR", balance=100)
    key = str(uuid.uuid4())
    path = f"/billing/customers/{customer['id']}"
    first = api.patch(path, {"balance": 500}, headers={"Idempotency-Key": key})
    api.patch(path, {"balance": 900})
    again = api.patch(path, {"balance": 500}, headers={"Idempotency-Key": key})
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert api.get(path).json()["balance"] == 900


def test_fifty_identical_requests_at_once_make_one_object(sandbox: Sandbox, api: Api) -> None:
    key = str(uuid.uuid4())
    reference = ref()
    body = {"external_reference": reference, "name": "Concurrent"}
    barrier = threading.Barrier(50)
    responses: list[httpx.Response] = []
    lock = threading.Lock()

    def fire() -> None:
        with httpx.Client(base_url=sandbox.base_url, timeout=30) as client:
            headers = {"Authorization": f"Bearer {sandbox.api_key}", "Idempotency-Key": key}
            barrier.wait()
            response = client.post("/billing/customers", json=body, headers=headers)
        with lock:
            responses.append(response)

    threads = [threading.Thread(target=fire) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    originals = [
        r for r in responses if r.status_code == 201 and "idempotent-replayed" not in r.headers
    ]
    replays = [r for r in responses if r.headers.get("idempotent-replayed") == "true"]
    conflicts = [r for r in responses if r.status_code == 409]
    assert len(originals) == 1
    assert len(originals) + len(replays) + len(conflicts) == 50
    assert all(r.status_code == 201 and r.json() == originals[0].json() for r in replays)
    assert all(r.json()["type"].endswith("#conflict") for r in conflicts)
    listed = api.get("/_sandbox/billing/customers", params={"limit": 100}).json()["data"]
    assert [c["id"] for c in listed if c["external_reference"] == reference] == [
        originals[0].json()["id"]
    ]


def test_a_request_still_sending_its_body_holds_no_key(sandbox: Sandbox, api: Api) -> None:
    """The first request is held mid-body (after 100 Continue): a retry with its key meanwhile is processed,
    and the first, once its body has arrived, gets the retry's answer replayed (contract §2)."""
    key = str(uuid.uuid4())
    body = f'{{"external_reference": "{ref()}"}}'.encode()
    host, port = sandbox.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as held:
        held.sendall(
            b"POST /billing/customers HTTP/1.1\r\nHost: sandbox\r\n"
            + f"Authorization: Bearer {sandbox.api_key}\r\nIdempotency-Key: {key}\r\n".encode()
            + f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n".encode()
            + b"Expect: 100-continue\r\n\r\n"
        )
        assert held.recv(1024).startswith(b"HTTP/1.1 100")  # the server is now reading the body

        retry = api.post("/billing/customers", content=body, key=key)
        assert retry.status_code == 201, retry.text

        held.sendall(body)
        reply = _whole_answer(held)
    assert reply.startswith(b"HTTP/1.1 201")
    assert b"idempotent-replayed: true" in reply.lower()
    assert retry.json()["id"].encode() in reply


def test_bodies_are_compared_as_parsed_json(api: Api) -> None:
    key = str(uuid.uuid4())
    reference = ref()
    first = api.post(
        "/billing/customers",
        content=f'{{"external_reference":"{reference}","currency":"ZAR"}}',
        key=key,
    )
    assert first.status_code == 201
    again = api.post(
        "/billing/customers",
        content=f'{{\n  "currency": "ZAR",\n  "external_reference": "{reference}"\n}}',
        key=key,
    )
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"


@pytest.mark.parametrize(
    "refused",
    [
        {"content": b'{"external_reference": '},  # malformed JSON
        {"content": b"x" * (1024 * 1024 + 1)},  # over 1 MiB
        {"params": {"unknown": "1"}},  # an unknown query parameter
        {"headers": {"Authorization": "Bearer sk_test_notTheSandboxKey"}},
    ],
    ids=["malformed", "too-large", "unknown-query", "unauthorized"],
)
def test_refusals_before_processing_leave_the_key_free(
    api: Api, refused: dict[str, object]
) -> None:
    key = str(uuid.uuid4())
    assert api.post("/billing/customers", key=key, **refused).status_code in (400, 401, 413)
    response = api.post("/billing/customers", {"external_reference": ref()}, key=key)
    assert response.status_code == 201, response.text
    assert "idempotent-replayed" not in response.headers


def _whole_answer(sock: socket.socket) -> bytes:
    """One HTTP answer read to the end of its body: TCP may hand it over in several pieces."""
    reply = b""
    while b"\r\n\r\n" not in reply:
        reply += _received(sock)
    head, _, body = reply.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += _received(sock)
    return head + b"\r\n\r\n" + body


def _received(sock: socket.socket) -> bytes:
    chunk = sock.recv(65536)
    if not chunk:
        raise AssertionError("the server closed the connection before its answer was whole")
    return chunk
