"""Serving an ASGI app with uvicorn on a socket bound before it starts, from a background thread.

The one way billkit (the sandbox) and its tests serve an app on a port:

    with ServedApp(app) as served:               # a free loopback port
        httpx.get(served.url + "/health")

Binding first means port 0 yields a free port known before anything is served, and a port in use is an
error at once. `start()` returns once the server accepts connections; `stop()` asks uvicorn to stop, which
closes idle keep-alive connections and waits for requests in progress, and if a client still holds one
open past the timeout, stops without waiting for it.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

import uvicorn

from billkit.errors import ConfigurationError

__all__ = [
    "LOOPBACK",
    "START_TIMEOUT",
    "STOP_TIMEOUT",
    "ReadyServer",
    "ServedApp",
    "base_url_of",
    "bind_socket",
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


class ServedApp:
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

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _plain(app: Any, ready: threading.Event) -> uvicorn.Server:
    # ASGI 3 said outright: uvicorn's guess takes a bound method (a test server's) for ASGI 2.
    config = uvicorn.Config(
        app,
        interface="asgi3",
        lifespan="off",
        log_config=None,
        access_log=False,
        server_header=False,
    )
    return ReadyServer(config, on_ready=ready.set)
