"""Fault tests: the sandbox killed mid-delivery, a thousand payments, and deliveries a receiver must refuse
(tampered, wrongly signed, stale, from the future, unsigned), each with its reason."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from e2e_helpers import PATIENCE, Recorder, Relay, SandboxApi, Tamper

from billkit import WebhookReceiver
from billkit.sandbox import Sandbox
from billkit.webhooks import generate_secret, verify

BILLKIT = str(Path(sys.executable).with_name("billkit"))


class SandboxProcess:
    """`billkit sandbox` as a user runs it, in a child process; `info` is its start-up line."""

    def __init__(self, db: Path, *flags: str) -> None:
        self._log = (db.parent / "sandbox.log").open("ab")
        self.process = subprocess.Popen(
            [BILLKIT, "sandbox", "--port", "0", "--db", str(db), *flags],
            stdout=subprocess.PIPE,
            stderr=self._log,
            env={**os.environ, "NO_PROXY": "*"},
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, f"the sandbox did not start; see {db.parent / 'sandbox.log'}"
        self.info: dict[str, str] = json.loads(line)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(PATIENCE)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(PATIENCE)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()


def accept_requests(listener: socket.socket, count: int) -> list[socket.socket]:
    """Accept `count` connections and read each request's head, never answering: attempts in flight."""
    listener.settimeout(10)
    connections = []
    for _ in range(count):
        connection, _ = listener.accept()
        connection.settimeout(10)
        received = b""
        while b"\r\n\r\n" not in received:
            received += connection.recv(65536)
        connections.append(connection)
    return connections


def test_sandbox_killed_mid_delivery_delivers_after_restart(tmp_path: Path) -> None:
    db, secret = tmp_path / "sandbox.sqlite3", generate_secret()
    listener = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/webhooks"
    flags = ("--webhook-url", url, "--webhook-secret", secret)
    first = SandboxProcess(db, *flags)
    try:
        api = SandboxApi(first.info["base_url"], first.info["api_key"])
        customer = api.customer_with_balance()
        event_ids = {api.pay(customer) for _ in range(3)}
        api.close()
        hanging = accept_requests(listener, 3)  # the sandbox is waiting on all three answers
        first.kill()
    finally:
        first.stop()
    for connection in hanging:
        connection.close()
    port = listener.getsockname()[1]
    listener.close()
    with WebhookReceiver(secret, port=port) as receiver:
        second = SandboxProcess(db, *flags)
        try:
            assert second.info["api_key"] == first.info["api_key"]
            received = receiver.wait_for(count=3, timeout=PATIENCE)
            assert {event.id for event in received} == event_ids
        finally:
            second.stop()


def test_a_thousand_payments_give_a_thousand_events_none_lost_none_doubled() -> None:
    with Recorder() as recorder, Sandbox(webhook_url=recorder.url) as sandbox:
        api, secret = SandboxApi(sandbox.base_url, sandbox.api_key), sandbox.webhook_secret
        customer = api.customer_with_balance()
        event_ids = [api.pay(customer, amount=100) for _ in range(1000)]
        deliveries = recorder.wait(1000, timeout=60)
        assert recorder.quiet_for(0.3) == 1000
        api.close()
    for delivery in deliveries:
        verify(delivery.body, delivery.headers, secret)
    delivered = [json.loads(delivery.body)["id"] for delivery in deliveries]
    assert len(set(event_ids)) == 1000
    assert sorted(delivered) == sorted(event_ids)


def _tampered_body(headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes]:
    return headers, body.replace(b'"amount":1000', b'"amount":9000')


def _unsigned(headers: dict[str, str], body: bytes) -> tuple[dict[str, str], bytes]:
    return {name: value for name, value in headers.items() if name != "webhook-signature"}, body


@pytest.fixture
def sandbox_api() -> Iterator[tuple[Sandbox, SandboxApi]]:
    # One attempt only: a refused delivery is not retried during the test.
    with Sandbox(retry_schedule="3600") as running:
        api = SandboxApi(running.base_url, running.api_key)
        yield running, api
        api.close()


@pytest.mark.parametrize(
    ("tamper", "reason", "status"),
    [(_tampered_body, "no_matching_signature", 401), (_unsigned, "missing_header", 400)],
    ids=["tampered-body", "missing-signature"],
)
def test_a_receiver_refuses_a_changed_delivery(
    sandbox_api: tuple[Sandbox, SandboxApi], tamper: Tamper, reason: str, status: int
) -> None:
    sandbox, api = sandbox_api
    with WebhookReceiver(sandbox.webhook_secret) as receiver, Relay(receiver.url, tamper) as relay:
        api.register(relay.url)
        event_id = api.pay(api.customer_with_balance())
        [attempt] = api.wait_attempts(event_id, 1)
        assert [r.reason for r in receiver.rejections] == [reason]
        assert receiver.received == []
        assert attempt["status_code"] == status
        assert reason in attempt["error"]  # the delivery log says why the receiver refused


def test_a_receiver_with_the_wrong_secret_refuses(sandbox_api: tuple[Sandbox, SandboxApi]) -> None:
    _, api = sandbox_api
    with WebhookReceiver(generate_secret()) as receiver:
        api.register(receiver.url)
        event_id = api.pay(api.customer_with_balance())
        [attempt] = api.wait_attempts(event_id, 1)
        assert [r.reason for r in receiver.rejections] == ["no_matching_signature"]
        assert attempt["status_code"] == 401


def test_a_receiver_accepts_a_delivery_after_the_sandbox_clock_moved_ahead(
    sandbox_api: tuple[Sandbox, SandboxApi],
) -> None:
    sandbox, api = sandbox_api
    with WebhookReceiver(sandbox.webhook_secret) as receiver:
        api.register(receiver.url)
        api.advance(3600)  # the sandbox clock an hour ahead: signing still uses the wall clock
        event_id = api.pay(api.customer_with_balance())
        assert receiver.wait_for(event_id=event_id, timeout=60).id == event_id
        assert receiver.rejections == []


def test_a_receiver_refuses_a_stale_replayed_delivery(
    sandbox_api: tuple[Sandbox, SandboxApi], recorder: Recorder
) -> None:
    sandbox, api = sandbox_api
    api.register(recorder.url)
    api.pay(api.customer_with_balance())
    [captured] = recorder.wait(1)

    # The replay reaches a receiver whose clock is ten seconds on: older than its tolerance of one.
    def later() -> datetime:
        return datetime.now(UTC) + timedelta(seconds=10)

    with WebhookReceiver(sandbox.webhook_secret, tolerance=1, clock=later) as receiver:
        headers: dict[str, Any] = dict(captured.headers)
        headers.pop("content-length", None)
        answer = httpx.post(receiver.url, content=captured.body, headers=headers)
        assert answer.status_code == 401
        assert [r.reason for r in receiver.rejections] == ["timestamp_too_old"]
