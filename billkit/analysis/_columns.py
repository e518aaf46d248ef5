"""Checking and coercing the frames analysis functions are given, so bad input fails early and by name.

Each function declares the columns it needs and their kinds; `coerce` checks they exist and brings them to
billkit's dtypes (a no-op when they already are, as with frames from the ledger), and names the column and
function when a value cannot be read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, TypeAlias

import pandas as pd

from billkit import frame_dtypes
from billkit.errors import InvalidArgumentError

Kind: TypeAlias = Literal["id", "category", "minor", "date", "timestamp"]
Schema: TypeAlias = Mapping[str, Kind]

BILLS: Schema = {
    "bill_id": "id",
    "customer_id": "id",
    "account_id": "id",
    "currency": "category",
    "status": "category",
    "amount_due": "minor",
    "amount_paid": "minor",
    "amount_remaining": "minor",
    "bill_date": "date",
    "due_date": "date",
}
EVENTS: Schema = {
    "event_id": "id",
    "type": "category",
    "created_at": "timestamp",
    "data_id": "id",
    "payment_id": "id",
    "amount": "minor",
    "currency": "category",
    "bill_id": "id",
    "account_id": "id",
    "customer_id": "id",
}
PAYMENTS: Schema = {
    "event_id": "id",
    "payment_id": "id",
    "obligation_type": "category",
    "obligation_id": "id",
    "bill_id": "id",
    "account_id": "id",
    "customer_id": "id",
    "amount": "minor",
    "currency": "category",
    "created_at": "timestamp",
}


def _has_kind(dtype: object, kind: Kind) -> bool:
    """Whether a column of `dtype` is already in the dtype `kind` maps to (then coercion is skipped: no copy)."""
    if kind == "id":
        return dtype == frame_dtypes.STRING
    if kind == "category":
        return isinstance(dtype, pd.CategoricalDtype)
    if kind == "minor":
        return dtype == frame_dtypes.MINOR
    if kind == "date":
        return dtype == frame_dtypes.DATE
    return dtype == frame_dtypes.TIMESTAMP


def _coerced(values: pd.Series, kind: Kind) -> pd.Series:
    if kind == "id":
        return values.astype(frame_dtypes.STRING)
    if kind == "category":
        return values.astype(frame_dtypes.CATEGORY)
    if kind == "minor":
        if pd.api.types.is_float_dtype(values.dtype):
            whole = values.dropna()
            if not (whole == whole.round()).all():
                raise ValueError("amounts must be whole numbers of minor units")
        return values.astype(frame_dtypes.MINOR)
    if kind == "date":
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            raise ValueError("dates must be calendar dates, not instants with a time zone")
        dates: pd.Series = (
            values.dt.normalize()
            if pd.api.types.is_datetime64_dtype(values.dtype)
            else pd.to_datetime(values, format="%Y-%m-%d")
        )
        return dates.astype(frame_dtypes.DATE)
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        instants: pd.Series = values.dt.tz_convert("UTC")
    elif pd.api.types.is_datetime64_dtype(values.dtype):
        raise ValueError("timestamps need a time zone (UTC for Moment's times)")
    else:
        instants = pd.to_datetime(values, format="ISO8601", utc=True)
    return instants.astype(frame_dtypes.TIMESTAMP)


def coerce(frame: pd.DataFrame, schema: Schema, what: str) -> pd.DataFrame:
    """`frame` with `schema`'s columns in billkit dtypes; other columns are kept as they are."""
    if not isinstance(frame, pd.DataFrame):
        raise InvalidArgumentError(f"{what} must be a pandas DataFrame, not {type(frame).__name__}")
    missing = [column for column in schema if column not in frame.columns]
    if missing:
        raise InvalidArgumentError(
            f"{what} is missing column(s) {', '.join(missing)}; it has: "
            + (", ".join(map(str, frame.columns)) or "no columns")
        )
    converted: dict[str, pd.Series] = {}
    # One look at the dtypes: selecting each column to read its dtype costs more than the check itself.
    dtypes = frame.dtypes
    for column, kind in schema.items():
        if _has_kind(dtypes[column], kind):
            continue
        try:
            converted[column] = _coerced(frame[column], kind)
        except (ValueError, TypeError) as exc:
            raise InvalidArgumentError(
                f"{what}: column {column!r} cannot be read as {kind}: {exc}"
            ) from None
    return frame.assign(**converted) if converted else frame


def require_values(frame: pd.DataFrame, columns: tuple[str, ...], what: str) -> None:
    """Refuse a frame with missing values in any of `columns`."""
    for column in columns:
        missing = int(frame[column].isna().sum())
        if missing:
            raise InvalidArgumentError(f"{what}: column {column!r} has {missing} missing value(s)")
