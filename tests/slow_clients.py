"""A slow client for the servers' request timeouts: it dribbles a request one byte at a time (slowloris)."""

from __future__ import annotations

import select
import socket
import time

__all__ = ["dribble_until_dropped"]


def dribble_until_dropped(port: int, start: bytes, give_up_after: float = 60.0) -> bool:
    """Send `start`, then one more byte every 50 ms (well inside any per-read timeout) until the server
    drops the connection without answering: True if it did within `give_up_after` seconds."""
    deadline = time.monotonic() + give_up_after
    with socket.create_connection(("127.0.0.1", port), timeout=give_up_after) as connection:
        connection.sendall(start)
        while time.monotonic() < deadline:
            # Waiting for the drop is also the pace of the dribble.
            readable, _, _ = select.select([connection], [], [], 0.05)
            try:
                if readable and connection.recv(4096) == b"":
                    return True  # an early answer (a 401 before the body, say) is not the drop
                connection.sendall(b"a")
            except (BrokenPipeError, ConnectionResetError):
                return True
    return False
