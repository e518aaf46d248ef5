"""Days past due and aging buckets of open bills, shared by `bills_frame` and the aging metric."""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from billkit import frame_dtypes

AGING_BUCKETS: Final = ("current", "1-30", "31-60", "61-90", "90+")
AGING_DTYPE: Final = pd.CategoricalDtype(list(AGING_BUCKETS), ordered=True)
# Upper bounds (inclusive) of "current", "1-30", "31-60" and "61-90" in days past due.
_BUCKET_EDGES: Final = np.array([0, 30, 60, 90])
_NS_PER_DAY: Final = 86_400 * 10**9


def open_mask(bills: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Bills still to be collected: status "unpaid" (so not paid, not voided) with something remaining."""
    unpaid = (bills["status"] == "unpaid").to_numpy(dtype=bool, na_value=False)
    remaining = (bills["amount_remaining"] > 0).to_numpy(dtype=bool, na_value=False)
    return unpaid & remaining


def days_past_due(due_date: pd.Series, day: pd.Timestamp) -> pd.Series:
    """Whole days from each due date to `day` (0 when due that day, negative before); NA without a due date."""
    due = due_date.to_numpy(dtype="datetime64[ns]")
    missing = np.isnat(due)
    elapsed = np.datetime64(day.as_unit("ns").value, "ns") - due
    days = elapsed.astype("int64") // _NS_PER_DAY
    return pd.Series(
        pd.arrays.IntegerArray(np.where(missing, 0, days), missing),
        index=due_date.index,
        dtype=frame_dtypes.MINOR,
    )


def aging_bucket(past_due: pd.Series, is_open: npt.NDArray[np.bool_]) -> pd.Series:
    """The aging bucket of each open bill; no due date counts as current; closed bills get NA."""
    days = past_due.to_numpy(dtype="int64", na_value=0)
    codes = np.searchsorted(_BUCKET_EDGES, days, side="left")
    codes = np.where(is_open, codes, -1)
    return pd.Series(
        pd.Categorical.from_codes(codes, dtype=AGING_DTYPE),
        index=past_due.index,
        name="aging_bucket",
    )
