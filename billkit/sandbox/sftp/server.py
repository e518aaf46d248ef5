"""The sandbox's SFTP door (contract §9): an asyncssh server on loopback where the `merchant` user drops
billing files in /inbound and reads results from /outbound.

It runs on the sandbox's own event loop, as one of the app's background services. That is deliberate:
the store has one SQLite connection, used only from that loop, and every request's work is one synchronous
step on it. File rows are applied the same way (batches between awaits), so they are atomic with respect
to HTTP requests without any lock, and a file's rows and an API call can never interleave mid-row.

An upload is staged outside the visible tree and handed to processing only when the client closes its
handle. If the session ends with the upload still open (a dropped connection, a killed client), asyncssh
closes the handle itself while tearing the session down and then calls `exit()` at once, before the loop
runs anything else; the hand-over is scheduled for the next loop turn, so `exit()` finds that upload not yet
handed over and discards it. A partial file is never processed.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import posixpath
import secrets
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import asyncssh
from asyncssh import SFTPAttrs, SFTPFailure, SFTPPermissionDenied

from billkit.billfiles.errors import BillFileRejected
from billkit.billfiles.names import is_safe_file_name
from billkit.billfiles.reader import MAX_FILE_BYTES
from billkit.errors import ConfigurationError
from billkit.sandbox.runtime import Runtime
from billkit.sandbox.services.reports import ReportFolder
from billkit.sandbox.settings import SandboxSettings
from billkit.sandbox.sftp.folders import Folders
from billkit.sandbox.sftp.host_key import kept_host_key
from billkit.sandbox.sftp.ingest import ingest_file

__all__ = ["USERNAME", "SftpDoor", "open_sftp_door"]

USERNAME = "merchant"
LOGIN_TIMEOUT = 30.0
_INBOUND = "/inbound"
_OUTBOUND = "/outbound/"
_WRITING = asyncssh.FXF_WRITE | asyncssh.FXF_APPEND | asyncssh.FXF_CREAT | asyncssh.FXF_TRUNC

logger = logging.getLogger("billkit.sandbox")


@dataclass(eq=False)
class _Upload:
    """One file being received: written to `staged`, handed over under `name` once complete."""

    name: str
    staged: Path
    descriptor: int
    #: Set when a write went past the size limit: the file is rejected whole, not processed.
    refused: BillFileRejected | None = None
    open: bool = True


@dataclass(eq=False)
class SftpDoor:
    """The SFTP server as a background service: `create_app(..., services=[..., door.service])`."""

    sock: socket.socket
    host_key: asyncssh.SSHKey
    folders: Folders
    #: SHA256 fingerprints of the public keys `merchant` may log in with (besides the API key).
    authorized_keys: frozenset[str] = frozenset()
    max_bytes: int = MAX_FILE_BYTES
    #: Names being uploaded or waiting to be processed: a second upload of one of them is refused.
    busy: set[str] = field(default_factory=set)
    _queue: asyncio.Queue[_Upload] = field(default_factory=asyncio.Queue)
    _connections: set[asyncssh.SSHServerConnection] = field(default_factory=set)

    @asynccontextmanager
    async def service(self, runtime: Runtime) -> AsyncIterator[None]:
        acceptor = await asyncssh.listen(
            sock=self.sock,
            server_factory=lambda: _Login(runtime.api_key, self.authorized_keys, self._connections),
            server_host_keys=[self.host_key],
            sftp_factory=lambda channel: _Files(channel, self),
            allow_scp=False,
            agent_forwarding=False,
            x11_forwarding=False,
            allow_pty=False,
            login_timeout=LOGIN_TIMEOUT,
        )
        worker = asyncio.create_task(self._process(runtime), name="billkit-sftp-files")
        try:
            yield
        finally:
            acceptor.close()
            for connection in list(self._connections):
                connection.close()
            await acceptor.wait_closed()
            worker.cancel()
            with suppress(asyncio.CancelledError):
                await worker
            self.folders.remove()

    def begin(self, virtual: str) -> _Upload:
        """A new upload to `virtual`; an SFTP error the client shows when it cannot be one."""
        folder, name = posixpath.split(virtual)
        if folder != _INBOUND:
            raise SFTPPermissionDenied(
                f"{virtual}: upload billing files directly into {_INBOUND}/ (no folders)"
            )
        if not is_safe_file_name(name):
            raise SFTPPermissionDenied(
                f"{name!r}: a file name here is letters, digits, '.', '_' and '-', "
                "not starting with a dot"
            )
        if name in self.busy:
            raise SFTPFailure(
                f"{name} is already being uploaded or processed; send it again once "
                f"/outbound/results/ has its results"
            )
        staged = self.folders.staging / f"{secrets.token_hex(8)}.upload"
        descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.busy.add(name)
        return _Upload(name, staged, descriptor)

    def complete(self, upload: _Upload) -> None:
        self._queue.put_nowait(upload)

    def discard(self, upload: _Upload) -> None:
        upload.staged.unlink(missing_ok=True)
        self.busy.discard(upload.name)
        logger.info(
            "upload of %s did not complete (the session ended first); nothing was processed",
            upload.name,
        )

    async def _process(self, runtime: Runtime) -> None:
        """Files one at a time, in the order their uploads completed."""
        while True:
            upload = await self._queue.get()
            try:
                await ingest_file(
                    runtime,
                    self.folders,
                    upload.name,
                    upload.staged,
                    max_bytes=self.max_bytes,
                    refused=upload.refused,
                )
            except Exception:  # a defect must not stop later files from being processed
                logger.exception("billing file %s could not be processed", upload.name)
            finally:
                upload.staged.unlink(missing_ok=True)
                self.busy.discard(upload.name)


class _Login(asyncssh.SSHServer):
    """`merchant` logs in with the sandbox's API key as password, or with an authorized key."""

    def __init__(
        self,
        api_key: str,
        authorized_keys: frozenset[str],
        connections: set[asyncssh.SSHServerConnection],
    ) -> None:
        self._api_key = api_key.encode()
        self._authorized_keys = authorized_keys
        self._connections = connections
        self._connection: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._connection = conn
        self._connections.add(conn)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._connection is not None:
            self._connections.discard(self._connection)

    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        matches = hmac.compare_digest(password.encode(), self._api_key)
        return username == USERNAME and matches

    def public_key_auth_supported(self) -> bool:
        return bool(self._authorized_keys)

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return username == USERNAME and key.get_fingerprint("sha256") in self._authorized_keys


