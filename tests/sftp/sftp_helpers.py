"""Helpers for the SFTP tests: billing files written as bytes, and waits on the sandbox's own record."""

from __future__ import annotations

import csv
import io
import subprocess
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import httpx

from billkit.sandbox import Sandbox

HEADER = (
    "external_reference",
    "first_name",
    "last_name",
    "sa_identification_number",
    "mobile_phone_number",
    "email",
    "bill_reference",
    "due_date",
    "amount_due",
)
WAIT_SECONDS = 60.0


def csv_bytes(rows: Iterable[Sequence[str]], header: Sequence[str] = HEADER) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def bill_row(customer: str, bill: str, amount: str = "240.00", **changes: str) -> list[str]:
    row = {
        "external_reference": customer,
        "first_name": "Thandi",
        "last_name": "Mokoena",
        "sa_identification_number": "8501015800085",
        "mobile_phone_number": "0821234567",
        "email": f"{customer.lower()}@example.com",
        "bill_reference": bill,
        "due_date": "2025-02-20",
        "amount_due": amount,
        **changes,
    }
    return [row[column] for column in HEADER]


def processed_file(sandbox: Sandbox, name: str, *, after: int = 0) -> dict[str, Any]:
    """The sandbox's record of `name` once a processing newer than entry `after` has finished.

    Processing is asynchronous (it starts when the upload's handle closes), so this polls the record
    until it says so, with a deadline."""
    headers = {"Authorization": f"Bearer {sandbox.api_key}"}
    deadline = time.monotonic() + WAIT_SECONDS
    with httpx.Client(base_url=sandbox.base_url, headers=headers) as http:
        while True:
            response = http.get(f"/_sandbox/files/{name}")
            if response.status_code == 200:
                body: dict[str, Any] = response.json()
                if body["id"] > after and body["status"] != "processing":
                    return body
            elif response.status_code != 404:
                response.raise_for_status()
            if time.monotonic() > deadline:
                raise AssertionError(f"{name} was not processed within {WAIT_SECONDS} s")
            time.sleep(0.05)


_days = iter(range(1, 100_000))


def unique_name(kind: str = "dailyfile") -> str:
    """A billing file name for merchant `acme` no other test uses (each gets its own date)."""
    from datetime import date, timedelta

    day = date(2030, 1, 1) + timedelta(days=next(_days))
    return f"za_acme_{kind}_{day.isoformat()}.csv"


def unique_ref(prefix: str) -> str:
    import secrets

    return f"{prefix}{secrets.token_hex(4)}"


def pinned_known_hosts(sandbox: Sandbox, folder: Path) -> Path:
    """A known_hosts file holding the sandbox's host key, pinned the way a merchant would: ssh-keyscan
    fetches it, ssh-keygen prints its fingerprint, which must be the one the sandbox announced."""
    info = sandbox.sftp
    scanned = subprocess.run(
        ["ssh-keyscan", "-p", str(info.port), "-t", "ed25519", info.host],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    path = folder / "known_hosts"
    path.write_text(scanned)
    listed = subprocess.run(
        ["ssh-keygen", "-l", "-f", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert listed.split()[1] == info.host_key_fingerprint
    return path


def sftp_batch(
    sandbox: Sandbox, known_hosts: Path, key: Path, commands: str, folder: Path
) -> subprocess.CompletedProcess[str]:
    """OpenSSH's `sftp` running `commands` in `folder`, checking the host key strictly."""
    batch = folder / "batch"
    batch.write_text(commands)
    info = sandbox.sftp
    return subprocess.run(
        [
            "sftp",
            "-b",
            str(batch),
            "-P",
            str(info.port),
            "-i",
            str(key),
            "-F",
            "/dev/null",  # none of the user's ssh configuration
            "-o",
            f"UserKnownHostsFile={known_hosts}",
            "-o",
            "StrictHostKeyChecking=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "IdentitiesOnly=yes",
            f"{info.username}@{info.host}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=folder,
    )
