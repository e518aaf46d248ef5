"""Building Moment-shaped events and signed deliveries for the webhook tests."""

from __future__ import annotations

import json
from typing import Any

from billkit.webhooks import sign_headers
from billkit.webhooks.signing import Secrets

CONTRACT_EVENT: dict[str, Any] = {
    "id": "evt_7kQ2mZ9xLp4Rt8Vb3Nc6Hd1",
    "type": "obligation.amount_applied",
    "data": {
        "id": "ob_N2a38DJQWPL8K4X42354234",
        "amount": 2000,
        "currency": "ZAR",
        "payment_id": "pay_1313235234843nmafdsa",
        "bill_id": "bill_H4jp6KnU5cPw263v1jyz4",
        "account_id": "bacc_H4jp6KnU5cPw263v1jyz4",
        "metadata": {"utm_source": "sms"},
        "created_at": "2025-01-15T10:00:00Z",
        "updated_at": "2025-01-15T10:00:00Z",
    },
}


def amount_applied(event_id: str, amount: object = 2000, **data: Any) -> dict[str, Any]:
    """An `obligation.amount_applied` event as the contract (§4) shapes it, for a bill unless told otherwise."""
    body: dict[str, Any] = json.loads(json.dumps(CONTRACT_EVENT))
    body["id"] = event_id
    body["data"]["amount"] = amount
    body["data"].update(data)
    return body


def encode(event: dict[str, Any]) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode()


def delivery(event: dict[str, Any], secret: Secrets, **kwargs: Any) -> tuple[bytes, dict[str, str]]:
    """The raw body and signed headers of one delivery of `event`."""
    body = encode(event)
    return body, sign_headers(body, secret, **kwargs)
