"""The sandbox through billkit's own client (`Sandbox.client()`): what a notebook does, end to end."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sandbox_helpers import ref

import billkit
from billkit import (
    AuthenticationError,
    BadRequestError,
    Client,
    ConflictError,
    NewAccount,
    NewCustomer,
    NotFoundError,
    UnprocessableEntityError,
)
from billkit.sandbox import Sandbox


@pytest.fixture(scope="module")
def client(sandbox: Sandbox) -> Iterator[Client]:
    with sandbox.client() as made:
        yield made


def test_three_level_composite_create_reads_back(client: Client) -> None:
    customer_ref, account_ref, bill_ref = ref("UCR"), ref("UAR"), ref("UBR")
    bill = client.bills.create(
        external_reference=bill_ref,
        currency="ZAR",
        amount_due=2000,
        due_date="2025-01-31",
        account=NewAccount(account_ref, customer=NewCustomer(customer_ref, name="John Doe")),
    )
    assert client.bills.retrieve(bill_ref).to_dict() == bill.to_dict()
    account = client.accounts.retrieve(account_ref)
    customer = client.customers.retrieve(customer_ref)
    assert (bill.account_id, bill.customer_id, account.customer_id) == (
        account.id,
        customer.id,
        customer.id,
    )
    assert customer.name == "John Doe"


def test_quickstart_customer_balance_paid_and_event_emitted(client: Client) -> None:
    customer = client.customers.create(
        external_reference=ref("UCR"), name="John Doe", currency="ZAR", balance=2000
    )
    payment = client.sandbox.payments.create(customer=customer.id, amount=2000)
    assert client.customers.retrieve(customer.id).balance == 0
    event = client.sandbox.events.retrieve(payment.event_id or "")
    assert event["data"]["customer_id"] == customer.id
    assert event["data"]["amount"] == 2000


def test_errors_arrive_as_billkit_errors_naming_the_field(client: Client) -> None:
    with pytest.raises(NotFoundError):
        client.bills.retrieve(ref())
    reference = ref()
    client.customers.create(external_reference=reference)
    with pytest.raises(ConflictError) as conflict:
        client.customers.create(external_reference=reference)
    assert [e.field for e in conflict.value.errors] == ["external_reference"]
    with pytest.raises(UnprocessableEntityError) as unprocessable:
        client.customers.create(external_reference=ref(), balance=100)
    assert [e.field for e in unprocessable.value.errors] == ["currency"]


def test_sandbox_checks_what_the_client_lets_through(client: Client) -> None:
    customer = client.customers.create(external_reference=ref(), currency="ZAR")
    with pytest.raises(BadRequestError) as bad:
        client.bills.create(
            external_reference="has spaces", currency="ZAR", amount_due=10, customer=customer.id
        )
    assert bad.value.errors[0].field == "external_reference"


def test_a_key_the_sandbox_does_not_know_is_refused(sandbox: Sandbox) -> None:
    with (
        Client(api_key="sk_test_notTheSandboxKey", base_url=sandbox.base_url) as stranger,
        pytest.raises(AuthenticationError),
    ):
        stranger.customers.retrieve("UCR1")


def test_lists_clock_and_reset_through_the_client(fresh_sandbox: Sandbox) -> None:
    with fresh_sandbox.client() as client:
        customer = client.customers.create(external_reference=ref(), currency="ZAR")
        bills = [
            client.bills.create(
                external_reference=ref(), currency="ZAR", amount_due=500, customer=customer.id
            )
            for _ in range(3)
        ]
        listed = list(client.sandbox.bills.list(customer=customer.id, page_size=2))
        assert [b.id for b in listed] == [b.id for b in reversed(bills)]
        before = client.sandbox.clock.now()
        after = client.sandbox.clock.advance(timedelta(days=2))
        assert after - before >= timedelta(days=2)
        client.sandbox.payments.create(bill=bills[0].id, amount=500)
        assert len(list(client.sandbox.events.iterate())) == 1
        client.sandbox.reset()
        assert list(client.sandbox.customers.list()) == []


def test_webhook_endpoint_through_the_client_masks_its_secret(fresh_sandbox: Sandbox) -> None:
    with fresh_sandbox.client() as client:
        endpoint = client.sandbox.webhook_endpoints.create(
            "http://127.0.0.1:9/hooks", chaos={"duplicate_rate": 0.5, "seed": 3}
        )
        assert endpoint.secret == fresh_sandbox.webhook_secret
        assert fresh_sandbox.webhook_secret not in repr(endpoint)
        assert [e.id for e in client.sandbox.webhook_endpoints.list()] == [endpoint.id]
        client.sandbox.webhook_endpoints.delete(endpoint.id)
        assert client.sandbox.webhook_endpoints.list() == []


def test_async_client_creates_concurrently_without_duplicates(sandbox: Sandbox) -> None:
    """Twenty concurrent creates with one key through the async client: one customer, every answer the same."""
    reference = ref()

    async def scenario() -> set[str]:
        async with billkit.AsyncClient(
            api_key=sandbox.api_key, base_url=sandbox.base_url
        ) as client:
            created = await asyncio.gather(
                *(
                    client.customers.create(
                        external_reference=reference, idempotency_key="same-key-" + reference
                    )
                    for _ in range(20)
                )
            )
        return {customer.id for customer in created}

    assert len(asyncio.run(scenario())) == 1
