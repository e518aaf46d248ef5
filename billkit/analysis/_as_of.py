"""'As of' a date in a time zone, and periods of local days: the one cutoff rule every figure uses.

An analyst in Johannesburg asking for aging "as of 2025-02-01" means that calendar day in Johannesburg. Moment's
timestamps are UTC, so a payment at 2025-01-31T23:30Z already falls on 1 February there.

The rule: every window is half-open in local days, `[first 00:00, last + 1 day 00:00)` in the time zone, and
an instant counts when it is before the window's end. So a payment at exactly local midnight belongs to the new
day everywhere (22:00:00Z is 00:00 on the next day in Johannesburg). `window` owns it; `AsOf` is the window
ending with the as-of day (or at an instant, when one is given).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from billkit import frame_dtypes
from billkit.errors import InvalidArgumentError

AsOfLike = str | dt.date | dt.datetime | pd.Timestamp
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


def zone(tz: str) -> zoneinfo.ZoneInfo:
    """The IANA time zone `tz` (such as "Africa/Johannesburg" or "UTC"), or a clear error."""
    if not isinstance(tz, str):
        raise InvalidArgumentError(f"tz must be an IANA time zone name, not {type(tz).__name__}")
    try:
        return zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidArgumentError(
            f"unknown time zone {tz!r}: expected an IANA name such as 'Africa/Johannesburg' or 'UTC'"
        ) from None


@dataclass(frozen=True)
class AsOf:
    """The local calendar `day` (naive midnight) and the UTC instant `cutoff` before which events count."""

    day: pd.Timestamp
    cutoff: pd.Timestamp
    tz: str

    def counts(self, instants: pd.Series) -> npt.NDArray[np.bool_]:
        """Which UTC `instants` happened before the cutoff (missing ones never do)."""
        return before(instants, self.cutoff)


@dataclass(frozen=True)
class Window:
    """The local days `first`..`last` (naive midnights) in `tz`, as the UTC interval [`begins`, `ends`)."""

    first: pd.Timestamp
    last: pd.Timestamp
    begins: pd.Timestamp
    ends: pd.Timestamp
    tz: str

    @property
    def days(self) -> int:
        return int((self.last - self.first) / pd.Timedelta(days=1)) + 1

    def holds_instants(self, instants: pd.Series) -> npt.NDArray[np.bool_]:
        """Which UTC instants fall in the window: at or after its first midnight, before its end."""
        values = instants.to_numpy(dtype="datetime64[ns]")
        held: npt.NDArray[np.bool_] = (
            values >= self.begins.tz_convert(None).to_datetime64()
        ) & before(instants, self.ends)
        return held

    def holds_days(self, days: pd.Series) -> npt.NDArray[np.bool_]:
        """Which calendar dates (naive, such as bill dates) are one of the window's days; NaT never is."""
        values = days.to_numpy(dtype="datetime64[ns]")
        held: npt.NDArray[np.bool_] = (values >= self.first.to_datetime64()) & (
            values <= self.last.to_datetime64()
        )
        return held


def before(instants: pd.Series, cutoff: pd.Timestamp) -> npt.NDArray[np.bool_]:
    """Which UTC `instants` are strictly before `cutoff`: the half-open end every window has."""
    values = instants.to_numpy(dtype="datetime64[ns]")
    counted: npt.NDArray[np.bool_] = values < cutoff.tz_convert(None).to_datetime64()
    return counted


def window(first: AsOfLike, last: AsOfLike, tz: str) -> Window:
    """The local days `first` to `last` (dates, inclusive) in `tz`, as a half-open UTC interval."""
    first_day = calendar_day(first, "start")
    last_day = calendar_day(last, "end")
    if last_day < first_day:
        raise InvalidArgumentError(f"end ({last_day.date()}) is before start ({first_day.date()})")
    return Window(
        first=first_day,
        last=last_day,
        begins=local_day_start(first_day, tz),
        ends=local_day_start(last_day + pd.Timedelta(days=1), tz),
        tz=tz,
    )


def local_day_start(day: pd.Timestamp, tz: str) -> pd.Timestamp:
    """The UTC instant at which local calendar `day` begins in `tz`."""
    return pd.Timestamp(day).tz_localize(zone(tz)).tz_convert("UTC")


def resolve(as_of: AsOfLike, tz: str, what: str = "as_of") -> AsOf:
    """Resolve `as_of` in `tz`.

    A date ("2025-02-01" or a `date`) means that whole local day: events before the next local midnight count.
    An instant (an aware datetime, or an ISO string with an offset) counts events before that instant, and its
    day is its local date in `tz`. A naive datetime is read as wall-clock time in `tz`.
    """
    zone(tz)
    if isinstance(as_of, str):
        text = as_of.strip()
        if _DATE_ONLY.fullmatch(text):
            try:
                as_of = dt.date.fromisoformat(text)
            except ValueError:
                raise InvalidArgumentError(f"{what} {as_of!r} is not a real date") from None
        else:
            try:
                as_of = pd.Timestamp(text)
            except ValueError:
                raise InvalidArgumentError(
                    f"{what} must be a date ('2025-02-01') or an ISO 8601 time; got {as_of!r}"
                ) from None
    if isinstance(as_of, dt.datetime):
        moment = pd.Timestamp(as_of)
        local = moment.tz_localize(zone(tz)) if moment.tzinfo is None else moment.tz_convert(tz)
        day = local.tz_localize(None).normalize()
        return AsOf(day=day.as_unit("ns"), cutoff=local.tz_convert("UTC").as_unit("ns"), tz=tz)
    if isinstance(as_of, dt.date):
        whole_day = window(as_of, as_of, tz)
        return AsOf(day=whole_day.last, cutoff=whole_day.ends, tz=tz)
    raise InvalidArgumentError(
        f"{what} must be a date, datetime or ISO 8601 string, not {type(as_of).__name__}"
    )


def local_days(instants: pd.Series, tz: str) -> pd.Series:
    """UTC instants as local calendar days in `tz` (naive midnight), the unit day counts are made of."""
    local: pd.Series = instants.dt.tz_convert(zone(tz)).dt.tz_localize(None).dt.normalize()
    return local.astype(frame_dtypes.DATE)


def calendar_day(value: AsOfLike, what: str) -> pd.Timestamp:
    """A period bound given as a date (or date string), as naive midnight."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidArgumentError(
                f"{what} must be a date such as '2025-01-01'; got {value!r}"
            ) from None
    if isinstance(value, dt.datetime):
        raise InvalidArgumentError(f"{what} must be a calendar date, not a datetime ({value})")
    if isinstance(value, dt.date):
        return pd.Timestamp(value).as_unit("ns")
    raise InvalidArgumentError(f"{what} must be a date, not {type(value).__name__}")
