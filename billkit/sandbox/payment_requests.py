"""Collect payment requests in the sandbox (contract §8): `POST`, `GET` and `PATCH /collect/payment_requests`,
their table, and `pay_payment_request`, the one way a request is paid (by `POST /_sandbox/payments` and by
the hosted page alike).

Each change emits its event (`payment_request.created`, `.updated`, `.paid`, whose `data` is the request
object). A request whose metadata names a bill, account or customer also pays that obligation through
`apply_payment`, in the same transaction, so the two never disagree.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from billkit.sandbox.clock import iso_utc
from billkit.sandbox.domain import payment_requests as domain
from billkit.sandbox.domain.errors import RuleViolation
from billkit.sandbox.domain.payments import PaymentIds, PaymentIntent, apply_payment
from billkit.sandbox.http.endpoint import Endpoint, Idempotency, RequestContext
from billkit.sandbox.ids import new_id
from billkit.sandbox.problems import ApiError, FieldProblem
from billkit.sandbox.routes.lookup import find_or_404
from billkit.sandbox.schemas.payment_requests import (
    PaymentRequest,
    PaymentRequestCreate,
    PaymentRequestUpdate,
)
from billkit.sandbox.store import DuplicateReference, Store
from billkit.sandbox.store.objects import dumps, loads
from billkit.sandbox.validation import BodyParser

__all__ = [
    "ENDPOINTS",
    "PaidRequest",
    "PaymentRequestTable",
    "find_payment_request",
    "link_url",
    "pay_payment_request",
]

_TAG = "payment_requests"
CREATED = "payment_request.created"
UPDATED = "payment_request.updated"


class PaymentRequestTable:
    """Payment requests kept whole as JSON, found by ID or external_reference."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def find(self, reference: str) -> dict[str, Any] | None:
        row = self._connection.execute(
            "SELECT object FROM payment_requests WHERE id = ?", (reference,)
        ).fetchone()
        if row is None:
            row = self._connection.execute(
                "SELECT object FROM payment_requests WHERE external_reference = ?", (reference,)
            ).fetchone()
        return None if row is None else loads(row[0])

    def insert(self, request: Mapping[str, Any]) -> None:
        self._write(
            "INSERT INTO payment_requests (external_reference, object, id) VALUES (?, ?, ?)",
            request,
        )

    def update(self, request: Mapping[str, Any]) -> None:
        self._write(
            "UPDATE payment_requests SET external_reference = ?, object = ? WHERE id = ?", request
        )

    def _write(self, sql: str, request: Mapping[str, Any]) -> None:
        reference = request.get("external_reference")
        try:
            self._connection.execute(sql, (reference, dumps(request), request["id"]))
        except sqlite3.IntegrityError:
            raise DuplicateReference("payment request", str(reference)) from None


def table(store: Store) -> PaymentRequestTable:
    return PaymentRequestTable(store.database.connection)


def link_url(base_url: str, request_id: str) -> str:
    """The hosted page a payer opens to pay the request: `{base_url}/pay/{id}`."""
    return f"{base_url.rstrip('/')}/pay/{request_id}"


def find_payment_request(
    store: Store, reference: str, *, field: str | None = None
) -> dict[str, Any]:
    """The request with this ID or external_reference; 404 when there is none."""
    request = table(store).find(reference)
    if request is None:
        errors = [FieldProblem(field, f"no payment request {reference!r}")] if field else []
        raise ApiError(
            404, f"No payment request has the ID or external_reference {reference!r}", errors=errors
        )
    return request


@dataclass(frozen=True, slots=True)
class PaidRequest:
    """What paying a request stored: the payment record, the paid request, and whether a webhook
    delivery was queued (the caller then wakes the delivery worker once the transaction commits)."""

    payment: dict[str, Any]
    request: dict[str, Any]
    delivery_queued: bool


