"""OpenSSH's own `sftp` (Debian's openssh-client) against the sandbox: a client nobody here wrote.

The host key is pinned the way a merchant would: ssh-keyscan fetches it, ssh-keygen prints its fingerprint,
which must be the one the sandbox announced, and only then does it go in a known_hosts file that sftp
checks strictly.
"""

from __future__ import annotations

from pathlib import Path

import asyncssh
import pytest
from sftp_helpers import (
    bill_row,
    csv_bytes,
    pinned_known_hosts,
    processed_file,
    sftp_batch,
    unique_name,
    unique_ref,
)

from billkit.billfiles import read_results
from billkit.sandbox import Sandbox


@pytest.fixture(scope="module")
def known_hosts(sftp_sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return pinned_known_hosts(sftp_sandbox, tmp_path_factory.mktemp("ssh"))


def test_openssh_sftp_uploads_a_file_and_fetches_its_results(
    sftp_sandbox: Sandbox, known_hosts: Path, client_key: tuple[Path, Path], tmp_path: Path
) -> None:
    name = unique_name()
    customer, bill = unique_ref("OSC"), unique_ref("OSB")
    (tmp_path / name).write_bytes(csv_bytes([bill_row(customer, bill, "99.50")]))

    put = sftp_batch(sftp_sandbox, known_hosts, client_key[0], f"put {name} /inbound/\n", tmp_path)
    assert put.returncode == 0, put.stderr
    record = processed_file(sftp_sandbox, name)
    assert record["rows"] == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 0}

    results_name = name.replace(".csv", ".results.csv")
    fetched = tmp_path / "fetched"
    fetched.mkdir()
    get = sftp_batch(
        sftp_sandbox,
        known_hosts,
        client_key[0],
        f"ls /outbound/results\nget /outbound/results/{results_name} fetched/\n",
        tmp_path,
    )
    assert get.returncode == 0, get.stderr
    assert results_name in get.stdout
    results = read_results(fetched / results_name)
    assert results[["row", "external_reference", "bill_reference", "status"]].values.tolist() == [
        [1, customer, bill, "created"]
    ]
    with sftp_sandbox.client() as client:
        assert client.bills.retrieve(bill).amount_due == 9950


def test_openssh_sftp_sees_only_inbound_and_outbound(
    sftp_sandbox: Sandbox, known_hosts: Path, client_key: tuple[Path, Path], tmp_path: Path
) -> None:
    listing = sftp_batch(sftp_sandbox, known_hosts, client_key[0], "ls -1 /\n", tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert [line for line in listing.stdout.splitlines() if not line.startswith("sftp>")] == [
        "/inbound",
        "/outbound",
    ]
    # A path climbing out of the tree stays inside it: there is no /etc here.
    escape = sftp_batch(
        sftp_sandbox, known_hosts, client_key[0], "get /../../etc/passwd stolen\n", tmp_path
    )
    assert escape.returncode != 0
    assert not (tmp_path / "stolen").exists()


def test_openssh_sftp_refuses_a_host_key_that_is_not_pinned(
    sftp_sandbox: Sandbox, client_key: tuple[Path, Path], tmp_path: Path
) -> None:
    other = tmp_path / "known_hosts"
    info = sftp_sandbox.sftp
    # A known_hosts entry for this address with some other key: sftp must refuse to connect.
    stranger = asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode()
    other.write_text(f"[{info.host}]:{info.port} {stranger}")
    result = sftp_batch(sftp_sandbox, other, client_key[0], "ls /\n", tmp_path)
    assert result.returncode != 0
    assert "host key" in result.stderr.lower()


def test_openssh_sftp_and_billkit_fetch_the_same_report_files(
    sftp_sandbox: Sandbox,
    sftp_root: Path,
    known_hosts: Path,
    client_key: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    from billkit.reportfiles import fetch_reports

    name = "20250302_Moment_Recon_openssh-1_20250301.csv"
    content = (
        b"Report Title,Moment Merchant Reconciliation Report\r\nVersion,1.0\r\nMerchant alias,acme\r\n"
        b"From,Start Date,2025-03-01T00:00:00Z\r\nTo,End Date,2025-03-02T00:00:00Z\r\n\r\n"
        b"transaction_type,transaction_timestamp,reconciliation_id,currency,amount\r\n"
        b"Payment,2025-03-01T09:00:00Z,67c2d0a1b2c3d4e5f6a7b8c9,ZAR,99.50\r\n"
    )
    (sftp_root / "outbound" / "reports" / name).write_bytes(content)
    (tmp_path / "openssh").mkdir()
    get = sftp_batch(
        sftp_sandbox,
        known_hosts,
        client_key[0],
        f"ls /outbound/reports\nget /outbound/reports/{name} openssh/\n",
        tmp_path,
    )
    assert get.returncode == 0, get.stderr
    assert name in get.stdout
    fetched = fetch_reports(sftp_sandbox.sftp_settings(), tmp_path / "billkit", since="2025-03-01")
    assert name in fetched.downloaded
    assert (tmp_path / "billkit" / name).read_bytes() == (tmp_path / "openssh" / name).read_bytes()
    assert (tmp_path / "openssh" / name).read_bytes() == content
