"""Uploading billing files over SFTP and collecting their results (asyncssh underneath).

    settings = SftpSettings.resolve()                        # MOMENT_SFTP_* from the environment
    with BillFileSftp(settings) as sftp:
        sftp.upload("out/za_acme_dailyfile_2025-02-02.csv")  # to /inbound/, under its final name
        results = sftp.wait_for_results("za_acme_dailyfile_2025-02-02.csv")   # a DataFrame

The same code talks to Moment's SFTP given its host, user and key. The host key is always checked: against
the pinned `SHA256:` fingerprint, or a known_hosts file; nothing else from the user's ~/.ssh is read (no
config file, no agent, no default keys), so what connects is exactly what the settings say.

A file is uploaded under its final name: the server processes it when the upload's handle closes, so a
temporary name would itself be processed (and rejected). `AsyncBillFileSftp` is the asyncio original;
`BillFileSftp` runs it on a private event loop thread, so it also works inside Jupyter's running loop.
"""

from __future__ import annotations

import asyncio
import os
import posixpath
import secrets
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import asyncssh
import pandas as pd
from tqdm.auto import tqdm

from billkit.billfiles.errors import SftpError
from billkit.billfiles.names import results_name
from billkit.billfiles.results import read_results
from billkit.billfiles.settings import SftpSettings
from billkit.keys import scrub

__all__ = ["INBOUND", "OUTBOUND", "REPORTS", "RESULTS", "AsyncBillFileSftp", "BillFileSftp"]

INBOUND = "/inbound"
OUTBOUND = "/outbound"
RESULTS = "/outbound/results"
#: Moment's reconciliation and settlement reports (contract §10).
REPORTS = "/outbound/reports"
#: How often `wait_for_results` looks for the results file.
POLL_SECONDS = 0.2
DEFAULT_WAIT = 300.0

T = TypeVar("T")


class _PinnedHostKey(asyncssh.SSHClient):
    """Trusts exactly one host key: the one whose SHA256 fingerprint was given."""

    def __init__(self, fingerprint: str) -> None:
        self._fingerprint = fingerprint

    def validate_host_public_key(
        self, host: str, addr: str, port: int, key: asyncssh.SSHKey
    ) -> bool:
        return bool(key.get_fingerprint("sha256") == self._fingerprint)


