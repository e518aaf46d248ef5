"""The results file the sandbox writes for every billing file (contract §9), read and written here.

`/outbound/results/<input name without .csv>.results.csv` has one row per input row: `row` (1 = the first
data row; 0 for a file rejected whole), `external_reference`, `bill_reference`, `status` (`created`,
`updated`, `unchanged`, `rejected`), `customer_id`, `bill_id` and `errors` (`field: message; ...`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import pandas as pd

__all__ = ["RESULT_COLUMNS", "STATUSES", "read_results", "summarize", "write_results"]

RESULT_COLUMNS = (
    "row",
    "external_reference",
    "bill_reference",
    "status",
    "customer_id",
    "bill_id",
    "errors",
)
STATUSES = ("created", "updated", "unchanged", "rejected")

ResultRow = tuple[int, str, str, str, str, str, str]


def write_results(rows: Iterable[ResultRow], out: IO[str], *, header: bool = True) -> None:
    """Write results rows (in `RESULT_COLUMNS` order) as RFC 4180 CSV to a text stream; `header=False`
    to append to what was written before."""
    writer = csv.writer(out, lineterminator="\r\n")
    if header:
        writer.writerow(RESULT_COLUMNS)
    writer.writerows(rows)


def read_results(source: str | Path | bytes) -> pd.DataFrame:
    """A results file (its path or its bytes) as a DataFrame; every column text except `row`."""
    data = io.BytesIO(source) if isinstance(source, bytes) else source
    frame = pd.read_csv(data, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [column for column in RESULT_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"not a billing results file: column(s) {', '.join(missing)} missing")
    return frame.astype({"row": "int64"})


def summarize(results: pd.DataFrame) -> dict[str, int]:
    """How many rows ended in each status: `{"created": 3, "updated": 0, "unchanged": 1, "rejected": 1}`."""
    counts = results["status"].value_counts()
    return {status: int(counts.get(status, 0)) for status in STATUSES}
