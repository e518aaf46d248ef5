"""`billkit upload FILE`: results beside the input, a summary, exit 0 / 1 / 2."""

from __future__ import annotations

from pathlib import Path

import pytest
from sftp_helpers import bill_row, csv_bytes, unique_name, unique_ref

from billkit.billfiles import read_results
from billkit.cli import main
from billkit.sandbox import Sandbox


def _server_options(sandbox: Sandbox) -> list[str]:
    info = sandbox.sftp
    return [
        "--host",
        info.host,
        "--port",
        str(info.port),
        "--username",
        info.username,
        "--host-key-fingerprint",
        info.host_key_fingerprint,
        "--no-progress",
    ]


@pytest.fixture
def password(sftp_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOMENT_SFTP_PASSWORD", sftp_sandbox.api_key)


@pytest.mark.usefixtures("password")
def test_an_upload_with_every_row_applied_exits_0(
    sftp_sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / unique_name()
    path.write_bytes(csv_bytes([bill_row(unique_ref("CLI"), unique_ref("CLIB"))]))
    assert main(["upload", str(path), *_server_options(sftp_sandbox)]) == 0
    results_path = path.with_name(path.name.replace(".csv", ".results.csv"))
    assert read_results(results_path)["status"].tolist() == ["created"]
    out = capsys.readouterr().out
    assert "created 1, updated 0, unchanged 0, rejected 0" in out
    assert sftp_sandbox.api_key not in out


@pytest.mark.usefixtures("password")
def test_a_rejected_row_exits_1_and_a_file_is_named_from_the_options(
    sftp_sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bills.csv"
    rows = [bill_row(unique_ref("CLI"), unique_ref("CLIB")), bill_row(unique_ref("CLI"), "", "abc")]
    path.write_bytes(csv_bytes(rows))
    options = ["--country", "za", "--merchant", "acme", "--date", "2040-05-06"]
    assert main(["upload", str(path), *options, *_server_options(sftp_sandbox)]) == 1
    results = read_results(tmp_path / "za_acme_dailyfile_2040-05-06.results.csv")
    assert results["status"].tolist() == ["created", "rejected"]
    out = capsys.readouterr().out
    assert "row 2: amount_due: 'abc' must be an amount" in out
    assert "created 1, updated 0, unchanged 0, rejected 1" in out


@pytest.mark.usefixtures("password")
def test_a_file_refused_whole_is_not_uploaded(
    sftp_sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / unique_name()
    path.write_bytes(b"\xef\xbb\xbf" + csv_bytes([bill_row("X", "Y")]))
    assert main(["upload", str(path), *_server_options(sftp_sandbox)]) == 1
    assert (
        "not uploaded: encoding: the file starts with a byte-order mark" in capsys.readouterr().out
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["missing.csv"], "missing.csv: no such file"),
        (["{bills}"], "is not a billing file name"),
        (["{bills}", "--country", "za"], "--country, --merchant and --date go together"),
        (["{bills}", "--country", "zz", "--merchant", "acme", "--date", "2025-01-01"], "ISO 3166"),
        (["{named}", "--host", "127.0.0.1", "--username", "merchant"], "host key is not pinned"),
    ],
)
def test_bad_usage_exits_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    arguments: list[str],
    message: str,
) -> None:
    for name in ("MOMENT_SFTP_HOST_KEY_FINGERPRINT", "MOMENT_SFTP_KNOWN_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MOMENT_SFTP_PASSWORD", "secret")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bills.csv").write_bytes(csv_bytes([bill_row("A", "B")]))
    named = tmp_path / "za_acme_dailyfile_2025-01-01.csv"
    named.write_bytes(csv_bytes([bill_row("A", "B")]))
    filled = [a.format(bills="bills.csv", named=named.name) for a in arguments]
    with pytest.raises(SystemExit) as exited:
        main(["upload", *filled])
    assert exited.value.code == 2
    assert message in capsys.readouterr().err
