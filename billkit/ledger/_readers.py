"""SQL rows to DataFrames with explicit dtypes: one conversion per column, no per-row Python."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

import pandas as pd

from billkit import frame_dtypes
from billkit.ledger._records import TIMESTAMP_FORMAT
from billkit.ledger._schema import ColumnSpec, ColumnType


def _typed(values: pd.Series, column_type: ColumnType) -> pd.Series:
    if column_type == "timestamp":
        return pd.to_datetime(values, format=TIMESTAMP_FORMAT, utc=True).astype(
            frame_dtypes.TIMESTAMP
        )
    if column_type == "date":
        return pd.to_datetime(values, format="%Y-%m-%d").astype(frame_dtypes.DATE)
    if column_type == "minor":
        # SQLite hands back float64 when a column has NULLs; minor units stay below 2**53, so this is exact.
        return values.astype(frame_dtypes.MINOR)
    if column_type == "category":
        return values.astype(frame_dtypes.CATEGORY)
    return values.astype(frame_dtypes.STRING)


def read_typed(
    connection: sqlite3.Connection,
    sql: str,
    params: Sequence[Any],
    columns: Sequence[ColumnSpec],
    *,
    extra: Sequence[str] = (),
) -> pd.DataFrame:
    """Run `sql` (which selects `columns` in order, then `extra` raw columns) into a typed DataFrame."""
    names = [name for name, _, _ in columns]
    raw = pd.read_sql_query(sql, connection, params=list(params))
    raw.columns = pd.Index([*names, *extra])
    typed = {name: _typed(raw[name], column_type) for name, _, column_type in columns}
    typed.update({name: raw[name] for name in extra})
    return pd.DataFrame(typed, index=pd.RangeIndex(len(raw)))


def select_list(columns: Sequence[ColumnSpec]) -> str:
    return ", ".join(sql_column for _, sql_column, _ in columns)


def parse_bodies(bodies: pd.Series) -> pd.Series:
    """Stored JSON text to dicts, for callers who ask for whole bodies (metadata and the like)."""
    return pd.Series([json.loads(body) for body in bodies], index=bodies.index, dtype=object)
