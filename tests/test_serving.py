"""billkit._serving: an ASGI app on a free loopback port from a thread, stopped cleanly even while a
keep-alive client still holds its connection."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import uvicorn

from billkit._serving import ReadyServer, ServedApp, bind_socket
from billkit.errors import ConfigurationError


async def hello(
    scope: dict[str, Any],
    receive: Callable[[], Awaitable[dict[str, Any]]],
    send: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hello"})


def test_an_app_is_served_on_loopback_and_stops_with_a_kept_connection_open() -> None:
    served = ServedApp(hello).start()
    assert served.url.startswith("http://127.0.0.1:")
    with httpx.Client() as client:
        assert client.get(served.url).text == "hello"
        assert client.get(served.url).text == "hello"  # the same kept connection
        served.stop()
        assert not served.running
        with pytest.raises(httpx.TransportError):
            client.get(served.url)


def test_a_port_in_use_is_an_error_before_anything_is_served() -> None:
    taken = bind_socket("127.0.0.1", 0)
    try:
        port = taken.getsockname()[1]
        with pytest.raises(ConfigurationError, match=f"cannot listen on 127.0.0.1:{port}"):
            bind_socket("127.0.0.1", port)
    finally:
        taken.close()


def test_an_app_failing_at_start_is_reported() -> None:
    async def broken(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.startup.failed", "message": "no database"})

    served = ServedApp(
        server=lambda on_ready: ReadyServer(
            uvicorn.Config(broken, lifespan="on", log_config=None), on_ready=on_ready
        )
    )
    with pytest.raises(RuntimeError, match="did not start"):
        served.start()
    assert not served.running
