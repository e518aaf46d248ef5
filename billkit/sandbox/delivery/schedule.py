"""When a failed delivery is tried again (contract §5): the retry schedule, on the sandbox clock."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["next_attempt_at"]


def next_attempt_at(
    schedule: Sequence[float], attempts_made: int, failed_at: float
) -> float | None:
    """Sandbox-clock time of the next attempt after `attempts_made` attempts, the last of which failed at
    `failed_at`; None once the schedule is exhausted (the delivery is then marked failed).

    `schedule` lists the waits between attempts, so a delivery gets `len(schedule) + 1` attempts in all.
    The wait is measured from the end of the failed attempt, so a 15 s timeout never eats into it.
    """
    if attempts_made < 1:
        raise ValueError(
            f"attempts_made counts attempts already made (1 or more), not {attempts_made}"
        )
    if attempts_made > len(schedule):
        return None
    return failed_at + schedule[attempts_made - 1]