class _Files(asyncssh.SFTPServer):
    """Only /inbound (write-only, billing files) and /outbound (read and delete) exist."""

    def __init__(self, channel: asyncssh.SSHServerChannel[bytes], door: SftpDoor) -> None:
        super().__init__(channel, chroot=os.fsencode(door.folders.root))
        self._door = door
        self._uploads: list[_Upload] = []

    def open(self, path: bytes, pflags: int, attrs: SFTPAttrs) -> object:
        virtual = _virtual(path)
        if pflags & _WRITING:
            upload = self._door.begin(virtual)
            self._uploads.append(upload)
            return upload
        _refuse_outside_outbound(virtual, "read")
        return super().open(path, pflags, attrs)

    def write(self, file_obj: object, offset: int, data: bytes) -> int:
        if not isinstance(file_obj, _Upload):
            raise SFTPPermissionDenied("files in /outbound are read-only")
        if offset + len(data) > self._door.max_bytes:
            file_obj.refused = BillFileRejected(
                "size",
                f"the file is larger than {self._door.max_bytes:,} bytes (the limit); "
                "split it into several files",
            )
            raise SFTPFailure(f"{file_obj.name}: {file_obj.refused.message}")
        return os.pwrite(file_obj.descriptor, data, offset)

    def read(self, file_obj: object, offset: int, size: int) -> bytes:
        if isinstance(file_obj, _Upload):
            raise SFTPPermissionDenied("an upload cannot be read back")
        data: bytes = super().read(file_obj, offset, size)  # type: ignore[assignment]
        return data

    def close(self, file_obj: object) -> None:
        if not isinstance(file_obj, _Upload):
            super().close(file_obj)
            return
        if file_obj.open:
            file_obj.open = False
            os.close(file_obj.descriptor)
            # Handed over on the next loop turn: see the module docstring.
            asyncio.get_running_loop().call_soon(self._hand_over, file_obj)

    def exit(self) -> None:
        for upload in self._uploads:
            if upload.open:
                upload.open = False
                os.close(upload.descriptor)
            self._door.discard(upload)
        self._uploads.clear()

    def _hand_over(self, upload: _Upload) -> None:
        if upload in self._uploads:  # not discarded by exit() in the meantime
            self._uploads.remove(upload)
            self._door.complete(upload)

    def fstat(self, file_obj: object) -> os.stat_result:
        if isinstance(file_obj, _Upload):
            return os.fstat(file_obj.descriptor)
        result: os.stat_result = super().fstat(file_obj)  # type: ignore[assignment]
        return result

    def fsetstat(self, file_obj: object, attrs: SFTPAttrs) -> None:
        if not isinstance(file_obj, _Upload):  # an upload's times and modes mean nothing here
            raise SFTPPermissionDenied("files in /outbound cannot be changed")

    def fsync(self, file_obj: object) -> None:
        return None

    def remove(self, path: bytes) -> None:
        _refuse_outside_outbound(_virtual(path), "deleted")
        super().remove(path)

    def setstat(self, path: bytes, attrs: SFTPAttrs) -> None:
        raise SFTPPermissionDenied("file attributes cannot be changed here")

    def lsetstat(self, path: bytes, attrs: SFTPAttrs) -> None:
        raise SFTPPermissionDenied("file attributes cannot be changed here")

    def rename(self, oldpath: bytes, newpath: bytes) -> None:
        raise SFTPPermissionDenied(
            "files cannot be renamed: a billing file is processed under the name it was uploaded with"
        )

    def posix_rename(self, oldpath: bytes, newpath: bytes) -> None:
        self.rename(oldpath, newpath)

    def mkdir(self, path: bytes, attrs: SFTPAttrs) -> None:
        raise SFTPPermissionDenied("only /inbound and /outbound exist; folders cannot be made")

    def rmdir(self, path: bytes) -> None:
        raise SFTPPermissionDenied("only /inbound and /outbound exist; folders cannot be removed")

    def symlink(self, oldpath: bytes, newpath: bytes) -> None:
        raise SFTPPermissionDenied("links cannot be made here")

    def link(self, oldpath: bytes, newpath: bytes) -> None:
        raise SFTPPermissionDenied("links cannot be made here")


