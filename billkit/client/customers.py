"""`client.customers`: create, retrieve and update Moment billing customers (`/billing/customers`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict, Unpack

from billkit.client._models import Customer
from billkit.client._resource import AsyncResource, ResourceCalls, SyncResource

__all__ = ["AsyncCustomers", "CustomerCreateParams", "CustomerUpdateParams", "Customers"]


class _CustomerFields(TypedDict, total=False):
    name: str
    email: str
    #: E.164, e.g. "+27123456789".
    phone: str
    #: ISO 4217; needed with `balance` unless the customer already has one.
    currency: str
    #: Minor units, replacing the stored balance: positive is owed, negative is credit.
    balance: int


class _CustomerRequired(TypedDict):
    #: Your reference, unique among your customers; usable in place of the ID afterwards.
    external_reference: str


class CustomerCreateParams(_CustomerRequired, _CustomerFields, total=False):
    metadata: Mapping[str, str]


class CustomerUpdateParams(_CustomerFields, total=False):
    #: Merged into the stored metadata; a key set to None is removed.
    metadata: Mapping[str, str | None]


CUSTOMERS = ResourceCalls(
    name="customers",
    path="/billing/customers",
    model=Customer,
    kind="customer",
    create_params=CustomerCreateParams,
    update_params=CustomerUpdateParams,
)


class Customers(SyncResource):
    """`client.customers`: people or businesses you bill."""

    def create(
        self, *, idempotency_key: str | None = None, **params: Unpack[CustomerCreateParams]
    ) -> Customer:
        """Create a customer: `client.customers.create(external_reference="UCR123", name="John Doe")`."""
        return self._send(CUSTOMERS.create(params, idempotency_key))

    def retrieve(self, customer: str) -> Customer:
        """The customer with this ID (`bcus_...`) or external_reference."""
        return self._send(CUSTOMERS.retrieve(customer))

    def update(
        self,
        customer: str,
        *,
        idempotency_key: str | None = None,
        **params: Unpack[CustomerUpdateParams],
    ) -> Customer:
        """Change the given fields; `balance` replaces the old value, `metadata` is merged."""
        return self._send(CUSTOMERS.update(customer, params, idempotency_key))


class AsyncCustomers(AsyncResource):
    """`AsyncClient.customers`: the awaitable twin of `Customers`."""

    async def create(
        self, *, idempotency_key: str | None = None, **params: Unpack[CustomerCreateParams]
    ) -> Customer:
        return await self._send(CUSTOMERS.create(params, idempotency_key))

    async def retrieve(self, customer: str) -> Customer:
        return await self._send(CUSTOMERS.retrieve(customer))

    async def update(
        self,
        customer: str,
        *,
        idempotency_key: str | None = None,
        **params: Unpack[CustomerUpdateParams],
    ) -> Customer:
        return await self._send(CUSTOMERS.update(customer, params, idempotency_key))
