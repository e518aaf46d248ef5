"""A receiver in the same process as an embedded sandbox checks timestamps against the sandbox clock."""

from __future__ import annotations

from billkit import Sandbox, WebhookReceiver


def test_a_receiver_on_the_sandbox_clock_accepts_deliveries_after_the_clock_moved_ahead() -> None:
    with Sandbox(retry_schedule="fast") as sandbox, sandbox.client() as client:
        client.sandbox.clock.advance(
            86_400
        )  # a day ahead: deliveries are signed a day in the future
        assert abs((sandbox.now() - client.sandbox.clock.now()).total_seconds()) < 5
        with WebhookReceiver(sandbox.webhook_secret, clock=sandbox.now) as receiver:
            client.sandbox.webhook_endpoints.create(receiver.url)
            bill = client.bills.create(
                external_reference="INV-CLOCK-1",
                amount_due=2000,
                currency="ZAR",
                customer={"external_reference": "UCR-CLOCK-1", "currency": "ZAR"},
            )
            payment = client.sandbox.payments.create(bill=bill.id, amount=2000)
            event = receiver.wait_for(event_id=payment.event_id, timeout=10)
    assert event.data.amount == 2000
    assert receiver.rejections == []
