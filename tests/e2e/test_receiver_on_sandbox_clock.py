"""Deliveries are signed with the wall clock (contract §5): after the sandbox clock moved ahead, stock
verifiers with their default tolerance accept them, while the event keeps its sandbox-clock times and the
retry schedule still runs on the sandbox clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from e2e_helpers import Recorder, SandboxApi
from standardwebhooks import Webhook

from billkit import Sandbox
from billkit.webhooks import verify

A_MONTH = 30 * 86_400


def test_deliveries_are_accepted_by_stock_verifiers_after_the_clock_moved_ahead(
    sandbox: Sandbox, api: SandboxApi, recorder: Recorder
) -> None:
    api.post("/_sandbox/clock", {"advance_seconds": A_MONTH})
    api.created("/_sandbox/webhook_endpoints", {"url": recorder.url})
    api.created("/_sandbox/payments", {"customer": api.customer_with_balance(), "amount": 500})
    [delivery] = recorder.wait(1, timeout=60)
    Webhook(sandbox.webhook_secret).verify(delivery.body, delivery.headers)  # reference verifier
    verify(delivery.body, delivery.headers, sandbox.webhook_secret)  # billkit's, default tolerance
    created_at = datetime.fromisoformat(json.loads(delivery.body)["data"]["created_at"])
    assert created_at > datetime.now(UTC) + timedelta(days=29)  # the event keeps sandbox time
