"""Days to pay as a table: per currency, how many days the period's settled bills took, to one decimal."""

from __future__ import annotations

import pandas as pd

from billkit import frame_dtypes
from billkit.analysis import metrics
from billkit.report.table import CURRENCY, Table

__all__ = ["days_to_pay"]

_HEADERS = {
    "currency": CURRENCY,
    "bills": "Bills settled",
    "mean": "Mean",
    "min": "Fastest",
    "p50": "Median",
    "p75": "75th percentile",
    "p90": "90th percentile",
    "max": "Slowest",
}


def days_to_pay(days: pd.DataFrame) -> Table:
    """`metrics.days_to_pay(...)` rows summarised per currency, with human headers (days, one decimal)."""
    summary = metrics.days_to_pay_summary(days).rename(columns=_HEADERS)[list(_HEADERS.values())]
    summary = summary.assign(**{CURRENCY: summary[CURRENCY].astype(str)}).astype(
        {"Bills settled": frame_dtypes.MINOR}
    )
    return Table(
        name="days_to_pay",
        title="Days to pay (bill date to the payment that settled it)",
        frame=summary.reset_index(drop=True),
        empty="No bill of the period was settled by a payment by this day.",
        days=tuple(_HEADERS[c] for c in ("mean", "min", "p50", "p75", "p90", "max")),
        counts=("Bills settled",),
    )
