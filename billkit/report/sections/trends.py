"""Trends: collection rate by billing-month cohort, and outstanding and DSO at a series of as-of days.

Every point is a day read through `Ledger.as_of`, so a trend is a row of figures each true on its own day.
`trend_days` picks the days (month ends, or week ends for a period shorter than two months).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from billkit import frame_dtypes
from billkit.analysis.point_in_time import AsOfFrames
from billkit.report.table import CURRENCY, Table

__all__ = ["cohorts", "month_ends", "trend_days"]

#: A period shorter than this many days is traced week by week instead of month by month.
_WEEKLY_BELOW = 62


def trend_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """The month ends (or Sunday week ends for a short period) from `start` to `end`, then `end` itself."""
    days: list[dt.date] = []
    if (end - start).days + 1 < _WEEKLY_BELOW:
        day = start + dt.timedelta(days=6 - start.weekday())
        while day < end:
            days.append(day)
            day += dt.timedelta(days=7)
    else:
        day = _month_end(start)
        while day < end:
            days.append(day)
            day = _month_end(day + dt.timedelta(days=1))
    days.append(end)
    return days


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def cohorts(day: AsOfFrames) -> Table:
    """Per currency and billing month: bills, billed, collected by the as-of day and the collection rate."""
    bills = day.bills
    kept = bills.loc[(bills["status"] != "voided").to_numpy(dtype=bool, na_value=False)]
    kept = kept.loc[kept["bill_date"].notna().to_numpy()]
    columns = [CURRENCY, "Billing month", "Bills", "Billed", "Collected", "Collection rate"]
    if kept.empty:
        return Table(
            name="cohorts",
            title="Collection rate by billing month",
            frame=pd.DataFrame(columns=columns),
            empty="No bill had been issued by this day.",
            money=("Billed", "Collected"),
            percent=("Collection rate",),
            counts=("Bills",),
        )
    paid = kept["amount_paid"].fillna(0).clip(upper=kept["amount_due"].fillna(0))
    grouped = (
        pd.DataFrame(
            {
                CURRENCY: kept["currency"].astype(str).to_numpy(),
                # Months since 1970-01, named once per group below: strftime on every bill costs seconds.
                "Billing month": kept["bill_date"].to_numpy().astype("datetime64[M]").view("int64"),
                "billed": kept["amount_due"].fillna(0).to_numpy(dtype="int64"),
                "collected": paid.to_numpy(dtype="int64"),
            }
        )
        .groupby([CURRENCY, "Billing month"], sort=True)
        .agg(Bills=("billed", "size"), Billed=("billed", "sum"), Collected=("collected", "sum"))
        .reset_index()
    )
    grouped["Billing month"] = (
        grouped["Billing month"].to_numpy().astype("datetime64[M]").astype(str)
    )
    billed = grouped["Billed"].astype("Float64")
    grouped["Collection rate"] = (grouped["Collected"] / billed.where(billed > 0)).astype("Float64")
    frame = grouped.astype({"Bills": frame_dtypes.MINOR, "Billed": frame_dtypes.MINOR,
                            "Collected": frame_dtypes.MINOR})  # fmt: skip
    return Table(
        name="cohorts",
        title="Collection rate by billing month",
        frame=frame[columns],
        empty="No bill had been issued by this day.",
        money=("Billed", "Collected"),
        percent=("Collection rate",),
        counts=("Bills",),
    )


def month_ends(days: Sequence[AsOfFrames], *, dso_days: int = 30) -> Table:
    """Outstanding, overdue and DSO (over the `dso_days` ending that day) at each as-of day, per currency."""
    rows = []
    for day in days:
        aging = day.aging()
        dso = day.dso(days=dso_days).set_index("currency")
        overdue = day.bills.loc[day.bills["is_overdue"].to_numpy(dtype=bool, na_value=False)]
        overdue_by = overdue.groupby(overdue["currency"].astype(str))["amount_remaining"].sum()
        for code, outstanding in (
            aging.groupby(aging["currency"].astype(str))["amount"].sum().items()
        ):
            value = dso["dso"].get(code, pd.NA) if code in dso.index.astype(str) else pd.NA
            rows.append(
                {
                    CURRENCY: code,
                    "As of": day.day,
                    "Outstanding": int(outstanding),
                    "Overdue": int(overdue_by.get(code, 0)),
                    f"DSO (days, last {dso_days})": value,
                }
            )
    dso_header = f"DSO (days, last {dso_days})"
    columns = [CURRENCY, "As of", "Outstanding", "Overdue", dso_header]
    frame = pd.DataFrame(rows, columns=columns).sort_values([CURRENCY, "As of"], kind="stable")
    frame = frame.reset_index(drop=True).astype(
        {"Outstanding": frame_dtypes.MINOR, "Overdue": frame_dtypes.MINOR, dso_header: "Float64"}
    )
    return Table(
        name="trend",
        title="Outstanding and DSO over time",
        frame=frame,
        empty="No bill had been issued by any of these days.",
        money=("Outstanding", "Overdue"),
        days=(dso_header,),
        dates=("As of",),
    )
