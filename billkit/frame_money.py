"""Per-currency money helpers for DataFrames: exponents, major units, and the rule that currencies never mix."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import numpy as np
import numpy.typing as npt
import pandas as pd

from billkit import frame_dtypes, money
from billkit.errors import InvalidArgumentError


class MixedCurrencyError(InvalidArgumentError):
    """Amounts in different currencies were about to be added together; group or filter by currency first."""


@cache
def exponent(currency: str) -> int:
    """ISO 4217 minor-unit exponent of `currency` (cached: frames ask once per category, not per row)."""
    try:
        return money.currency_exponent(currency)
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(str(exc)) from None


def to_major(minor: pd.Series, currency: pd.Series) -> pd.Series:
    """Minor units to major units (float64, NaN where missing) by each row's currency exponent.

    Each value is one correctly rounded division of an exact integer by a power of ten, so it is the double
    nearest the exact amount and prints as it (`1095` ZAR -> `10.95`). These columns are for reading and
    plotting; every sum in billkit is done on the integer minor units first and converted once at the end.
    """
    # Analysis frames already hold currency as a category and amounts as Int64: convert only what does not.
    codes = (
        currency
        if isinstance(currency.dtype, pd.CategoricalDtype)
        else currency.astype(frame_dtypes.CATEGORY)
    )
    categories = [str(code) for code in codes.cat.categories]
    scales = np.array([10.0 ** exponent(code) for code in categories] + [np.nan])
    # Category code -1 (missing currency) picks the trailing NaN scale.
    row_scales = scales[codes.cat.codes.to_numpy()]
    amounts = minor if minor.dtype == frame_dtypes.MINOR else minor.astype(frame_dtypes.MINOR)
    values = amounts.to_numpy(dtype="float64", na_value=np.nan)
    result: npt.NDArray[np.float64] = values / row_scales
    return pd.Series(result, index=minor.index, dtype=frame_dtypes.FLOAT)


def format_amount(minor: int, currency: str, locale: str | None = None) -> str:
    """One amount for people by billkit's one money format (`R1,234.50`); see `billkit.money.format_money`."""
    try:
        return money.format_money(int(minor), currency, locale=locale)
    except ValueError as exc:
        raise InvalidArgumentError(str(exc)) from None


def single_currency(currencies: Iterable[object], what: str) -> str | None:
    """The one currency in `currencies` (None if there are none); several raise `MixedCurrencyError`."""
    distinct = sorted({str(code) for code in currencies if not pd.isna(code)})  # type: ignore[call-overload]
    if len(distinct) > 1:
        raise MixedCurrencyError(
            f"{what} holds amounts in {', '.join(distinct)}; billkit never adds different currencies "
            "together. Group by currency (billkit.analysis.totals_by_currency) or filter to one currency."
        )
    return distinct[0] if distinct else None
