"""A report table: a DataFrame with human headers, and what kind of figure each column holds.

Sections build `Table`s; `tables` draws them as HTML and `exports` writes them as xlsx and CSV. Money columns
hold integer minor units (Int64) of the row's `Currency`, so every renderer shows them exactly in that
currency's decimals; rates are ratios (0.5 is 50%); days are floats shown to one decimal.

A report a person reads must not grow with the data: `Table.bounded` keeps a set number of rows per currency
and one line for the rest (how many, and their sum in every money column, so each column still adds up to the
whole table's). The exports write the tables whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from billkit import frame_dtypes

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
    more_rows: the index labels of rows that stand for rows left out (`bounded`'s "N more" lines).
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
    more_rows: tuple[int, ...] = ()

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
        return replace(self, frame=self.frame.head(rows).reset_index(drop=True), more_rows=())

    def bounded(
        self,
        limit: int,
        *,
        label: str,
        noun: str,
        by: Sequence[str] = (),
        within: Sequence[str] = (),
    ) -> Table:
        """At most `limit` rows of each currency (and of each group of the `within` columns), then one line for
        the rest: "N more <noun>s" in column `label` and the rest's sum in every money column, so every money
        column still sums to the whole table's. Totals rows stay where they are.

        With `by` (money columns: the first one a row has is its size) the rows kept are the `limit` largest,
        shown in the table's own order; without, the first `limit`. A table within its bound comes back as it is.
        """
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be a positive whole number, got {limit!r}")
        unknown = [h for h in (label, *by, *within) if h not in self.frame.columns]
        if unknown:
            raise ValueError(f"table {self.name!r} has no column {', '.join(map(repr, unknown))}")
        frame = self.frame.reset_index(drop=True)
        keys = [*([CURRENCY] if CURRENCY in frame.columns else []), *within]
        total = (
            (frame[self.totals] == TOTAL).to_numpy(dtype=bool, na_value=False)
            if self.totals is not None
            else np.zeros(len(frame), dtype=bool)
        )
        data = frame.loc[~total]
        groups = [data[key].astype("string").fillna("") for key in keys] or [
            pd.Series(0, index=data.index)
        ]
        if by:
            size = pd.Series(np.nan, index=data.index)
            for header in reversed(by):  # the first column a row has wins
                size = data[header].astype("Float64").abs().astype("float64").fillna(size)
            rank = size.fillna(-1.0).groupby(groups).rank(method="first", ascending=False)
        else:
            rank = (data.groupby(groups).cumcount() + 1).astype("float64")
        hidden = (rank > limit).to_numpy()
        if not hidden.any():
            return self
        left_out = data.loc[hidden]
        hidden_groups = [group.loc[hidden] for group in groups]
        # Each "more" line goes right after the last row shown of its group.
        after = (
            data.index[~hidden].to_series().groupby([group.loc[~hidden] for group in groups]).max()
        )
        summed = left_out.groupby(hidden_groups, sort=False)
        counts = summed.size()
        more = frame.iloc[:0].reindex(range(len(counts)))
        firsts = summed.head(1).reset_index(drop=True)  # the group's key values, in `counts` order
        for key in keys:
            more[key] = firsts[key].to_numpy()
        more[label] = [f"{count:,} more {noun}{'' if count == 1 else 's'}" for count in counts]
        for header in self.money:
            sums = summed[header].sum(min_count=1).reindex(counts.index)
            more[header] = sums.to_numpy()
        shown = np.ones(len(frame), dtype=bool)
        shown[left_out.index] = False
        order = np.concatenate([frame.index[shown], after.reindex(counts.index).to_numpy() + 0.5])
        joined = pd.concat([frame.loc[shown], more], ignore_index=True)
        placed = np.argsort(order, kind="stable")
        result = joined.iloc[placed].reset_index(drop=True)
        # Whole numbers stay whole where the "more" line leaves them blank.
        whole = [h for h in frame.columns if pd.api.types.is_integer_dtype(frame[h].dtype)]
        result = result.astype(dict.fromkeys(whole, frame_dtypes.MINOR))
        more_rows = tuple(int(p) for p in np.flatnonzero(placed >= int(shown.sum())))
        return replace(self, frame=result, more_rows=more_rows)
