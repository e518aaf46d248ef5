"""The recorded HTTP exchanges a notebook prints: real bodies, never the API key."""

from __future__ import annotations

import json

import httpx
import pytest

from billkit.client import Client
from billkit.notebook.quickstart.exchanges import RecordingTransport

KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def moment(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    return httpx.Response(
        201, json={"id": "bcus_H4jp6KnU5cPw263v1jyz4", **body, "webhook_secret": SECRET}
    )


def test_an_exchange_shows_both_bodies_and_the_idempotency_key() -> None:
    transport = RecordingTransport(httpx.MockTransport(moment))
    with Client(api_key=KEY, base_url="https://api.momentpay.net", transport=transport) as client:
        client.customers.create(external_reference="UCR1234567890", name="John Doe")
    exchange = transport.last
    assert exchange.method == "POST"
    assert exchange.path == "/billing/customers"
    assert exchange.request_body == {"external_reference": "UCR1234567890", "name": "John Doe"}
    assert exchange.status_code == 201
    shown = exchange.render()
    assert shown.startswith(
        f"POST /billing/customers\nIdempotency-Key: {exchange.idempotency_key}\n"
    )
    assert "→ 201 Created" in shown
    assert '"id": "bcus_H4jp6KnU5cPw263v1jyz4"' in shown
    assert KEY not in shown
    assert SECRET not in shown
    assert "whsec_…LaSw" in shown


def test_no_exchange_yet_is_a_clear_error() -> None:
    with pytest.raises(LookupError, match="no request has been sent yet"):
        _ = RecordingTransport(httpx.MockTransport(moment)).last
