"""A bounded, thread-safe log of refused deliveries, so a notebook can show why a webhook did not arrive."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from billkit.errors import InvalidArgumentError

__all__ = ["DEFAULT_REJECTION_LIMIT", "Rejection", "RejectionLog"]

#: How many refusals are kept; the oldest go first, so a flood of junk cannot exhaust memory.
DEFAULT_REJECTION_LIMIT: Final = 1000


@dataclass(frozen=True, slots=True)
class Rejection:
    """One refused delivery: the status answered, a machine-readable reason and words for a person."""

    status_code: int
    reason: str
    message: str
    webhook_id: str | None = None
    event_id: str | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __str__(self) -> str:
        return f"{self.status_code} {self.reason}: {self.message}"


class RejectionLog:
    """The most recent refusals, oldest first; safe to add to from server threads while a notebook reads."""

    def __init__(self, limit: int = DEFAULT_REJECTION_LIMIT) -> None:
        if limit < 1:
            raise InvalidArgumentError(f"limit must be at least 1, not {limit}")
        self._items: deque[Rejection] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def add(self, rejection: Rejection) -> None:
        with self._lock:
            self._items.append(rejection)

    def snapshot(self) -> list[Rejection]:
        with self._lock:
            return list(self._items)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
