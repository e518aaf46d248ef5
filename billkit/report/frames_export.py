"""The as-of frames for BI tools: bills, payments and balances of one day, as Parquet (pyarrow) and CSV.

`SCHEMA` is the contract (documented in docs/exports.md): per file, each column's name, Arrow type and meaning.
Amounts are integer minor units (`amount_due`) and exact decimals in major units (`amount_due_major`,
decimal128 with 4 places, enough for every ISO 4217 currency); dates are calendar dates; instants are UTC.
`write_frames` writes `bills`, `payments` and `balances` in each format plus `as_of.json` saying which day,
time zone and cutoff they are for. Files appear only when all are written (staged, then moved).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Final

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from billkit.analysis import _as_of
from billkit.analysis.point_in_time import AsOfFrames
from billkit.money import to_major

__all__ = ["FORMATS", "SCHEMA", "arrow_tables", "write_frames"]

FORMATS: Final = ("parquet", "csv")
_MAJOR: Final = pa.decimal128(22, 4)
_INSTANT: Final = pa.timestamp("us", tz="UTC")

#: file -> (column, Arrow type, meaning)
SCHEMA: Final[Mapping[str, tuple[tuple[str, pa.DataType, str], ...]]] = {
    "bills": (
        ("bill_id", pa.string(), "Moment's bill ID (bill_...)"),
        ("external_reference", pa.string(), "your reference for the bill"),
        ("customer_id", pa.string(), "the customer billed (bcus_...), if billed to a customer"),
        ("account_id", pa.string(), "the account billed (bacc_...), if billed to an account"),
        ("currency", pa.string(), "ISO 4217 code"),
        ("status", pa.string(), "unpaid, paid or voided, as of the day"),
        ("amount_due", pa.int64(), "minor units"),
        ("amount_paid", pa.int64(), "minor units paid by the end of the day"),
        ("amount_remaining", pa.int64(), "minor units still owed at the end of the day"),
        ("amount_due_major", _MAJOR, "amount_due in major units, exact"),
        ("amount_paid_major", _MAJOR, "amount_paid in major units, exact"),
        ("amount_remaining_major", _MAJOR, "amount_remaining in major units, exact"),
        ("bill_date", pa.date32(), "the bill's date"),
        ("due_date", pa.date32(), "the bill's due date"),
        ("is_open", pa.bool_(), "unpaid with something remaining"),
        (
            "days_past_due",
            pa.int32(),
            "the day minus due_date for open bills (negative: not yet due)",
        ),
        ("aging_bucket", pa.string(), "current, 1-30, 31-60, 61-90 or 90+ for open bills"),
    ),
    "payments": (
        ("payment_id", pa.string(), "the payment (pay_...); each appears once"),
        ("event_id", pa.string(), "its earliest obligation.amount_applied event"),
        ("obligation_type", pa.string(), "bill, account or customer"),
        ("obligation_id", pa.string(), "the bill, account or customer it was applied to"),
        ("bill_id", pa.string(), "the bill, for a bill payment"),
        ("account_id", pa.string(), "the account named by the event"),
        ("customer_id", pa.string(), "the customer named by the event"),
        ("currency", pa.string(), "ISO 4217 code"),
        ("amount", pa.int64(), "minor units"),
        ("amount_major", _MAJOR, "amount in major units, exact"),
        ("created_at", _INSTANT, "when it was applied (UTC)"),
        ("local_day", pa.date32(), "created_at's calendar day in the export's time zone"),
        ("events", pa.int32(), "how many events carried it (more than 1: replayed)"),
        ("replayed", pa.bool_(), "seen again under another event; counted once"),
    ),
    "balances": (
        ("entity", pa.string(), "customer or account"),
        ("entity_id", pa.string(), "the customer's or account's ID"),
        ("customer_id", pa.string(), "the customer (for an account: its owner)"),
        ("account_id", pa.string(), "the account, for an account balance"),
        ("name", pa.string(), "the customer's or account's name"),
        ("currency", pa.string(), "ISO 4217 code"),
        ("balance", pa.int64(), "minor units owed (negative: credit) at the end of the day"),
        ("balance_major", _MAJOR, "balance in major units, exact"),
    ),
}


def _majors(minor: pd.Series, currency: pd.Series) -> list[Decimal | None]:
    return [
        None if pd.isna(amount) or pd.isna(code) else to_major(int(amount), str(code))
        for amount, code in zip(minor, currency, strict=True)
    ]


def _columns(day: AsOfFrames) -> dict[str, dict[str, object]]:
    bills, payments, balances = day.bills, day.payments, day.balances
    return {
        "bills": {
            **{c: bills[c] for c in ("bill_id", "external_reference", "customer_id", "account_id")},
            "currency": bills["currency"].astype("string"),
            "status": bills["status"].astype("string"),
            **{c: bills[c] for c in ("amount_due", "amount_paid", "amount_remaining")},
            **{
                f"{c}_major": _majors(bills[c], bills["currency"])
                for c in ("amount_due", "amount_paid", "amount_remaining")
            },
            "bill_date": bills["bill_date"].dt.date,
            "due_date": bills["due_date"].dt.date,
            "is_open": bills["is_open"],
            "days_past_due": bills["days_past_due"],
            "aging_bucket": bills["aging_bucket"].astype("string"),
        },
        "payments": {
            **{c: payments[c] for c in ("payment_id", "event_id")},
            "obligation_type": payments["obligation_type"].astype("string"),
            **{c: payments[c] for c in ("obligation_id", "bill_id", "account_id", "customer_id")},
            "currency": payments["currency"].astype("string"),
            "amount": payments["amount"],
            "amount_major": _majors(payments["amount"], payments["currency"]),
            "created_at": payments["created_at"],
            "local_day": _as_of.local_days(payments["created_at"], day.tz).dt.date,
            "events": payments["events"],
            "replayed": payments["replayed"],
        },
        "balances": {
            "entity": balances["entity"].astype("string"),
            **{c: balances[c] for c in ("entity_id", "customer_id", "account_id")},
            "name": balances["label"],
            "currency": balances["currency"].astype("string"),
            "balance": balances["balance"],
            "balance_major": _majors(balances["balance"], balances["currency"]),
        },
    }


def arrow_tables(day: AsOfFrames) -> dict[str, pa.Table]:
    """The day's frames as Arrow tables in exactly `SCHEMA`'s columns and types."""
    tables = {}
    for name, values in _columns(day).items():
        fields = SCHEMA[name]
        schema = pa.schema([pa.field(column, kind) for column, kind, _ in fields])
        arrays = [pa.array(_plain(values[column]), type=kind) for column, kind, _ in fields]
        tables[name] = pa.Table.from_arrays(arrays, schema=schema)
    return tables


def _plain(values: object) -> list[object]:
    """Python values with None for every missing one (pandas' NA, NaT and NaN alike)."""
    items = values.tolist() if isinstance(values, pd.Series) else list(values)  # type: ignore[call-overload]
    return [None if item is None or (not isinstance(item, Decimal) and pd.isna(item)) else item
            for item in items]  # fmt: skip


def write_frames(day: AsOfFrames, out: Path, *, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write the day's bills, payments and balances into `out` in each of `formats`, and `as_of.json`."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown export format(s) {', '.join(unknown)}: use {', '.join(FORMATS)}")
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix=".billkit-export-", dir=out) as staging:
        staged = Path(staging)
        for name, table in arrow_tables(day).items():
            if "parquet" in formats:
                pq.write_table(table, staged / f"{name}.parquet")
            if "csv" in formats:
                pa_csv.write_csv(table, staged / f"{name}.csv")
        about = {
            "as_of": day.day.isoformat(),
            "timezone": day.tz,
            "cutoff": day.at.cutoff.isoformat(),
            "files": {name: [f"{name}.{f}" for f in formats] for name in SCHEMA},
        }
        (staged / "as_of.json").write_text(json.dumps(about, indent=2) + "\n", encoding="utf-8")
        for path in sorted(staged.iterdir()):
            target = out / path.name
            shutil.move(path, target)
            written.append(target)
    return written
