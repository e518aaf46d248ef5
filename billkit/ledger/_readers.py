"""SQL rows to typed DataFrames through a columnar read: the database writes CSV, pyarrow parses it.

A million-row read through a cursor makes a Python tuple per row and an object per value, and then again a
column per field: most of a read's time. Instead the database renders the selected columns as CSV text (SQLite
with `printf` and `group_concat`, a chunk of rows per query; PostgreSQL with `COPY ... TO STDOUT`), and
`pyarrow.csv` parses that into typed columns in C, which become pandas arrays without a Python object per value
(strings stay in Arrow memory, pandas' `string` dtype). The column types are given, never guessed; text is
always quoted, so an empty text is not a missing one, and a missing number is an empty field.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from billkit import frame_dtypes
from billkit.ledger._schema import ColumnSpec

_NS_PER_US: Final = 1000
_NS_PER_DAY: Final = 86_400 * 10**9
_NO_TIME: Final = np.iinfo(np.int64).min
#: Rows rendered and parsed at a time (SQLite: one `group_concat` each; far below its 1 GB string limit).
CHUNK_ROWS: Final = 262_144
#: The column types that are text in SQL (quoted in the CSV); every other type is an integer.
TEXT_TYPES: Final = frozenset({"id", "text", "category"})
#: An extra column that is an integer read as it is (such as `seq`).
RAW_INTEGER: Final = "integer"
#: The memory the parsed columns live in. Arrow's default pool (mimalloc) hands the pages of each parsed chunk
#: back to the kernel and faults them in again for the next: at 1M rows that was as much system time as the
#: whole read's user time. The C library's allocator keeps them.
POOL: Final = pa.system_memory_pool()


def sqlite_chunks(connection: sqlite3.Connection, query: str, params: list[Any]) -> Iterator[bytes]:
    """The CSV blobs of a SQLite columnar read, `CHUNK_ROWS` rows each, in rowid order."""
    after = -(2**63)
    while True:
        blob, last, count = connection.execute(query, [*params, after, CHUNK_ROWS]).fetchone()
        if count:
            yield blob
        if count < CHUNK_ROWS:
            return
        after = last


def csv_types(columns: Sequence[ColumnSpec]) -> dict[str, pa.DataType]:
    return {name: pa.string() if kind in TEXT_TYPES else pa.int64() for name, _, kind in columns}


def parse_csv(
    blobs: Iterable[bytes], columns: Sequence[ColumnSpec], quote: str, nulls: Sequence[str]
) -> pa.Table:
    """CSV rendered by the database (blobs of whole lines) as one typed Arrow table; `quote` is the
    backend's quote character, `nulls` the unquoted fields that mean a missing value."""
    names = [name for name, _, _ in columns]
    # One thread: the parse is a small part of a read, and on a busy machine Arrow's threads spent six
    # times its CPU time waiting for each other.
    read = pa_csv.ReadOptions(column_names=names, use_threads=False)
    parse = pa_csv.ParseOptions(quote_char=quote, double_quote=True, newlines_in_values=True)
    convert = pa_csv.ConvertOptions(
        column_types=csv_types(columns),
        null_values=list(nulls),
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,  # '' (quoted) is an empty text; an empty field is missing
    )
    tables = [
        pa_csv.read_csv(pa.py_buffer(blob), read, parse, convert, memory_pool=POOL)
        for blob in blobs
        if blob
    ]
    if not tables:
        return pa.table(
            {name: pa.array([], type=kind) for name, kind in csv_types(columns).items()}
        )
    return pa.concat_tables(tables, memory_pool=POOL) if len(tables) > 1 else tables[0]


def _integers(column: pa.ChunkedArray) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    values = pc.fill_null(column, 0).to_numpy().astype(np.int64, copy=False)
    missing = column.is_null().to_numpy(zero_copy_only=False)
    return values, missing


def _categorical(column: pa.ChunkedArray) -> Any:
    """Text with few distinct values as a categorical with sorted categories, encoded by Arrow."""
    encoded = pc.dictionary_encode(column.combine_chunks(memory_pool=POOL), memory_pool=POOL)
    dictionary = encoded.dictionary.to_pylist()
    order = np.argsort(np.array(dictionary, dtype=object)) if dictionary else np.array([], int)
    remap = np.empty(len(dictionary), dtype=np.int64)
    remap[order] = np.arange(len(dictionary))
    codes = pc.fill_null(encoded.indices, -1).to_numpy().astype(np.int64)
    known = codes >= 0
    codes[known] = remap[codes[known]]
    categories = pd.Index([dictionary[i] for i in order], dtype=str)  # as pd.Categorical(texts)
    return pd.Categorical.from_codes(codes, dtype=pd.CategoricalDtype(categories))


def _typed(column: pa.ChunkedArray, column_type: str) -> Any:
    if column_type in ("id", "text"):
        return pd.array(column, dtype=frame_dtypes.STRING)  # Arrow memory, no copy
    if column_type == "category":
        return _categorical(column)
    numbers, missing = _integers(column)
    if column_type == RAW_INTEGER:
        return numbers
    if column_type == "minor":
        return pd.arrays.IntegerArray(numbers, missing)
    if column_type == "flag":
        return numbers == 1
    scale = _NS_PER_US if column_type == "timestamp" else _NS_PER_DAY
    nanoseconds = np.where(missing, _NO_TIME, numbers * scale).view("datetime64[ns]")
    if column_type == "timestamp":
        return pd.DatetimeIndex(nanoseconds).tz_localize("UTC").array
    return nanoseconds


def _in_order(column: pa.ChunkedArray) -> bool:
    """Whether a numeric column strictly increases (such as `seq`): then no sort is needed."""
    if column.null_count or not pa.types.is_integer(column.type):
        return False
    values = column.to_numpy()
    return bool(np.all(values[1:] > values[:-1]))


def typed_frame(
    table: pa.Table, columns: Sequence[ColumnSpec], order_by: Sequence[str] = ()
) -> pd.DataFrame:
    """The Arrow `table` of `columns` as a DataFrame with billkit's dtypes, sorted by `order_by` first.

    Sorting here (byte order of text, missing values last) rather than in SQL gives one order on every
    backend, whatever its collation.
    """
    if order_by and table.num_rows > 1 and not _in_order(table.column(order_by[0])):
        keys = [(name, "ascending") for name in order_by]
        order = pc.sort_indices(table, sort_keys=keys, memory_pool=POOL)
        if not bool(pc.all(pc.equal(order, pa.array(np.arange(table.num_rows)))).as_py()):
            table = pc.take(table, order, memory_pool=POOL)
    typed = {name: _typed(table.column(name), kind) for name, _, kind in columns}
    return pd.DataFrame(typed, index=pd.RangeIndex(table.num_rows), copy=False)


def load_body(body: str) -> Any:
    """One stored JSON text as data; the rare body orjson refuses (a `\\udfff` escape) goes through json."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


def parse_bodies(bodies: pd.Series) -> pd.Series:
    """Stored JSON text to dicts, for callers who ask for whole bodies (metadata and the like)."""
    return pd.Series([load_body(body) for body in bodies], index=bodies.index, dtype=object)
