"""The quickstart session: embedded sandbox by default, a given base URL otherwise."""

from __future__ import annotations

from datetime import date

import pytest

from billkit.notebook.quickstart.session import start_session
from billkit.notebook.specs import QuickstartParameters
from billkit.sandbox import Sandbox

KEY = "sk_test_sessionKey0123456789ab"
SECRET = "whsec_c2Vzc2lvbi10ZXN0LXNlY3JldC0wMTIzNDU2Nzg5"


def test_the_default_is_the_embedded_sandbox_with_a_receiver(
    capsys: pytest.CaptureFixture[str],
) -> None:
    session = start_session(QuickstartParameters(api_key=KEY, webhook_secret=SECRET, run_id="r1"))
    try:
        assert session.simulates_payments
        assert session.sandbox is not None
        assert session.receiver is not None
        assert session.api_key == KEY
        assert session.reference("UCR") == "UCR-r1"
        described = session.describe()
        assert described.startswith(f"Talking to billkit's embedded sandbox at {session.base_url}")
        assert KEY not in described
        assert SECRET not in described
        assert "sk_test_…89ab" in described
        assert (
            session.hosted_page_url("bill_1", utm_source="sms")
            == f"{session.base_url}/pay/bill_1?utm_source=sms"
        )

        customer = session.client.customers.create(external_reference=session.reference("UCR"))
        assert session.last_exchange.response_body["id"] == customer.id
        session.show_exchange()
        assert "POST /billing/customers" in capsys.readouterr().out

        bill = session.client.bills.create(
            customer=customer.id, external_reference="b-r1", currency="ZAR", amount_due=700
        )
        session.pay_in_person(bill, 700)
        assert "applied to" in capsys.readouterr().out
        (event,) = session.wait_for_events(1)
        assert event.data.bill_id == bill.id
        assert session.received_events() == [event]
        (listed,) = session.events("obligation.amount_applied")
        assert listed["id"] == event.id
        assert session.today() == session.client.sandbox.clock.now().date()
    finally:
        session.close()
    assert not session.receiver.running


def test_a_run_id_is_made_when_none_is_given() -> None:
    session = start_session(QuickstartParameters())
    try:
        assert len(session.run_id) == 8
        assert session.reference("X") == f"X-{session.run_id}"
    finally:
        session.close()


def test_a_billkit_sandbox_at_base_url_can_be_paid_from_code() -> None:
    with Sandbox(api_key=KEY) as server:
        session = start_session(QuickstartParameters(base_url=server.base_url, api_key=KEY))
        try:
            assert session.simulates_payments
            assert session.sandbox is None
            assert session.receiver is None
            assert session.describe().startswith(
                f"Talking to a billkit sandbox at {server.base_url}"
            )
            assert "no webhook receiver" in session.describe()
        finally:
            session.close()


def test_against_moment_nothing_is_simulated(capsys: pytest.CaptureFixture[str]) -> None:
    # The client refuses sandbox-only routes for Moment's own hosts before sending, so this stays offline.
    params = QuickstartParameters(base_url="https://api.momentpay.net", api_key=KEY)
    session = start_session(params)
    try:
        assert not session.simulates_payments
        assert session.describe().startswith("Talking to Moment at https://api.momentpay.net")
        assert session.hosted_page_url("bill_1") is None
        assert session.wait_for_events(1) == []
        assert "No webhook receiver is running" in capsys.readouterr().out
        # No payer sits in a notebook: the session says what to pay where, and the cells read the same.
        assert session.pay_on_hosted_page(None, "1.00") is None
        assert "pay 1.00 there by hand" in capsys.readouterr().out
        before = date.today()
        assert session.today() in {before, date.today()}  # (a run may straddle midnight)
        assert session.events("obligation.amount_applied") == []
        assert session.received_events() == []
    finally:
        session.close()
