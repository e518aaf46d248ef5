"""The report's sections, each a pure function of as-of frames (`Ledger.as_of`) returning a `Table`.

    headline.headline(now, before)              # key figures per currency beside the previous period's
    aged.aged_summary(day); aged.aged_detail(day)  # aged receivables by customer; the open-bill worklist
    cash.cash_received(day, start=..., end=..., freq="W")
    trends.cohorts(day); trends.month_ends([ledger.as_of(d, tz=tz) for d in trends.trend_days(start, end)])
    exceptions.exceptions(day)                  # every payment or bill that needs a look, with references

No I/O: the ledger is read by the caller, once per as-of day.
"""

from __future__ import annotations

__all__: list[str] = []
