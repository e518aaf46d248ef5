"""`billkit sandbox --sftp-port`: the JSON line announces the SFTP side (contract §1, §9)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from billkit.billfiles import BillFileSftp, SftpSettings


def test_the_json_line_carries_the_sftp_host_port_user_and_fingerprint(tmp_path: Path) -> None:
    command = [
        sys.executable, "-m", "billkit", "sandbox", "--port", "0", "--db", ":memory:",
        "--sftp-port", "0", "--merchant", "acme",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        started = json.loads(process.stdout.readline())
        sftp = started["sftp"]
        assert set(sftp) == {"host", "port", "username", "host_key_fingerprint"}
        assert (sftp["host"], sftp["username"]) == ("127.0.0.1", "merchant")
        assert re.fullmatch(r"SHA256:[A-Za-z0-9+/]{43}", sftp["host_key_fingerprint"])
        settings = SftpSettings(
            host=sftp["host"],
            port=sftp["port"],
            username=sftp["username"],
            password=started["api_key"],
            host_key_fingerprint=sftp["host_key_fingerprint"],
        )
        with BillFileSftp(settings, progress=False) as session:
            assert session.list("/outbound/results").empty
    finally:
        process.terminate()
        _, errors = process.communicate(timeout=30)
    assert process.returncode == 0
    assert started["api_key"] not in errors


def test_an_authorized_key_without_sftp_is_bad_usage(tmp_path: Path) -> None:
    key = tmp_path / "id.pub"
    key.write_text("ssh-ed25519 AAAA")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "billkit",
            "sandbox",
            "--db",
            ":memory:",
            "--sftp-authorized-key",
            str(key),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "an SFTP authorized key needs SFTP" in done.stderr
