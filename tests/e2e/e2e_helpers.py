"""What the delivery tests need around a sandbox: a recording endpoint whose answers a test scripts, free
ports, and a client for the sandbox's own routes."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

#: How long a test waits for what should happen soon: generous for a loaded machine, never a measure.
PATIENCE = 60.0

__all__ = ["PATIENCE", "Delivery", "Recorder", "Relay", "SandboxApi", "Tamper", "free_port"]


def free_port() -> int:
    """A loopback port nothing listens on (just released by the operating system)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Delivery:
    """One POST as it reached the endpoint: header names in lower case, the raw body."""

    headers: dict[str, str]
    body: bytes
    status: int


class Recorder:
    """A webhook endpoint on loopback that records every POST and answers with scripted statuses
    (`answers`, in order, then 200)."""

    def __init__(self, answers: Iterable[int] = ()) -> None:
        self.answers: deque[int] = deque(answers)
        self.deliveries: list[Delivery] = []
        self._changed = threading.Condition()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do
            disable_nagle_algorithm = True  # no delayed-ACK stall between the head and the body

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with recorder._changed:
                    status = recorder.answers.popleft() if recorder.answers else 200
                    headers = {name.lower(): value for name, value in self.headers.items()}
                    recorder.deliveries.append(Delivery(headers, body, status))
                    recorder._changed.notify_all()
                self.send_response(status)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks"

    def wait(self, count: int, timeout: float = PATIENCE) -> list[Delivery]:
        """The first `count` deliveries, waiting for them to arrive."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.deliveries) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected {count} deliveries within {timeout}s, got {len(self.deliveries)}"
                    )
                self._changed.wait(remaining)
            return self.deliveries[:count]

    def quiet_for(self, seconds: float) -> int:
        """How many deliveries there are after `seconds` in which none may be expected."""
        time.sleep(seconds)
        with self._changed:
            return len(self.deliveries)

    def __enter__(self) -> Recorder:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()


class SandboxApi:
    """httpx with a sandbox's key and a fresh Idempotency-Key on every POST."""

    def __init__(self, base_url: str, api_key: str) -> None:
        self.http = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=PATIENCE
        )

    def post(self, path: str, json: Any = None) -> httpx.Response:
        return self.http.post(path, json=json, headers={"Idempotency-Key": str(uuid.uuid4())})

    def created(self, path: str, json: Any = None) -> dict[str, Any]:
        response = self.post(path, json)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def customer_with_balance(self, balance: int = 99_000_000) -> str:
        customer = self.created(
            "/billing/customers",
            {
                "external_reference": f"UCR-{uuid.uuid4().hex[:12]}",
                "currency": "ZAR",
                "balance": balance,
            },
        )
        customer_id: str = customer["id"]
        return customer_id

    def pay(self, customer_id: str, amount: int = 1000) -> str:
        """Pay `amount` off the customer's balance; the event id."""
        event_id: str = self.created(
            "/_sandbox/payments", {"customer": customer_id, "amount": amount}
        )["event_id"]
        return event_id

    def register(self, url: str, chaos: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.created(
            "/_sandbox/webhook_endpoints", {"url": url, **({"chaos": chaos} if chaos else {})}
        )

    def advance(self, seconds: float) -> None:
        response = self.post("/_sandbox/clock", {"advance_seconds": seconds})
        assert response.status_code == 200, response.text

    def attempts(self, event_id: str) -> list[dict[str, Any]]:
        response = self.http.get(f"/_sandbox/events/{event_id}/deliveries")
        assert response.status_code == 200, response.text
        data: list[dict[str, Any]] = response.json()["data"]
        return data

    def wait_attempts(
        self, event_id: str, count: int, timeout: float = PATIENCE
    ) -> list[dict[str, Any]]:
        """The event's logged attempts once there are at least `count` (they are logged after the answer)."""
        deadline = time.monotonic() + timeout
        while True:
            attempts = self.attempts(event_id)
            if len(attempts) >= count:
                return attempts
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} logged attempts, got {attempts}")
            time.sleep(0.02)

    def close(self) -> None:
        self.http.close()


Tamper = Callable[[dict[str, str], bytes], tuple[dict[str, str], bytes]]


class Relay:
    """A man in the middle: takes each delivery, lets `tamper` change its headers or body, forwards it to
    `target` and hands back the target's answer."""

    def __init__(self, target: str, tamper: Tamper) -> None:
        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                headers = {name.lower(): value for name, value in self.headers.items()}
                headers.pop("content-length", None)
                headers.pop("host", None)
                headers, body = tamper(headers, body)
                answer = httpx.post(target, content=body, headers=headers, timeout=PATIENCE)
                self.send_response(answer.status_code)
                self.send_header("content-length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/relay"

    def __enter__(self) -> Relay:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