def pay_payment_request(
    store: Store, request: Mapping[str, Any], intent: PaymentIntent, *, now: float
) -> PaidRequest:
    """Pay `request` in full (inside the caller's transaction): the linked obligation first, if any,
    then the request itself. Any refusal raises before anything is written."""
    domain.check_payable(request, amount=intent.amount, currency=intent.currency, now=now)
    payment_id, paid_event_id = new_id("pay_"), new_id("evt_")
    now_iso = iso_utc(now)
    queued = False
    link = domain.linked_obligation(request)
    if link is None:
        payment: dict[str, Any] = {
            "id": payment_id,
            "amount": intent.amount,
            "currency": request["currency"],
            "channel": intent.channel,
            "status": "succeeded",
            "obligation": {"type": "payment_request", "id": request["id"]},
            "event_id": paid_event_id,
            "payment_request": request["id"],
            "created_at": now_iso,
        }
        store.events.add_payment(payment)
    else:
        kind, reference = link
        obligation = store.objects(kind).find(reference)
        if obligation is None:
            raise RuleViolation(
                f"payment request {request['id']} is for {kind} {reference!r}, which does not exist",
                field="payment_request",
            )
        ids = PaymentIds(payment_id, new_id("ob_"), new_id("evt_"))
        applied = apply_payment(kind, obligation, intent, ids=ids, now=now_iso)
        payment = {  # the request's ID goes just before created_at, as in the unlinked case
            **{name: value for name, value in applied.payment.items() if name != "created_at"},
            "payment_request": request["id"],
            "created_at": applied.payment["created_at"],
        }
        queued = store.record_payment(replace(applied, payment=payment), now=now)
    paid = domain.mark_paid(request, payment_id=payment_id, now=now)
    table(store).update(paid)
    event = {"id": paid_event_id, "type": domain.PAID, "data": paid}
    queued = store.add_event(event, now=now) or queued
    return PaidRequest(payment, paid, queued)


def _check_link(store: Store, request: Mapping[str, Any]) -> None:
    """A request tied to an obligation must name one that exists, in the request's currency."""
    link = domain.linked_obligation(request)
    if link is None:
        return
    kind, reference = link
    obligation = find_or_404(store, kind, reference, field=f"metadata.{kind}_id")
    if obligation.get("currency") != request["currency"]:
        raise RuleViolation(
            f"{kind} {obligation['id']} is in {obligation.get('currency', 'no currency')}, "
            f"the request in {request['currency']}",
            field="currency",
        )


def _emit(context: RequestContext, event_type: str, request: Mapping[str, Any]) -> None:
    event = {"id": new_id("evt_"), "type": event_type, "data": dict(request)}
    if context.store.add_event(event, now=context.now):
        context.after_commit.append(context.runtime.outbox_signal.notify)


def create_payment_request(context: RequestContext) -> dict[str, Any]:
    request_id = new_id("pr_")
    link = domain.PaymentRequestLink(new_id("chk_"), link_url(context.base_url, request_id))
    request = domain.new_payment_request(
        context.body, request_id=request_id, link=link, now=context.now
    )
    _check_link(context.store, request)
    _insert(context.store, request)
    _emit(context, CREATED, request)
    return request


def retrieve_payment_request(context: RequestContext) -> dict[str, Any]:
    request = find_payment_request(context.store, context.path_params["payment_request"])
    return domain.as_of(request, context.now)


def update_payment_request(context: RequestContext) -> dict[str, Any]:
    store = context.store
    current = find_payment_request(store, context.path_params["payment_request"])
    updated = domain.update_payment_request(current, context.body, now=context.now)
    _check_link(store, updated)
    try:
        table(store).update(updated)
    except DuplicateReference:
        raise _reference_taken(updated) from None
    _emit(context, UPDATED, updated)
    return domain.as_of(updated, context.now)


def _insert(store: Store, request: Mapping[str, Any]) -> None:
    try:
        table(store).insert(request)
    except DuplicateReference:
        raise _reference_taken(request) from None


def _reference_taken(request: Mapping[str, Any]) -> ApiError:
    return ApiError(
        409,
        f"A payment request with external_reference {request['external_reference']!r} already exists",
        errors=[FieldProblem("external_reference", "is already used by another payment request")],
    )


ENDPOINTS = (
    Endpoint(
        "POST",
        "/collect/payment_requests",
        create_payment_request,
        "Create a payment request: a link a payer opens to pay one amount in full",
        _TAG,
        201,
        PaymentRequest,
        idempotency=Idempotency.REQUIRED,
        body=BodyParser(PaymentRequestCreate),
        errors=(404, 409, 422),
        description="type push is refused (422); metadata bill_id, account_id or customer_id ties "
        "the request to that obligation, which paying the request also pays.",
    ),
    Endpoint(
        "GET",
        "/collect/payment_requests/{payment_request}",
        retrieve_payment_request,
        "Retrieve a payment request (expired once the sandbox clock passes expires_at)",
        _TAG,
        200,
        PaymentRequest,
    ),
    Endpoint(
        "PATCH",
        "/collect/payment_requests/{payment_request}",
        update_payment_request,
        "Update an unpaid payment request (metadata merges; expires_at null removes the expiry)",
        _TAG,
        200,
        PaymentRequest,
        idempotency=Idempotency.OPTIONAL,
        body=BodyParser(PaymentRequestUpdate),
        errors=(409, 422),
    ),
)
