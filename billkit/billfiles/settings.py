"""Where and how to reach a billing SFTP server: arguments first, then `MOMENT_SFTP_*` variables.

    MOMENT_SFTP_HOST, MOMENT_SFTP_PORT (22), MOMENT_SFTP_USERNAME, MOMENT_SFTP_PASSWORD,
    MOMENT_SFTP_KEY_FILE, MOMENT_SFTP_KNOWN_HOSTS, MOMENT_SFTP_HOST_KEY_FINGERPRINT

The server's host key must be pinned, by a known_hosts file or by its `SHA256:...` fingerprint (what
`billkit sandbox --sftp-port` announces, or what Moment gives you): billkit never accepts any key it is
shown. The password is masked wherever the settings are shown.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from billkit.errors import ConfigurationError
from billkit.keys import redact

__all__ = ["SFTP_ENV", "SftpSettings"]

SFTP_ENV = {
    "host": "MOMENT_SFTP_HOST",
    "port": "MOMENT_SFTP_PORT",
    "username": "MOMENT_SFTP_USERNAME",
    "password": "MOMENT_SFTP_PASSWORD",
    "key_file": "MOMENT_SFTP_KEY_FILE",
    "known_hosts": "MOMENT_SFTP_KNOWN_HOSTS",
    "host_key_fingerprint": "MOMENT_SFTP_HOST_KEY_FINGERPRINT",
}
_FINGERPRINT = re.compile(r"SHA256:[A-Za-z0-9+/]{43}")


@dataclass(frozen=True, kw_only=True)
class SftpSettings:
    host: str
    username: str
    port: int = 22
    password: str | None = field(default=None, repr=False)
    key_file: Path | None = None
    known_hosts: Path | None = None
    host_key_fingerprint: str | None = None

    def __post_init__(self) -> None:
        if not self.host:
            raise ConfigurationError(f"no SFTP host: pass host=... or set {SFTP_ENV['host']}")
        if not self.username:
            raise ConfigurationError(
                f"no SFTP username: pass username=... or set {SFTP_ENV['username']}"
            )
        if isinstance(self.port, bool) or not isinstance(self.port, int):
            raise ConfigurationError(f"SFTP port must be an int, not {self.port!r}")
        if not 1 <= self.port <= 65535:
            raise ConfigurationError(f"SFTP port must be 1 to 65535, not {self.port}")
        if self.password is None and self.key_file is None:
            raise ConfigurationError(
                f"no SFTP credentials: pass password=... or key_file=... "
                f"(or set {SFTP_ENV['password']} or {SFTP_ENV['key_file']})"
            )
        if self.host_key_fingerprint is None and self.known_hosts is None:
            raise ConfigurationError(
                "the SFTP server's host key is not pinned: pass host_key_fingerprint='SHA256:...' "
                "(billkit sandbox prints it) or known_hosts=PATH "
                f"(or set {SFTP_ENV['host_key_fingerprint']} or {SFTP_ENV['known_hosts']})"
            )
        if self.host_key_fingerprint is not None and not _FINGERPRINT.fullmatch(
            self.host_key_fingerprint
        ):
            raise ConfigurationError(
                f"host_key_fingerprint {self.host_key_fingerprint!r} must be SHA256: followed by "
                "43 base64 characters, as ssh-keygen -l prints it"
            )
        for name in ("key_file", "known_hosts"):
            path = getattr(self, name)
            if path is not None and not Path(path).is_file():
                raise ConfigurationError(f"SFTP {name} {str(path)!r} is not a file")

    @classmethod
    def resolve(
        cls,
        *,
        host: str | None = None,
        port: int | None = None,
        username: str | None = None,
        password: str | None = None,
        key_file: str | Path | None = None,
        known_hosts: str | Path | None = None,
        host_key_fingerprint: str | None = None,
        env: Mapping[str, str] | None = None,
    ) -> SftpSettings:
        """Settings from the arguments, then `env` (default `os.environ`)."""
        environ = os.environ if env is None else env

        def pick(name: str, given: object) -> str | None:
            if given is not None:
                return str(given)
            return environ.get(SFTP_ENV[name]) or None

        port_text = pick("port", port)
        try:
            port_number = int(port_text) if port_text is not None else 22
        except ValueError:
            raise ConfigurationError(
                f"{SFTP_ENV['port']} must be a port number, not {port_text!r}"
            ) from None
        key_path, hosts_path = pick("key_file", key_file), pick("known_hosts", known_hosts)
        return cls(
            host=pick("host", host) or "",
            port=port_number,
            username=pick("username", username) or "",
            password=pick("password", password),
            key_file=Path(key_path).expanduser() if key_path else None,
            known_hosts=Path(hosts_path).expanduser() if hosts_path else None,
            host_key_fingerprint=pick("host_key_fingerprint", host_key_fingerprint),
        )

    @property
    def address(self) -> str:
        return f"{self.username}@{self.host}:{self.port}"

    def __repr__(self) -> str:
        return (
            f"SftpSettings(host={self.host!r}, port={self.port}, username={self.username!r}, "
            f"password={redact(self.password)!r}, key_file={self.key_file!r}, "
            f"known_hosts={self.known_hosts!r}, host_key_fingerprint={self.host_key_fingerprint!r})"
        )
