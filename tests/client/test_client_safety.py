"""Keys never leak (repr, logs, exceptions); live and public keys are stopped before anything is sent."""

from __future__ import annotations

import asyncio
import logging

import httpx
import pytest
from client_fakes import API_KEY, Recorder, make_async_client, make_client, problem
from samples import BILL, CUSTOMER, PAYMENT_REQUEST

from billkit import (
    APIConnectionError,
    AsyncClient,
    AuthenticationError,
    Client,
    ConfigurationError,
)

PUBLIC_KEY = "pk_test_TYooMQauvdEDq54NiTphI7jx"
LIVE_KEY = "sk_9f8e7d6c5b4a39281706f5e4"


def test_client_repr_shows_base_url_and_masked_key() -> None:
    with make_client(Recorder()) as client:
        assert repr(client) == "Client(base_url='http://sandbox.test', api_key='sk_test_…p7dc')"
    async_client = AsyncClient(API_KEY, "http://sandbox.test", env={})
    assert API_KEY not in repr(async_client)
    assert "sk_test_…p7dc" in repr(async_client)


def test_live_key_is_refused_before_any_request() -> None:
    recorder = Recorder()
    with pytest.raises(ConfigurationError, match="allow_live=True") as caught:
        make_client(recorder, api_key=LIVE_KEY)
    assert LIVE_KEY not in str(caught.value)
    assert recorder.requests == []


def test_live_key_works_when_allowed() -> None:
    recorder = Recorder(default=httpx.Response(200, json=CUSTOMER))
    with make_client(recorder, api_key=LIVE_KEY, allow_live=True) as client:
        client.customers.retrieve("bcus_1")
    assert recorder.last.headers["authorization"] == f"Bearer {LIVE_KEY}"


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.bills.create(
            external_reference="B", currency="ZAR", amount_due=1, customer="c"
        ),
        lambda c: c.customers.retrieve("bcus_1"),
        lambda c: list(c.sandbox.bills.list()),
    ],
)
def test_public_key_is_refused_for_billing_calls(call: object) -> None:
    recorder = Recorder()
    refused = pytest.raises(ConfigurationError, match=r"public key.*cannot make billing calls")
    with make_client(recorder, api_key=PUBLIC_KEY) as client, refused as caught:
        call(client)  # type: ignore[operator]
    assert PUBLIC_KEY not in str(caught.value)
    assert recorder.requests == []


def test_public_key_is_left_to_the_api_outside_billing() -> None:
    recorder = Recorder(default=httpx.Response(200, json=PAYMENT_REQUEST))
    with make_client(recorder, api_key=PUBLIC_KEY) as client:
        client.payment_requests.retrieve("pr_1")
    assert len(recorder.requests) == 1


def test_status_errors_do_not_show_the_key() -> None:
    recorder = Recorder(default=problem(401, "unknown API key"))
    with make_client(recorder) as client, pytest.raises(AuthenticationError) as caught:
        client.bills.retrieve("bill_1")
    error = caught.value
    assert API_KEY not in str(error)
    assert API_KEY not in repr(error)
    assert API_KEY not in repr(error.request_headers)
    assert error.request_headers["authorization"] == "Bearer sk_test_…p7dc"


def test_connection_errors_do_not_show_the_key() -> None:
    recorder = Recorder(default=httpx.ConnectError(f"refused while sending Bearer {API_KEY}"))
    with (
        make_client(recorder, max_retries=0) as client,
        pytest.raises(APIConnectionError) as caught,
    ):
        client.bills.retrieve("bill_1")
    assert API_KEY not in str(caught.value)


def test_logs_never_show_the_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    recorder = Recorder(
        problem(503, "busy"),
        httpx.ConnectError("refused"),
        default=httpx.Response(201, json=BILL),
    )
    with make_client(recorder) as client:
        client.bills.create(external_reference="B", currency="ZAR", amount_due=1, customer="c")
    client_records = [r for r in caplog.records if r.name == "billkit.client"]
    assert any("retrying" in r.getMessage() for r in client_records)
    assert all(API_KEY not in r.getMessage() for r in caplog.records)


def test_closed_client_cannot_send() -> None:
    recorder = Recorder()
    with make_client(recorder) as client:
        pass
    with pytest.raises(RuntimeError, match="closed"):
        client.bills.retrieve("bill_1")
    assert recorder.requests == []


def test_closed_async_client_cannot_send() -> None:
    recorder = Recorder()

    async def run() -> None:
        async with make_async_client(recorder) as client:
            pass
        await client.bills.retrieve("bill_1")

    with pytest.raises(RuntimeError, match="closed"):
        asyncio.run(run())
    assert recorder.requests == []


def test_client_reads_the_environment_mapping() -> None:
    env = {"MOMENT_API_KEY": API_KEY, "MOMENT_BASE_URL": "http://127.0.0.1:8787"}
    client = Client(env=env, transport=httpx.MockTransport(Recorder()))
    assert client.base_url == "http://127.0.0.1:8787"
    client.close()
