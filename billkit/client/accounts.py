"""`client.accounts`: create, retrieve and update billing accounts (`/billing/accounts`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict, Unpack

from billkit.client._models import Account
from billkit.client._params import NewCustomer
from billkit.client._resource import AsyncResource, ResourceCalls, SyncResource

__all__ = ["AccountCreateParams", "AccountUpdateParams", "Accounts", "AsyncAccounts"]


class _AccountFields(TypedDict, total=False):
    name: str
    #: ISO 4217; needed with `balance` unless the account already has one.
    currency: str
    #: Minor units, replacing the stored balance: positive is owed, negative is credit.
    balance: int


class _AccountRequired(TypedDict):
    #: The owner: an existing customer's ID or external_reference, or a `NewCustomer` to create with it.
    customer: str | NewCustomer | Mapping[str, Any]
    #: Your reference, unique among your accounts.
    external_reference: str


class AccountCreateParams(_AccountRequired, _AccountFields, total=False):
    metadata: Mapping[str, str]


class AccountUpdateParams(_AccountFields, total=False):
    #: Merged into the stored metadata; a key set to None is removed.
    metadata: Mapping[str, str | None]


ACCOUNTS = ResourceCalls(
    name="accounts",
    path="/billing/accounts",
    model=Account,
    kind="account",
    create_params=AccountCreateParams,
    update_params=AccountUpdateParams,
)


class Accounts(SyncResource):
    """`client.accounts`: a customer's separately billed products or services."""

    def create(
        self, *, idempotency_key: str | None = None, **params: Unpack[AccountCreateParams]
    ) -> Account:
        """Create an account for an existing customer, or together with a new one:
        `client.accounts.create(customer=NewCustomer("UCR123"), external_reference="UAR123")`.
        """
        return self._send(ACCOUNTS.create(params, idempotency_key))

    def retrieve(self, account: str) -> Account:
        """The account with this ID (`bacc_...`) or external_reference."""
        return self._send(ACCOUNTS.retrieve(account))

    def update(
        self,
        account: str,
        *,
        idempotency_key: str | None = None,
        **params: Unpack[AccountUpdateParams],
    ) -> Account:
        """Change the given fields; `balance` replaces the old value, `metadata` is merged."""
        return self._send(ACCOUNTS.update(account, params, idempotency_key))


class AsyncAccounts(AsyncResource):
    """`AsyncClient.accounts`: the awaitable twin of `Accounts`."""

    async def create(
        self, *, idempotency_key: str | None = None, **params: Unpack[AccountCreateParams]
    ) -> Account:
        return await self._send(ACCOUNTS.create(params, idempotency_key))

    async def retrieve(self, account: str) -> Account:
        return await self._send(ACCOUNTS.retrieve(account))

    async def update(
        self,
        account: str,
        *,
        idempotency_key: str | None = None,
        **params: Unpack[AccountUpdateParams],
    ) -> Account:
        return await self._send(ACCOUNTS.update(account, params, idempotency_key))
