"""The delivery transport against scripted loopback servers: keep-alive reuse, answer framings, a kept
connection the receiver closed, and the errors it reports."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import pytest

from billkit.sandbox.delivery.transport import DeliveryTransport, TransportError

OK = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"


class Script:
    """A server answering each request with the next scripted bytes; `close_after` closes the connection
    after that many answers on it."""

    def __init__(self, answers: Sequence[bytes], close_after: int | None = None) -> None:
        self.answers = list(answers)
        self.close_after = close_after
        self.connections = 0
        self.requests: list[bytes] = []
        #: Set once the server has closed a connection (after close_after answers, or at its end).
        self.closed_one = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        served = 0
        try:
            while self.answers:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
                self.requests.append(head + await reader.readexactly(length))
                writer.write(self.answers.pop(0))
                await writer.drain()
                served += 1
                if self.close_after is not None and served >= self.close_after:
                    break
        except asyncio.IncompleteReadError:
            pass
        writer.close()
        await writer.wait_closed()
        self.closed_one.set()


@asynccontextmanager
async def serving(script: Script) -> AsyncIterator[str]:
    server = await asyncio.start_server(script.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/hooks?x=1"
    finally:
        server.close()
        await server.wait_closed()


def transport() -> DeliveryTransport:
    return DeliveryTransport(max_idle_per_origin=4, user_agent="test")


def test_requests_share_one_kept_connection() -> None:
    async def run() -> None:
        script = Script([OK, OK, OK])
        async with serving(script) as url:
            client = transport()
            answers = [
                await client.post(url, b'{"n":1}', {"webhook-id": "msg_1"}) for _ in range(3)
            ]
            await client.aclose()
        assert [(a.status_code, a.body) for a in answers] == [(200, b"ok")] * 3
        assert script.connections == 1
        request = script.requests[0]
        assert request.startswith(b"POST /hooks?x=1 HTTP/1.1\r\n")
        assert b"\r\nwebhook-id: msg_1\r\n" in request
        assert b"\r\ncontent-length: 7\r\n" in request
        assert request.endswith(b'\r\n\r\n{"n":1}')

    asyncio.run(run())


def test_chunked_interim_and_close_delimited_answers_are_read() -> None:
    chunked = b"HTTP/1.1 500 Oops\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n"
    interim = b"HTTP/1.1 100 Continue\r\n\r\n" + OK
    until_close = b"HTTP/1.0 401 No\r\n\r\nbad signature"

    async def run() -> None:
        script = Script([chunked, interim, until_close])
        async with serving(script) as url:
            client = transport()
            first = await client.post(url, b"{}", {})
            second = await client.post(url, b"{}", {})
            third = await client.post(url, b"{}", {})
            await client.aclose()
        assert (first.status_code, first.body, first.is_success) == (500, b"abcde", False)
        assert (second.status_code, second.body) == (200, b"ok")
        assert (third.status_code, third.body) == (401, b"bad signature")
        assert script.connections == 1

    asyncio.run(run())


def test_a_kept_connection_the_receiver_closed_is_replaced() -> None:
    async def run() -> None:
        script = Script([OK, OK], close_after=1)
        async with serving(script) as url:
            client = transport()
            await client.post(url, b"{}", {})
            await asyncio.wait_for(script.closed_one.wait(), 60)  # the server closed its end
            answer = await client.post(url, b"{}", {})
            await client.aclose()
        assert answer.status_code == 200
        assert script.connections == 2

    asyncio.run(run())


def test_unreachable_and_non_http_receivers_are_errors() -> None:
    async def run() -> None:
        client = transport()
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()
        with pytest.raises(TransportError, match="cannot connect"):
            await client.post(f"http://127.0.0.1:{port}/", b"{}", {})
        async with serving(Script([b"SSH-2.0-OpenSSH\r\n\r\n"])) as url:
            with pytest.raises(TransportError, match=r"HTTP/1\.x"):
                await client.post(url, b"{}", {})
        with pytest.raises(TransportError, match="http"):
            await client.post("ftp://example.invalid/", b"{}", {})
        await client.aclose()

    asyncio.run(run())


def test_non_ascii_paths_are_percent_encoded() -> None:
    async def run() -> None:
        script = Script([OK])
        async with serving(script) as url:
            client = transport()
            await client.post(url.replace("/hooks", "/café hooks"), b"{}", {})
            await client.aclose()
        assert script.requests[0].startswith(b"POST /caf%C3%A9%20hooks?x=1 HTTP/1.1\r\n")

    asyncio.run(run())
