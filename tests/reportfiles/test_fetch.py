"""`fetch_reports` and `billkit reports fetch` against the embedded sandbox's SFTP: report files written by hand
into its `/outbound/reports/` folder, fetched once, imported into a ledger on both backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from report_texts import RECON_FILE, SETTLEMENT_FILE, recon_row, recon_text

from billkit import Ledger
from billkit.billfiles import SFTP_ENV, SftpError
from billkit.cli import main
from billkit.reportfiles import fetch_reports
from billkit.sandbox import Sandbox

OLD = "20241201_Moment_Recon_0c1d_20241130.csv"  # a period before the --since day
NEW = "20250102_Moment_Recon_0c1d_20250101.csv"


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    with Sandbox(db=str(tmp_path / "sandbox.sqlite"), sftp=True, merchant="acme") as served:
        yield served


@pytest.fixture
def outbound(sandbox: Sandbox) -> Path:
    """The folder the sandbox serves as /outbound/reports/ (beside its database, docs/sandbox.md)."""
    database = Path(sandbox.settings.db)
    folder = database.with_name(database.name + ".files") / "root" / "outbound" / "reports"
    assert folder.is_dir()
    for path in (RECON_FILE, SETTLEMENT_FILE):
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / OLD).write_bytes(recon_text(recon_row("6775f1a2b3c4d5e6f7a8b9d0")).encode())
    (folder / "README.txt").write_text("not a report")
    return folder


def test_fetching_twice_downloads_nothing_new(
    sandbox: Sandbox, outbound: Path, tmp_path: Path
) -> None:
    dest = tmp_path / "reports"
    first = fetch_reports(sandbox.sftp_settings(), dest, since="2024-12-01")
    assert first.downloaded == (RECON_FILE.name, SETTLEMENT_FILE.name)
    assert first.present == ()
    for path in first.paths:
        assert path.read_bytes() == (outbound / path.name).read_bytes()
    assert sorted(path.name for path in dest.iterdir()) == sorted(first.names)  # no temporary left
    second = fetch_reports(sandbox.sftp_settings(), dest, since="2024-12-01")
    assert second.nothing_new
    assert second.present == first.downloaded
    # A file changed on the server (another size) is fetched again; a new one is fetched.
    (outbound / NEW).write_bytes(recon_text().encode())
    (dest / RECON_FILE.name).write_bytes(b"partial")
    third = fetch_reports(sandbox.sftp_settings(), dest, since="2024-12-01")
    assert set(third.downloaded) == {RECON_FILE.name, NEW}
    assert (dest / RECON_FILE.name).read_bytes() == RECON_FILE.read_bytes()


def test_since_is_the_period_end(sandbox: Sandbox, outbound: Path, tmp_path: Path) -> None:
    every = fetch_reports(sandbox.sftp_settings(), tmp_path / "all", since="2024-11-30")
    assert OLD in every.downloaded
    later = fetch_reports(sandbox.sftp_settings(), tmp_path / "later", since="2024-12-31")
    assert later.names == ()


def test_a_server_that_refuses_is_an_sftp_error(sandbox: Sandbox, tmp_path: Path) -> None:
    settings = sandbox.sftp_settings(password="sk_test_wrong")
    with pytest.raises(SftpError) as caught:
        fetch_reports(settings, tmp_path / "r", since="2024-12-01")
    assert "sk_test_wrong" not in str(caught.value)


def _cli(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    info = sandbox.sftp
    monkeypatch.setenv(SFTP_ENV["password"], sandbox.api_key)
    server = ["--host", info.host, "--port", str(info.port), "--username", info.username]
    pinned = ["--host-key-fingerprint", info.host_key_fingerprint, "--no-progress"]
    return main(["reports", "fetch", *args, *server, *pinned])


def test_the_command_fetches_and_imports_once(
    sandbox: Sandbox,
    outbound: Path,
    tmp_path: Path,
    ledger_location: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    dest = tmp_path / "fetched"
    monkeypatch.delenv("BILLKIT_LEDGER_URL", raising=False)
    arguments = ("--since", "2024-12-01", "--to", str(dest), "--db", ledger_location)
    assert _cli(sandbox, monkeypatch, *arguments) == 0
    out = capsys.readouterr().out
    assert f"fetched 2 new report file(s) into {dest} (0 already there)" in out
    assert "2 new report file(s) of 2, 6 row(s) recorded, 0 conflict(s)" in out
    assert sandbox.api_key not in out
    assert _cli(sandbox, monkeypatch, *arguments) == 0
    again = capsys.readouterr().out
    assert (
        f"nothing new: the 2 report file(s) with a period ending on or after 2024-12-01 are already in {dest}"
        in again
    )
    assert "0 new report file(s) of 2, 0 row(s) recorded" in again
    with Ledger(ledger_location) as ledger:
        assert len(ledger.reconciliation_rows()) == 4
        assert ledger.settlement_rows()["gross_amount"].tolist() == [143450, 7]


def test_the_command_without_a_ledger_only_fetches(
    sandbox: Sandbox,
    outbound: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("BILLKIT_LEDGER_URL", raising=False)
    dest = tmp_path / "only"
    assert _cli(sandbox, monkeypatch, "--since", "2025-01-01", "--to", str(dest)) == 0
    assert "no report files with a period ending on or after 2025-01-01" in capsys.readouterr().out
    assert list(dest.iterdir()) == []


def test_bad_usage_exits_2(
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as bad_day:
        _cli(sandbox, monkeypatch, "--since", "1 March")
    assert bad_day.value.code == 2
    assert "'1 March' is not a day written YYYY-MM-DD" in capsys.readouterr().err
    for name in SFTP_ENV.values():
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit) as no_host:
        main(["reports", "fetch", "--since", "2025-01-01", "--to", str(tmp_path)])
    assert no_host.value.code == 2
    assert "no SFTP host" in capsys.readouterr().err
    a_file = tmp_path / "file"
    a_file.write_text("")
    with pytest.raises(SystemExit) as not_a_folder:
        _cli(sandbox, monkeypatch, "--since", "2025-01-01", "--to", str(a_file))
    assert not_a_folder.value.code == 2


def test_a_file_the_ledger_cannot_read_fails_the_import_not_the_fetch(
    sandbox: Sandbox,
    outbound: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (outbound / NEW).write_bytes(recon_text(recon_row(amount="1.001")).encode())
    dest, ledger = tmp_path / "r", tmp_path / "l.sqlite"
    monkeypatch.setenv("BILLKIT_LEDGER_URL", str(ledger))  # --db defaults to it
    assert _cli(sandbox, monkeypatch, "--since", "2025-01-01", "--to", str(dest)) == 1
    captured = capsys.readouterr()
    assert "fetched 1 new report file(s)" in captured.out
    assert f"not imported: {NEW}, line 8, column amount" in captured.err
    assert (dest / NEW).is_file()
    with Ledger(ledger) as opened:
        assert opened.report_files().empty
