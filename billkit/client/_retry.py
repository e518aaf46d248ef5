"""When to send a request again, and how long to wait first: pure functions, so tests can pin them.

Retried: connection errors and timeouts (the API never answered), 409 (the same idempotency key still in
flight), 429 (honouring `Retry-After`) and 5xx. Never retried: every other status, 400, 401, 403, 404 and 422
among them, since sending the same request again cannot change the answer. A 409 that carries
`Idempotent-Replayed: true` is Moment's stored answer for that key, so it will not change either.

Waits grow exponentially with full jitter (a uniform draw between 0 and the exponential step, capped), so
that many clients failing together do not retry in lockstep.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["RetryPolicy", "parse_retry_after", "retry_delay"]

_ALWAYS_RETRIED = frozenset({409, 429})


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """How many retries, and the shape of the waits between them (seconds)."""

    max_retries: int
    base_delay: float = 0.5
    max_delay: float = 8.0
    #: A `Retry-After` longer than this is shortened to it, so one answer cannot stall a notebook for hours.
    max_retry_after: float = 60.0


def retry_delay(
    policy: RetryPolicy,
    *,
    retries_done: int,
    status_code: int | None,
    headers: Mapping[str, str] | None = None,
    random: Callable[[], float],
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> float | None:
    """Seconds to wait before the next attempt, or None when the last outcome is final.

    `status_code` is None when the API never answered; `headers` are the response's; `random` returns a
    float in [0, 1).
    """
    if retries_done >= policy.max_retries:
        return None
    headers = {name.lower(): value for name, value in (headers or {}).items()}
    if status_code is not None and not _retryable_status(status_code, headers):
        return None
    retry_after = parse_retry_after(headers.get("retry-after"), now=now)
    if retry_after is not None:
        return min(retry_after, policy.max_retry_after)
    ceiling = min(policy.max_delay, policy.base_delay * 2.0**retries_done)
    return ceiling * random()


def parse_retry_after(value: str | None, *, now: Callable[[], datetime]) -> float | None:
    """`Retry-After` as seconds: delta-seconds (`"3"`) or an HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:  # RFC 9110 dates are GMT; email.utils leaves "-0000" ones naive
            when = when.replace(tzinfo=UTC)
        seconds = (when - now()).total_seconds()
    if not math.isfinite(seconds):
        return None
    return max(seconds, 0.0)


def _retryable_status(status_code: int, headers: Mapping[str, str]) -> bool:
    if status_code == 409 and headers.get("idempotent-replayed", "").lower() == "true":
        return False
    return status_code in _ALWAYS_RETRIED or status_code >= 500
