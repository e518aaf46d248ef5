"""The reports over SFTP (contract §10): filed into /outbound/reports/ whole, fetched with billkit's SFTP
client and with OpenSSH's `sftp`, and filed on start when they were written while SFTP was off."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sftp_helpers import pinned_known_hosts, sftp_batch, unique_ref

from billkit.billfiles import BillFileSftp
from billkit.sandbox import Sandbox

REPORTS = "/outbound/reports"


def _http(sandbox: Sandbox) -> httpx.Client:
    return httpx.Client(
        base_url=sandbox.base_url,
        headers={"Authorization": f"Bearer {sandbox.api_key}"},
        timeout=60,
    )


def _a_paid_day(sandbox: Sandbox, *, settle: bool = True) -> list[dict[str, Any]]:
    """Pay a bill, then move the clock past the day's end (and the next day's, when `settle`); the
    reports the sandbox lists then."""
    with sandbox.client() as client:
        bill = client.bills.create(
            external_reference=unique_ref("RPB"),
            amount_due=12_345,
            currency="ZAR",
            customer={"external_reference": unique_ref("RPC"), "name": "A Payer"},
        )
        client.sandbox.payments.create(bill=bill.id, amount=12_345, payment_method="EFT")
        now = client.sandbox.clock.now()
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
        client.sandbox.clock.advance(
            (midnight - now) + timedelta(days=1 if settle else 0, minutes=1)
        )
    with _http(sandbox) as http:
        listed: list[dict[str, Any]] = http.get("/_sandbox/reports").json()["data"]
    return listed


def _content(sandbox: Sandbox, name: str) -> bytes:
    with _http(sandbox) as http:
        text: str = http.get(f"/_sandbox/reports/{name}").json()["content"]
    return text.encode("utf-8")


@pytest.fixture
def reporting(client_key: tuple[Path, Path]) -> Iterator[Sandbox]:
    with Sandbox(sftp=True, merchant="acme", sftp_authorized_key=str(client_key[1])) as sandbox:
        yield sandbox


def test_reports_are_in_outbound_whole_and_fetchable(reporting: Sandbox, tmp_path: Path) -> None:
    listed = _a_paid_day(reporting)
    assert [entry["kind"] for entry in listed] == ["reconciliation", "settlement"]
    with BillFileSftp(reporting.sftp_settings(), progress=False) as sftp:
        files = sftp.list(REPORTS)
        # Only the finished files: nothing written under a temporary name shows.
        assert files["name"].tolist() == sorted(entry["name"] for entry in listed)
        assert files["size"].tolist() == [
            entry["size"] for entry in sorted(listed, key=lambda entry: entry["name"])
        ]
        for entry in listed:
            fetched = sftp.fetch(f"{REPORTS}/{entry['name']}", tmp_path)
            assert fetched.read_bytes() == _content(reporting, entry["name"])
    recon = (tmp_path / listed[0]["name"]).read_bytes().decode("utf-8")
    assert recon.startswith("Report Title,Moment Merchant Reconciliation Report\r\n")
    assert ",EFT,EFT," in recon
    assert ",123.45,0.00,123.45," in recon


def test_openssh_sftp_fetches_a_report(
    reporting: Sandbox, client_key: tuple[Path, Path], tmp_path: Path
) -> None:
    (recon, settlement) = _a_paid_day(reporting)
    known_hosts = pinned_known_hosts(reporting, tmp_path)
    fetched = tmp_path / "fetched"
    fetched.mkdir()
    got = sftp_batch(
        reporting,
        known_hosts,
        client_key[0],
        f"ls -1 {REPORTS}\nget {REPORTS}/{settlement['name']} fetched/\n",
        tmp_path,
    )
    assert got.returncode == 0, got.stderr
    shown = [line for line in got.stdout.splitlines() if not line.startswith("sftp>")]
    assert sorted(line.rsplit("/", 1)[-1] for line in shown) == sorted(
        [recon["name"], settlement["name"]]
    )
    assert (fetched / settlement["name"]).read_bytes() == _content(reporting, settlement["name"])


def test_reports_written_without_sftp_are_filed_when_it_starts(tmp_path: Path) -> None:
    db = str(tmp_path / "sandbox.sqlite3")
    with Sandbox(db=db) as plain:
        listed = _a_paid_day(plain, settle=False)
    (recon,) = listed
    folder = Path(db + ".files") / "root" / "outbound" / "reports"
    assert not folder.exists() or not any(folder.iterdir())  # no SFTP: no files
    with Sandbox(db=db, sftp=True, merchant="sandbox") as served:
        with BillFileSftp(served.sftp_settings(), progress=False) as sftp:
            assert sftp.list(REPORTS)["name"].tolist() == [recon["name"]]
            sftp.remove(f"{REPORTS}/{recon['name']}")  # the merchant took it
        assert [path.name for path in folder.iterdir()] == []
    with Sandbox(db=db, sftp=True) as again:  # filed once: a removed report does not come back
        with BillFileSftp(again.sftp_settings(), progress=False) as sftp:
            assert sftp.list(REPORTS)["name"].tolist() == []
        with _http(again) as http:
            assert [entry["name"] for entry in http.get("/_sandbox/reports").json()["data"]] == [
                recon["name"]
            ]
