"""The servers notebook 06 uploads to: the API and SFTP of the embedded sandbox, or of Moment.

The notebook's cells never ask which one they talk to: `start_uploads` decides once, from `base_url`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from billkit.notebook.runner.parameters import reveal

if TYPE_CHECKING:
    from billkit.billfiles import SftpSettings
    from billkit.client import Client
    from billkit.notebook.specs import UploadingBillsParameters

__all__ = ["UploadServers", "start_uploads"]


@dataclass(eq=False)
class UploadServers:
    """Where notebook 06 sends its files and bills.

    `client` is the API the file's rows land in; `sftp` how to reach the SFTP server (host key pinned);
    `loader` the API the bulk loader uses: with the embedded sandbox a second, empty one, so the same
    bills are new there; against Moment, `client` itself."""

    client: Client
    sftp: SftpSettings
    loader: Client
    _closers: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def describe(self) -> str:
        return f"SFTP {self.sftp.address}, host key {self.sftp.host_key_fingerprint}"

    def close(self) -> None:
        """Stop what was started (clients, sandboxes), newest first."""
        while self._closers:
            self._closers.pop()()


def start_uploads(params: UploadingBillsParameters) -> UploadServers:
    """The embedded sandbox with SFTP when `params.base_url` is None; else Moment's API, with SFTP
    settings from `MOMENT_SFTP_*` (`billkit.billfiles.SftpSettings.resolve`)."""
    from billkit.billfiles import SftpSettings
    from billkit.client import Client
    from billkit.sandbox import Sandbox

    closers: list[Callable[[], None]] = []
    try:
        if params.base_url is None:
            sandbox = Sandbox(sftp=True, merchant=params.merchant, api_key=reveal(params.api_key))
            closers.append(sandbox.start().stop)
            client = sandbox.client()
            closers.append(client.close)
            second = Sandbox()
            closers.append(second.start().stop)
            loader = second.client()
            closers.append(loader.close)
            return UploadServers(client, sandbox.sftp_settings(), loader, closers)
        client = Client(
            api_key=reveal(params.api_key), base_url=params.base_url, allow_live=params.allow_live
        )
        closers.append(client.close)
        return UploadServers(client, SftpSettings.resolve(), client, closers)
    except BaseException:
        for close in reversed(closers):
            close()
        raise
