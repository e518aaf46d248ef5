"""A report table: a DataFrame with human headers, and what kind of figure each column holds.

Sections build `Table`s; `present` draws them as HTML and `exports` writes them as xlsx and CSV. Money columns
hold integer minor units (Int64) of the row's `Currency`, so every renderer shows them exactly in that
currency's decimals; rates are ratios (0.5 is 50%); days are floats shown to one decimal.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

__all__ = ["CURRENCY", "TOTAL", "Table"]

#: The header of the currency column every money table has.
CURRENCY = "Currency"
#: The label of a totals row, in the table's first text column.
TOTAL = "Total"


@dataclass(frozen=True)
class Table:
    """One table of the report.

    name: a short identifier (sheet and file names). title: its heading. frame: the rows, human headers, no
    meaningful index. money / percent / days / dates / counts: the headers of columns of each kind. empty: the
    sentence shown instead of the table when it has no rows. totals: the header of the column whose value
    `Total` marks totals rows (bold), if any. wide: headers of long text (IDs) that may wrap anywhere.
    """

    name: str
    title: str
    frame: pd.DataFrame
    empty: str
    money: tuple[str, ...] = ()
    percent: tuple[str, ...] = ()
    days: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    counts: tuple[str, ...] = ()
    totals: str | None = None
    wide: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        declared = (*self.money, *self.percent, *self.days, *self.dates, *self.counts, *self.wide)
        missing = [header for header in declared if header not in self.frame.columns]
        if missing:
            raise ValueError(f"table {self.name!r} declares columns it lacks: {', '.join(missing)}")
        if self.money and CURRENCY not in self.frame.columns:
            raise ValueError(f"table {self.name!r} has money columns but no {CURRENCY!r} column")

    @property
    def is_empty(self) -> bool:
        return self.frame.empty

    def head(self, rows: int) -> Table:
        """The first `rows` rows (a worklist's top N); the full table stays for the exports."""
        return replace(self, frame=self.frame.head(rows).reset_index(drop=True))
