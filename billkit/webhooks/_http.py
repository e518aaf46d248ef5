"""The receiver's HTTP layer: a small ASGI app that hands each POST to a `WebhookHandler`, served by uvicorn
from a thread like every billkit server (`billkit._serving`).

Every answer is a small JSON body, and nothing a client sends earns a 5xx: wrong paths get 404, other methods
405, missing or oversized bodies 411/413, malformed requests 400 (414 and 431 for a request line or headers
too long), whatever h11 or the app finds wrong. The one 5xx is the receiver's own side: the user's
`on_event` failing or the store failing (500), which the sender retries. A request must arrive whole within
the request timeout, so slow or idle clients cannot hold connections.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

import uvicorn

from billkit._serving import ReadyServer, server_config
from billkit.webhooks.handler import WebhookHandler, WebhookResult

__all__ = ["ReceiverApp", "receiver_server"]

logger = logging.getLogger("billkit.webhooks")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: How long a stop waits for deliveries being handled to be answered.
_DRAIN_SECONDS: Final = 10
_CONTENT_TYPE: Final = WebhookResult.content_type.encode()
_CLOSE: Final = (b"connection", b"close")


class ReceiverApp:
    """Answers POSTs to `path` through `handler`; `on_result` hears of every delivery handled.

    The handler may call the user's code (a database, say), which then runs in a worker thread; without
    it the loop verifies and awaits the commit (`WebhookHandler.handle_on_loop`): either way the event
    loop keeps serving other connections meanwhile."""

    def __init__(
        self,
        *,
        path: str,
        handler: WebhookHandler,
        on_result: Callable[[WebhookResult], None],
    ) -> None:
        self.path = path.rstrip("/")
        self.handler = handler
        self.on_result = on_result

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            status, reason, message = refusal
            await self._refuse(send, status, reason, message, close=True)
            return
        body = await self._body(receive, headers, send)
        if body is None:
            return
        result = await self.handler.handle_on_loop(
            body, [(name.decode("latin-1"), value.decode("latin-1")) for name, value in headers]
        )
        self.on_result(result)
        await _answer(send, result.status_code, result.body)

    def _refusal(
        self, scope: Scope, headers: list[tuple[bytes, bytes]]
    ) -> tuple[int, str, str] | None:
        """Why this request is refused before its body is read (its connection is then closed), if it is."""
        if scope["http_version"] not in ("1.0", "1.1"):
            return 400, "malformed_request", f"HTTP/{scope['http_version'][:10]} is not supported"
        if scope["method"] != "POST":
            return (
                405,
                "method_not_allowed",
                f"{scope['method'][:20]} is not accepted: this is a webhook receiver, deliveries are "
                f"POSTs to {self.path or '/'}",
            )
        path: str = scope["path"]
        if path.rstrip("/") != self.path:
            return (
                404,
                "wrong_path",
                f"POST to {path[:200]!r}, but this receiver listens on {self.path or '/'!r}",
            )
        names = [name for name, _ in headers]
        if b"transfer-encoding" in names:
            return 411, "length_required", "chunked bodies are not accepted; send Content-Length"
        return None

    async def _body(
        self, receive: Receive, headers: list[tuple[bytes, bytes]], send: Send
    ) -> bytes | None:
        """The whole body, or None once refused (or the client went away mid-body: nobody to answer)."""
        declared = next((value for name, value in headers if name == b"content-length"), None)
        if declared is None:
            await self._refuse(
                send, 411, "length_required", "a delivery needs a Content-Length header"
            )
            return None
        length, limit = int(declared), self.handler.max_body_bytes  # h11 checked it is digits
        if length > limit:
            too_large = f"the body is {length} bytes; at most {limit} are accepted"
            await self._refuse(send, 413, "payload_too_large", too_large, close=True)
            return None
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _refuse(
        self, send: Send, status: int, reason: str, message: str, *, close: bool = False
    ) -> None:
        body = self.handler.refuse(status, reason, message).body
        await _answer(send, status, body, close=close)

    def malformed(self, status: int, message: str) -> tuple[bytes, bytes]:
        """The answer to a request h11 could not parse (see `billkit._serving.MalformedAnswer`)."""
        return _CONTENT_TYPE, self.handler.refuse(status, "malformed_request", message).body


async def _answer(send: Send, status: int, body: bytes, *, close: bool = False) -> None:
    headers = [(b"content-type", _CONTENT_TYPE), (b"content-length", str(len(body)).encode())]
    if status == 405:
        headers.append((b"allow", b"POST"))
    if close:  # any body stays unread, so this connection cannot go on
        headers.append(_CLOSE)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def receiver_server(
    app: ReceiverApp, *, request_timeout: float, on_ready: Callable[[], None]
) -> uvicorn.Server:
    """The uvicorn server a `WebhookReceiver` runs: billkit's configuration, with the receiver's own
    answers to malformed requests."""
    config = server_config(
        app,
        request_timeout=request_timeout,
        on_malformed=app.malformed,
        graceful_seconds=_DRAIN_SECONDS,
    )
    return ReadyServer(config, on_ready=on_ready)
