"""Stand-ins for Moment's API behind `httpx.MockTransport`: a recorder that answers from a script."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

import httpx

from billkit import AsyncClient, Client

API_KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
BASE_URL = "http://sandbox.test"

CUSTOMER = {"id": "bcus_H4jp6KnU5cPw263v1jyz4", "external_reference": "UCR1234567890"}
ACCOUNT = {
    "id": "bacc_H4jp6KnU5cPw263v1jyz4",
    "external_reference": "UAR1234567890",
    "customer_id": "bcus_H4jp6KnU5cPw263v1jyz4",
}
BILL = {
    "id": "bill_H4jp6KnU5cPw263v1jyz4",
    "external_reference": "UBR1234567890",
    "customer_id": "bcus_H4jp6KnU5cPw263v1jyz4",
    "account_id": "bacc_H4jp6KnU5cPw263v1jyz4",
    "status": "unpaid",
    "currency": "ZAR",
    "amount_due": 2000,
    "amount_paid": 0,
    "amount_remaining": 2000,
    "bill_date": "2025-01-01",
    "due_date": "2025-01-31",
    "payment_rules": {
        "min_amount": 100,
        "max_amount": 2000,
        "underpayment_allowed": True,
        "overpayment_allowed": False,
    },
    "metadata": {"invoice_period": "January 2025"},
}
PAYMENT_REQUEST = {
    "id": "pr_H4jp6KnU5cPw263v1jyz4",
    "type": "link",
    "status": "active",
    "amount": 2000,
    "currency": "ZAR",
    "expires_at": "2025-01-16T10:00:00Z",
    "link": {"checkout_session_id": "chk_1", "link_url": "http://sandbox.test/pay/pr_H4jp"},
}

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
