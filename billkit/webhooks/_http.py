"""The receiver's HTTP layer: a lean standard-library server that hands each POST to a `WebhookHandler`.

Every answer is a small JSON body, and nothing a client sends earns a 5xx: wrong paths get 404, other methods
405, missing or oversized bodies 411/413, malformed requests 400 (even where `http.server` would say 501 or 505).
The 5xx answers are reserved for the receiver's own side: the user's `on_event` failing or the store failing
(500), and a request arriving while the receiver stops (503); the sender retries all of them.
A request must arrive whole within the request timeout, so slow or idle clients cannot hold threads forever.
"""

from __future__ import annotations

import contextlib
import io
import logging
import math
import socket
import sys
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final
from urllib.parse import urlsplit

from billkit._request_timeout import DEFAULT_REQUEST_TIMEOUT
from billkit.webhooks.handler import WebhookHandler, WebhookResult

__all__ = ["ReceiverServer"]

logger = logging.getLogger("billkit.webhooks")

_DRAIN_SECONDS: Final = 10.0


class _DeadlineReader(io.RawIOBase):
    """A connection's incoming bytes with one deadline per request rather than per read: a per-read timeout
    never fires for a client sending a byte at a time, so each read waits only for what is left of it."""

    def __init__(self, connection: socket.socket) -> None:
        self._connection = connection
        self.deadline = math.inf

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self.deadline - time.monotonic()
        try:
            # Past the deadline, bytes already here are still taken; only waiting for more is refused.
            self._connection.settimeout(max(remaining, 0.0))
            return self._connection.recv_into(buffer)
        except BlockingIOError:
            raise TimeoutError("the request did not arrive within the request timeout") from None


class _InFlight:
    """Counts requests being handled so a stop can wait for them, and refuses new ones once closed."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._count = 0
        self._open = True

    def enter(self) -> bool:
        with self._changed:
            if self._open:
                self._count += 1
            return self._open

    def leave(self) -> None:
        with self._changed:
            self._count -= 1
            self._changed.notify_all()

    def close_and_drain(self, timeout: float) -> None:
        with self._changed:
            self._open = False
            self._changed.wait_for(lambda: self._count == 0, timeout)


class _RequestHandler(BaseHTTPRequestHandler):
    server: ReceiverServer
    protocol_version = (
        "HTTP/1.1"  # keep-alive: a sender reuses its connection for the next delivery
    )
    disable_nagle_algorithm = True  # small answers go out at once rather than waiting on an ACK
    server_version = "billkit-webhook-receiver"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the plain socket file: reads go through the deadline instead
        self._incoming = _DeadlineReader(self.connection)
        self.rfile = io.BufferedReader(self._incoming)

    def handle_one_request(self) -> None:
        # A timeout raised while reading ends the connection (http.server catches it and closes).
        self._incoming.deadline = time.monotonic() + self.server.request_timeout
        super().handle_one_request()

    def do_POST(self) -> None:
        server = self.server
        path = urlsplit(self.path).path
        if path.rstrip("/") != server.path.rstrip("/"):
            self.close_connection = True  # the body stays unread, so this connection cannot go on
            self._refuse(
                404,
                "wrong_path",
                f"POST to {path[:200]!r}, but this receiver listens on {server.path!r}",
            )
            return
        body = self._read_body()
        if body is None:
            return
        if not server.in_flight.enter():
            self.close_connection = True
            self._answer(
                503, b'{"error":"stopping","message":"the receiver is stopping; retry later"}'
            )
            return
        try:
            result = server.handler.handle(body, self.headers.items())
            server.on_result(result)
            self._answer(result.status_code, result.body)
        finally:
            server.in_flight.leave()

    def _read_body(self) -> bytes | None:
        if "Transfer-Encoding" in self.headers:
            self.close_connection = True
            self._refuse(
                411, "length_required", "chunked bodies are not accepted; send Content-Length"
            )
            return None
        declared = self.headers.get("Content-Length")
        if declared is None:
            self._refuse(411, "length_required", "a delivery needs a Content-Length header")
            return None
        if not (declared.isascii() and declared.isdigit() and len(declared) <= 18):
            self.close_connection = True
            self._refuse(
                400, "invalid_content_length", f"Content-Length {declared[:20]!r} is not a size"
            )
            return None
        length = int(declared)
        limit = self.server.handler.max_body_bytes
        if length > limit:
            self.close_connection = (
                True  # the unread body would otherwise be taken for the next request
            )
            self._refuse(
                413,
                "payload_too_large",
                f"the body is {length} bytes; at most {limit} are accepted",
            )
            return None
        body = self.rfile.read(length)
        if len(body) < length:  # the client went away mid-body: nobody is left to answer
            self.close_connection = True
            return None
        return body

    def _method_not_allowed(self) -> None:
        self.close_connection = True  # any body stays unread, so this connection cannot go on
        self._refuse(
            405,
            "method_not_allowed",
            f"{self.command} is not accepted: this is a webhook receiver, deliveries are POSTs to "
            f"{self.server.path}",
        )

    def __getattr__(self, name: str) -> Callable[[], None]:
        # http.server looks up do_<METHOD> and answers 501 when it is missing; every other method gets 405.
        if name.startswith("do_"):
            return self._method_not_allowed
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # Called by http.server for requests it cannot parse; never blame the receiver (5xx) for them.
        status = 400 if code >= 500 else code
        self.close_connection = True
        # A request line too broken to name its version would otherwise get a bare HTTP/0.9 body.
        self.request_version = self.protocol_version
        self._refuse(status, "malformed_request", message or HTTPStatus(code).phrase)

    def _refuse(self, status: int, reason: str, message: str) -> None:
        result: WebhookResult = self.server.handler.refuse(status, reason, message)
        self._answer(status, result.body)

    def _answer(self, status: int, body: bytes) -> None:
        # Reading left the timeout at what remained of the deadline (perhaps zero); writing gets a full one.
        self.connection.settimeout(self.server.request_timeout)
        self.send_response(status)
        self.send_header("Content-Type", WebhookResult.content_type)
        self.send_header("Content-Length", str(len(body)))
        if status == 405:
            self.send_header("Allow", "POST")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)


class ReceiverServer(ThreadingHTTPServer):
    """A threaded HTTP server bound to one address, answering POSTs to `path` through `handler`."""

    daemon_threads = True

    def __init__(
        self,
        host: str,
        port: int,
        *,
        path: str,
        handler: WebhookHandler,
        on_result: Callable[[WebhookResult], None],
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.path = path
        self.request_timeout = request_timeout
        self.handler = handler
        self.on_result = on_result
        self.in_flight = _InFlight()
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__((host, port), _RequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up or stalls is routine for a server; keep it out of the user's output.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            logger.debug("connection from %s ended early", client_address, exc_info=True)
        else:
            logger.exception("unexpected error answering %s", client_address)

    def stop(self) -> None:
        """Stop accepting, let requests in progress finish, then drop idle keep-alive connections."""
        self.shutdown()
        self.in_flight.close_and_drain(_DRAIN_SECONDS)
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by its client
                connection.shutdown(socket.SHUT_RDWR)
        self.server_close()
