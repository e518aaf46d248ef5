"""Uploading bills at scale, each figure next to a baseline measured in the same run:

* validating a 100,000-row billing file offline (target: 2 s or less), against a plain `csv.reader` pass
  over the same file;
* memory: the validator's peak RSS on 10,000 and on 100,000 rows, each in a fresh process (target: flat,
  the file is streamed);
* the sandbox ingesting the 100,000-row file uploaded over SFTP, from the upload's start to its results
  file (target: 60 s or less);
* `AsyncClient.bills.create_many` at concurrency 8 against bare httpx posting the same bills at
  concurrency 8 (target: at least 0.8 of the bare rate).

    .venv/bin/python bench/upload_scale.py [--rows 100000] [--api-bills 3000]

The sandbox runs in its own process (`billkit sandbox` on a database file), as a merchant would run it.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

VALIDATE_TARGET_SECONDS = 2.0
INGEST_TARGET_SECONDS = 60.0
LOADER_TARGET_RATIO = 0.8
CONCURRENCY = 8
MERCHANT = "bench"


def write_file(path: Path, rows: int, prefix: str) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(
            [
                "external_reference",
                "first_name",
                "last_name",
                "sa_identification_number",
                "mobile_phone_number",
                "email",
                "bill_reference",
                "due_date",
                "amount_due",
                "period",
            ]
        )
        for i in range(rows):
            writer.writerow(
                [
                    f"{prefix}C{i}",
                    "Thandi",
                    "Mokoena",
                    "8501015800085",
                    f"08255{i % 100000:05d}",
                    f"customer{i}@example.com",
                    f"{prefix}B{i}",
                    "2025-02-20",
                    f"{100 + i % 900}.{i % 100:02d}",
                    "February",
                ]
            )
    return path


def peak_rss_of_validation(path: Path) -> int:
    """Peak RSS (KiB) of a fresh process that imports billkit and validates `path`."""
    script = (
        "import resource, sys\n"
        "from billkit.billfiles import validate_bill_file\n"
        "problems = validate_bill_file(sys.argv[1])\n"
        "assert problems.empty, problems.head()\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip())


def time_validation(path: Path) -> tuple[float, float]:
    from billkit.billfiles import validate_bill_file

    started = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as stream:
        for _ in csv.reader(stream):
            pass
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    problems = validate_bill_file(path)
    validated = time.perf_counter() - started
    assert problems.empty, problems.head()
    return baseline, validated


def start_sandbox(db: Path, *, sftp: bool) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    command = [
        sys.executable, "-m", "billkit", "sandbox", "--port", "0", "--db", str(db),
        "--merchant", MERCHANT,
    ]  # fmt: skip
    if sftp:
        command += ["--sftp-port", "0"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    assert process.stdout is not None
    return process, json.loads(process.stdout.readline())


def time_ingestion(path: Path, folder: Path) -> float:
    from billkit.billfiles import BillFileSftp, SftpSettings, summarize

    process, started_line = start_sandbox(folder / "ingest.sqlite3", sftp=True)
    try:
        info = started_line["sftp"]
        settings = SftpSettings(
            host=info["host"],
            port=info["port"],
            username=info["username"],
            password=started_line["api_key"],
            host_key_fingerprint=info["host_key_fingerprint"],
        )
        with BillFileSftp(settings, progress=False) as sftp:
            began = time.perf_counter()
            sftp.upload(path)
            results = sftp.wait_for_results(path.name, timeout=600)
            elapsed = time.perf_counter() - began
        counts = summarize(results)
        assert counts["created"] == len(results), counts
        return elapsed
    finally:
        process.terminate()
        process.wait(30)


def bill_rows(count: int, customer: str, prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "external_reference": f"{prefix}{i}",
            "currency": "ZAR",
            "amount_due": 1000 + i,
            "customer": customer,
        }
        for i in range(count)
    ]


async def bare_rate(base_url: str, api_key: str, rows: list[dict[str, Any]]) -> float:
    import httpx

    headers = {"Authorization": f"Bearer {api_key}"}
    queue = iter(rows)
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits) as http:

        async def worker() -> None:
            for row in queue:
                response = await http.post(
                    "/billing/bills", json=row, headers={"Idempotency-Key": str(uuid.uuid4())}
                )
                assert response.status_code == 201, response.text

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return len(rows) / (time.perf_counter() - began)


async def loader_rate(base_url: str, api_key: str, rows: list[dict[str, Any]]) -> float:
    from billkit import AsyncClient

    async with AsyncClient(api_key, base_url) as client:
        began = time.perf_counter()
        outcome = await client.bills.create_many(
            rows, concurrency=CONCURRENCY, source="bench", progress=False
        )
        elapsed = time.perf_counter() - began
    assert (outcome["status"] == "created").all(), outcome["status"].value_counts()
    return len(rows) / elapsed


def compare_loader(folder: Path, count: int) -> tuple[float, float]:
    process, started_line = start_sandbox(folder / "api.sqlite3", sftp=False)
    try:
        base_url, api_key = started_line["base_url"], started_line["api_key"]
        import httpx

        customer = httpx.post(
            f"{base_url}/billing/customers",
            json={"external_reference": "BENCHC"},
            headers={"Authorization": f"Bearer {api_key}", "Idempotency-Key": str(uuid.uuid4())},
        ).json()["id"]
        # Warm both paths up, then alternate so neither gets the quieter moment of the machine.
        asyncio.run(bare_rate(base_url, api_key, bill_rows(200, customer, "WB")))
        asyncio.run(loader_rate(base_url, api_key, bill_rows(200, customer, "WL")))
        bare = asyncio.run(bare_rate(base_url, api_key, bill_rows(count, customer, "B")))
        loader = asyncio.run(loader_rate(base_url, api_key, bill_rows(count, customer, "L")))
        return bare, loader
    finally:
        process.terminate()
        process.wait(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--api-bills", type=int, default=3000)
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="billkit-bench-") as tmp:
        folder = Path(tmp)
        big = write_file(folder / f"za_{MERCHANT}_dailyfile_2025-02-02.csv", args.rows, "U")
        small = write_file(folder / f"za_{MERCHANT}_dailyfile_2025-02-03.csv", args.rows // 10, "S")

        baseline, validated = time_validation(big)
        ok &= validated <= VALIDATE_TARGET_SECONDS
        print(
            f"validate {args.rows:,} rows: {validated:.2f} s (target <= {VALIDATE_TARGET_SECONDS} s); "
            f"csv.reader alone {baseline:.2f} s, so {validated / baseline:.1f}x a bare parse"
        )

        small_rss, big_rss = peak_rss_of_validation(small), peak_rss_of_validation(big)
        print(
            f"peak RSS validating {args.rows // 10:,} rows: {small_rss / 1024:.0f} MiB, "
            f"{args.rows:,} rows: {big_rss / 1024:.0f} MiB "
            f"(+{(big_rss - small_rss) / 1024:.1f} MiB for 10x the rows; file {big.stat().st_size / 2**20:.1f} MiB)"
        )

        ingest = time_ingestion(big, folder)
        ok &= ingest <= INGEST_TARGET_SECONDS
        print(
            f"sandbox ingests {args.rows:,} rows over SFTP in {ingest:.1f} s "
            f"({args.rows / ingest:,.0f} rows/s; target <= {INGEST_TARGET_SECONDS:.0f} s)"
        )

        bare, loader = compare_loader(folder, args.api_bills)
        ok &= loader / bare >= LOADER_TARGET_RATIO
        print(
            f"create_many at concurrency {CONCURRENCY}: {loader:,.0f} bills/s; bare httpx at "
            f"concurrency {CONCURRENCY}: {bare:,.0f} bills/s; ratio {loader / bare:.2f} "
            f"(target >= {LOADER_TARGET_RATIO})"
        )
    print(
        f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
