"""Chaos delivery: misbehaviour asked for when registering the endpoint, so a user can prove their handler
is idempotent and order-independent (no provider sandbox offers this).

    {"duplicate_rate": 0.2, "delay_rate": 0.5, "max_delay_seconds": 30, "seed": 7}

* `duplicate_rate`: the chance that an event's delivery gets an extra copy: a second delivery series with the
  same body (same `evt_` id) and its own `webhook-id`s.
* `delay_rate` and `max_delay_seconds`: the chance that a delivery (copies included) is held back, and the
  bound of the random hold, in sandbox seconds (so advancing the clock releases it). Holding some deliveries
  and not others reorders them.
* `seed`: the same seed and the same sequence of payments give the same duplicates and delays.

Each delivery is rolled for once, before its first attempt; retries are never rolled for again.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_MAX_DELAY_SECONDS", "ChaosDecision", "ChaosDice", "ChaosPlan"]

#: The bound of a hold when `delay_rate` is given without `max_delay_seconds`.
DEFAULT_MAX_DELAY_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class ChaosPlan:
    """An endpoint's chaos settings (already validated by the endpoint route's schema)."""

    duplicate_rate: float = 0.0
    delay_rate: float = 0.0
    max_delay_seconds: float = DEFAULT_MAX_DELAY_SECONDS
    seed: int | None = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> ChaosPlan | None:
        """The plan for an endpoint's stored `chaos` object; None when it asks for no misbehaviour."""
        if not settings:
            return None
        plan = cls(
            duplicate_rate=float(settings.get("duplicate_rate", 0.0)),
            delay_rate=float(settings.get("delay_rate", 0.0)),
            max_delay_seconds=float(settings.get("max_delay_seconds", DEFAULT_MAX_DELAY_SECONDS)),
            seed=settings.get("seed"),
        )
        if plan.duplicate_rate <= 0 and (plan.delay_rate <= 0 or plan.max_delay_seconds <= 0):
            return None
        return plan


@dataclass(frozen=True, slots=True)
class ChaosDecision:
    #: Send an extra copy of this event (a second delivery series).
    duplicate: bool
    #: Sandbox seconds to hold this delivery back before its first attempt (0: send now).
    delay: float


class ChaosDice:
    """One random stream per endpoint registration, seeded by its plan: reproducible when a seed is given."""

    def __init__(self, plan: ChaosPlan) -> None:
        self.plan = plan
        self._random = random.Random(plan.seed)

    def roll(self, *, may_duplicate: bool) -> ChaosDecision:
        """The fate of one delivery before its first attempt. Copies and redeliveries are never duplicated
        again (`may_duplicate=False`), but may be delayed. Both dice are always rolled, so one delivery's
        kind never shifts the stream that later deliveries draw from."""
        plan, draw = self.plan, self._random.random
        duplicate_roll, delay_roll, delay_fraction = draw(), draw(), draw()
        delay = plan.max_delay_seconds * delay_fraction if delay_roll < plan.delay_rate else 0.0
        return ChaosDecision(
            duplicate=may_duplicate and duplicate_roll < plan.duplicate_rate, delay=delay
        )
