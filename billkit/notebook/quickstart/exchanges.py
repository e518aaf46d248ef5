"""The real HTTP requests and responses behind a notebook's calls, kept so a notebook can show them.

`RecordingTransport` wraps the client's httpx transport and keeps each exchange: method, path, the
Idempotency-Key, the JSON bodies both ways and the status. `Exchange.show()` prints one the way the
quickstarts print their examples. The Authorization header is never kept, and what is printed is scrubbed
of anything shaped like a key or webhook secret (a webhook endpoint's `secret`, say).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import httpx

from billkit.keys import scrub

__all__ = ["Exchange", "RecordingTransport"]

_KEPT = 200  # a notebook shows the last few; a long-running session must not grow without bound


@dataclass(frozen=True)
class Exchange:
    """One request and its response."""

    method: str
    path: str
    idempotency_key: str | None
    request_body: Any
    status_code: int
    response_body: Any
    replayed: bool

    def render(self) -> str:
        lines = [f"{self.method} {self.path}"]
        if self.idempotency_key:
            lines.append(f"Idempotency-Key: {self.idempotency_key}")
        if self.request_body is not None:
            lines.append(_pretty(self.request_body))
        reason = _reason(self.status_code)
        replayed = " (replayed: Idempotent-Replayed: true)" if self.replayed else ""
        lines.append(f"→ {self.status_code} {reason}{replayed}")
        if self.response_body is not None:
            lines.append(_pretty(self.response_body))
        return scrub("\n".join(lines))

    def show(self) -> None:
        print(self.render())


class RecordingTransport(httpx.BaseTransport):
    """An httpx transport that passes every request on and keeps the exchange (thread-safe)."""

    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self._inner = inner or httpx.HTTPTransport()
        self._exchanges: deque[Exchange] = deque(maxlen=_KEPT)
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        response.read()  # the client reads it again from the cached content
        exchange = Exchange(
            method=request.method,
            path=request.url.raw_path.decode("ascii"),
            idempotency_key=request.headers.get("idempotency-key"),
            request_body=_json_or_text(request.content),
            status_code=response.status_code,
            response_body=_json_or_text(response.content),
            replayed=response.headers.get("idempotent-replayed") == "true",
        )
        with self._lock:
            self._exchanges.append(exchange)
        return response

    @property
    def last(self) -> Exchange:
        with self._lock:
            if not self._exchanges:
                raise LookupError("no request has been sent yet")
            return self._exchanges[-1]

    def close(self) -> None:
        self._inner.close()


def _json_or_text(content: bytes) -> Any:
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return content.decode("utf-8", errors="replace")


def _pretty(body: Any) -> str:
    return body if isinstance(body, str) else json.dumps(body, indent=2, ensure_ascii=False)


def _reason(status_code: int) -> str:
    if status_code == 422:
        return "Unprocessable Content"
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return ""
