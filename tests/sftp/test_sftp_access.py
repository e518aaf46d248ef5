"""Who may log in, what they can see and do, and uploads that do not complete (contract §9)."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncssh
import httpx
import pytest
from sftp_helpers import bill_row, csv_bytes, processed_file, unique_name, unique_ref

import billkit.sandbox.sftp.server as sftp_server
from billkit.billfiles import BillFileSftp, SftpError
from billkit.errors import NotFoundError
from billkit.sandbox import Sandbox


@asynccontextmanager
async def _raw_session(
    sandbox: Sandbox,
) -> AsyncIterator[tuple[asyncssh.SSHClientConnection, asyncssh.SFTPClient]]:
    """An asyncssh SFTP session of the test's own, for what billkit's client never does."""
    info = sandbox.sftp
    connection = await asyncssh.connect(
        info.host,
        info.port,
        username=info.username,
        password=sandbox.api_key,
        known_hosts=None,  # the tests of pinning are elsewhere; this one needs raw access only
        client_keys=None,
        config=None,
        agent_path=None,
    )
    try:
        yield connection, await connection.start_sftp_client()
    finally:
        connection.close()
        await connection.wait_closed()


def test_the_api_key_logs_in_and_a_wrong_password_is_refused_without_showing_it(
    sftp_sandbox: Sandbox,
) -> None:
    with BillFileSftp(sftp_sandbox.sftp_settings(), progress=False) as sftp:
        assert list(sftp.list("/outbound").columns) == ["name", "size", "modified"]
    wrong = sftp_sandbox.sftp_settings(password="sk_test_notTheRightKey1234")
    with pytest.raises(SftpError) as refused, BillFileSftp(wrong, progress=False):
        pass
    assert "notTheRightKey" not in str(refused.value)
    assert "merchant@127.0.0.1" in str(refused.value)


def test_an_authorized_key_logs_in(sftp_sandbox: Sandbox, client_key: tuple[Path, Path]) -> None:
    settings = dataclasses.replace(
        sftp_sandbox.sftp_settings(), password=None, key_file=client_key[0]
    )
    with BillFileSftp(settings, progress=False) as sftp:
        assert sftp.list("/outbound/reports").empty


def test_a_server_with_another_host_key_is_refused(sftp_sandbox: Sandbox) -> None:
    stranger = asyncssh.generate_private_key("ssh-ed25519").get_fingerprint("sha256")
    settings = sftp_sandbox.sftp_settings(host_key_fingerprint=stranger)
    with pytest.raises(SftpError, match="host key"), BillFileSftp(settings, progress=False):
        pass


def test_the_host_key_is_kept_across_restarts(db_file: str) -> None:
    with Sandbox(db=db_file, sftp=True) as first:
        fingerprint = first.sftp.host_key_fingerprint
    with Sandbox(db=db_file, sftp=True) as again:
        assert again.sftp.host_key_fingerprint == fingerprint
        assert fingerprint.startswith("SHA256:")


@pytest.fixture
def db_file(tmp_path: Path) -> str:
    return str(tmp_path / "sandbox.sqlite3")


def test_only_outbound_can_be_read_or_deleted_and_nothing_renamed(sftp_sandbox: Sandbox) -> None:
    async def attempts() -> None:
        async with _raw_session(sftp_sandbox) as (_, sftp):
            assert sorted(await sftp.listdir("/")) == [".", "..", "inbound", "outbound"]
            with pytest.raises(asyncssh.SFTPNoSuchFile):
                await sftp.stat("/../../etc/passwd")
            with pytest.raises(asyncssh.SFTPPermissionDenied):
                await sftp.mkdir("/inbound/sub")
            with pytest.raises(asyncssh.SFTPPermissionDenied):
                await sftp.rename("/inbound/a.csv", "/inbound/b.csv")
            with pytest.raises(asyncssh.SFTPPermissionDenied):
                await sftp.remove("/inbound/a.csv")
            with pytest.raises(asyncssh.SFTPPermissionDenied, match="only files in /outbound"):
                await sftp.open("/inbound/whatever.csv", "rb")

    asyncio.run(attempts())


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/inbound/sub/za_acme_dailyfile_2031-01-01.csv", "directly into /inbound"),
        ("/inbound/../outbound/results/x.csv", "directly into /inbound"),
        ("/za_acme_dailyfile_2031-01-01.csv", "directly into /inbound"),
        ("/inbound/za\\acme.csv", "a file name here is letters"),
        ("/inbound/.hidden.csv", "a file name here is letters"),
    ],
)
def test_uploads_elsewhere_than_a_plain_name_in_inbound_are_refused(
    sftp_sandbox: Sandbox, path: str, message: str
) -> None:
    async def attempt() -> None:
        async with _raw_session(sftp_sandbox) as (_, sftp):
            with pytest.raises(asyncssh.SFTPPermissionDenied, match=message):
                await sftp.open(path, "wb")

    asyncio.run(attempt())


def test_a_second_upload_of_a_name_being_uploaded_is_refused(sftp_sandbox: Sandbox) -> None:
    name = unique_name()
    data = csv_bytes([bill_row(unique_ref("T"), unique_ref("TB"))])

    async def race() -> None:
        async with (
            _raw_session(sftp_sandbox) as (_, first),
            _raw_session(sftp_sandbox) as (_, second),
        ):
            handle = await first.open(f"/inbound/{name}", "wb")
            await handle.write(data)
            with pytest.raises(asyncssh.SFTPFailure, match="already being uploaded"):
                await second.open(f"/inbound/{name}", "wb")
            await handle.close()

    asyncio.run(race())
    assert processed_file(sftp_sandbox, name)["rows"]["created"] == 1


def test_a_connection_dropped_mid_upload_is_never_processed(sftp_sandbox: Sandbox) -> None:
    name = unique_name()
    customer, bill = unique_ref("DROP"), unique_ref("DROPB")
    partial = csv_bytes([bill_row(customer, bill)])

    async def drop() -> None:
        async with _raw_session(sftp_sandbox) as (connection, sftp):
            handle = await sftp.open(f"/inbound/{name}", "wb")
            await handle.write(partial)
            connection.abort()  # the TCP connection goes, the handle never closed

    asyncio.run(drop())
    # Once the server has noticed, the name is free again: this upload is accepted and processed.
    complete = csv_bytes([bill_row(unique_ref("FULL"), unique_ref("FULLB"))])
    deadline = time.monotonic() + 60
    while True:
        try:
            asyncio.run(_upload(sftp_sandbox, name, complete))
            break
        except asyncssh.SFTPFailure:  # still "being uploaded": the drop is not noticed yet
            assert time.monotonic() < deadline, "the dropped upload kept its name"
    record = processed_file(sftp_sandbox, name)
    assert record["rows"]["created"] == 1
    assert [row["bill_reference"] for row in record["results"]] != [bill]
    with sftp_sandbox.client() as client, pytest.raises(NotFoundError):
        client.bills.retrieve(bill)
    listed = httpx.get(
        f"{sftp_sandbox.base_url}/_sandbox/files",
        headers={"Authorization": f"Bearer {sftp_sandbox.api_key}"},
        params={"limit": 100},
    ).json()
    assert [entry["name"] for entry in listed["data"]].count(name) == 1


async def _upload(sandbox: Sandbox, name: str, data: bytes) -> None:
    async with _raw_session(sandbox) as (_, sftp), sftp.open(f"/inbound/{name}", "wb") as handle:
        await handle.write(data)


def test_a_file_over_the_size_limit_is_refused_whole(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sftp_server, "MAX_FILE_BYTES", 1000)
    rows = [bill_row(unique_ref("BIG"), unique_ref("BIGB")) for _ in range(20)]
    path = tmp_path / "za_sandbox_dailyfile_2031-02-02.csv"
    path.write_bytes(csv_bytes(rows))
    with (
        Sandbox(sftp=True) as sandbox,
        BillFileSftp(sandbox.sftp_settings(), progress=False) as sftp,
    ):
        with pytest.raises(SftpError, match="larger than 1,000 bytes"):
            sftp.upload(path)
        results = sftp.wait_for_results(path.name, timeout=60)
        assert results[["row", "status"]].values.tolist() == [[0, "rejected"]]
        assert results.loc[0, "errors"].startswith("size: the file is larger than 1,000 bytes")
        with sandbox.client() as client, pytest.raises(NotFoundError):
            client.customers.retrieve(rows[0][0])
