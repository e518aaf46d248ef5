"""The delivery worker on its own event loop: the attempt timeout, attempts for different events running
side by side, and attempts cut short by a stop staying owed."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from billkit.sandbox.delivery import DeliveryWorker
from billkit.sandbox.delivery import worker as worker_module
from billkit.sandbox.runtime import Runtime
from billkit.sandbox.settings import SandboxSettings
from billkit.sandbox.store.outbox import Outbox

OK = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"


@asynccontextmanager
async def receiver(hang_first: int) -> AsyncIterator[str]:
    """Never answers the first `hang_first` connections; answers 200 on every later one."""
    hung: list[asyncio.StreamWriter] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if len(hung) < hang_first:
            hung.append(writer)
            return
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
            writer.write(OK)
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/hooks"
    finally:
        for writer in hung:
            writer.close()
        server.close()


def started(url: str, *event_ids: str, schedule: tuple[float, ...] = (3600.0,)) -> Runtime:
    runtime = Runtime.start(SandboxSettings(retry_schedule=schedule))
    store, now = runtime.store, runtime.clock.timestamp()
    with store.transaction():
        store.webhook_endpoints.replace("we_" + "a" * 22, url, None, now=now)
        for event_id in event_ids:
            store.add_event(
                {"id": event_id, "type": "obligation.amount_applied", "data": {}}, now=now
            )
    return runtime


#: How long a test waits for an attempt to be logged: generous for a loaded machine, never a measure.
PATIENCE = 60.0


async def logged(runtime: Runtime, event_id: str, count: int = 1) -> list[dict[str, Any]]:
    """The attempts at `event_id` once at least `count` are logged (polled: the worker writes them)."""
    queue = Outbox(runtime.store.database.connection)
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        attempts = queue.attempts(event_id)
        if len(attempts) >= count:
            return attempts
        await asyncio.sleep(0.01)
    raise AssertionError(f"fewer than {count} attempt(s) at {event_id} were logged")


def test_no_answer_within_the_timeout_is_a_failed_attempt() -> None:
    async def run() -> None:
        async with receiver(hang_first=1) as url:
            runtime = started(url, "evt_1", schedule=(0.05,))
            # Long enough that the retry's answer fits in it on a loaded machine.
            worker = DeliveryWorker(runtime, attempt_timeout=2)
            worker.start()
            [first] = await logged(runtime, "evt_1")
            assert (first["status_code"], first["error"]) == (None, "no answer within 2 s")
            assert first["duration_ms"] >= 2000
            retried = await logged(runtime, "evt_1", 2)  # the retry, on a new connection
            assert [a["status_code"] for a in retried] == [None, 200]
            await worker.close()
            runtime.close()

    asyncio.run(run())


def test_a_hanging_attempt_does_not_hold_up_other_events_and_stays_owed() -> None:
    async def run() -> None:
        async with receiver(hang_first=1) as url:
            runtime = started(url, "evt_1", "evt_2")
            worker = DeliveryWorker(runtime, attempt_timeout=60)
            worker.start()
            queue = Outbox(runtime.store.database.connection)
            deadline = time.monotonic() + PATIENCE
            answered: list[str] = []
            while not answered and time.monotonic() < deadline:
                # whichever event's attempt is not the hanging one gets through
                answered = [e for e in ("evt_1", "evt_2") if queue.attempts(e)]
                await asyncio.sleep(0.01)
            [delivered] = answered
            [hanging] = {"evt_1", "evt_2"} - {delivered}
            assert queue.attempts(delivered)[0]["status_code"] == 200
            await worker.close()  # the hanging attempt is cut short
            assert queue.attempts(hanging) == []
            owed = queue.due("we_" + "a" * 22, now=runtime.clock.timestamp(), skip=(), limit=5)
            assert [row.event_id for row in owed] == [hanging]
            runtime.close()

    asyncio.run(run())


def test_an_attempt_that_cannot_be_recorded_stays_owed_and_is_made_again(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(worker_module, "_RECOVERY_PAUSE", 0.01)
    record = Outbox.record
    failures = [sqlite3.OperationalError("disk I/O error")]

    def record_failing_once(self: Outbox, *args: Any, **kwargs: Any) -> None:
        if failures:
            raise failures.pop()
        record(self, *args, **kwargs)

    monkeypatch.setattr(Outbox, "record", record_failing_once)

    async def run() -> None:
        async with receiver(hang_first=0) as url:
            runtime = started(url, "evt_1")
            worker = DeliveryWorker(runtime)
            worker.start()
            [attempt] = await logged(runtime, "evt_1")
            assert (attempt["attempt"], attempt["status_code"]) == (1, 200)
            await worker.close()
            runtime.close()

    asyncio.run(run())
    assert failures == []
    assert "delivery of evt_1 could not be recorded; it stays pending" in caplog.text
