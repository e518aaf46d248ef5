"""Matching payments to the objects they were applied to, by ID, through one hash lookup per call.

A report matches the same payments to the same bills many times (the day's frames, reconciliation, days to
pay, each for the day and the period before). IDs the ledger read are Arrow arrays, which never change once
made, so a lookup between two of them is remembered (the last few, each held with the arrays it was made
from): asking again costs nothing, and no other array can pass for them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from billkit import frame_dtypes
from billkit.errors import InvalidArgumentError

_REMEMBERED: Final = 6
_lock = threading.Lock()
#: (id of the keys' array, id of the values' array) -> (keys, values, positions); keys and values are held so
#: their ids cannot be reused while remembered.
_lookups: OrderedDict[tuple[int, int], tuple[object, object, npt.NDArray[np.intp]]] = OrderedDict()
#: id of an ID array -> the array: arrays known to hold no missing or repeated ID.
_unique: OrderedDict[int, object] = OrderedDict()


def _source(values: pd.Series | pd.Index) -> object | None:
    """The Arrow array behind string `values` (immutable, shared by every frame made from them), else None."""
    if values.dtype != frame_dtypes.STRING:
        return None
    source: object = values.array.__arrow_array__()
    return source


def _remember(table: OrderedDict[object, object], key: object, value: object) -> None:
    with _lock:
        table[key] = value
        table.move_to_end(key)
        while len(table) > _REMEMBERED:
            table.popitem(last=False)


def unique_index(ids: pd.Series, what: str, hint: str) -> pd.Index:
    """`ids` as an Index, refused if an ID is missing or repeated (one row per object is expected)."""
    index: pd.Index = pd.Index(ids)
    source = _source(ids)
    if source is not None and _unique.get(id(source)) is source:
        return index
    if index.hasnans:
        raise InvalidArgumentError(f"{what}: {ids.name} has missing values")
    if not index.is_unique:
        shown = ", ".join(map(str, index[index.duplicated()].unique()[:3]))
        raise InvalidArgumentError(
            f"{what} must have one row per {ids.name}, but {shown} appear more than once; "
            f"pass one version per object ({hint})"
        )
    if source is not None:
        _remember(_unique, id(source), source)  # type: ignore[arg-type]
    return index


def _arrow(values: pd.Series | pd.Index) -> pa.Array:
    found = pa.array(values.array)  # the Arrow memory behind the string dtype, not a copy
    return found.combine_chunks() if isinstance(found, pa.ChunkedArray) else found


def positions(index: pd.Index, keys: pd.Series) -> npt.NDArray[np.intp]:
    """Row position of each key in `index`, -1 where the key is missing or unknown (read-only: it may be
    shared with other callers).

    IDs held by Arrow (pandas' string dtype, as the ledger reads them) are looked up by Arrow's hash kernel,
    without making a Python string of each; anything else by pandas.
    """
    key_source, value_source = _source(keys), _source(index)
    if key_source is not None and value_source is not None:
        remembered = _lookups.get((id(key_source), id(value_source)))
        if remembered is not None and remembered[0] is key_source and remembered[1] is value_source:
            return remembered[2]
        looked_up = pc.index_in(_arrow(keys), value_set=_arrow(index))
        shared = np.asarray(pc.fill_null(looked_up, -1).to_numpy(), dtype=np.intp)
        shared.flags.writeable = False  # shared by every caller asking the same
        _remember(_lookups, (id(key_source), id(value_source)), (key_source, value_source, shared))  # type: ignore[arg-type]
        return shared
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
