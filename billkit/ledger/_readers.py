"""SQL rows to DataFrames with explicit dtypes: one conversion per column, no per-value Python work.

Numbers come back as int64 with `NULL_NUMBER` for a missing value (see `_schema.select_list`), so each numeric
column is one `np.fromiter` and a mask; text goes straight into pandas' string dtype or a categorical.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import orjson
import pandas as pd

from billkit import frame_dtypes
from billkit.ledger._schema import NULL_NUMBER, ColumnSpec, ColumnType

_NS_PER_US: Final = 1000
_NS_PER_DAY: Final = 86_400 * 10**9


def _numbers(values: tuple[Any, ...]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    array = np.fromiter(values, dtype=np.int64, count=len(values))
    return array, array == NULL_NUMBER


def _typed(values: tuple[Any, ...], column_type: ColumnType) -> Any:
    if column_type in ("id", "text"):
        return pd.array(values, dtype=frame_dtypes.STRING)
    if column_type == "category":
        return pd.Categorical(values)
    numbers, missing = _numbers(values)
    if column_type == "minor":
        return pd.arrays.IntegerArray(np.where(missing, 0, numbers), missing)
    if column_type == "flag":
        return numbers == 1
    scale = _NS_PER_US if column_type == "timestamp" else _NS_PER_DAY
    nanoseconds = np.where(missing, np.iinfo(np.int64).min, numbers * scale).view("datetime64[ns]")
    if column_type == "timestamp":
        return pd.DatetimeIndex(nanoseconds).tz_localize("UTC").array
    return nanoseconds


def read_typed(
    connection: sqlite3.Connection,
    sql: str,
    params: Sequence[Any],
    columns: Sequence[ColumnSpec],
    *,
    extra: Sequence[str] = (),
) -> pd.DataFrame:
    """Run `sql` (which selects `columns` in order, then `extra` raw columns) into a typed DataFrame."""
    rows = connection.execute(sql, list(params)).fetchall()
    width = len(columns) + len(extra)
    by_column: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if rows else [()] * width
    typed = {
        name: _typed(by_column[index], column_type)
        for index, (name, _, column_type) in enumerate(columns)
    }
    for offset, name in enumerate(extra):
        typed[name] = pd.Series(by_column[len(columns) + offset], dtype=object)
    frame = pd.DataFrame(typed, index=pd.RangeIndex(len(rows)), copy=False)
    return frame


def parse_bodies(bodies: pd.Series) -> pd.Series:
    """Stored JSON text to dicts, for callers who ask for whole bodies (metadata and the like)."""
    return pd.Series([orjson.loads(body) for body in bodies], index=bodies.index, dtype=object)
