"""The SFTP server's host key: generated on first start and kept in the sandbox database, so a restart on
the same `--db` shows clients the same key and fingerprint (contract §9)."""

from __future__ import annotations

import asyncssh

from billkit.sandbox.store import Store

__all__ = ["HOST_KEY", "fingerprint", "kept_host_key"]

HOST_KEY = "sftp_host_key"


def kept_host_key(store: Store) -> asyncssh.SSHKey:
    """The kept Ed25519 host key, made and kept now if there is none (inside the caller's transaction)."""
    text = store.meta.get(HOST_KEY)
    if text is None:
        key = asyncssh.generate_private_key("ssh-ed25519")
        store.meta.set(HOST_KEY, key.export_private_key().decode("ascii"))
        return key
    return asyncssh.import_private_key(text)


def fingerprint(key: asyncssh.SSHKey) -> str:
    """`SHA256:...`, as `ssh-keygen -l` prints it."""
    return str(key.get_fingerprint("sha256"))
