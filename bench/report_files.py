"""How fast billkit reads and imports a reconciliation report of 100,000 rows, against the floor of merely
splitting the same bytes with the csv module and building a plain DataFrame of strings (`pd.DataFrame(rows)`).

The file is written here as text in Moment's layout (15 columns, two currencies, a Refund row in ten). Each side
runs `--rounds` times, interleaved; the medians are compared.

    .venv/bin/python bench/report_files.py [--rows 100000] [--rounds 3]

Prints seconds for the floor, `read_reconciliation`, and `Ledger.import_report` into a new SQLite file, and
the ratios read / floor (target: at most 6) and import / floor.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from billkit import Ledger
from billkit.reportfiles import read_reconciliation

TARGET_RATIO = 6.0
NAME = "20250102_Moment_Recon_bench-0001_20250101.csv"
HEADER = (
    "Report Title,Moment Merchant Reconciliation Report\r\nVersion,1.0\r\nMerchant alias,acme\r\n"
    "From,Start Date,2025-01-01T00:00:00Z\r\nTo,End Date,2025-01-02T00:00:00Z\r\n\r\n"
    "transaction_type,transaction_timestamp,reconciliation_id,merchant_reference_id,payment_method,"
    "payment_method_tender,customer_reference,country,currency,amount,fee,net_amount,payment_id,"
    "obligation_id,channel\r\n"
)


def report_bytes(rows: int) -> bytes:
    lines = [HEADER]
    for number in range(rows):
        kind, sign = ("Refund", "-") if number % 10 == 9 else ("Payment", "")
        currency = "USD" if number % 7 == 0 else "ZAR"
        amount = f"{sign}{100 + number % 5000}.{number % 100:02d}"
        lines.append(
            f"{kind},2025-01-01T{number % 24:02d}:{number % 60:02d}:{number % 59:02d}Z,"
            f"{number:024x},B-{number},Card,Card,C-{number % 999},ZA,{currency},{amount},0.00,{amount},"
            f"pay_{number:021d},bill_{number:021d},api\r\n"
        )
    return "".join(lines).encode()


def floor(data: bytes) -> None:
    text = data.decode("utf-8")
    table = list(csv.reader(io.StringIO(text, newline="")))[7:]
    pd.DataFrame(table)


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    data = report_bytes(args.rows)
    times: dict[str, list[float]] = {"floor": [], "read": [], "import": []}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / NAME
        path.write_bytes(data)
        for round_number in range(args.rounds):
            times["floor"].append(timed(lambda: floor(data)))
            times["read"].append(timed(lambda: read_reconciliation(path)))
            with Ledger(Path(folder) / f"ledger{round_number}.sqlite") as ledger:
                times["import"].append(timed(lambda: ledger.import_report(path)))
    medians = {side: statistics.median(values) for side, values in times.items()}
    read_ratio = medians["read"] / medians["floor"]
    print(f"{args.rows:,} rows, {len(data) / 1e6:.1f} MB, median of {args.rounds} rounds")
    for side, seconds in medians.items():
        print(f"  {side:>6}: {seconds:.3f} s ({args.rows / seconds:,.0f} rows/s)")
    print(f"  read / floor: {read_ratio:.2f} (target: at most {TARGET_RATIO:g})")
    print(f"  import / floor: {medians['import'] / medians['floor']:.2f}")
    if read_ratio > TARGET_RATIO:
        raise SystemExit(
            f"reading is {read_ratio:.2f}x the floor, over the target {TARGET_RATIO:g}"
        )


if __name__ == "__main__":
    main()
