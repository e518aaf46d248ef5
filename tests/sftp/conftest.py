"""Fixtures for the SFTP tests: a sandbox serving SFTP for merchant `acme`, and a key pair it accepts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import asyncssh
import pytest

from billkit.billfiles import BillFileSftp
from billkit.sandbox import Sandbox


@pytest.fixture(scope="module")
def client_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An Ed25519 key pair (private key file, public key file) in OpenSSH format."""
    folder = tmp_path_factory.mktemp("keys")
    key = asyncssh.generate_private_key("ssh-ed25519")
    private, public = folder / "id_ed25519", folder / "id_ed25519.pub"
    key.write_private_key(str(private))
    private.chmod(0o600)
    key.write_public_key(str(public))
    return private, public


@pytest.fixture(scope="module")
def sftp_sandbox(
    client_key: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Sandbox]:
    """Kept in a database file, so its SFTP folders are known: `<db>.files/root/` is what clients see."""
    db = tmp_path_factory.mktemp("sandbox") / "sandbox.sqlite"
    with Sandbox(
        db=str(db), sftp=True, merchant="acme", sftp_authorized_key=str(client_key[1])
    ) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def sftp_root(sftp_sandbox: Sandbox) -> Path:
    """The folder `sftp_sandbox` serves as `/` (where the sandbox writes /outbound/reports/)."""
    database = Path(sftp_sandbox.settings.db)
    return database.with_name(database.name + ".files") / "root"


@pytest.fixture
def sftp(sftp_sandbox: Sandbox) -> Iterator[BillFileSftp]:
    with BillFileSftp(sftp_sandbox.sftp_settings(), progress=False) as session:
        yield session
