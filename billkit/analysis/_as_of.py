"""'As of' a date in a time zone: the calendar day a metric is about, and the instant it ends.

An analyst in Johannesburg asking for aging "as of 2025-02-01" means that calendar day in Johannesburg. Moment's
timestamps are UTC, so a payment at 2025-01-31T23:30Z already falls on 1 February there.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

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
    """The local calendar `day` (naive midnight) and the UTC instant `cutoff` up to which events count."""

    day: pd.Timestamp
    cutoff: pd.Timestamp
    tz: str


def local_day_start(day: pd.Timestamp, tz: str) -> pd.Timestamp:
    """The UTC instant at which local calendar `day` begins in `tz`."""
    return pd.Timestamp(day).tz_localize(zone(tz)).tz_convert("UTC")


def resolve(as_of: AsOfLike, tz: str, what: str = "as_of") -> AsOf:
    """Resolve `as_of` in `tz`.

    A date ("2025-02-01" or a `date`) means that whole local day: events up to its end count. An instant
    (an aware datetime, or an ISO string with an offset) counts events up to that instant, and its day is its
    local date in `tz`. A naive datetime is read as wall-clock time in `tz`.
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
        day = pd.Timestamp(as_of).as_unit("ns")
        return AsOf(day=day, cutoff=local_day_start(day + pd.Timedelta(days=1), tz), tz=tz)
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
