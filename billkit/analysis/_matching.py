"""Matching payments to the objects they were applied to, by ID, through one hash lookup per call."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from billkit import frame_dtypes
from billkit.errors import InvalidArgumentError


def unique_index(ids: pd.Series, what: str, hint: str) -> pd.Index:
    """`ids` as an Index, refused if an ID is missing or repeated (one row per object is expected)."""
    index: pd.Index = pd.Index(ids)
    if index.hasnans:
        raise InvalidArgumentError(f"{what}: {ids.name} has missing values")
    if not index.is_unique:
        shown = ", ".join(map(str, index[index.duplicated()].unique()[:3]))
        raise InvalidArgumentError(
            f"{what} must have one row per {ids.name}, but {shown} appear more than once; "
            f"pass one version per object ({hint})"
        )
    return index


def _arrow(values: pd.Series | pd.Index) -> pa.Array:
    found = pa.array(values.array)  # the Arrow memory behind the string dtype, not a copy
    return found.combine_chunks() if isinstance(found, pa.ChunkedArray) else found


def positions(index: pd.Index, keys: pd.Series) -> npt.NDArray[np.intp]:
    """Row position of each key in `index`, -1 where the key is missing or unknown.

    IDs held by Arrow (pandas' string dtype, as the ledger reads them) are looked up by Arrow's hash kernel,
    without making a Python string of each; anything else by pandas.
    """
    if keys.dtype == frame_dtypes.STRING and index.dtype == frame_dtypes.STRING:
        looked_up = pc.index_in(_arrow(keys), value_set=_arrow(index))
        return np.asarray(pc.fill_null(looked_up, -1).to_numpy(), dtype=np.intp)
    found: npt.NDArray[np.intp] = index.get_indexer(pd.Index(keys))
    return found


def _codes(column: pd.Series, vocabulary: list[str]) -> npt.NDArray[np.int64]:
    if [str(c) for c in column.cat.categories] != vocabulary:
        column = column.cat.set_categories(vocabulary)
    return np.asarray(column.cat.codes, dtype=np.int64)


def same_currency(
    owners: pd.Series, owner_rows: npt.NDArray[np.intp], payments: pd.Series
) -> npt.NDArray[np.bool_]:
    """Whether each payment's currency equals its owner's (`owners` at `owner_rows`; False if -1 or NA)."""
    vocabulary = sorted(
        {str(c) for c in owners.cat.categories} | {str(c) for c in payments.cat.categories}
    )
    owner_codes, payment_codes = _codes(owners, vocabulary), _codes(payments, vocabulary)
    found = owner_rows >= 0
    theirs = np.full(len(owner_rows), -1, dtype=np.int64)
    theirs[found] = owner_codes[owner_rows[found]]
    result: npt.NDArray[np.bool_] = (theirs >= 0) & (theirs == payment_codes)
    return result


def bill_rows(bills: pd.DataFrame, payments: pd.DataFrame) -> npt.NDArray[np.intp]:
    """For each payment, the row of the bill it counts towards, or -1.

    A payment counts towards a bill when it names the bill (bill_id) and is in the bill's currency: amounts in
    another currency are never added to it (`reconcile_payments` flags them).
    """
    index = unique_index(bills["bill_id"], "bills", "ledger.latest('bill')")
    rows = positions(index, payments["bill_id"])
    counted = same_currency(bills["currency"], rows, payments["currency"])
    return np.where(counted, rows, -1)
