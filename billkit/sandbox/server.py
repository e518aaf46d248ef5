"""Running the sandbox over real HTTP: a uvicorn server on a socket bound before it starts.

`billkit sandbox` runs it in the main thread; `billkit.Sandbox()` runs it in a background thread:

    with billkit.Sandbox() as sandbox:           # a free loopback port, an in-memory database
        client = sandbox.client()
        client.customers.create(external_reference="UCR1")

Serving (a socket bound first, uvicorn in a thread, a clean stop) is `billkit._serving`, the one way
billkit and its tests serve an app. The sandbox binds to loopback unless told otherwise.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from types import FrameType
from typing import TYPE_CHECKING, Any, NamedTuple, Self

import uvicorn
from starlette.applications import Starlette

from billkit._request_timeout import DEFAULT_REQUEST_TIMEOUT
from billkit._serving import (
    ReadyServer,
    ServedApp,
    StartStop,
    base_url_of,
    bind_socket,
    server_config,
)
from billkit.keys import redact
from billkit.sandbox.app import BackgroundService, create_app
from billkit.sandbox.clock import SandboxClock
from billkit.sandbox.runtime import Runtime
from billkit.sandbox.settings import (
    DEFAULT_HOST,
    DEFAULT_MERCHANT,
    MEMORY_DB,
    SandboxSettings,
    check_fee_percent,
    parse_retry_schedule,
)

if TYPE_CHECKING:
    from billkit.billfiles.settings import SftpSettings
    from billkit.client import Client

__all__ = [
    "Prepared",
    "Sandbox",
    "SandboxServer",
    "SftpInfo",
    "StartedSandbox",
    "base_url_of",
    "bind_socket",
    "prepare",
    "uvicorn_config",
]

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def uvicorn_config(
    app: Starlette, *, access_log: bool, request_timeout: float = DEFAULT_REQUEST_TIMEOUT
) -> uvicorn.Config:
    """The one uvicorn configuration the sandbox runs with (the throughput benchmark uses it too)."""
    return server_config(
        app,
        request_timeout=request_timeout,
        lifespan="on",
        access_log=access_log,
        graceful_seconds=5,
    )


class SandboxServer(ReadyServer):
    """The sandbox's uvicorn server: tells `on_ready` once it accepts connections, and treats SIGINT and
    SIGTERM (in the main thread) as a request to stop cleanly rather than re-raising them afterwards."""

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
class SftpInfo:
    """Where the sandbox serves SFTP (contract §9): what `billkit.billfiles.SftpSettings` needs."""

    host: str
    port: int
    username: str
    host_key_fingerprint: str

    def as_json_object(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "port": self.port,
            "username": self.username,
            "host_key_fingerprint": self.host_key_fingerprint,
        }


@dataclass(frozen=True)
class StartedSandbox:
    """What a client needs to use a running sandbox (the command line prints it as one JSON line)."""

    base_url: str
    api_key: str = field(repr=False)
    signing_secret: str = field(repr=False)
    endpoint_registered: bool
    clock: SandboxClock = field(repr=False)
    sftp: SftpInfo | None = None

    def as_json_object(self) -> dict[str, Any]:
        """The start-up line: `webhook_secret` only when an endpoint is registered, `sftp` only when
        SFTP is served (contract §1, §9)."""
        shown: dict[str, Any] = {"base_url": self.base_url, "api_key": self.api_key}
        if self.endpoint_registered:
            shown["webhook_secret"] = self.signing_secret
        if self.sftp is not None:
            shown["sftp"] = self.sftp.as_json_object()
        return shown


class Prepared(NamedTuple):
    """A sandbox ready to serve: its HTTP socket, runtime, what it announces, its background services."""

    sock: socket.socket
    runtime: Runtime
    started: StartedSandbox
    services: list[BackgroundService]


def prepare(settings: SandboxSettings) -> Prepared:
    """Bind the sockets and open the runtime: everything that can fail, before serving anything."""
    sock = bind_socket(settings.host, settings.port)
    try:
        runtime = Runtime.start(settings)
    except BaseException:
        sock.close()
        raise
    services: list[BackgroundService] = []
    sftp: SftpInfo | None = None
    if settings.sftp_port is not None:
        # Imported only when asked for: asyncssh and the bill-file readers (pandas) cost every start ~1 s.
        from billkit.sandbox.sftp.host_key import fingerprint
        from billkit.sandbox.sftp.server import USERNAME, open_sftp_door

        try:
            door = open_sftp_door(settings, runtime, bind_socket(settings.host, settings.sftp_port))
        except BaseException:
            runtime.close()
            sock.close()
            raise
        host, port = door.sock.getsockname()[:2]
        sftp = SftpInfo(host, port, USERNAME, fingerprint(door.host_key))
        services.append(door.service)
    started = StartedSandbox(
        base_url_of(sock),
        runtime.api_key,
        runtime.signing_secret,
        runtime.has_webhook_endpoint(),
        runtime.clock,
        sftp,
    )
    return Prepared(sock, runtime, started, services)


class Sandbox(StartStop):
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
        merchant: str = DEFAULT_MERCHANT,
        sftp: bool = False,
        sftp_port: int = 0,
        sftp_authorized_key: str | None = None,
        public_url: str | None = None,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        fee_percent: Decimal | str | int | float = 0,
        clock_start: datetime | None = None,
    ) -> None:
        """`sftp=True` also serves SFTP (on `sftp_port`, 0: a free one), contract §9. `fee_percent`: the
        fee the reports take of each payment (`2.5` is 2.5%), contract §10. `clock_start` (Python only):
        a new database's clock starts there instead of at wall time (the demo month)."""
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
            merchant=merchant,
            sftp_port=sftp_port if sftp else None,
            sftp_authorized_key=sftp_authorized_key,
            public_url=public_url,
            request_timeout=request_timeout,
            fee_percent=check_fee_percent(fee_percent),
            clock_start=clock_start,
        )
        self._started: StartedSandbox | None = None
        self._served: ServedApp | None = None

    def start(self) -> Self:
        if self._served is not None:
            raise RuntimeError("this sandbox is already running")
        sock, runtime, started, services = prepare(self.settings)
        app = create_app(self.settings, runtime=runtime, services=services)
        self._served = ServedApp(
            server=lambda on_ready: SandboxServer(
                uvicorn_config(
                    app, access_log=False, request_timeout=self.settings.request_timeout
                ),
                on_ready=on_ready,
            ),
            sock=sock,
            name="billkit-sandbox",
        )
        try:
            self._served.start()
        except RuntimeError as exc:
            runtime.close()
            raise RuntimeError(f"the sandbox did not start: {exc.__cause__!r}") from exc.__cause__
        self._started = started
        return self

    def stop(self) -> None:
        """Stop serving and wait for the server thread; a stopped sandbox cannot be restarted."""
        if self._served is not None:
            self._served.stop()
        self._started = None

    @property
    def running(self) -> bool:
        return self._started is not None and self._served is not None and self._served.running

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

    @property
    def sftp(self) -> SftpInfo:
        """Where SFTP is served (host, port, username, host_key_fingerprint); needs `sftp=True`."""
        info = self._info().sftp
        if info is None:
            raise RuntimeError(
                "this sandbox serves no SFTP: start it with billkit.Sandbox(sftp=True)"
            )
        return info

    def sftp_settings(self, **overrides: Any) -> SftpSettings:
        """`billkit.billfiles.SftpSettings` for this sandbox's SFTP: its API key as password, its host
        key pinned by fingerprint. `overrides` replace any of them (a key_file instead, say)."""
        from billkit.billfiles.settings import SftpSettings

        info = self.sftp
        options: dict[str, Any] = {
            "host": info.host,
            "port": info.port,
            "username": info.username,
            "password": self.api_key,
            "host_key_fingerprint": info.host_key_fingerprint,
            **overrides,
        }
        return SftpSettings(**options)

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

    def __repr__(self) -> str:
        if self._started is None:
            return f"Sandbox(db={self.settings.db!r}, not running)"
        return (
            f"Sandbox(base_url={self._started.base_url!r}, api_key={redact(self._started.api_key)!r}, "
            f"db={self.settings.db!r})"
        )