class AsyncBillFileSftp:
    """One SFTP session to a billing server: `async with AsyncBillFileSftp(settings) as sftp: ...`."""

    def __init__(self, settings: SftpSettings, *, progress: bool = True) -> None:
        self.settings = settings
        self.progress = progress
        self._connection: asyncssh.SSHClientConnection | None = None
        self._sftp: asyncssh.SFTPClient | None = None

    async def connect(self) -> None:
        settings = self.settings
        options: dict[str, Any] = {
            "username": settings.username,
            "password": settings.password,
            "client_keys": [str(settings.key_file)] if settings.key_file else None,
            "config": None,
            "agent_path": None,
            "known_hosts": str(settings.known_hosts) if settings.known_hosts else None,
        }
        if settings.host_key_fingerprint is not None:
            fingerprint = settings.host_key_fingerprint
            # No trusted keys listed, so asyncssh asks validate_host_public_key about the key shown.
            options["known_hosts"] = ([], [], [])
            options["client_factory"] = lambda: _PinnedHostKey(fingerprint)
        try:
            self._connection = await asyncssh.connect(settings.host, settings.port, **options)
            self._sftp = await self._connection.start_sftp_client()
        except (OSError, asyncssh.Error) as exc:
            await self.close()
            raise self._error("cannot connect to", exc) from None

    async def upload(self, path: str | Path) -> str:
        """Put a local billing file in /inbound under its own name; returns the remote path.

        An earlier results file of the same name is removed first, so `wait_for_results` cannot mistake
        it for this upload's."""
        local = Path(path)
        if not local.is_file():
            raise SftpError(f"cannot upload {local}: no such file")
        remote = f"{INBOUND}/{local.name}"
        sftp = self._client()
        try:
            await self._remove_if_present(f"{RESULTS}/{results_name(local.name)}")
            with self._bar(local.stat().st_size, f"upload {local.name}", "B") as bar:
                await sftp.put(
                    str(local),
                    remote,
                    progress_handler=lambda _src, _dst, done, _total: bar.update(done - bar.n),
                )
        except (OSError, asyncssh.Error) as exc:
            raise self._error(f"uploading {local.name} to", exc) from None
        return remote

    async def wait_for_results(
        self, name: str, *, timeout: float = DEFAULT_WAIT, rows: int | None = None
    ) -> pd.DataFrame:
        """The results of the uploaded file `name`, once the server has written them.

        `rows`: how many data rows the file has, for the progress bar (the wait shows elapsed time
        otherwise)."""
        remote = f"{RESULTS}/{results_name(Path(name).name)}"
        sftp = self._client()
        deadline = time.monotonic() + timeout
        with self._bar(rows, f"results {Path(name).name}", "row") as bar:
            while True:
                try:
                    if await sftp.exists(remote):
                        data = await self._read(remote)
                        results = read_results(data)
                        bar.update(len(results) - bar.n)
                        return results
                except (OSError, asyncssh.Error) as exc:
                    raise self._error(f"reading {remote} from", exc) from None
                if time.monotonic() >= deadline:
                    raise SftpError(
                        f"no results for {name} on {self.settings.address} after {timeout:g} s"
                    )
                await asyncio.sleep(POLL_SECONDS)

    async def list(self, folder: str = RESULTS) -> pd.DataFrame:
        """Files in a folder of /outbound: `name`, `size` (bytes), `modified` (UTC)."""
        sftp = self._client()
        try:
            entries = await sftp.readdir(folder)
        except (OSError, asyncssh.Error) as exc:
            raise self._error(f"listing {folder} on", exc) from None
        rows = [
            (entry.filename, entry.attrs.size, entry.attrs.mtime)
            for entry in entries
            if entry.filename not in (".", "..")
        ]
        frame = pd.DataFrame(rows, columns=["name", "size", "modified"])
        frame["modified"] = pd.to_datetime(frame["modified"], unit="s", utc=True)
        return frame.sort_values("name", ignore_index=True)

    async def fetch(self, remote: str, folder: str | Path) -> Path:
        """Copy one file from the server (`/outbound/results/x.results.csv`) into a local folder.

        The copy is written under a temporary name beside its target and renamed when complete, so the
        folder never holds a partial file under the real name (an interrupted fetch leaves none)."""
        target = Path(folder) / posixpath.basename(remote)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
        try:
            await self._client().get(remote, str(partial))
            os.replace(partial, target)
        except (OSError, asyncssh.Error) as exc:
            raise self._error(f"fetching {remote} from", exc) from None
        finally:
            partial.unlink(missing_ok=True)
        return target

    async def remove(self, remote: str) -> None:
        try:
            await self._client().remove(remote)
        except (OSError, asyncssh.Error) as exc:
            raise self._error(f"removing {remote} on", exc) from None

    async def close(self) -> None:
        if self._sftp is not None:
            self._sftp.exit()
            self._sftp = None
        if self._connection is not None:
            self._connection.close()
            await self._connection.wait_closed()
            self._connection = None

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def _read(self, remote: str) -> bytes:
        async with self._client().open(remote, "rb") as handle:
            data: bytes = await handle.read()
            return data

    async def _remove_if_present(self, remote: str) -> None:
        sftp = self._client()
        if await sftp.exists(remote):
            await sftp.remove(remote)

    def _client(self) -> asyncssh.SFTPClient:
        if self._sftp is None:
            raise SftpError("not connected: use `async with AsyncBillFileSftp(settings) as sftp:`")
        return self._sftp

    def _bar(self, total: int | None, description: str, unit: str) -> tqdm[Any]:
        return tqdm(
            total=total,
            desc=description,
            unit=unit,
            unit_scale=unit == "B",
            disable=not self.progress,
            leave=False,
        )

    def _error(self, doing: str, exc: BaseException) -> SftpError:
        reason = str(exc) or type(exc).__name__
        if isinstance(exc, asyncssh.HostKeyNotVerifiable):
            reason = (
                f"its host key is not the pinned one ({reason}); check host_key_fingerprint "
                "or known_hosts"
            )
        message = f"{doing} {self.settings.address} failed: {reason}"
        return SftpError(scrub(message, [self.settings.password]))


class BillFileSftp:
    """`AsyncBillFileSftp` for code without an event loop (scripts, notebooks, the command line)."""

    def __init__(self, settings: SftpSettings, *, progress: bool = True) -> None:
        self._async = AsyncBillFileSftp(settings, progress=progress)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    @property
    def settings(self) -> SftpSettings:
        return self._async.settings

    def upload(self, path: str | Path) -> str:
        return self._run(self._async.upload(path))

    def wait_for_results(
        self, name: str, *, timeout: float = DEFAULT_WAIT, rows: int | None = None
    ) -> pd.DataFrame:
        return self._run(self._async.wait_for_results(name, timeout=timeout, rows=rows))

    def list(self, folder: str = RESULTS) -> pd.DataFrame:
        return self._run(self._async.list(folder))

    def fetch(self, remote: str, folder: str | Path) -> Path:
        return self._run(self._async.fetch(remote, folder))

    def remove(self, remote: str) -> None:
        self._run(self._async.remove(remote))

    def __enter__(self) -> Self:
        if self._thread is not None:
            raise SftpError("this BillFileSftp is already connected")
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="billkit-sftp", daemon=True
        )
        self._thread.start()
        try:
            self._run(self._async.connect())
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self._run(self._async.close())
        finally:
            self._stop()

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        if self._loop is None or self._thread is None or not self._thread.is_alive():
            coroutine.close()
            raise SftpError("not connected: use `with BillFileSftp(settings) as sftp:`")
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return future.result()

    def _stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        stop: Callable[[], None] = loop.stop
        loop.call_soon_threadsafe(stop)
        thread.join()
        loop.close()
        self._loop = self._thread = None

    def __repr__(self) -> str:
        return f"BillFileSftp({self.settings!r})"
