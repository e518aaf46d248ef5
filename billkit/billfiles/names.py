"""Billing file names, as Moment documents them (contract §9):

    za_acme_moment_all-customers_2025-02-01.csv     the initial full file
    za_acme_dailyfile_2025-02-02.csv                a daily incremental file

`country` is an ISO 3166 alpha-2 code in lower case, `merchant` the merchant's alias. The name carries the
file's date, which derives missing bill references (`{external_reference}-{YYYYMMDD}`), and its country,
which gives the default currency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum
from functools import cache

from babel import Locale

from billkit.billfiles.errors import BillFileRejected

__all__ = [
    "DEFAULT_CURRENCIES",
    "BillFileKind",
    "BillFileName",
    "check_country",
    "check_merchant_alias",
    "is_safe_file_name",
    "results_name",
]

#: The currency a row without a `currency` column is billed in, by country.
DEFAULT_CURRENCIES = {"za": "ZAR", "us": "USD"}

_MERCHANT = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
_NAME = re.compile(
    r"(?P<country>[a-z]{2})_(?P<merchant>[a-z0-9-]+)_"
    r"(?P<kind>moment_all-customers|dailyfile)_(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2})\.csv"
)
#: What a file dropped in /inbound may be called at all (anything else cannot name a results file).
_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")
# Codes CLDR lists as territories that ISO 3166 does not assign to a country.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})


class BillFileKind(Enum):
    FULL = "moment_all-customers"
    DAILY = "dailyfile"


@cache
def _countries() -> frozenset[str]:
    territories = Locale("en").territories
    return frozenset(
        str(code).lower()
        for code in territories
        if isinstance(code, str)
        and len(code) == 2
        and code.isalpha()
        and code not in _NOT_COUNTRIES
    )


def check_country(country: str) -> str:
    """An ISO 3166 alpha-2 code, returned in lower case (`"ZA"` -> `"za"`)."""
    code = country.strip().lower() if isinstance(country, str) else ""
    if code not in _countries():
        raise ValueError(
            f"country {country!r} is not an ISO 3166 alpha-2 code such as 'za' or 'us'"
        )
    return code


def check_merchant_alias(alias: str) -> str:
    """A merchant alias as it appears in file names: lower-case letters, digits and inner hyphens."""
    if not isinstance(alias, str) or not _MERCHANT.fullmatch(alias):
        raise ValueError(
            f"merchant alias {alias!r} must be 1 to 40 lower-case letters, digits or inner hyphens "
            "(it sits between underscores in file names)"
        )
    return alias


def is_safe_file_name(name: str) -> bool:
    """True for a plain file name (no folders, no leading dot, at most 200 letters, digits, `._-`)."""
    return bool(_SAFE.fullmatch(name)) and ".." not in name


def results_name(input_name: str) -> str:
    """`za_acme_dailyfile_2025-02-02.csv` -> `za_acme_dailyfile_2025-02-02.results.csv`."""
    stem = input_name[: -len(".csv")] if input_name.endswith(".csv") else input_name
    return f"{stem}.results.csv"


@dataclass(frozen=True, slots=True)
class BillFileName:
    country: str
    merchant: str
    day: date
    kind: BillFileKind = BillFileKind.DAILY

    def __post_init__(self) -> None:
        object.__setattr__(self, "country", check_country(self.country))
        check_merchant_alias(self.merchant)
        if not isinstance(self.day, date):
            raise TypeError(f"day must be a datetime.date, not {type(self.day).__name__}")

    @classmethod
    def parse(cls, name: str, *, merchant: str | None = None) -> BillFileName:
        """The parts of a billing file's name; `BillFileRejected` naming what is wrong otherwise.

        `merchant`: the alias the name must carry (the sandbox's `--merchant`)."""
        match = _NAME.fullmatch(name)
        if match is None:
            raise BillFileRejected(
                "name",
                f"{name!r} is not a billing file name: expected "
                "[country]_[merchant]_moment_all-customers_YYYY-MM-DD.csv or "
                "[country]_[merchant]_dailyfile_YYYY-MM-DD.csv",
            )
        try:
            day = date.fromisoformat(match["day"])
            parsed = cls(match["country"], match["merchant"], day, BillFileKind(match["kind"]))
        except ValueError as exc:
            raise BillFileRejected("name", f"{name!r}: {exc}") from None
        if merchant is not None and parsed.merchant != merchant:
            raise BillFileRejected(
                "name", f"{name!r} names merchant {parsed.merchant!r}; this server is {merchant!r}"
            )
        return parsed

    @property
    def default_currency(self) -> str | None:
        return DEFAULT_CURRENCIES.get(self.country)

    @property
    def file_name(self) -> str:
        return f"{self.country}_{self.merchant}_{self.kind.value}_{self.day.isoformat()}.csv"

    def __str__(self) -> str:
        return self.file_name
