"""Webhook delivery from a running sandbox over real HTTP: signing, retries on the sandbox clock, the
delivery log, redelivery, what happens to pending deliveries when the endpoint changes, and chaos."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Iterator

import pytest
import standardwebhooks
from e2e_helpers import Recorder, SandboxApi, free_port

from billkit import WebhookReceiver
from billkit.sandbox import Sandbox
from billkit.sandbox.settings import DEFAULT_RETRY_SCHEDULE
from billkit.webhooks import verify

MSG_ID = re.compile(r"^msg_[A-Za-z0-9]{21,}$")
#: Many short retries: a delivery stays pending for a few seconds while a test changes something.
PATIENT = "0.2," * 29 + "0.2"


@pytest.fixture
def patient() -> Iterator[tuple[Sandbox, SandboxApi]]:
    with Sandbox(retry_schedule=PATIENT) as running:
        api = SandboxApi(running.base_url, running.api_key)
        yield running, api
        api.close()


def test_delivery_is_signed_as_the_contract_says(
    sandbox: Sandbox, api: SandboxApi, recorder: Recorder
) -> None:
    api.register(recorder.url)
    event_id = api.pay(api.customer_with_balance())
    [delivery] = recorder.wait(1)
    assert delivery.headers["content-type"] == "application/json"
    assert MSG_ID.match(delivery.headers["webhook-id"])
    assert delivery.headers["webhook-signature"].startswith("v1,")
    verified = verify(delivery.body, delivery.headers, sandbox.webhook_secret)
    assert verified.webhook_id == delivery.headers["webhook-id"]
    standardwebhooks.Webhook(sandbox.webhook_secret).verify(delivery.body, delivery.headers)
    assert json.loads(delivery.body) == api.http.get(f"/_sandbox/events/{event_id}").json()
    [logged] = api.wait_attempts(event_id, 1)
    assert logged["webhook_id"] == delivery.headers["webhook-id"]
    assert (logged["attempt"], logged["status_code"], logged["error"]) == (1, 200, None)
    assert logged["duration_ms"] >= 0


def test_every_attempt_is_signed_afresh_over_the_same_body(
    sandbox: Sandbox, api: SandboxApi
) -> None:
    with Recorder(answers=[500, 503]) as recorder:
        api.register(recorder.url)
        event_id = api.pay(api.customer_with_balance())
        deliveries = recorder.wait(3)
        assert len({d.headers["webhook-id"] for d in deliveries}) == 3
        assert {d.body for d in deliveries} == {deliveries[0].body}
        assert json.loads(deliveries[0].body)["id"] == event_id
        for delivery in deliveries:
            standardwebhooks.Webhook(sandbox.webhook_secret).verify(delivery.body, delivery.headers)
        logged = api.wait_attempts(event_id, 3)
        assert [(a["attempt"], a["status_code"]) for a in logged] == [(1, 500), (2, 503), (3, 200)]
        assert logged[0]["error"] == "{}"  # the start of the receiver's refusal, to tell why
        assert recorder.quiet_for(0.5) == 3  # delivered: never sent again


def test_default_schedule_runs_on_the_sandbox_clock_then_fails() -> None:
    attempts_allowed = len(DEFAULT_RETRY_SCHEDULE) + 1
    started = int(time.time())
    with (
        Recorder(answers=[503] * 20) as recorder,
        Sandbox(webhook_url=recorder.url) as sandbox,
    ):
        api = SandboxApi(sandbox.base_url, sandbox.api_key)
        event_id = api.pay(api.customer_with_balance())
        api.wait_attempts(event_id, 1)  # the retry is scheduled from the settled failure
        api.advance(DEFAULT_RETRY_SCHEDULE[0] - 1)
        assert recorder.quiet_for(0.3) == 1  # not yet due
        api.advance(1)
        recorder.wait(2)
        for number, delay in enumerate(DEFAULT_RETRY_SCHEDULE[1:], start=3):
            api.wait_attempts(event_id, number - 1)  # the previous failure is settled first
            api.advance(delay)
            recorder.wait(number)
        api.wait_attempts(event_id, attempts_allowed)
        api.advance(10 * 86_400)
        assert recorder.quiet_for(0.4) == attempts_allowed  # failed: no more attempts
        deliveries = recorder.deliveries
        timestamps = [int(d.headers["webhook-timestamp"]) for d in deliveries]
        # Stamped afresh from the wall clock on every attempt, however far the sandbox clock moved.
        assert timestamps == sorted(timestamps)
        assert started <= timestamps[0]
        assert timestamps[-1] <= time.time()
        assert len({d.headers["webhook-id"] for d in deliveries}) == attempts_allowed
        logged = api.attempts(event_id)
        assert [a["attempt"] for a in logged] == list(range(1, attempts_allowed + 1))
        assert {a["status_code"] for a in logged} == {503}
        api.close()


def test_receiver_down_then_up_gets_the_event(patient: tuple[Sandbox, SandboxApi]) -> None:
    sandbox, api = patient
    port = free_port()
    api.register(f"http://127.0.0.1:{port}/webhooks")
    event_id = api.pay(api.customer_with_balance())
    refused = api.wait_attempts(event_id, 2)
    assert all(a["status_code"] is None and a["error"] for a in refused)
    with WebhookReceiver(sandbox.webhook_secret, port=port) as receiver:
        assert receiver.wait_for(event_id=event_id).id == event_id
        assert api.wait_attempts(event_id, len(refused) + 1)[-1]["status_code"] == 200


def test_a_500_then_a_200_records_the_event_once(sandbox: Sandbox, api: SandboxApi) -> None:
    calls: list[str] = []

    def flaky(event: object) -> None:
        calls.append("called")
        if len(calls) == 1:
            raise RuntimeError("the database is down")

    with WebhookReceiver(sandbox.webhook_secret, on_event=flaky) as receiver:
        api.register(receiver.url)
        event_id = api.pay(api.customer_with_balance())
        receiver.wait_for(event_id=event_id)
        statuses = [a["status_code"] for a in api.wait_attempts(event_id, 2)]
        assert statuses == [500, 200]
        assert [event.id for event in receiver.received] == [event_id]


def test_redeliver_sends_the_same_event_again_with_a_new_webhook_id(
    api: SandboxApi, recorder: Recorder
) -> None:
    api.register(recorder.url)
    event_id = api.pay(api.customer_with_balance())
    recorder.wait(1)
    response = api.post(f"/_sandbox/events/{event_id}/redeliver")
    assert response.status_code == 201, response.text
    assert response.json()["event_id"] == event_id
    first, second = recorder.wait(2)
    assert first.body == second.body
    assert first.headers["webhook-id"] != second.headers["webhook-id"]
    assert [a["attempt"] for a in api.wait_attempts(event_id, 2)] == [1, 1]  # a new series


def test_redeliver_refuses_unknown_events_and_a_missing_endpoint(api: SandboxApi) -> None:
    unknown = api.post("/_sandbox/events/evt_0000000000000000000000/redeliver")
    assert unknown.status_code == 404
    assert api.http.get("/_sandbox/events/evt_0000000000000000000000/deliveries").status_code == 404
    event_id = api.pay(api.customer_with_balance())  # no endpoint registered: nothing queued
    assert api.attempts(event_id) == []
    refused = api.post(f"/_sandbox/events/{event_id}/redeliver")
    assert refused.status_code == 409
    assert "register one" in refused.json()["detail"]


def test_pending_deliveries_follow_a_replaced_endpoint(
    patient: tuple[Sandbox, SandboxApi], recorder: Recorder
) -> None:
    _, api = patient
    api.register(f"http://127.0.0.1:{free_port()}/webhooks")
    event_id = api.pay(api.customer_with_balance())
    api.wait_attempts(event_id, 1)
    api.register(recorder.url)
    [delivery] = recorder.wait(1)
    assert json.loads(delivery.body)["id"] == event_id


def test_deleting_the_endpoint_cancels_pending_deliveries(
    patient: tuple[Sandbox, SandboxApi], recorder: Recorder
) -> None:
    _, api = patient
    endpoint = api.register(f"http://127.0.0.1:{free_port()}/webhooks")
    event_id = api.pay(api.customer_with_balance())
    api.wait_attempts(event_id, 1)
    assert api.http.delete(f"/_sandbox/webhook_endpoints/{endpoint['id']}").status_code == 200
    api.register(recorder.url)
    assert recorder.quiet_for(0.6) == 0
    assert api.post(f"/_sandbox/events/{event_id}/redeliver").status_code == 201
    recorder.wait(1)


def test_chaos_duplicates_reach_a_receiver_that_records_each_event_once(
    sandbox: Sandbox, api: SandboxApi
) -> None:
    with WebhookReceiver(sandbox.webhook_secret) as receiver:
        api.register(receiver.url, chaos={"duplicate_rate": 1, "seed": 3})
        customer = api.customer_with_balance()
        event_ids = [api.pay(customer) for _ in range(5)]
        receiver.wait_for(count=5)
        for event_id in event_ids:
            attempts = api.wait_attempts(event_id, 2)
            assert [a["status_code"] for a in attempts] == [200, 200]
            assert attempts[0]["webhook_id"] != attempts[1]["webhook_id"]
        assert sorted(event.id for event in receiver.received) == sorted(event_ids)


def test_chaos_delays_hold_deliveries_until_the_clock_passes(
    api: SandboxApi, recorder: Recorder
) -> None:
    api.register(recorder.url, chaos={"delay_rate": 1, "max_delay_seconds": 300, "seed": 11})
    customer = api.customer_with_balance()
    event_ids = [api.pay(customer) for _ in range(4)]
    assert recorder.quiet_for(0.4) == 0
    api.advance(300)
    arrived = [json.loads(d.body)["id"] for d in recorder.wait(4)]
    assert Counter(arrived) == Counter(event_ids)
