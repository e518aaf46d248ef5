"""`WebhookReceiver`: a real HTTP endpoint on loopback, in a background thread, for notebooks and tests.

    secret = billkit.webhooks.generate_secret()
    with billkit.WebhookReceiver(secret) as receiver:
        # register receiver.url with the sender (e.g. billkit.Sandbox(webhook_url=..., webhook_secret=secret))
        event = receiver.wait_for(type="obligation.amount_applied", timeout=10)
        receiver.events          # every recorded event as a DataFrame
        receiver.rejections      # why any delivery was refused

It answers each delivery through a `WebhookHandler` (verify, parse, deduplicate on the event id, call
`on_event`, record, then 200), keeps events in memory, and also in a SQLite file when `db=` is given, so a
restart on the same file still recognises events it already has.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final, Literal, Self, overload

from billkit._request_timeout import DEFAULT_REQUEST_TIMEOUT, is_request_timeout
from billkit._serving import ServedApp, StartStop, bind_socket
from billkit.errors import ConfigurationError, InvalidArgumentError
from billkit.webhooks._errors import WebhookReceiverError, WebhookTimeoutError
from billkit.webhooks._http import ReceiverApp, receiver_server
from billkit.webhooks.events import WebhookEvent
from billkit.webhooks.handler import EventCallback, WebhookHandler, WebhookResult
from billkit.webhooks.rejections import Rejection
from billkit.webhooks.signing import DEFAULT_TOLERANCE, Secrets
from billkit.webhooks.sqlite_store import SQLiteEventStore
from billkit.webhooks.stores import EventStore, MemoryEventStore, ReceivedEvent

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DEFAULT_PATH", "DEFAULT_REQUEST_TIMEOUT", "WebhookReceiver"]

DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PATH: Final = "/webhooks"
DEFAULT_WAIT_SECONDS: Final = 10.0
_State = Literal["new", "running", "stopped"]


def _checked_port(port: object) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise InvalidArgumentError(
            f"port must be an int from 0 (any free port) to 65535, not {port!r}"
        )
    return port


def _checked_path(path: object) -> str:
    if not isinstance(path, str) or not path.startswith("/") or any(c in path for c in "?# "):
        raise InvalidArgumentError(
            f"path must start with '/' and hold no query, fragment or space, not {path!r}"
        )
    return path


def _checked_host(host: object) -> str:
    if not isinstance(host, str) or not host.strip():
        raise InvalidArgumentError(f"host must be an address such as '127.0.0.1', not {host!r}")
    return host.strip()


def _checked_timeout(timeout: object) -> float:
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout >= 0:
        raise InvalidArgumentError(f"timeout must be zero or more seconds, not {timeout!r}")
    return float(timeout)


def _checked_request_timeout(seconds: object) -> float:
    if not is_request_timeout(seconds):
        raise InvalidArgumentError(
            f"request_timeout must be a positive number of seconds, not {seconds!r}"
        )
    return float(seconds)


class WebhookReceiver(StartStop):
    """A webhook endpoint on `host:port` (default: loopback, a free port) that verifies and records events.

    `secret`: the `whsec_...` secret the sender signs with (or several during a rotation).
    `db`: a SQLite file to record events in as well, so they and their deduplication survive a restart; or a
    team ledger's `postgresql://` URL, which several receivers share (each event recorded once, by the database).
    `on_event`: your function, called once per new verified event; if it raises, the delivery is answered 500
    and not recorded, so the sender retries it. `tolerance` and `clock`: see `WebhookHandler` (a billkit
    sandbox signs with the wall clock however far its own clock was moved, so neither is needed for it).
    `request_timeout`: seconds a whole request may take to arrive; a client that sends it slower, or leaves
    its connection idle that long, is disconnected (other clients are served meanwhile).
    """

    def __init__(
        self,
        secret: Secrets,
        *,
        host: str = DEFAULT_HOST,
        port: int = 0,
        path: str = DEFAULT_PATH,
        db: str | os.PathLike[str] | None = None,
        on_event: EventCallback | None = None,
        tolerance: float | timedelta | None = DEFAULT_TOLERANCE,
        clock: Callable[[], datetime] | None = None,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    ) -> None:
        self._host = _checked_host(host)
        self._request_timeout = _checked_request_timeout(request_timeout)
        self._requested_port = _checked_port(port)
        self._path = _checked_path(path)
        store: EventStore = _store(db)
        try:
            self.handler = WebhookHandler(
                secret, store=store, on_event=on_event, tolerance=tolerance, clock=clock
            )
        except BaseException:
            store.close()
            raise
        self._store = store
        self._changed = threading.Condition()
        self._state: _State = "new"
        self._served: ServedApp | None = None
        self._port = 0

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> Self:
        """Listen and serve in a background thread; returns the receiver, so `r = WebhookReceiver(s).start()`."""
        if self._state == "running":
            return self
        if self._state == "stopped":
            raise WebhookReceiverError(
                "a stopped receiver cannot start again: make a new WebhookReceiver "
                "(with the same db= to keep its events)"
            )
        try:
            sock = bind_socket(self._host, self._requested_port)
        except ConfigurationError as exc:
            raise WebhookReceiverError(str(exc)) from exc
        self._port = int(sock.getsockname()[1])
        app = ReceiverApp(path=self._path, handler=self.handler, on_result=self._on_result)
        served = ServedApp(
            server=lambda on_ready: receiver_server(
                app, request_timeout=self._request_timeout, on_ready=on_ready
            ),
            sock=sock,
            name=f"billkit-webhook-receiver:{self._port}",
        )
        try:
            served.start()
        except RuntimeError as exc:
            raise WebhookReceiverError(f"the receiver did not start: {exc.__cause__!r}") from exc
        self._served = served
        with self._changed:
            self._state = "running"
        return self

    def stop(self) -> None:
        """Stop listening (requests in progress finish first) and close the SQLite file; events stay readable."""
        with self._changed:
            was_running = self._state == "running"
            self._state = "stopped"
            self._changed.notify_all()  # wake follow() and wait_for() so they see the stop
        if was_running and self._served is not None:
            self._served.stop()
        self._store.close()

    def _on_result(self, result: WebhookResult) -> None:
        if result.ok and not result.duplicate:
            with self._changed:
                self._changed.notify_all()

    # -- where it listens -----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._state == "running"

    @property
    def port(self) -> int:
        """The port actually bound (useful with port=0)."""
        self._check_running()
        return self._port

    @property
    def url(self) -> str:
        """The full URL to register with the sender, e.g. `http://127.0.0.1:53117/webhooks`."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}{self._path}"

    def _check_running(self) -> None:
        if self._state != "running" or self._served is None:
            hint = (
                "call start() or use it in a with block"
                if self._state == "new"
                else "it was stopped"
            )
            raise WebhookReceiverError(f"the receiver is not listening: {hint}")

    # -- what it received -----------------------------------------------------------------------

    @property
    def records(self) -> list[ReceivedEvent]:
        """Every recorded event with its arrival time and delivery id, in the order recorded."""
        return self._store.records()

    @property
    def received(self) -> list[WebhookEvent]:
        """Every recorded event (typed), in the order recorded."""
        return [record.event for record in self._store.records()]

    @property
    def events(self) -> pd.DataFrame:
        """Every recorded event as a DataFrame: ids, type, received_at (UTC), amount (Int64), obligation, body."""
        from billkit.webhooks._frame import events_frame  # pandas loads on first use only

        return events_frame(self._store.records())

    @property
    def rejections(self) -> list[Rejection]:
        """The most recent refused deliveries (status, reason, message, time), oldest first."""
        return self.handler.rejections

    # -- waiting --------------------------------------------------------------------------------

    @overload
    def wait_for(
        self,
        predicate: Callable[[WebhookEvent], bool] | None = None,
        *,
        event_id: str | None = None,
        type: str | None = None,
        timeout: float = DEFAULT_WAIT_SECONDS,
    ) -> WebhookEvent: ...

    @overload
    def wait_for(
        self,
        predicate: Callable[[WebhookEvent], bool] | None = None,
        *,
        event_id: str | None = None,
        type: str | None = None,
        count: int,
        timeout: float = DEFAULT_WAIT_SECONDS,
    ) -> list[WebhookEvent]: ...

    def wait_for(
        self,
        predicate: Callable[[WebhookEvent], bool] | None = None,
        *,
        event_id: str | None = None,
        type: str | None = None,
        count: int | None = None,
        timeout: float = DEFAULT_WAIT_SECONDS,
    ) -> WebhookEvent | list[WebhookEvent]:
        """Block until a recorded event matches every condition given; events recorded earlier count too.

        Without `count`, returns the first matching event; with `count=n`, a list of the first n.
        Raises `WebhookTimeoutError` after `timeout` seconds, saying what was seen and what was refused.
        """
        wanted = 1 if count is None else count
        if isinstance(wanted, bool) or not isinstance(wanted, int) or wanted < 1:
            raise InvalidArgumentError(f"count must be a positive int, not {count!r}")
        seconds = _checked_timeout(timeout)

        def matches(event: WebhookEvent) -> bool:
            return (
                (event_id is None or event.id == event_id)
                and (type is None or event.type == type)
                and (predicate is None or predicate(event))
            )

        described = ", ".join(
            part
            for part in (
                f"event_id={event_id!r}" if event_id is not None else "",
                f"type={type!r}" if type is not None else "",
                f"predicate {getattr(predicate, '__name__', repr(predicate))}" if predicate else "",
            )
            if part
        )
        found = self._wait(
            matches, wanted, seconds, f"{wanted} event(s) with {described or 'any type'}"
        )
        return found[0] if count is None else found

    def _wait(
        self, matches: Callable[[WebhookEvent], bool], wanted: int, timeout: float, what: str
    ) -> list[WebhookEvent]:
        deadline = time.monotonic() + timeout
        found: list[WebhookEvent] = []
        checked = 0
        with self._changed:
            while True:
                fresh = self._store.records(checked)
                checked += len(fresh)
                found.extend(record.event for record in fresh if matches(record.event))
                if len(found) >= wanted:
                    return found[:wanted]
                if self._state != "running":
                    raise WebhookReceiverError(
                        f"cannot wait for {what}: the receiver is not listening; "
                        + self._seen_summary(len(found))
                    )
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    message = f"waited {timeout:g}s for {what}; {self._seen_summary(len(found))}"
                    raise WebhookTimeoutError(
                        message, seen=self.received, rejections=self.rejections
                    )
                self._changed.wait(remaining)

    def _seen_summary(self, matched: int) -> str:
        seen, rejections = self.received, self.rejections
        by_type = ", ".join(f"{n} {kind}" for kind, n in Counter(e.type for e in seen).items())
        summary = f"saw {len(seen)} event(s)" + (f" ({by_type})" if seen else "")
        summary += f", {matched} matching"
        if rejections:
            summary += f"; {len(rejections)} delivery(ies) refused, the latest: {rejections[-1]}"
        elif not seen and self._state == "running":
            summary += f"; nothing was delivered: is the sender registered with {self.url}?"
        return summary

    def follow(self, *, idle_timeout: float | None = None) -> Iterator[WebhookEvent]:
        """Every recorded event in order, then each new one as it arrives.

        Ends when the receiver stops, or when no event arrives for `idle_timeout` seconds (if given).
        """
        for batch in self.follow_batches(idle_timeout=idle_timeout):
            for record in batch:
                yield record.event

    def follow_batches(self, *, idle_timeout: float | None = None) -> Iterator[list[ReceivedEvent]]:
        """`follow`, as lists: the records recorded since the previous list (`billkit receive` writes
        its output once per list). Same endings as `follow`."""
        idle = None if idle_timeout is None else _checked_timeout(idle_timeout)
        position = 0
        while True:
            with self._changed:
                fresh = self._store.records(position)
                if not fresh:
                    if self._state != "running" or not self._changed.wait(idle):
                        return
                    continue
            position += len(fresh)
            yield fresh

    def __repr__(self) -> str:
        where = self.url if self._state == "running" else self._state
        return (
            f"WebhookReceiver({where}, secret={self.handler.secret_hint}, events={len(self._store.records())}, "
            f"refused={len(self.rejections)})"
        )


def _store(db: str | os.PathLike[str] | None) -> EventStore:
    """Memory by default; a `postgresql://` URL records into that team ledger; anything else is a SQLite file."""
    if db is None:
        return MemoryEventStore()
    location = os.fspath(db)
    if (
        "://" in location
    ):  # a database URL; imported only then, since the ledger brings pandas along
        from billkit.webhooks.postgres_store import PostgresEventStore

        return PostgresEventStore(location)
    return SQLiteEventStore(db)
