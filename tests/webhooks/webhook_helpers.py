"""Building Moment-shaped events and signed deliveries for the webhook tests."""

from __future__ import annotations

import json
from typing import Any, Final

from billkit.webhooks import sign_headers
from billkit.webhooks.signing import Secrets


def encode(event: dict[str, Any]) -> bytes:
    return json.dumps(event, separators=(",", ":")).encode()


def delivery(event: dict[str, Any], secret: Secrets, **kwargs: Any) -> tuple[bytes, dict[str, str]]:
    """The raw body and signed headers of one delivery of `event`."""
    body = encode(event)
    return body, sign_headers(body, secret, **kwargs)


#: How long a test waits for what should happen at once: generous for a loaded 2-core machine, and never a
#: measure of speed (tests wait for conditions up to this; they do not time them).
PATIENCE: Final = 60.0

#: How a slow client begins: in the middle of its headers, or with its headers done and its body owed.
SLOW_STARTS: Final = {
    "headers": b"POST /webhooks HTTP/1.1\r\nHost: x\r\nX-Slow: ",
    "body": b"POST /webhooks HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n",
}
