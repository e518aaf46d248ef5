"""One field of a report file to a typed value: amounts, instants, days, counts. Pure; `ValueError` says why.

Amounts are major-unit decimals (`240.00`) turned into integer minor units with the currency's ISO 4217
exponent (`billkit.money`). Accepted: an optional `-`, digits, optionally `.` and at most the currency's number
of decimals. A `,` is accepted only as a thousands separator between groups of exactly three digits
(`1,234.50`): the decimal mark of these files is always `.`, so `1,5` or `12,34` (a decimal comma) is refused
rather than misread. Refused: floats' exponents (`1e3`), `+`, spaces inside, `NaN`, `inf`, brackets.

Instants are ISO 8601; one with a UTC offset is converted to UTC, one without is read as UTC (Moment writes its
report times in UTC). A transaction time needs a time of day; a header's From and To may be bare dates
(midnight UTC).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Final

from billkit import money

__all__ = [
    "as_day",
    "currency_code",
    "microseconds",
    "parse_amount",
    "parse_count",
    "parse_day",
    "parse_instant",
]

_AMOUNT: Final = re.compile(r"(-?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?")
_COUNT: Final = re.compile(r"[0-9]{1,18}")
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
#: What a frame's nanosecond times can hold (pandas' range), with a day to spare at each end.
_FIRST_DAY: Final = date(1677, 9, 23)
_LAST_DAY: Final = date(2262, 4, 10)
#: The largest amount in minor units a frame's Int64 column holds.
_MAX_MINOR: Final = 2**63 - 1
#: A date alone: `2024-12-30` (or the compact `20241230`), without a time.
_DATE_ONLY: Final = re.compile(r"[0-9]{4}-?[0-9]{2}-?[0-9]{2}")


@cache
def _exponent(code: str) -> int:
    return money.currency_exponent(code)


def currency_code(text: str) -> tuple[str, int]:
    """An ISO 4217 code (any case) as upper case, with its exponent; ValueError for an unknown one."""
    code = text.strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError(f"{text!r} is not an ISO 4217 currency code such as ZAR or USD")
    try:
        return code, _exponent(code)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 4217 currency code such as ZAR or USD") from None


def parse_amount(text: str, currency: str, exponent: int | None = None) -> int:
    """`"1,234.50"` ZAR -> `123450`: a major-unit amount as the currency's minor units (see the module rule).

    `exponent`: the currency's, when the caller has it already (`currency_code`). The digits are scaled as
    integers, exactly as `billkit.money.to_minor` does, without a Decimal per value."""
    match = _AMOUNT.fullmatch(text.strip())
    if match is None:
        raise ValueError(
            f"{text!r} is not an amount: write major units with a '.' decimal mark, such as 240.00 "
            "(no exponent, no currency sign; a ',' only between groups of three digits)"
        )
    places = _exponent(currency) if exponent is None else exponent
    sign, whole, fraction = match.groups()
    fraction = (fraction or "").rstrip("0")
    if len(fraction) > places:
        raise ValueError(
            f"amount {text.strip()!r} has more decimal places than {currency} allows ({places})"
        )
    minor: int = int(whole.replace(",", "")) * 10**places + int(fraction.ljust(places, "0") or "0")
    if minor > _MAX_MINOR:
        raise ValueError(f"amount {text.strip()!r} is too large")
    return -minor if sign else minor


def parse_count(text: str) -> int:
    if not _COUNT.fullmatch(text.strip()):
        raise ValueError(f"{text!r} is not a count (up to 18 digits)")
    return int(text)


def parse_instant(text: str, *, date_only: bool = False) -> datetime:
    """An ISO 8601 instant, in UTC. `date_only`: a bare date is accepted too, as midnight UTC."""
    plain = text.strip()
    if not date_only and _DATE_ONLY.fullmatch(plain):
        raise ValueError(
            f"{text!r} has no time of day: expected an ISO 8601 time such as 2024-12-30T14:05:00Z"
        )
    try:
        moment = datetime.fromisoformat(plain)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 time such as 2024-12-30T14:05:00Z") from None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    _check_range(moment.date(), text)
    return moment


def microseconds(moment: datetime) -> int:
    """Microseconds since 1970-01-01 UTC, exactly (no float on the way)."""
    return (moment - _EPOCH) // _MICROSECOND


def parse_day(text: str) -> date:
    """A calendar day, `2024-12-30`; a midnight time after it (`2024-12-30T00:00:00Z`) is accepted too."""
    plain = text.strip()
    try:
        parsed = (
            date.fromisoformat(plain)
            if _DATE_ONLY.fullmatch(plain)
            else datetime.fromisoformat(plain)
        )
    except ValueError:
        raise ValueError(f"{text!r} is not a date such as 2024-12-30") from None
    day = parsed
    if isinstance(parsed, datetime):
        if parsed.time() != datetime.min.time():
            raise ValueError(f"{text!r} is a time of day, not a date such as 2024-12-30")
        day = parsed.date()
    _check_range(day, text)
    return day


def _check_range(day: date, text: str) -> None:
    """Refuse a day a frame's nanosecond times cannot hold, rather than fail building the frame."""
    if not _FIRST_DAY <= day <= _LAST_DAY:
        raise ValueError(
            f"{text!r} is out of range (years {_FIRST_DAY.year + 1} to {_LAST_DAY.year - 1})"
        )


def as_day(value: date | str) -> date:
    """A day given as an argument: a `date` (a datetime's own date) or `YYYY-MM-DD`."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a day written YYYY-MM-DD") from None
