"""Warming the sandbox up before it accepts connections, so the first requests after a start are served as
fast as later ones (`bench/sandbox_throughput.py` counts the first round after start).

A create-bill's path is run once inside a transaction that is then rolled back: SQLite compiles and caches
its statements and reads the pages they touch, and Python imports and builds whatever a first request
would. Nothing is kept.
"""

from __future__ import annotations

import contextlib
import json

from billkit.sandbox.ids import new_id
from billkit.sandbox.runtime import Runtime
from billkit.sandbox.services import billing
from billkit.sandbox.services.lookup import find_json
from billkit.sandbox.store import Scope, StoredResponse

__all__ = ["warm_up"]


class _Undo(Exception):
    """Leaves the warm-up's transaction, rolling back everything it wrote."""


def warm_up(runtime: Runtime) -> None:
    store = runtime.store
    now = runtime.clock.timestamp()
    scope = Scope(runtime.key_owner, "POST", "/billing/bills", new_id("warm-up-"))
    with contextlib.suppress(_Undo), store.transaction():
        store.idempotency.get(scope, not_before=now)
        customer = billing.create_customer(
            store, {"external_reference": new_id("warm-up-"), "currency": "ZAR"}, now=now
        ).object
        fields = {"external_reference": new_id("warm-up-"), "currency": "ZAR", "amount_due": 100}
        bill = billing.create_bill(store, {**fields, "customer": customer["id"]}, now=now)
        stored = find_json(store, "bill", bill.object["id"])
        json.loads(stored)
        store.idempotency.put(scope, StoredResponse("", 201, bill.json, now))
        raise _Undo
