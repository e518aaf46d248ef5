"""uvicorn's HTTP/1.1 protocol (h11) with a deadline for each request to arrive whole.

Neither h11 nor uvicorn bounds how long a request's head and body may take: uvicorn's keep-alive timeout
runs only between requests and stops at the first byte of the next one, and nothing at all runs before a
connection's first request. A client sending one byte every few seconds (slowloris) could hold a connection
open for ever, and enough of them every connection the sandbox can take. Here each request, from the
connection being made or the previous answer, must arrive whole (line, headers, body) within
the request timeout (`billkit sandbox --request-timeout`, 30 s by default); otherwise the connection is closed. Handlers are not timed: the deadline ends when the
body has arrived.
"""

from __future__ import annotations

import asyncio
from typing import Any, Final

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from billkit._request_timeout import DEFAULT_REQUEST_TIMEOUT

__all__ = ["with_request_timeout"]

#: Their side of the connection is still sending its request in these states (h11's names).
_ARRIVING: Final = (h11.IDLE, h11.SEND_BODY)


class _DeadlineH11Protocol(H11Protocol):
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # a connection that never sends a request is dropped too

    def data_received(self, data: bytes) -> None:
        if self._deadline is None and self.conn.their_state is h11.IDLE:
            self._arm()  # the first bytes of the next request on a kept-alive connection
        super().data_received(data)
        if self.conn.their_state not in _ARRIVING:
            self._disarm()  # the whole request is in (or it was refused): the handler is not timed

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.request_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if self.conn.their_state in _ARRIVING and not self.transport.is_closing():
            self.logger.info("dropped a connection whose request did not arrive in time")
            self.transport.close()


def with_request_timeout(seconds: float) -> type[H11Protocol]:
    """The protocol class to give uvicorn (`Config(http=...)`) for a request timeout of `seconds`."""
    return type("RequestDeadlineH11Protocol", (_DeadlineH11Protocol,), {"request_timeout": seconds})
