"""The sandbox clock: the wall clock plus a forward-only offset kept in the database.

A new database's offset is 0 (the clock shows wall time), unless the sandbox was started with a clock start
(`Sandbox(clock_start=...)`, used by the demo month): then the offset is whatever puts "now" at that instant,
which may lie before wall time. Either way it only grows from there (contract §6).

Everything time-based in the sandbox (timestamps on objects and events, idempotency expiry, payment-request
expiry, webhook retry due times) reads this clock, so `POST /_sandbox/clock {"advance_seconds": N}` moves
all of it at once: a test can let a day pass in a millisecond.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, date, datetime

__all__ = ["LATEST", "MAX_ADVANCE_SECONDS", "SandboxClock", "iso_utc", "utc_date", "wall_time"]

#: One request may move the clock by at most ten years.
MAX_ADVANCE_SECONDS = 10 * 366 * 86_400
#: 9999-12-31T23:59:59Z: the clock never passes it (contract §6), nor does any time computed from it (an
#: expiry 24 hours on), since a five-digit year fits neither ISO 8601 nor Python's datetime.
LATEST = 253_402_300_799.0


def iso_utc(moment: datetime | float) -> str:
    """`2025-01-15T10:00:00Z`: whole seconds, UTC, as Moment writes timestamps (from a datetime or Unix seconds)."""
    seconds = moment.timestamp() if isinstance(moment, datetime) else moment
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(min(seconds, LATEST)))


_EPOCH_DAY = date(1970, 1, 1).toordinal()


def utc_date(seconds: float) -> date:
    """The UTC date of Unix `seconds` (a bill's default bill_date): days since 1970, as Unix time counts
    them (every day 86,400 seconds), about four times faster than going through `time.gmtime`."""
    return date.fromordinal(_EPOCH_DAY + int(seconds // 86_400))


def wall_time() -> float:
    """Unix seconds of the real wall clock: the one place the sandbox reads it (a test may stand in another year)."""
    return time.time()


class SandboxClock:
    """Wall time shifted by `offset` seconds. The offset only grows; the store persists it."""

    def __init__(self, offset: float = 0.0, *, wall: Callable[[], float] | None = None) -> None:
        if not math.isfinite(offset):
            raise ValueError(f"clock offset must be a finite number of seconds, not {offset!r}")
        self._offset = offset
        self._given_wall = wall

    @classmethod
    def starting_at(
        cls, moment: datetime, *, wall: Callable[[], float] | None = None
    ) -> SandboxClock:
        """A clock whose "now" is `moment` (timezone-aware) at this instant of the wall clock."""
        clock = cls(0.0, wall=wall)
        return cls(moment.timestamp() - clock._wall(), wall=wall)

    def _wall(self) -> float:
        return (self._given_wall or wall_time)()

    @property
    def offset(self) -> float:
        return self._offset

    def timestamp(self) -> float:
        """Unix seconds on the sandbox clock (held at LATEST, however far a database's offset says)."""
        return min(self._wall() + self._offset, LATEST)

    def wall_timestamp(self) -> int:
        """Unix seconds of the real wall clock: what signing stamps (transport security, contract §5)."""
        return int(self._wall())

    def seconds_left(self) -> float:
        """How far the clock may still be moved forward before it would pass LATEST."""
        return LATEST - self.timestamp()

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp(), UTC)

    def advanced(self, seconds: float) -> float:
        """The offset after moving forward by `seconds` (the caller persists it, then calls `set_offset`)."""
        if not math.isfinite(seconds) or not 0 < seconds <= MAX_ADVANCE_SECONDS:
            raise ValueError(
                f"the clock moves forward only, by more than 0 and at most {MAX_ADVANCE_SECONDS} seconds"
            )
        return self._offset + seconds

    def set_offset(self, offset: float) -> None:
        if offset < self._offset:
            raise ValueError("the sandbox clock never moves back")
        self._offset = offset
