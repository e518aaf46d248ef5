"""Stand-ins for Moment's API behind `httpx.MockTransport`: a recorder that answers from a script."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import httpx
from samples import BILL

from billkit import AsyncClient, Client

API_KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
BASE_URL = "http://sandbox.test"

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def problem(status: int, detail: str, **extra: Any) -> httpx.Response:
    body = {"type": "https://api.momentco.io/docs/errors#x", "title": "t", "status": status}
    return httpx.Response(
        status,
        json={**body, "detail": detail, **extra},
        headers={"Content-Type": "application/problem+json"},
    )


class Recorder:
    """Records every request; answers with the scripted answers in order, then `default` forever.

    An answer may be a response, an exception to raise (a transport failure), or a function of the request.
    """

    def __init__(self, *script: Answer, default: Answer | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self._script = list(script)
        self._default = default if default is not None else httpx.Response(200, json=BILL)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        answer = self._script.pop(0) if self._script else self._default
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            # A fresh copy each time, so one scripted response can answer many requests.
            return httpx.Response(
                answer.status_code, headers=answer.headers, content=answer.content
            )
        return answer(request)

    async def handle_async(self, request: httpx.Request) -> httpx.Response:
        return self(request)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]

    def keys(self) -> list[str | None]:
        return [r.headers.get("idempotency-key") for r in self.requests]


class Sleeps:
    """An injectable sleep that records how long it was asked to wait."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.calls.append(seconds)


def make_client(recorder: Recorder, sleeps: Sleeps | None = None, **options: Any) -> Client:
    options.setdefault("api_key", API_KEY)
    options.setdefault("base_url", BASE_URL)
    return Client(
        transport=httpx.MockTransport(recorder),
        sleep=sleeps if sleeps is not None else Sleeps(),
        env={},
        **options,
    )


def make_async_client(
    recorder: Recorder, sleeps: Sleeps | None = None, **options: Any
) -> AsyncClient:
    options.setdefault("api_key", API_KEY)
    options.setdefault("base_url", BASE_URL)
    return AsyncClient(
        transport=httpx.MockTransport(recorder.handle_async),
        sleep=(sleeps or Sleeps()).async_sleep,
        env={},
        **options,
    )


def paths(requests: Iterable[httpx.Request]) -> list[str]:
    return [f"{r.method} {r.url.raw_path.decode()}" for r in requests]
