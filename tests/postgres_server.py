"""A throwaway PostgreSQL server for the tests and benches: `initdb` into a temporary folder, `pg_ctl start`.

The server runs as an unprivileged user (PostgreSQL refuses to run as root: as root, `runuser -u nobody`
starts it, and the folder belongs to that user), listens only on a unix socket inside its folder (no port to
race for, nothing on the network), trusts local connections, and skips fsync: it holds test data only. Each
pytest-xdist worker starts its own; each test gets its own database.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import quote

SUPERUSER: Final = "billkit"
_RUN_AS: Final = "nobody"
_HINT: Final = (
    "run `make test`, which installs Debian's postgresql package, or `apt-get install postgresql`"
)


class PostgresMissing(RuntimeError):
    """The server binaries are not on this machine."""


def bin_dir() -> Path:
    """The newest Debian PostgreSQL's bin folder (initdb, pg_ctl, postgres)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[4])
    )
    if not found:
        raise PostgresMissing(
            f"PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/pg_ctl): {_HINT}"
        )
    return Path(found[-1]).parent


@dataclass
class PostgresServer:
    """A running server; `url(database)` connects to one of its databases as the superuser."""

    folder: Path
    bin: Path

    @property
    def socket_dir(self) -> Path:
        return self.folder / "socket"

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@/{database}?host={quote(str(self.socket_dir), safe='')}"

    def psql(self, statement: str, database: str = "postgres") -> str:
        """Run one SQL statement as the superuser (psql, autocommit); its unaligned output."""
        done = subprocess.run(
            [
                str(self.bin / "psql"),
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                str(self.socket_dir),
                "-U",
                SUPERUSER,
                "-d",
                database,
                "-c",
                statement,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"psql {statement!r} failed: {done.stderr.strip()}")
        return done.stdout.strip()

    def create_database(self) -> str:
        """A new, empty place for a ledger: its own schema in the server's database (much quicker than a
        database: tests run it per test); the URL sets `search_path` to it."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        self.psql(f"CREATE SCHEMA {name}")
        return f"{self.url()}&options={quote(f'-csearch_path={name}', safe='')}"

    def drop_database(self, url: str) -> None:
        name = url.rpartition("%3D")[2]
        self.psql(f"DROP SCHEMA IF EXISTS {name} CASCADE")

    def stop(self) -> None:
        try:
            _run_as_owner(
                [
                    str(self.bin / "pg_ctl"),
                    "-D",
                    str(self.folder / "data"),
                    "-m",
                    "fast",
                    "-w",
                    "stop",
                ]
            )
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def _run_as_owner(command: list[str]) -> None:
    prefix = ["runuser", "-u", _RUN_AS, "--"] if os.geteuid() == 0 else []
    done = subprocess.run(prefix + command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stdout}{done.stderr}")


def start(*, durable: bool = False) -> PostgresServer:
    """initdb and start a server in a new temporary folder; raises `PostgresMissing` without the binaries.

    `durable` keeps fsync on (what a benchmark of commits must measure); tests go without."""
    binaries = bin_dir()
    folder = Path(
        tempfile.mkdtemp(prefix="billkit-pg-")
    )  # in /tmp, which the server's user can reach
    try:
        (folder / "socket").mkdir()
        if os.geteuid() == 0:
            shutil.chown(folder, _RUN_AS)
            shutil.chown(folder / "socket", _RUN_AS)
        data = str(folder / "data")
        _run_as_owner(
            [str(binaries / "initdb"), "-D", data, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
             "--locale=C", "--no-sync"]
        )  # fmt: skip
        options = (
            f"-k {folder / 'socket'} -c listen_addresses='' -c fsync={'on' if durable else 'off'} "
            "-c max_connections=200"
        )
        _run_as_owner(
            [str(binaries / "pg_ctl"), "-D", data, "-l", str(folder / "server.log"), "-w",
             "-o", options, "start"]
        )  # fmt: skip
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return PostgresServer(folder, binaries)
