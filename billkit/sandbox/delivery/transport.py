"""A lean HTTP/1.1 client for webhook deliveries: POST, read the answer, keep the connection for the next one.

Deliveries are small POSTs to one endpoint, so the general-purpose client's machinery costs more than the
request: on loopback httpx's async client spends about ten times as long per POST as a bare round trip. This
client writes the request in one piece and reads the status, the headers and a length-delimited, chunked or
close-delimited body, keeping idle connections per origin. A POST on a kept connection that the receiver has
meanwhile closed is sent once more on a fresh one (delivery is at least once; receivers deduplicate).
Timeouts are the caller's (`asyncio.timeout`); a cancelled request closes its connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, urlsplit

__all__ = ["Answer", "DeliveryTransport", "TransportError"]

#: The most of a receiver's answer that is read; a longer body is cut off and its connection closed.
MAX_ANSWER_BYTES: Final = 1024 * 1024
_Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]
#: Characters left as they are in a request target (everything printable in ASCII but space).
_URL_SAFE: Final = "!#$%&'()*+,/:;=?@[]~"


class TransportError(Exception):
    """The receiver could not be reached, or did not answer with HTTP."""


@dataclass(frozen=True, slots=True)
class Answer:
    status_code: int
    body: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300


@dataclass(frozen=True, slots=True)
class _Target:
    origin: tuple[str, str, int]
    host_header: str
    path: str


def _target(url: str) -> _Target:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransportError(f"{url!r} is not an absolute http(s) URL")
    host_header = parts.netloc.rpartition("@")[2]
    if not host_header.isascii():
        raise TransportError(f"the host in {url!r} must be ASCII (punycode for other scripts)")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    # Non-ASCII characters in the path are sent percent-encoded, as browsers send them.
    return _Target((parts.scheme, parts.hostname, port), host_header, quote(path, safe=_URL_SAFE))


class DeliveryTransport:
    def __init__(self, *, max_idle_per_origin: int, user_agent: str) -> None:
        self._max_idle = max_idle_per_origin
        self._user_agent = user_agent
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._tls: ssl.SSLContext | None = None

    async def post(self, url: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        target = _target(url)
        head = [
            f"POST {target.path} HTTP/1.1",
            f"host: {target.host_header}",
            f"user-agent: {self._user_agent}",
            f"content-length: {len(body)}",
            *(f"{name}: {value}" for name, value in headers.items()),
        ]
        request = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        kept = self._take_idle(target.origin)
        if kept is not None:
            try:
                return await self._exchange(kept, target.origin, request)
            except (ConnectionError, asyncio.IncompleteReadError, TransportError):
                pass  # the receiver closed the kept connection: send again on a new one
        return await self._exchange(await self._connect(target.origin), target.origin, request)

    async def aclose(self) -> None:
        connections = [c for pool in self._idle.values() for c in pool]
        self._idle.clear()
        for _, writer in connections:
            writer.close()
        for _, writer in connections:
            with contextlib.suppress(OSError, ssl.SSLError):
                await writer.wait_closed()

    def _take_idle(self, origin: tuple[str, str, int]) -> _Connection | None:
        pool = self._idle.get(origin)
        while pool:
            reader, writer = pool.pop()
            if not reader.at_eof() and not writer.is_closing():
                return reader, writer
            writer.close()
        return None

    async def _connect(self, origin: tuple[str, str, int]) -> _Connection:
        scheme, host, port = origin
        tls = None
        if scheme == "https":
            self._tls = self._tls or ssl.create_default_context()
            tls = self._tls
        try:
            return await asyncio.open_connection(host, port, ssl=tls)
        except OSError as exc:
            raise TransportError(
                f"cannot connect to {host}:{port}: {exc.strerror or exc}"
            ) from None

    async def _exchange(
        self, connection: _Connection, origin: tuple[str, str, int], request: bytes
    ) -> Answer:
        reader, writer = connection
        try:
            writer.write(request)
            await writer.drain()
            answer, reusable = await _read_answer(reader)
        except BaseException:
            writer.close()
            raise
        pool = self._idle.setdefault(origin, [])
        if reusable and len(pool) < self._max_idle:
            pool.append(connection)
        else:
            writer.close()
        return answer


async def _read_answer(reader: asyncio.StreamReader) -> tuple[Answer, bool]:
    """The final answer (skipping any 1xx) and whether the connection can carry another request."""
    while True:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.LimitOverrunError:
            raise TransportError("the receiver's answer headers are too long") from None
        version, status, fields = _parse_head(head)
        if not 100 <= status < 200:
            break
    keep_alive = version == "HTTP/1.1" and "close" not in fields.get("connection", "").lower()
    if status in (204, 304):
        return Answer(status, b""), keep_alive
    if "chunked" in fields.get("transfer-encoding", "").lower():
        body, complete = await _read_chunked(reader)
        return Answer(status, body), keep_alive and complete
    length = fields.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise TransportError(f"the receiver sent a bad content-length {length[:20]!r}")
        size = int(length)
        if size > MAX_ANSWER_BYTES:
            return Answer(status, await reader.read(MAX_ANSWER_BYTES)), False
        return Answer(status, await reader.readexactly(size)), keep_alive
    return Answer(status, await _read_to_close(reader)), False


async def _read_to_close(reader: asyncio.StreamReader) -> bytes:
    """A body that ends when the receiver closes the connection (up to MAX_ANSWER_BYTES)."""
    body = bytearray()
    while len(body) < MAX_ANSWER_BYTES:
        chunk = await reader.read(MAX_ANSWER_BYTES - len(body))
        if not chunk:
            break
        body += chunk
    return bytes(body)


def _parse_head(head: bytes) -> tuple[str, int, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    code = rest[:3]
    if not version.startswith("HTTP/1.") or not code.isdigit():
        raise TransportError(f"the receiver did not answer with HTTP/1.x: {lines[0][:60]!r}")
    fields: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if colon:
            fields[name.strip().lower()] = value.strip()
    return version, int(code), fields


async def _read_chunked(reader: asyncio.StreamReader) -> tuple[bytes, bool]:
    """A chunked body (up to MAX_ANSWER_BYTES) and whether it was read to its end."""
    body = bytearray()
    while True:
        size_line = await reader.readuntil(b"\r\n")
        try:
            size = int(size_line.split(b";")[0].strip(), 16)
        except ValueError:
            raise TransportError("the receiver sent a malformed chunk") from None
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass  # trailer fields
            return bytes(body), True
        if len(body) + size > MAX_ANSWER_BYTES:
            return bytes(body), False
        body += (await reader.readexactly(size + 2))[:-2]
