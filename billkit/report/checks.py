"""What a report's options mean against the data: problems that stop a run, and warnings that go with it.

`problems` are checked by `billkit report` before a kernel starts (for a ledger file) and by `build_report`
itself: a customer, account or currency the ledger never recorded, or a period in which it has no bills and
no payments. `warnings` say when the as-of day lies before the first or after the last recorded activity, so
the figures are of a day the data does not reach.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from billkit.analysis import _as_of
from billkit.errors import InvalidArgumentError
from billkit.ledger import Ledger

__all__ = ["problems", "warnings"]


def problems(
    ledger: Ledger, *, start: date, end: date, timezone: str, currency: str | None
) -> list[str]:
    """Why a report of bills dated `start`..`end` (in `currency`, if given) cannot be made from `ledger`."""
    period = _as_of.window(start, end, timezone)
    if ledger.has_activity(
        first_day=start,
        last_day=end,
        begins=period.begins.to_pydatetime(),
        ends=period.ends.to_pydatetime(),
        currency=currency,
    ):
        return []
    # Only a failing check lists the ledger's currencies: that reads every bill, and a report runs this twice.
    found: list[str] = []
    held = ledger.currencies() if currency is not None else []
    if currency is not None and currency not in held:
        found.append(
            f"currency {currency} is not in the ledger, which holds {', '.join(held) or 'no amounts'}"
        )
    found.append(f"the period {start} to {end} has no bills and no payments in the ledger")
    return found


def check(ledger: Ledger, *, start: date, end: date, timezone: str, currency: str | None) -> None:
    """Raise `InvalidArgumentError` naming every problem `problems` finds."""
    found = problems(ledger, start=start, end=end, timezone=timezone, currency=currency)
    if found:
        raise InvalidArgumentError("; ".join(found))


def warnings(ledger: Ledger, *, as_of: date, timezone: str) -> list[str]:
    """Warnings for an as-of day outside the recorded activity (states beginning, payments applied)."""
    span = ledger.activity_span()
    if span is None:
        return [f"the ledger records no activity at all, so every figure as of {as_of} is empty"]
    first, last = (pd.Timestamp(moment).tz_convert(_as_of.zone(timezone)).date() for moment in span)
    if as_of < first:
        return [
            f"as of {as_of} is before the first recorded activity ({first}): nothing had happened yet"
        ]
    if as_of > last:
        return [
            f"as of {as_of} is after the last recorded activity ({last}): later changes are not in "
            "the ledger"
        ]
    return []