def _virtual(path: bytes) -> str:
    """The client's path as an absolute, normalised path of the visible tree (`..` cannot leave it)."""
    text = path.decode("utf-8", errors="replace")
    return posixpath.normpath(posixpath.join("/", text))


def _refuse_outside_outbound(virtual: str, action: str) -> None:
    if not virtual.startswith(_OUTBOUND):
        raise SFTPPermissionDenied(f"{virtual}: only files in /outbound can be {action} here")


def open_sftp_door(settings: SandboxSettings, runtime: Runtime, sock: socket.socket) -> SftpDoor:
    """The SFTP door of a sandbox about to start, on the bound `sock`: its host key kept in the store,
    the authorized keys read, its folders made. Closes `sock` if any of that fails."""
    try:
        with runtime.store.transaction():
            host_key = kept_host_key(runtime.store)
        authorized: frozenset[str] = frozenset()
        if settings.sftp_authorized_key is not None:
            authorized = _authorized_keys(settings.sftp_authorized_key)
        folders = Folders.for_database(settings.db, in_memory=settings.in_memory)
    except BaseException:
        sock.close()
        raise
    # Reports are filed here from now on; those written while SFTP was off are filed as it starts.
    runtime.reports.folder = ReportFolder(folders.reports, folders.staging)
    runtime.reports.file_pending()
    return SftpDoor(sock, host_key, folders, authorized, max_bytes=MAX_FILE_BYTES)


def _authorized_keys(path: str) -> frozenset[str]:
    try:
        keys = asyncssh.read_public_key_list(path)
    except (OSError, ValueError, asyncssh.KeyImportError) as exc:
        raise ConfigurationError(
            f"sftp authorized key {path!r} cannot be read as OpenSSH public keys: {exc}"
        ) from None
    if not keys:
        raise ConfigurationError(f"sftp authorized key {path!r} holds no public key")
    return frozenset(str(key.get_fingerprint("sha256")) for key in keys)
