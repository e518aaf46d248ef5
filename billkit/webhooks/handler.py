"""`WebhookHandler`: verify, parse, deduplicate, act and record one delivery, independent of any web framework.

`handle(body, headers)` returns the status and JSON body to answer with. The order is what makes delivery
trustworthy: verify the raw bytes (401 for a bad signature or timestamp, 400 for missing or malformed headers),
parse (400), skip an event id already recorded (200, your code is not called again), call your `on_event`,
record the event durably, and only then answer 200. If `on_event` raises, the answer is 500 and nothing is
recorded, so the sender's retry runs it again: that is the one 5xx (with a store that cannot be reached), and
it is never caused by bad input. An event the store refuses as one it can never record (`WebhookPayloadError`)
is answered 400 and logged like any other refusal, since every retry would be refused the same way.

Flask:

    handler = WebhookHandler(os.environ["MOMENT_WEBHOOK_SECRET"], on_event=apply_payment,
                             store=SQLiteEventStore("webhooks.db"))

    @app.post("/webhooks")
    def webhooks():
        result = handler.handle(request.get_data(), request.headers)
        return result.body, result.status_code, result.headers

FastAPI (the handler blocks on I/O, so run it in the thread pool):

    @app.post("/webhooks")
    async def webhooks(request: Request) -> Response:
        result = await run_in_threadpool(handler.handle, await request.body(), request.headers)
        return Response(result.body, result.status_code, media_type=result.content_type)
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, ClassVar, Final

from billkit.errors import InvalidArgumentError
from billkit.keys import redact, scrub
from billkit.webhooks._errors import WebhookPayloadError, WebhookVerificationError
from billkit.webhooks.events import WebhookEvent, parse_event
from billkit.webhooks.rejections import Rejection, RejectionLog
from billkit.webhooks.signing import (
    DEFAULT_TOLERANCE,
    HeaderSource,
    Secrets,
    signing_keys,
    tolerance_seconds,
    verify_with_keys,
)
from billkit.webhooks.stores import EventStore, MemoryEventStore, ReceivedEvent

__all__ = ["DEFAULT_MAX_BODY_BYTES", "EventCallback", "WebhookHandler", "WebhookResult"]

logger = logging.getLogger("billkit.webhooks")

#: Moment's events are a few hundred bytes; anything past this is refused (413) before it is verified.
DEFAULT_MAX_BODY_BYTES: Final = 1024 * 1024
#: Header and framing problems: the request is malformed, whoever sent it.
_MALFORMED: Final = frozenset(
    {"missing_header", "duplicate_header", "invalid_timestamp", "invalid_signature_header"}
)

#: Your code for each new verified event; its return value is ignored, an exception means "not handled".
EventCallback = Callable[[WebhookEvent], object]


@dataclass(frozen=True, slots=True)
class WebhookResult:
    """What to answer a delivery with, and what happened to it."""

    status_code: int
    #: A small JSON body: `{"received": true, ...}` or `{"error": reason, "message": ...}`.
    body: bytes
    event: WebhookEvent | None = None
    #: True when the event id was already recorded: answered 200 without calling `on_event` again.
    duplicate: bool = False
    #: Why the delivery was refused (None when it was accepted), e.g. "no_matching_signature".
    reason: str | None = None

    content_type: ClassVar[str] = "application/json"

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": self.content_type}


class _KeyedLocks:
    """One lock per key, created on demand and dropped when unused: two concurrent deliveries of the same
    event run one after the other, so `on_event` never runs twice at once for one event."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    @contextmanager
    def holding(self, key: str) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key, (threading.Lock(), 0))
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)


