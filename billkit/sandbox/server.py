"""Running the sandbox over real HTTP: a uvicorn server on a socket bound before it starts.

`billkit sandbox` runs it in the main thread; `billkit.Sandbox()` runs it in a background thread:

    with billkit.Sandbox() as sandbox:           # a free loopback port, an in-memory database
        client = sandbox.client()
        client.customers.create(external_reference="UCR1")

Binding first means port 0 yields a free port known before anything is served, and a port in use is an
error at once. The sandbox binds to loopback unless told otherwise.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any, Self

import uvicorn
from starlette.applications import Starlette

from billkit._redact import redact
from billkit._request_timeout import DEFAULT_REQUEST_TIMEOUT
from billkit.errors import ConfigurationError
from billkit.sandbox.app import create_app
from billkit.sandbox.clock import SandboxClock
from billkit.sandbox.http.deadline import with_request_timeout
from billkit.sandbox.runtime import Runtime
from billkit.sandbox.settings import (
    DEFAULT_HOST,
    MEMORY_DB,
    SandboxSettings,
    parse_retry_schedule,
)

if TYPE_CHECKING:
    from billkit.client import Client

__all__ = [
    "Sandbox",
    "SandboxServer",
    "StartedSandbox",
    "base_url_of",
    "bind_socket",
    "prepare",
    "uvicorn_config",
]

#: How long `Sandbox.start()` waits for the server to accept connections.
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


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


def uvicorn_config(
    app: Starlette, *, access_log: bool, request_timeout: float = DEFAULT_REQUEST_TIMEOUT
) -> uvicorn.Config:
    """The one uvicorn configuration the sandbox runs with (the throughput benchmark uses it too)."""
    return uvicorn.Config(
        app,
        http=with_request_timeout(request_timeout),  # h11, with a deadline for slow requests
        lifespan="on",
        log_config=None,
        access_log=access_log,
        server_header=False,
        timeout_graceful_shutdown=5,
        # No proxy in front: X-Forwarded-* headers are a client's word, not the connection's.
        proxy_headers=False,
    )


class SandboxServer(uvicorn.Server):
    """uvicorn's server, telling `on_ready` once it accepts connections, and treating SIGINT and SIGTERM
    (in the main thread) as a request to stop cleanly rather than re-raising them afterwards."""

    def __init__(self, config: uvicorn.Config, *, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._on_ready()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self._stop) for sig in _STOP_SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _stop(self, sig: int, frame: FrameType | None) -> None:
        if self.should_exit:
            self.force_exit = True  # a second signal: stop waiting for open connections
        self.should_exit = True


@dataclass(frozen=True)
class StartedSandbox:
    """What a client needs to use a running sandbox (the command line prints it as one JSON line)."""

    base_url: str
    api_key: str = field(repr=False)
    signing_secret: str = field(repr=False)
    endpoint_registered: bool
    clock: SandboxClock = field(repr=False)

    def as_json_object(self) -> dict[str, str]:
        """The start-up line: `webhook_secret` only when an endpoint is registered (contract §1)."""
        shown = {"base_url": self.base_url, "api_key": self.api_key}
        if self.endpoint_registered:
            shown["webhook_secret"] = self.signing_secret
        return shown


def prepare(settings: SandboxSettings) -> tuple[socket.socket, Runtime, StartedSandbox]:
    """Bind the socket and open the runtime: everything that can fail, before serving anything."""
    sock = bind_socket(settings.host, settings.port)
    try:
        runtime = Runtime.start(settings)
    except BaseException:
        sock.close()
        raise
    started = StartedSandbox(
        base_url_of(sock),
        runtime.api_key,
        runtime.signing_secret,
        runtime.has_webhook_endpoint(),
        runtime.clock,
    )
    return sock, runtime, started


class Sandbox:
    """billkit's sandbox on a free loopback port, served from a background thread.

    Arguments mirror `billkit sandbox`'s flags; `db` defaults to `:memory:` (nothing is kept).
    Use it as a context manager, or call `start()` and `stop()`.
    """

    def __init__(
        self,
        *,
        db: str = MEMORY_DB,
        api_key: str | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        retry_schedule: str | Sequence[float] = "default",
        host: str = DEFAULT_HOST,
        port: int = 0,
        public_url: str | None = None,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    ) -> None:
        schedule = (
            parse_retry_schedule(retry_schedule)
            if isinstance(retry_schedule, str)
            else tuple(retry_schedule)
        )
        self.settings = SandboxSettings(
            db=db,
            host=host,
            port=port,
            api_key=api_key,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            retry_schedule=schedule,
            public_url=public_url,
            request_timeout=request_timeout,
        )
        self._started: StartedSandbox | None = None
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    def start(self) -> Self:
        if self._thread is not None:
            raise RuntimeError("this sandbox is already running")
        sock, runtime, started = prepare(self.settings)
        ready = threading.Event()
        app = create_app(self.settings, runtime=runtime)
        config = uvicorn_config(
            app, access_log=False, request_timeout=self.settings.request_timeout
        )
        server = SandboxServer(config, on_ready=ready.set)
        self._server = server
        self._thread = threading.Thread(
            target=self._serve, args=(server, sock, ready), name="billkit-sandbox", daemon=True
        )
        self._thread.start()
        if not ready.wait(START_TIMEOUT) or self._failure is not None:
            self.stop()
            runtime.close()
            raise RuntimeError(f"the sandbox did not start: {self._failure!r}") from self._failure
        self._started = started
        return self

    def _serve(self, server: SandboxServer, sock: socket.socket, ready: threading.Event) -> None:
        try:
            server.run(sockets=[sock])
        # Reported by start(); uvicorn exits on a start-up failure with SystemExit, hence BaseException.
        except BaseException as exc:
            self._failure = exc
        finally:
            sock.close()
            ready.set()

    def stop(self) -> None:
        """Stop serving and wait for the server thread; a stopped sandbox cannot be restarted."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT)
            if self._thread.is_alive() and self._server is not None:
                self._server.force_exit = True  # stop waiting for connections a client left open
                self._thread.join(STOP_TIMEOUT)
        self._started = None

    @property
    def running(self) -> bool:
        return self._started is not None and self._thread is not None and self._thread.is_alive()

    @property
    def base_url(self) -> str:
        return self._info().base_url

    @property
    def api_key(self) -> str:
        return self._info().api_key

    @property
    def webhook_secret(self) -> str:
        """The secret that signs every delivery (the same whether an endpoint is registered now or later)."""
        return self._info().signing_secret

    def now(self) -> datetime:
        """The sandbox clock (wall time plus every `POST /_sandbox/clock` advance), read in-process: the
        clock events are stamped with. Deliveries are signed with the wall clock, so any receiver accepts
        them however far this clock was moved."""
        return self._info().clock.now()

    def client(self, **options: Any) -> Client:
        """A `billkit.Client` pointed at this sandbox; `options` go to the client (max_retries, ledger, ...)."""
        from billkit.client import Client

        return Client(api_key=self.api_key, base_url=self.base_url, **options)

    def _info(self) -> StartedSandbox:
        if self._started is None:
            raise RuntimeError(
                "the sandbox is not running: use `with billkit.Sandbox() as sandbox:`"
            )
        return self._started

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        if self._started is None:
            return f"Sandbox(db={self.settings.db!r}, not running)"
        return (
            f"Sandbox(base_url={self._started.base_url!r}, api_key={redact(self._started.api_key)!r}, "
            f"db={self.settings.db!r})"
        )
