"""SQL rows to DataFrames with explicit dtypes: one conversion per column, no per-value Python work.

Numbers come back as int64 with `NULL_NUMBER` for a missing value (see `_schema.select_list`), so each numeric
column is one `np.fromiter` and a mask; text goes straight into pandas' string dtype or a categorical.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import orjson
import pandas as pd
from pandas.api.types import union_categoricals

from billkit import frame_dtypes
from billkit.ledger._schema import NULL_NUMBER, ColumnSpec, ColumnType

_NS_PER_US: Final = 1000
#: Rows fetched and typed at a time.
CHUNK_ROWS: Final = 131_072
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


def _combined(parts: list[Any]) -> Any:
    """One column's typed chunks as one array (categories united, not re-read as text)."""
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    if isinstance(first, pd.Categorical):
        return union_categoricals(parts)
    if isinstance(first, np.ndarray):
        return np.concatenate(parts)
    return type(first)._concat_same_type(parts)


def read_typed(
    connection: Any,
    sql: str,
    params: Sequence[Any],
    columns: Sequence[ColumnSpec],
    *,
    extra: Sequence[str] = (),
) -> pd.DataFrame:
    """Run `sql` (which selects `columns` in order, then `extra` raw columns) into a typed DataFrame.

    Rows are fetched `CHUNK_ROWS` at a time and typed at once, so only one chunk's Python objects are alive
    together: the peak memory of a million-row read stays near that of its typed columns.
    """
    cursor = connection.execute(sql, list(params))
    names = [name for name, _, _ in columns] + list(extra)
    kinds: list[ColumnType | None] = [kind for _, _, kind in columns] + [None] * len(extra)
    chunks: list[list[Any]] = [[] for _ in names]
    count = 0
    while True:
        rows = cursor.fetchmany(CHUNK_ROWS)
        if count and not rows:
            break
        count += len(rows)
        by_column = list(zip(*rows, strict=True)) if rows else [()] * len(names)
        for index, kind in enumerate(kinds):
            values = by_column[index]
            chunks[index].append(
                np.array(values, dtype=object) if kind is None else _typed(values, kind)
            )
        if len(rows) < CHUNK_ROWS:
            break
    typed = {name: _combined(parts) for name, parts in zip(names, chunks, strict=True)}
    return pd.DataFrame(typed, index=pd.RangeIndex(count), copy=False)


def load_body(body: str) -> Any:
    """One stored JSON text as data; the rare body orjson refuses (a `\\udfff` escape) goes through json."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


def parse_bodies(bodies: pd.Series) -> pd.Series:
    """Stored JSON text to dicts, for callers who ask for whole bodies (metadata and the like)."""
    return pd.Series([load_body(body) for body in bodies], index=bodies.index, dtype=object)
