"""Headline figures per currency, beside the same figures for the previous period of equal length.

A `Period` is the view a figure is taken in: the bill dates start..end, the as-of day the state is read on
(`day`), and the state at the period's end (`at_end`, for DSO's receivables). The previous period is the
same number of days just before `start`, read as of the same distance before the as-of day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from billkit import frame_dtypes
from billkit.analysis.point_in_time import AsOfFrames
from billkit.report.table import CURRENCY, Table

__all__ = ["Period", "headline", "period_figures", "previous_dates"]


@dataclass(frozen=True)
class Period:
    """Bills dated start..end, read as of `day` (and at the period's end, `at_end`)."""

    start: dt.date
    end: dt.date
    day: AsOfFrames
    at_end: AsOfFrames

    @property
    def label(self) -> str:
        return f"{self.start:%d %b %Y} to {self.end:%d %b %Y}"


def previous_dates(
    start: dt.date, end: dt.date, as_of: dt.date
) -> tuple[dt.date, dt.date, dt.date]:
    """(start, end, as-of day) of the period of equal length just before `start`."""
    length = (end - start).days + 1
    shift = dt.timedelta(days=length)
    return start - shift, end - shift, as_of - shift


def period_figures(period: Period) -> pd.DataFrame:
    """Per currency: billed, collected, outstanding, overdue (minor units), collection rate, DSO, on-time share.

    billed / collected / rate: bills dated in the period (voided left out) and what was paid on them by the
    as-of day; outstanding / overdue: every open bill on the as-of day (overdue: past its due date); DSO:
    receivables at the period's end / billed * days; paid on time: of the period's bills due by the as-of
    day, the share paid in full on or before their due date.
    """
    day = period.day
    rate = day.collection_rate(start=period.start, end=period.end).set_index("currency")
    dso = period.at_end.dso(start=period.start).set_index("currency")
    bills = day.bills
    open_rows = bills["is_open"].to_numpy(dtype=bool, na_value=False)
    overdue_rows = bills["is_overdue"].to_numpy(dtype=bool, na_value=False)
    remaining = bills["amount_remaining"].fillna(0)
    currency = bills["currency"].astype(str)
    outstanding = remaining.where(open_rows, 0).groupby(currency).sum()
    overdue = remaining.where(overdue_rows, 0).groupby(currency).sum()
    on_time = _on_time_share(period)
    currencies = sorted(set(rate.index.astype(str)) | set(outstanding.index) | set(on_time.index))

    def money(series: pd.Series) -> pd.Series:
        return _by(series, currencies).fillna(0).astype(frame_dtypes.MINOR)

    def ratio(series: pd.Series) -> pd.Series:
        return _by(series, currencies).astype("Float64")

    return pd.DataFrame(
        {
            "currency": currencies,
            "billed": money(rate["billed"]),
            "collected": money(rate["collected"]),
            "outstanding": money(outstanding),
            "overdue": money(overdue),
            "rate": ratio(rate["rate"]),
            "dso": ratio(dso["dso"]),
            "on_time": ratio(on_time),
        }
    ).reset_index(drop=True)


def _by(series: pd.Series, currencies: list[str]) -> pd.Series:
    """`series` (indexed by currency) in the order of `currencies`, NA where a currency has no value."""
    return series.set_axis(series.index.astype(str)).reindex(currencies)


def _on_time_share(period: Period) -> pd.Series:
    bills = period.day.bills
    day = pd.Timestamp(period.day.day)
    dated = (bills["bill_date"] >= pd.Timestamp(period.start)) & (
        bills["bill_date"] <= pd.Timestamp(period.end)
    )
    due = (
        dated
        & (bills["due_date"] <= day)
        & (bills["status"] != "voided").to_numpy(dtype=bool, na_value=False)
    )
    due_bills = bills.loc[due.to_numpy(dtype=bool, na_value=False)]
    settled = period.day.days_to_pay(start=period.start, end=period.end)[["bill_id", "settled_on"]]
    joined = due_bills[["bill_id", "due_date"]].merge(settled, on="bill_id", how="left")
    on_time = (joined["settled_on"] <= joined["due_date"]).to_numpy(dtype=bool, na_value=False)
    counts = pd.DataFrame({"currency": due_bills["currency"].astype(str), "on_time": on_time})
    if counts.empty:
        return pd.Series(dtype="Float64")
    return counts.groupby("currency")["on_time"].mean().astype("Float64")


_FIGURES = {
    "billed": "Billed",
    "collected": "Collected",
    "outstanding": "Outstanding",
    "overdue": "Overdue",
    "rate": "Collection rate",
    "dso": "DSO (days)",
    "on_time": "Paid on time",
}


def headline(now: Period, before: Period) -> Table:
    """Two rows per currency: this period's headline figures, then the previous period's."""
    current, previous = period_figures(now), period_figures(before)
    rows = []
    for code in sorted(set(current["currency"]) | set(previous["currency"])):
        for label, figures in ((now.label, current), (before.label, previous)):
            mine = figures.loc[figures["currency"] == code]
            values = {
                header: (mine[column].iloc[0] if not mine.empty else pd.NA)
                for column, header in _FIGURES.items()
            }
            if mine.empty:
                values.update({_FIGURES[c]: 0 for c in ("billed", "collected", "outstanding")})
                values[_FIGURES["overdue"]] = 0
            rows.append({CURRENCY: code, "Period": label, **values})
    frame = pd.DataFrame(rows, columns=[CURRENCY, "Period", *_FIGURES.values()])
    money = tuple(_FIGURES[c] for c in ("billed", "collected", "outstanding", "overdue"))
    frame = frame.astype(
        {
            **dict.fromkeys(money, frame_dtypes.MINOR),
            **{_FIGURES[c]: "Float64" for c in ("rate", "dso", "on_time")},
        }
    )
    return Table(
        name="headline",
        title="Headline figures",
        frame=frame,
        empty="No bill or payment was recorded in this period or the one before.",
        money=money,
        percent=(_FIGURES["rate"], _FIGURES["on_time"]),
        days=(_FIGURES["dso"],),
    )
