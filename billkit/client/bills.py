"""`client.bills`: create, retrieve, update and void bills (`/billing/bills`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from billkit.client._base import Call
from billkit.client._models import Bill
from billkit.client._params import NewAccount, NewCustomer
from billkit.client._resource import AsyncResource, ResourceCalls, SyncResource
from billkit.errors import InvalidArgumentError

if TYPE_CHECKING:  # pandas loads only when a bulk load is made: `import billkit.client` stays light
    import pandas as pd

    from billkit.client.bulk import Rows

__all__ = ["AsyncBills", "BillCreateParams", "BillUpdateParams", "Bills"]


class _BillRequired(TypedDict):
    #: Your reference, unique among your bills.
    external_reference: str
    #: ISO 4217, the same as the account's or customer's.
    currency: str
    #: Minor units, 1 to 99,999,999 (`billkit.money.to_minor("20.00", "ZAR")` is 2000).
    amount_due: int


class BillCreateParams(_BillRequired, total=False):
    #: The customer billed directly (ID or external_reference), or a `NewCustomer` to create with the bill.
    customer: str | NewCustomer | Mapping[str, Any]
    #: The account billed (ID or external_reference), or a `NewAccount` to create with the bill.
    account: str | NewAccount | Mapping[str, Any]
    #: Defaults to today; a `date` or "YYYY-MM-DD".
    bill_date: date | str
    due_date: date | str
    metadata: Mapping[str, str]


class BillUpdateParams(TypedDict, total=False):
    currency: str
    #: The total paid so far, in minor units (it replaces the old value); the bill is paid when it
    #: reaches amount_due.
    amount_paid: int
    #: Merged into the stored metadata; a key set to None is removed.
    metadata: Mapping[str, str | None]


#: The `source` a load is keyed under when none is named.
DEFAULT_SOURCE = "create_many"

BILLS = ResourceCalls(
    name="bills",
    path="/billing/bills",
    model=Bill,
    kind="bill",
    create_params=BillCreateParams,
    update_params=BillUpdateParams,
)


def _create(params: Mapping[str, Any], idempotency_key: str | None) -> Call[Bill]:
    if params.get("customer") is None and params.get("account") is None:
        raise InvalidArgumentError(
            "bills.create: a bill belongs to a customer or an account; pass customer=... or account=..."
        )
    return BILLS.create(params, idempotency_key)


class Bills(SyncResource):
    """`client.bills`: single charges with an amount due."""

    def create(
        self, *, idempotency_key: str | None = None, **params: Unpack[BillCreateParams]
    ) -> Bill:
        """Create a bill on a customer or an account, or together with them (a composite create):
        `client.bills.create(external_reference="INV-1", currency="ZAR", amount_due=2000,
        account=NewAccount("UAR1", customer=NewCustomer("UCR1")))`.
        """
        return self._send(_create(params, idempotency_key))

    def retrieve(self, bill: str) -> Bill:
        """The bill with this ID (`bill_...`) or external_reference."""
        return self._send(BILLS.retrieve(bill))

    def create_many(
        self,
        rows: Rows,
        *,
        concurrency: int = 8,
        source: str = DEFAULT_SOURCE,
        progress: bool = True,
    ) -> pd.DataFrame:
        """Create one bill per row (a DataFrame or mappings of `create`'s fields), `concurrency` at a
        time; one outcome per row (`billkit.client.bulk`). Run again after an interruption with the same
        `source` (the file's name, say) and nothing is created twice."""
        from billkit.client import bulk

        return bulk.load_sync(
            self.create, rows, concurrency=concurrency, source=source, progress=progress
        )

    def update(
        self, bill: str, *, idempotency_key: str | None = None, **params: Unpack[BillUpdateParams]
    ) -> Bill:
        """Record `amount_paid` (absolute), or change currency or metadata."""
        return self._send(BILLS.update(bill, params, idempotency_key))

    def void(self, bill: str, *, idempotency_key: str | None = None) -> Bill:
        """Void the bill for good: it can no longer be paid or changed."""
        return self._send(BILLS.action(bill, "void", idempotency_key))


class AsyncBills(AsyncResource):
    """`AsyncClient.bills`: the awaitable twin of `Bills`."""

    async def create(
        self, *, idempotency_key: str | None = None, **params: Unpack[BillCreateParams]
    ) -> Bill:
        return await self._send(_create(params, idempotency_key))

    async def retrieve(self, bill: str) -> Bill:
        return await self._send(BILLS.retrieve(bill))

    async def create_many(
        self,
        rows: Rows,
        *,
        concurrency: int = 8,
        source: str = DEFAULT_SOURCE,
        progress: bool = True,
    ) -> pd.DataFrame:
        from billkit.client import bulk

        return await bulk.load_async(
            self.create, rows, concurrency=concurrency, source=source, progress=progress
        )

    async def update(
        self, bill: str, *, idempotency_key: str | None = None, **params: Unpack[BillUpdateParams]
    ) -> Bill:
        return await self._send(BILLS.update(bill, params, idempotency_key))

    async def void(self, bill: str, *, idempotency_key: str | None = None) -> Bill:
        return await self._send(BILLS.action(bill, "void", idempotency_key))
