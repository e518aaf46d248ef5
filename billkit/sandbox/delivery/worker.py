"""The webhook delivery worker: one asyncio task on the sandbox's event loop (contract §5).

It sleeps until something can be sent: a payment committed an outbox row (`runtime.outbox_signal`), the
clock was advanced, an attempt finished, or the next retry fell due on the sandbox clock. It then claims the
due rows (in memory only) and POSTs each from its own task through one shared keep-alive transport, at most
`max_concurrent` at once, so one slow receiver does not hold up every other event for 15 seconds.

Each attempt is signed afresh (new `webhook-id`, `webhook-timestamp` from the real wall clock; the event's own
times and the retry schedule stay on the sandbox clock) over the event exactly as stored, so the body and its
`evt_` id never change. A 2xx within the timeout settles the row as
delivered; anything else is logged and retried per the schedule, and the row is failed after the last try.
Until then it stays pending in the database: at least once, even across crashes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Final

import billkit
from billkit._redact import scrub
from billkit.sandbox.delivery.chaos import ChaosDice, ChaosPlan
from billkit.sandbox.delivery.schedule import next_attempt_at
from billkit.sandbox.delivery.transport import DeliveryTransport, TransportError
from billkit.sandbox.ids import new_id
from billkit.sandbox.runtime import Runtime
from billkit.sandbox.store.outbox import Attempt, DueDelivery
from billkit.webhooks import sign

__all__ = ["ATTEMPT_TIMEOUT", "MAX_CONCURRENT_ATTEMPTS", "DeliveryWorker", "delivery_service"]

logger = logging.getLogger("billkit.sandbox.delivery")

#: A receiver has this long to answer 2xx (contract §5).
ATTEMPT_TIMEOUT: Final = 15.0
MAX_CONCURRENT_ATTEMPTS: Final = 32
#: After an unexpected failure of the worker itself, look again this much later rather than spin.
_RECOVERY_PAUSE: Final = 1.0
#: How much of a refusing receiver's answer the delivery log keeps.
_ANSWER_EXCERPT: Final = 300


class DeliveryWorker:
    def __init__(
        self,
        runtime: Runtime,
        *,
        attempt_timeout: float = ATTEMPT_TIMEOUT,
        max_concurrent: int = MAX_CONCURRENT_ATTEMPTS,
    ) -> None:
        if not attempt_timeout > 0 or max_concurrent < 1:
            raise ValueError("attempt_timeout must be > 0 seconds and max_concurrent at least 1")
        self._runtime = runtime
        self._queue = runtime.store.outbox
        self._timeout = attempt_timeout
        self._max_concurrent = max_concurrent
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._dice: tuple[str, ChaosDice | None] | None = None
        self._runner: asyncio.Task[None] | None = None
        self._transport = DeliveryTransport(
            max_idle_per_origin=max_concurrent, user_agent=f"billkit-sandbox/{billkit.__version__}"
        )

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        self._runner = asyncio.create_task(self._run(), name="billkit-webhook-delivery")

    async def close(self) -> None:
        """Stop at once. Attempts cut short stay pending in the database and are made again on the next start."""
        tasks = [task for task in (self._runner, *self._in_flight.values()) if task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await self._transport.aclose()

    async def _run(self) -> None:
        signal = self._runtime.outbox_signal
        while True:
            try:
                sleep = self._dispatch()
            except Exception:
                logger.exception("webhook delivery could not read its queue; trying again shortly")
                sleep = _RECOVERY_PAUSE
            await signal.wait(sleep)

    # -- choosing what to send ------------------------------------------------------------------

    def _dispatch(self) -> float | None:
        """Start every due delivery there is room for; how long to sleep before looking again (None:
        until woken)."""
        endpoint = self._runtime.store.webhook_endpoints.current()
        if endpoint is None:
            return None  # registering an endpoint queues nothing; the next event wakes the worker
        endpoint_id, url = endpoint["id"], endpoint["url"]
        dice = self._dice_for(endpoint_id, endpoint.get("chaos"))
        room = self._max_concurrent - len(self._in_flight)
        if room > 0:
            now = self._runtime.clock.timestamp()
            for row in self._queue.due(endpoint_id, now=now, skip=self._in_flight, limit=room):
                if (
                    dice is not None
                    and not row.chaos_rolled
                    and self._held_back(dice, row, endpoint_id, now)
                ):
                    continue
                self._in_flight[row.seq] = asyncio.create_task(self._deliver(row, url))
        if len(self._in_flight) >= self._max_concurrent:
            return None  # a finishing attempt wakes the worker
        next_due = self._queue.next_due_at(endpoint_id, skip=self._in_flight)
        if next_due is None:
            return None
        return max(0.0, next_due - self._runtime.clock.timestamp())

    def _dice_for(self, endpoint_id: str, chaos: dict[str, Any] | None) -> ChaosDice | None:
        """The endpoint's chaos dice, made once per registration so a seed gives one reproducible stream."""
        if self._dice is None or self._dice[0] != endpoint_id:
            plan = ChaosPlan.from_settings(chaos)
            self._dice = (endpoint_id, None if plan is None else ChaosDice(plan))
        return self._dice[1]

    def _held_back(self, dice: ChaosDice, row: DueDelivery, endpoint_id: str, now: float) -> bool:
        """Roll chaos for a row's first attempt: maybe queue a copy, maybe hold the row back."""
        decision = dice.roll(may_duplicate=row.origin == "event")
        with self._runtime.store.transaction():
            if decision.duplicate:
                self._queue.enqueue(row.event_id, endpoint_id, origin="copy", now=now)
            self._queue.mark_chaos_rolled(row.seq, due_at=now + decision.delay)
        return decision.delay > 0

    # -- one attempt ----------------------------------------------------------------------------

    async def _deliver(self, row: DueDelivery, url: str) -> None:
        try:
            attempt = await self._attempt(row, url)
            self._settle(row, attempt)
        except asyncio.CancelledError:
            raise  # shutting down: the row stays pending
        except Exception:
            logger.exception("delivery of %s could not be recorded; it stays pending", row.event_id)
            # Keep the claim a moment, so a failing database is not hammered.
            await asyncio.sleep(_RECOVERY_PAUSE)
        finally:
            self._in_flight.pop(row.seq, None)
            self._runtime.outbox_signal.notify()

    async def _attempt(self, row: DueDelivery, url: str) -> Attempt:
        webhook_id = new_id("msg_")
        # The wall clock, not the sandbox's: any Standard Webhooks verifier checks it against its own
        # clock, and a sandbox clock moved ahead would make every delivery look early (contract §5).
        timestamp = self._runtime.clock.wall_timestamp()
        signature = sign(
            row.body, secret=self._runtime.signing_secret, msg_id=webhook_id, timestamp=timestamp
        )
        headers = {
            "content-type": "application/json",
            "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature,
        }
        status_code: int | None = None
        error: str | None = None
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self._timeout):
                answer = await self._transport.post(url, row.body, headers)
            status_code = answer.status_code
            if not answer.is_success:
                excerpt = answer.body[:_ANSWER_EXCERPT].decode("utf-8", "replace")
                error = self._scrubbed(excerpt) or None
        except TimeoutError:
            error = f"no answer within {self._timeout:g} s"
        except asyncio.IncompleteReadError:
            error = "the receiver closed the connection before answering"
        except TransportError as exc:
            error = self._scrubbed(str(exc))
        except Exception as exc:  # any other failure to get an answer is a failed attempt, retried
            error = self._scrubbed(f"{type(exc).__name__}: {exc}")
        duration_ms = round((time.perf_counter() - started) * 1000, 3)
        return Attempt(webhook_id, row.attempts + 1, timestamp, status_code, error, duration_ms)

    def _settle(self, row: DueDelivery, attempt: Attempt) -> None:
        retry_at = None
        if not attempt.succeeded:
            schedule = self._runtime.settings.retry_schedule
            retry_at = next_attempt_at(schedule, attempt.number, self._runtime.clock.timestamp())
            outcome = "gave up: the delivery failed" if retry_at is None else "will retry"
            logger.info(
                "delivery of %s, attempt %d: %s; %s",
                row.event_id,
                attempt.number,
                attempt.status_code or attempt.error,
                outcome,
            )
        with self._runtime.store.transaction():
            self._queue.record(row.seq, row.event_id, attempt, retry_at=retry_at)

    def _scrubbed(self, text: str) -> str:
        return scrub(text, [self._runtime.signing_secret, self._runtime.api_key])


@asynccontextmanager
async def delivery_service(runtime: Runtime) -> AsyncIterator[None]:
    """The worker as one of the app's background services: started with the server, stopped with it."""
    worker = DeliveryWorker(runtime)
    worker.start()
    try:
        yield
    finally:
        await worker.close()