def _json(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def _shown_secret(secret: str | bytes) -> str:
    return redact(secret) if isinstance(secret, str) else f"<{len(secret)}-byte key>"


class WebhookHandler:
    """Turns one delivery (raw body bytes and headers) into the answer to send; safe to call from many threads.

    `secret`: the endpoint's `whsec_...` secret (or raw key), or a list during a rotation.
    `store`: where events are recorded and deduplicated (default: in memory; `SQLiteEventStore` to keep them).
    `on_event`: called once per new verified event, before it is recorded.
    `tolerance`: how far the signing time may be from now, either way (seconds or timedelta); None skips that
    check (the event id still stops replays of recorded events).
    `clock`: what "now" is for that check (default: the wall clock), for replaying stored deliveries; a
    billkit sandbox signs with the wall clock even after `POST /_sandbox/clock` moved its own.
    """

    def __init__(
        self,
        secret: Secrets,
        *,
        store: EventStore | None = None,
        on_event: EventCallback | None = None,
        tolerance: float | timedelta | None = DEFAULT_TOLERANCE,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._keys = signing_keys(secret)
        self.clock = clock
        given: Sequence[str | bytes] = [secret] if isinstance(secret, str | bytes) else secret
        self._secret_texts = [item for item in given if isinstance(item, str)]
        self._shown_secrets = [_shown_secret(item) for item in given]
        if on_event is not None and (
            inspect.iscoroutinefunction(on_event) or not callable(on_event)
        ):
            raise InvalidArgumentError(
                "on_event must be a plain (not async) function taking the event; "
                "from async code, hand the event to your loop with asyncio.run_coroutine_threadsafe"
            )
        if isinstance(max_body_bytes, bool) or not isinstance(max_body_bytes, int):
            raise InvalidArgumentError("max_body_bytes must be an int")
        if max_body_bytes < 1:
            raise InvalidArgumentError(f"max_body_bytes must be positive, not {max_body_bytes}")
        self._tolerance = None if tolerance is None else tolerance_seconds(tolerance)
        self.store: EventStore = MemoryEventStore() if store is None else store
        self.on_event = on_event
        self.max_body_bytes = max_body_bytes
        self._rejections = RejectionLog()
        self._in_flight = _KeyedLocks()

    @property
    def secret_hint(self) -> str:
        """The secret(s) masked for display (`whsec_…AbCd`), to tell which one is configured."""
        return ", ".join(self._shown_secrets)

    @property
    def rejections(self) -> list[Rejection]:
        """The most recent refused deliveries, oldest first."""
        return self._rejections.snapshot()

    def refuse(
        self,
        status_code: int,
        reason: str,
        message: str,
        *,
        webhook_id: str | None = None,
        event_id: str | None = None,
    ) -> WebhookResult:
        """Log a refusal (also for refusals made before `handle`, e.g. a wrong path) and build its answer."""
        return self._refuse(status_code, reason, message, webhook_id, event_id, answer=message)

    def _refuse(
        self,
        status_code: int,
        reason: str,
        message: str,
        webhook_id: str | None,
        event_id: str | None,
        *,
        answer: str,
        event: WebhookEvent | None = None,
    ) -> WebhookResult:
        rejection = Rejection(
            status_code, reason, scrub(message, self._secret_texts), webhook_id, event_id
        )
        self._rejections.add(rejection)
        logger.warning("refused a webhook delivery: %s", rejection)
        body = _json({"error": reason, "message": scrub(answer, self._secret_texts)})
        return WebhookResult(status_code, body, event=event, reason=reason)

    def handle(self, body: bytes, headers: HeaderSource) -> WebhookResult:
        """Verify, parse, deduplicate, act on and record one delivery; return what to answer."""
        checked = self._checked(body, headers)
        if isinstance(checked, WebhookResult):
            return checked
        with self._in_flight.holding(checked.event.id):
            return self._act_and_record(checked)

    async def handle_on_loop(self, body: bytes, headers: HeaderSource) -> WebhookResult:
        """`handle` for an asyncio event loop, which it never blocks on I/O: with `on_event` (your code may
        block) all of it runs in a worker thread; without, the checks run on the loop and the loop awaits
        the commit (the store's writer thread commits it, when the store has one)."""
        if self.on_event is not None:
            return await asyncio.to_thread(self.handle, body, headers)
        checked = self._checked(body, headers)
        if isinstance(checked, WebhookResult):
            return checked
        if self.store.seen(checked.event.id):
            return self._accepted(checked.event, duplicate=True)
        # Two deliveries of one event at once both reach the store, which records it once (no on_event to
        # keep from running twice, so no per-event lock is held).
        submit = getattr(self.store, "submit", None)
        if submit is None:  # a store of your own: its add may block
            return await asyncio.to_thread(
                self._recorded, checked, partial(self.store.add, checked)
            )
        try:
            commit: Future[bool] = submit(checked)
        # Refused at once (a closed store, say): answered as a failed commit.
        except Exception as exc:
            commit = Future()
            commit.set_exception(exc)
        with suppress(Exception):  # its outcome, an exception too, is read by _recorded
            await asyncio.wrap_future(commit)
        return self._recorded(checked, commit.result)

    def _checked(self, body: bytes, headers: HeaderSource) -> ReceivedEvent | WebhookResult:
        """The verified, parsed event, or the refusal to answer."""
        received_at = datetime.now(UTC)
        if len(body) > self.max_body_bytes:
            return self.refuse(
                413,
                "payload_too_large",
                f"the body is {len(body)} bytes; at most {self.max_body_bytes} are accepted",
            )
        try:
            delivery = verify_with_keys(
                body,
                headers,
                self._keys,
                tolerance=self._tolerance,
                now=None if self.clock is None else self.clock(),
            )
        except WebhookVerificationError as exc:
            return self.refuse(400 if exc.reason in _MALFORMED else 401, exc.reason, exc.message)
        try:
            event = parse_event(body)
        except WebhookPayloadError as exc:
            return self.refuse(400, exc.reason, exc.message, webhook_id=delivery.webhook_id)
        return ReceivedEvent(event, received_at, delivery.webhook_id, bytes(body))

    def _act_and_record(self, received: ReceivedEvent) -> WebhookResult:
        event = received.event
        if self.store.seen(event.id):
            return self._accepted(event, duplicate=True)
        if self.on_event is not None:
            try:
                outcome = self.on_event(event)
                if inspect.isawaitable(outcome):
                    if inspect.iscoroutine(outcome):
                        outcome.close()  # never awaited: close it so Python does not warn
                    raise TypeError(
                        "on_event returned an awaitable; it must do its work and return"
                    )
            except Exception as exc:
                return self._failed("handler_failed", "your on_event raised", received, exc)
        return self._recorded(received, lambda: self.store.add(received))

    def _recorded(self, received: ReceivedEvent, add: Callable[[], bool]) -> WebhookResult:
        """The answer once `add()` recorded `received` (True), found it recorded already, or raised."""
        event = received.event
        try:
            recorded = add()
        except (
            WebhookPayloadError
        ) as exc:  # the store can never record it: a retry would fail again
            return self._refuse(
                400,
                exc.reason,
                exc.message,
                received.webhook_id,
                event.id,
                answer=exc.message,
                event=event,
            )
        except Exception as exc:
            return self._failed("store_failed", "the event could not be recorded", received, exc)
        return self._accepted(event, duplicate=not recorded)

    def _failed(
        self, reason: str, what: str, received: ReceivedEvent, exc: Exception
    ) -> WebhookResult:
        details = scrub("".join(traceback.format_exception(exc)), self._secret_texts)
        logger.error("%s for event %s:\n%s", what, received.event.id, details)
        return self._refuse(
            500,
            reason,
            f"{what} ({type(exc).__name__}: {exc}); not recorded, so the sender will retry",
            received.webhook_id,
            received.event.id,
            # The sender learns what failed, not your exception's text.
            answer=f"{what}; the delivery will be retried",
            event=received.event,
        )

    def _accepted(self, event: WebhookEvent, *, duplicate: bool) -> WebhookResult:
        body = _json({"received": True, "event_id": event.id, "duplicate": duplicate})
        return WebhookResult(200, body, event=event, duplicate=duplicate)

    def __repr__(self) -> str:
        return (
            f"WebhookHandler(secret={self.secret_hint}, "
            f"store={type(self.store).__name__}, refused={len(self._rejections)})"
        )
