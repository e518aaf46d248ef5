"""Cash received: the payments of a period by local day, week (from Monday) or month, split by channel.

Each payment counts once (its payment_id) on the local day of its event in the as-of frames' time zone. The
channel is the payment's `channel` where the payments frame carries one. Moment's payment events do not (contract
§4); its reconciliation report does, and `billkit.analysis.three_way.with_channels` takes each payment's channel
from its row there (the report does so when the source holds report rows). Payments without one are shown under
"Channel not recorded" rather than guessed.
"""

from __future__ import annotations

import datetime as dt
from typing import Final, Literal

import pandas as pd

from billkit import frame_dtypes
from billkit.analysis import _as_of
from billkit.analysis.point_in_time import AsOfFrames
from billkit.errors import InvalidArgumentError
from billkit.report.table import CURRENCY, TOTAL, Table

__all__ = ["CHANNELS", "cash_received", "period_starts"]

Frequency = Literal["D", "W", "M"]
#: Moment's payment channels -> column header, in the order the report shows them.
CHANNELS: Final = {
    "api": "API",
    "ebp": "Bill page",
    "in_person": "In person",
    "payment_request": "Payment request",
}
UNRECORDED: Final = "Channel not recorded"
_WORDS: Final = {"D": "day", "W": "week", "M": "month"}


def period_starts(days: pd.Series, freq: Frequency) -> pd.Series:
    """Each local day's period start: itself, its week's Monday, or its month's first day."""
    offset = {"D": 0 * days.dt.day, "W": days.dt.day_of_week, "M": days.dt.day - 1}[freq]
    starts: pd.Series = days - pd.to_timedelta(offset, unit="D")
    return starts


def cash_received(day: AsOfFrames, *, start: dt.date, end: dt.date, freq: Frequency = "D") -> Table:
    """Per currency and period from `start` to `end` (local days): amount received per channel and in total."""
    if freq not in _WORDS:
        raise InvalidArgumentError(f"freq must be 'D', 'W' or 'M', got {freq!r}")
    payments = day.payments
    local = _as_of.local_days(payments["created_at"], day.tz)
    inside = ((local >= pd.Timestamp(start)) & (local <= pd.Timestamp(end))).to_numpy(
        dtype=bool, na_value=False
    )
    payments, local = payments.loc[inside], local.loc[inside]
    channel = (
        payments["channel"].astype("string").fillna(UNRECORDED)
        if "channel" in payments.columns
        else pd.Series(UNRECORDED, index=payments.index, dtype="string")
    )
    headers = channel.map(lambda name: CHANNELS.get(str(name), str(name)))
    shown = [h for h in [*CHANNELS.values(), UNRECORDED] if h in set(headers)]
    period_header = f"{_WORDS[freq].capitalize()} from" if freq != "D" else "Day"
    columns = [CURRENCY, period_header, *shown, "Total received", "Payments"]
    money = (*shown, "Total received")
    if payments.empty:
        return Table(
            name=f"cash_{_WORDS[freq]}",
            title=f"Cash received by {_WORDS[freq]}",
            frame=pd.DataFrame(columns=columns),
            empty=f"No payment was received from {start} to {end}.",
            money=money,
            counts=("Payments",),
        )
    grouped = pd.DataFrame(
        {
            "currency": payments["currency"].astype(str).to_numpy(),
            "period": period_starts(local, freq).dt.date.to_numpy(),
            "channel": headers.to_numpy(),
            "amount": payments["amount"].to_numpy(),
        }
    )
    wide = grouped.pivot_table(
        index=["currency", "period"],
        columns="channel",
        values="amount",
        aggfunc="sum",
        fill_value=0,
        observed=True,
    ).reindex(columns=shown, fill_value=0)
    wide.columns.name = None
    wide["Total received"] = wide.sum(axis=1)
    wide["Payments"] = grouped.groupby(["currency", "period"]).size()
    wide = wide.reset_index().rename(columns={"currency": CURRENCY, "period": period_header})
    parts = []
    for code, rows in wide.groupby(CURRENCY, sort=True):
        totals = {CURRENCY: code, period_header: TOTAL, **rows[[*money, "Payments"]].sum()}
        parts.append(pd.concat([rows, pd.DataFrame([totals])], ignore_index=True))
    frame = pd.concat(parts, ignore_index=True)[columns]
    frame = frame.astype(dict.fromkeys((*money, "Payments"), frame_dtypes.MINOR))
    return Table(
        name=f"cash_{_WORDS[freq]}",
        title=f"Cash received by {_WORDS[freq]}",
        frame=frame,
        empty=f"No payment was received from {start} to {end}.",
        money=money,
        counts=("Payments",),
        totals=period_header,
    )
