"""The report's tables as people read them: major-unit amounts with their currency's decimals, ratios as
percentages. Only the display changes; the frame underneath (and every recorded figure) keeps its values.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Final

import pandas as pd
from pandas.io.formats.style import Styler

from billkit import frame_money
from billkit.errors import InvalidArgumentError

__all__ = ["PERCENT_COLUMNS", "styled"]

#: Ratio columns (0..1, or more for an overpaid rate) shown as percentages.
PERCENT_COLUMNS: Final = frozenset({"share", "rate"})
_MISSING: Final = "—"  # em dash: a missing figure, not a zero


def styled(frame: pd.DataFrame) -> Styler:
    """`frame` with every `*_major` column shown in its row's currency decimals and ratios as percentages.

    Needs a `currency` column when `frame` has `*_major` columns, since decimals differ per currency.
    """
    majors: list[Hashable] = [c for c in frame.columns if str(c).endswith("_major")]
    percents: list[Hashable] = [c for c in frame.columns if c in PERCENT_COLUMNS]
    styler = frame.style.format("{:.1%}", subset=percents, na_rep=_MISSING)
    if not majors:
        return styler
    if "currency" not in frame.columns:
        raise InvalidArgumentError(
            f"a table with {', '.join(map(str, majors))} needs a 'currency' column to show decimals"
        )
    currencies = frame["currency"].astype("string")
    for currency in currencies.dropna().unique():
        rows = (currencies == currency).to_numpy(dtype=bool, na_value=False)
        decimals = frame_money.exponent(str(currency))
        styler = styler.format(f"{{:,.{decimals}f}}", subset=(rows, majors), na_rep=_MISSING)
    return styler
