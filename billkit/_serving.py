"""Serving an ASGI app with uvicorn on a socket bound before it starts, from a background thread.

The one way billkit (the sandbox, the webhook receiver) and its tests serve an app on a port:

    with ServedApp(app) as served:               # a free loopback port
        httpx.get(served.url + "/health")

Binding first means port 0 yields a free port known before anything is served, and a port in use is an
error at once. `start()` returns once the server accepts connections; `stop()` asks uvicorn to stop, which
closes idle keep-alive connections and waits for requests in progress, and if a client still holds one
open past the timeout, stops without waiting for it.

`with_request_timeout` is the HTTP/1.1 protocol (uvicorn's h11) billkit's servers run: each request must
arrive whole within a deadline, so slow or idle clients (slowloris) cannot hold connections.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Final, Literal, Self

import h11
import uvicorn
from h11._connection import DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
from uvicorn.protocols.http.h11_impl import H11Protocol

from billkit._request_timeout import DEFAULT_REQUEST_TIMEOUT
from billkit.errors import ConfigurationError

__all__ = [
    "LOOPBACK",
    "START_TIMEOUT",
    "STOP_TIMEOUT",
    "MalformedAnswer",
    "ReadyServer",
    "ServedApp",
    "StartStop",
    "base_url_of",
    "bind_socket",
    "server_config",
    "with_request_timeout",
]

LOOPBACK = "127.0.0.1"
#: How long `ServedApp.start()` waits for the server to accept connections.
START_TIMEOUT = 30.0
#: How long `ServedApp.stop()` waits for a clean stop before it stops waiting for open connections.
STOP_TIMEOUT = 15.0


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket on `host:port` (port 0: a free one)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise ConfigurationError(f"cannot listen on {host}:{port}: {exc}") from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise ConfigurationError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.setblocking(False)
    return sock


def base_url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


class ReadyServer(uvicorn.Server):
    """uvicorn's server, telling `on_ready` once it accepts connections."""

    def __init__(self, config: uvicorn.Config, *, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._on_ready()


class StartStop:
    """A context manager for anything started with `start()` (returning itself) and ended with `stop()`."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class ServedApp(StartStop):
    """An ASGI app served by uvicorn from a daemon thread; a context manager, or `start()` and `stop()`.

    `server` builds the uvicorn server for a readiness callback (default: `app` with lifespan off, no
    logging configuration, no access log). `sock` is a socket already bound (default: a free loopback port).
    """

    def __init__(
        self,
        app: Any = None,
        *,
        server: Callable[[Callable[[], None]], uvicorn.Server] | None = None,
        sock: socket.socket | None = None,
        name: str = "billkit-server",
    ) -> None:
        if (app is None) == (server is None):
            raise TypeError("give either an app or a server")
        self._ready = threading.Event()
        self.server = server(self._ready.set) if server is not None else _plain(app, self._ready)
        self._sock = sock if sock is not None else bind_socket(LOOPBACK, 0)
        self.url = base_url_of(self._sock)
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._failure: BaseException | None = None

    def start(self) -> Self:
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT) or self._failure is not None:
            self.stop()
            raise RuntimeError(f"the server did not start: {self._failure!r}") from self._failure
        return self

    def _serve(self) -> None:
        try:
            self.server.run(sockets=[self._sock])
        # Reported by start(); uvicorn exits on a start-up failure with SystemExit, hence BaseException.
        except BaseException as exc:
            self._failure = exc
        finally:
            self._sock.close()
            self._ready.set()

    def stop(self) -> None:
        """Stop serving and wait for the thread; a stopped server cannot be restarted."""
        self.server.should_exit = True
        if not self._thread.is_alive():
            self._sock.close()  # never started
            return
        self._thread.join(STOP_TIMEOUT)
        if self._thread.is_alive():
            self.server.force_exit = True  # stop waiting for connections a client left open
            self._thread.join(STOP_TIMEOUT)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()


def _plain(app: Any, ready: threading.Event) -> uvicorn.Server:
    return ReadyServer(server_config(app, request_timeout=None), on_ready=ready.set)


def server_config(
    app: Any,
    *,
    request_timeout: float | None = DEFAULT_REQUEST_TIMEOUT,
    on_malformed: MalformedAnswer | None = None,
    lifespan: Literal["on", "off"] = "off",
    access_log: bool = False,
    graceful_seconds: int | None = None,
) -> uvicorn.Config:
    """The uvicorn configuration billkit's servers share: h11 with the request deadline (`request_timeout`
    None: plain h11, as test servers run), no logging configuration of uvicorn's own (the user's applies),
    no Server header, and no proxy in front (X-Forwarded-* headers are a client's word, not the
    connection's). `graceful_seconds`: how long a stop waits for requests in progress."""
    return uvicorn.Config(
        app,
        http="h11"
        if request_timeout is None
        else with_request_timeout(request_timeout, on_malformed=on_malformed),
        # ASGI 3 said outright: uvicorn's guess takes a bound method (a test server's) for ASGI 2.
        interface="asgi3",
        lifespan=lifespan,
        log_config=None,
        access_log=access_log,
        server_header=False,
        timeout_graceful_shutdown=graceful_seconds,
        proxy_headers=False,
    )


# ---- the request deadline -----------------------------------------------------------------------
#
# Neither h11 nor uvicorn bounds how long a request's head and body may take: uvicorn's keep-alive timeout
# runs only between requests and stops at the first byte of the next one, and nothing at all runs before a
# connection's first request. A client sending one byte every few seconds could hold a connection open for
# ever, and enough of them every connection a server can take. Here each request, from the connection
# being made or the previous answer, must arrive whole (line, headers, body) within the request timeout;
# otherwise the connection is closed. Handlers are not timed: the deadline ends when the body has arrived.

#: Their side of the connection is still sending its request in these states (h11's names).
_ARRIVING: Final = (h11.IDLE, h11.SEND_BODY)
#: How long a request head (line and headers) may be, as h11's default, and how many header lines it may
#: hold, as the standard library's server.
DEFAULT_HEAD_LIMIT: Final = DEFAULT_MAX_INCOMPLETE_EVENT_SIZE
MAX_HEADERS: Final = 100
_HEAD_END: Final = re.compile(rb"\n\r?\n")
_TOO_LONG: Final = {
    414: "the request line is too long",
    431: f"the request headers are too large (at most {DEFAULT_HEAD_LIMIT} bytes, {MAX_HEADERS} lines)",
}

#: A server's own answer to a request too malformed to reach its app: given the status (400; 414 for a
#: request line, 431 for headers too long) and what is wrong, the Content-Type and body to send.
MalformedAnswer = Callable[[int, str], tuple[bytes, bytes]]


class _Connection(h11.Connection):
    """h11's connection, keeping the protocol error it last raised (uvicorn answers every one 400)."""

    refused: h11.RemoteProtocolError | None = None

    def next_event(self) -> Any:
        try:
            return super().next_event()
        except h11.RemoteProtocolError as exc:
            self.refused = exc
            raise


class _DeadlineH11Protocol(H11Protocol):
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    on_malformed: MalformedAnswer | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_limit = self.config.h11_max_incomplete_event_size or DEFAULT_HEAD_LIMIT
        self.conn = self._h11 = _Connection(h11.SERVER, self._head_limit)
        self._deadline: asyncio.TimerHandle | None = None
        self._head_bytes = self._head_lines = 0  # of the request head being received

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # a connection that never sends a request is dropped too

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            if self._deadline is None:
                self._arm()  # the first bytes of the next request on a kept-alive connection
            # h11 bounds only a head still incomplete; one that arrives whole is bounded here.
            end = _HEAD_END.search(data)
            head = data if end is None else data[: end.start()]
            self._head_bytes += len(head)
            self._head_lines += head.count(b"\n")
            if self._head_bytes > self._head_limit or self._head_lines > MAX_HEADERS + 1:
                self._refuse_malformed(431 if self._head_lines else 414)
                return
        super().data_received(data)
        if self.conn.their_state not in _ARRIVING:
            self._disarm()  # the whole request is in (or it was refused): the handler is not timed

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        refused = self._h11.refused
        if refused is not None and refused.error_status_hint == 431:  # h11's own head limit
            self._refuse_malformed(431 if self._head_lines else 414)
        else:
            self._refuse_malformed(400, f"malformed HTTP request: {refused or msg}")

    def _refuse_malformed(self, status: int, reason: str = "") -> None:
        """Answer a request that cannot reach the app, and close its connection."""
        reason = reason or _TOO_LONG[status]
        answer = type(self).on_malformed
        content_type, body = (
            (b"text/plain; charset=utf-8", reason.encode())
            if answer is None
            else answer(status, reason)
        )
        headers = [(b"content-type", content_type), (b"connection", b"close")]
        if self.conn.our_state is h11.IDLE:  # else an answer is already under way: just close
            for event in (
                h11.Response(status_code=status, headers=headers),
                h11.Data(data=body),
                h11.EndOfMessage(),
            ):
                self.transport.write(self.conn.send(event) or b"")
        self.transport.close()

    def _arm(self) -> None:
        self._disarm()
        self._head_bytes = self._head_lines = 0
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


def with_request_timeout(
    seconds: float, *, on_malformed: MalformedAnswer | None = None
) -> type[H11Protocol]:
    """The protocol class to give uvicorn (`Config(http=...)`) for a request timeout of `seconds`;
    `on_malformed` words the answer to requests h11 cannot parse (default: uvicorn's plain-text 400)."""
    return type(
        "RequestDeadlineH11Protocol",
        (_DeadlineH11Protocol,),
        {
            "request_timeout": seconds,
            "on_malformed": staticmethod(on_malformed) if on_malformed else None,
        },
    )
