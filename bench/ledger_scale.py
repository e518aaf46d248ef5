"""How fast the ledger records and reads: 1M bills and 1M payment events, against plain sqlite3 in the same run.

    .venv/bin/python bench/ledger_scale.py [--bills 1000000] [--report] [--records 2] [--reads 3]

Each phase runs in a fresh subprocess, so its peak memory (ru_maxrss) is its own:

* record: `Ledger.record_objects("bill", ...)` and `Ledger.record_events(...)` of API-shaped dicts, in batches
  of 100,000 (built outside the timed region), into a new ledger file. Baseline: the very rows the ledger
  writes, already prepared, with plain `executemany` of a plain INSERT into the same tables, one transaction
  per batch.
* read: `Ledger.as_of(day, tz=...)`, the frames every report starts from (every state of every bill, customer
  and account, every payment event). Baseline: a plain cursor `fetchall()` of the same columns of the same
  rows (`_schema.AS_OF_KIND_COLUMNS`, `AS_OF_EVENT_COLUMNS`), by the same plan, with nothing made of them.
* report (with `--report`): `billkit report --source LEDGER` end to end, kernel and HTML included: wall time,
  CPU time of every process, the peak memory of the largest one, and the HTML's size.

Each phase's wall time and CPU time (every thread of the process) are measured; the ratios are of CPU time,
which a shared, loaded machine disturbs far less than wall time (both are printed, with the load average).
The recordings run `--records` times each and the reads `--reads` times each, alternated with their baseline;
the fastest of each counts.

Targets: record <= 10 s and read <= 5 s at 1M, peak memory <= 2 GiB, each <= 1.5x its baseline; the report
<= 30 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

AS_OF = "2025-03-01"
TZ = "Africa/Johannesburg"
BATCH = 100_000
TARGETS = {"record": 10.0, "read": 5.0}
TARGET_RATIO = 1.5
TARGET_BYTES = 2 * 1024**3
TARGET_REPORT_SECONDS = 30.0
OBSERVED = dt.datetime(2025, 3, 1, 6, tzinfo=dt.UTC)


def _bill(number: int, rng: random.Random) -> dict[str, Any]:
    amount_due = rng.randint(1_000, 500_000)
    paid = amount_due if number % 3 else amount_due // 3
    bill_date = dt.date(2025, 3, 1) - dt.timedelta(days=number % 180)
    bill: dict[str, Any] = {
        "id": f"bill_{number:021d}",
        "external_reference": f"INV{number}",
        "customer_id": f"bcus_{number % 100_000:021d}",
        "currency": "ZAR" if number % 5 else "USD",
        "status": "paid" if paid == amount_due else "unpaid",
        "amount_due": amount_due,
        "amount_paid": paid,
        "amount_remaining": amount_due - paid,
        "bill_date": bill_date.isoformat(),
        "due_date": (bill_date + dt.timedelta(days=30)).isoformat(),
        "payment_rules": {
            "min_amount": 100,
            "max_amount": amount_due,
            "underpayment_allowed": True,
            "overpayment_allowed": False,
        },
    }
    if number % 2:
        bill["account_id"] = f"bacc_{number % 50_000:021d}"
    return bill


def _event(bill: dict[str, Any], number: int) -> dict[str, Any]:
    day = dt.date.fromisoformat(bill["bill_date"]) + dt.timedelta(days=number % 20)
    at = f"{min(day, dt.date(2025, 2, 28)).isoformat()}T{8 + number % 9:02d}:{number % 60:02d}:00Z"
    return {
        "id": f"evt_{number:021d}",
        "type": "obligation.amount_applied",
        "data": {
            "id": f"ob_{number:021d}",
            "amount": bill["amount_paid"],
            "currency": bill["currency"],
            "payment_id": f"pay_{number:021d}",
            "bill_id": bill["id"],
            "customer_id": bill["customer_id"],
            "metadata": {"utm_source": "sms"},
            "created_at": at,
            "updated_at": at,
        },
    }


def batches(size: int) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """`size` bills and one payment event each, `BATCH` at a time (the same every run)."""
    rng = random.Random(7)
    for first in range(0, size, BATCH):
        bills = [_bill(number, rng) for number in range(first, min(first + BATCH, size))]
        yield bills, [_event(bill, first + index) for index, bill in enumerate(bills)]


class _Clock:
    """Wall time and this process's CPU time (every thread's) over the timed regions: on a shared machine the
    CPU time is the steadier measure of the work done, the wall time what a user waits."""

    def __init__(self) -> None:
        self.seconds = self.cpu_seconds = 0.0

    def __enter__(self) -> None:
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    def __exit__(self, *exc: object) -> None:
        self.seconds += time.perf_counter() - self._wall
        self.cpu_seconds += time.process_time() - self._cpu

    def result(self) -> dict[str, float]:
        return {"seconds": self.seconds, "cpu_seconds": self.cpu_seconds}


def _peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


def record(size: int, path: Path) -> dict[str, float]:
    from billkit.ledger import Ledger

    clock = _Clock()
    with Ledger(path) as ledger:
        for bills, events in batches(size):
            with clock:
                ledger.record_objects("bill", bills, OBSERVED)
                ledger.record_events(events, OBSERVED)
        again = batches(min(size, BATCH))
        bills, events = next(again)
        started = time.perf_counter()
        repeats = ledger.record_objects("bill", bills, OBSERVED) + ledger.record_events(events)
        repeat_seconds = time.perf_counter() - started
    if repeats:
        raise SystemExit(f"recording the same batch again wrote {repeats} rows: not idempotent")
    return clock.result() | {"repeat_batch_seconds": repeat_seconds}


def record_baseline(size: int, path: Path) -> dict[str, float]:
    from billkit.ledger import Ledger
    from billkit.ledger import _schema as sql
    from billkit.ledger._records import event_rows, microseconds, object_rows

    Ledger(path).close()  # the same tables, indexes and pragmas
    stamp = microseconds(OBSERVED, "observed_at")
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in sql.FILE_PRAGMAS:
        connection.execute(pragma)
    clock = _Clock()
    for bills, events in batches(size):
        # The ledger's own rows, made outside the clock.
        bill_rows = object_rows("bill", bills, stamp, stamp, False)
        payment_rows = event_rows(events, stamp)
        with clock:
            for statement, rows in (
                (sql.PLAIN_INSERT_VERSION, bill_rows),
                (sql.PLAIN_INSERT_EVENT, payment_rows),
            ):
                connection.execute("BEGIN")
                connection.executemany(statement, rows)
                connection.execute("COMMIT")
    connection.close()
    return clock.result()


def read(path: Path) -> dict[str, float]:
    import billkit.analysis.point_in_time  # noqa: F401  (imported before the clock starts, as a notebook has)
    from billkit.ledger import Ledger

    clock = _Clock()
    with Ledger(path) as ledger:
        with clock:
            day = ledger.as_of(AS_OF, tz=TZ)
        open_bills = int(day.bills["is_open"].sum())
    return clock.result() | {
        "bills": len(day.bills),
        "payments": len(day.payments),
        "open": open_bills,
    }


def read_baseline(path: Path) -> dict[str, float]:
    from billkit.ledger import _schema as sql

    connection = sqlite3.connect(path)
    clock = _Clock()
    clock.__enter__()
    rows = 0
    # Exactly the columns `Ledger.as_of` reads, by the same plan (a walk of the table in rowid order: `+kind`
    # and `+type` keep SQLite off the indexes, through which a whole-table read is slower).
    for kind, specs in sql.AS_OF_KIND_COLUMNS.items():
        columns = ", ".join(column for _, column, _ in (*specs, sql.SEQ))
        rows += len(
            connection.execute(
                f"SELECT {columns} FROM object_versions WHERE +kind = ?", (kind,)
            ).fetchall()
        )
    event_columns = ", ".join(column for _, column, _ in sql.AS_OF_EVENT_COLUMNS)
    rows += len(
        connection.execute(
            f"SELECT {event_columns} FROM events WHERE +type = 'obligation.amount_applied'"
        ).fetchall()
    )
    clock.__exit__()
    connection.close()
    return clock.result() | {"rows": rows}


PHASES = {"record": record, "record_baseline": record_baseline}


def child(phase: str, size: int, path: Path) -> None:
    if phase in PHASES:
        result = PHASES[phase](size, path)
    elif phase == "report":
        result = report(path)
    else:
        result = read(path) if phase == "read" else read_baseline(path)
    print(json.dumps(result | {"peak_bytes": _peak()}))


def _run(phase: str, size: int, path: Path) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        "--child",
        phase,
        "--bills",
        str(size),
        "--path",
        str(path),
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{phase} failed:\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def report(path: Path) -> dict[str, float]:
    """`billkit report --source` end to end, in its own subprocess (kernel included): wall time, and the CPU
    time and peak memory of the largest of its processes (ru_maxrss of the waited-for children)."""
    billkit = Path(sys.executable).with_name("billkit")
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        done = subprocess.run(
            [str(billkit), "report", "--source", str(path), "--as-of", AS_OF, "--out", out],
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"billkit report failed:\n{done.stdout}\n{done.stderr}")
        html_bytes = (Path(out) / "payments_report.html").stat().st_size
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": seconds,
        "cpu_seconds": used.ru_utime + used.ru_stime,
        "largest_process_bytes": used.ru_maxrss * 1024,
        "html_bytes": html_bytes,
    }


def _print_phases(
    bills: int,
    runs: dict[str, list[dict[str, Any]]],
    results: dict[str, dict[str, Any]],
    load_before: tuple[float, float, float],
    size_mib: float,
    failures: list[str],
) -> None:
    load_after = os.getloadavg()
    print(f"billkit ledger scale bench: {bills:,} bills + {bills:,} payment events")
    print(
        f"load average (1 min) {load_before[0]:.1f} before, {load_after[0]:.1f} after, on "
        f"{os.cpu_count()} CPUs; ratios are of CPU time (every thread), steadier than wall time on a "
        "shared machine\n"
    )
    for phase in ("record", "read"):
        ours, base = results[phase], results[f"{phase}_baseline"]
        ratio = ours["cpu_seconds"] / base["cpu_seconds"]
        wall_ratio = ours["seconds"] / base["seconds"]
        ok_time = ours["seconds"] <= TARGETS[phase] * bills / 1_000_000
        ok_ratio = ratio <= TARGET_RATIO
        ok_memory = ours["peak_bytes"] <= TARGET_BYTES
        print(
            f"{phase:<7} {ours['seconds']:7.2f} s wall, {ours['cpu_seconds']:6.2f} s CPU (target <= "
            f"{TARGETS[phase]:.0f} s per 1M: {'PASS' if ok_time else 'FAIL'})   plain sqlite3 "
            f"{base['seconds']:6.2f} s wall, {base['cpu_seconds']:6.2f} s CPU   ratio {ratio:4.2f}x "
            f"(<= {TARGET_RATIO}x: {'PASS' if ok_ratio else 'FAIL'}; wall {wall_ratio:4.2f}x)   "
            f"peak {ours['peak_bytes'] / 1024**2:,.0f} MiB ({'PASS' if ok_memory else 'FAIL'})"
        )
        if len(runs[phase]) > 1:
            spans = {
                name: (min(r["seconds"] for r in runs[name]), max(r["seconds"] for r in runs[name]))
                for name in (phase, f"{phase}_baseline")
            }
            print(
                f"        {len(runs[phase])} runs each, wall: ours {spans[phase][0]:.2f}-"
                f"{spans[phase][1]:.2f} s, plain {spans[f'{phase}_baseline'][0]:.2f}-"
                f"{spans[f'{phase}_baseline'][1]:.2f} s"
            )
        failures += [f"{phase} {what}" for what, ok in
                     (("time", ok_time), ("ratio", ok_ratio), ("memory", ok_memory)) if not ok]  # fmt: skip
    print(
        f"recording a batch of {min(bills, BATCH):,} again: "
        f"{results['record']['repeat_batch_seconds']:.2f} s, nothing written (idempotent)"
    )
    read_result = results["read"]
    print(
        f"as of {AS_OF}: {read_result['bills']:,} bills ({read_result['open']:,} open), "
        f"{read_result['payments']:,} payments; ledger file {size_mib:,.0f} MiB"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bills", type=int, default=1_000_000)
    parser.add_argument("--report", action="store_true", help="also time billkit report --source")
    parser.add_argument(
        "--records", type=int, default=2, help="recording runs of each (the fastest counts)"
    )
    parser.add_argument(
        "--reads", type=int, default=3, help="read runs of each (the fastest counts)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.bills, args.path)
        return 0
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        ledger, plain = folder / "ledger.sqlite", folder / "plain.sqlite"
        load_before = os.getloadavg()
        runs: dict[str, list[dict[str, Any]]] = {
            "record": [],
            "record_baseline": [],
            "read": [],
            "read_baseline": [],
        }
        for _ in range(args.records):  # alternated too; each into new files (the last one is read)
            for phase, path in (("record", ledger), ("record_baseline", plain)):
                for leftover in folder.glob(f"{path.name}*"):
                    leftover.unlink()
                runs[phase].append(_run(phase, args.bills, path))
        for _ in range(args.reads):  # alternated, so a burst of another process's work hits both
            runs["read"].append(_run("read", args.bills, ledger))
            runs["read_baseline"].append(_run("read_baseline", args.bills, ledger))
        # The fastest run of each counts (as timeit does); the range is printed beside it.
        results = {
            phase: min(found, key=lambda run: run["cpu_seconds"]) for phase, found in runs.items()
        }
        size_mib = ledger.stat().st_size / 1024**2
        _print_phases(args.bills, runs, results, load_before, size_mib, failures)
        # After the figures above, so a failed or slow report does not lose them.
        reported = _run("report", args.bills, ledger) if args.report else None
    if reported is not None:
        ok = reported["seconds"] <= TARGET_REPORT_SECONDS
        ok_memory = reported["largest_process_bytes"] <= TARGET_BYTES
        print(
            f"billkit report --source: {reported['seconds']:.1f} s end to end, "
            f"{reported['cpu_seconds']:.1f} s CPU (every process), largest process "
            f"{reported['largest_process_bytes'] / 1024**2:,.0f} MiB, HTML "
            f"{reported['html_bytes'] / 1024**2:.1f} MiB (target <= {TARGET_REPORT_SECONDS:.0f} s: "
            f"{'PASS' if ok else 'FAIL'}; <= 2 GiB: {'PASS' if ok_memory else 'FAIL'})"
        )
        failures += [] if ok else ["report time"]
        failures += [] if ok_memory else ["report memory"]
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
