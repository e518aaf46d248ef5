"""Building Moment-shaped events and signed deliveries for the webhook tests."""

from __future__ import annotations

import json
from typing import Any

from billkit.webhooks import sign_headers
from billkit.webhooks.signing import Secrets


def encode(event: dict[str, Any]) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode()


def delivery(event: dict[str, Any], secret: Secrets, **kwargs: Any) -> tuple[bytes, dict[str, str]]:
    """The raw body and signed headers of one delivery of `event`."""
    body = encode(event)
    return body, sign_headers(body, secret, **kwargs)
