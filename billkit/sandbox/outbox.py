"""The in-process signal between request handlers and the webhook delivery worker.

Handlers write outbox rows inside their transaction and call `notify()` once it has committed; the worker
`await`s `wait()` between sweeps instead of polling the database. A notification with no one waiting is
not lost: the next `wait()` returns at once.
"""

from __future__ import annotations

import asyncio

__all__ = ["OutboxSignal"]


class OutboxSignal:
    """Used only from the event loop's thread (handlers and the worker both run there)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """New outbox rows were committed."""
        self._event.set()

    async def wait(self, timeout: float | None = None) -> bool:
        """Wait for the next `notify()` (or one that came since the last wait); False on timeout."""
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except TimeoutError:
            return False
        self._event.clear()
        return True
