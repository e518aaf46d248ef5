"""Collect payment requests (contract §8): create, show as of now, update, and pay in full.

Each change emits its event (`payment_request.created`, `.updated`, `.paid`, whose `data` is the request
object). A request whose metadata names a bill, account or customer also pays that obligation through
`apply_payment`, in the same transaction, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from billkit.sandbox.clock import iso_utc
from billkit.sandbox.domain import payment_requests as domain
from billkit.sandbox.domain.errors import RuleViolation
from billkit.sandbox.domain.objects import PAYMENT_FIELDS, Payment, in_order
from billkit.sandbox.domain.payments import (
    PaymentIds,
    PaymentIntent,
    PaymentOutcome,
    apply_payment,
)
from billkit.sandbox.ids import new_id
from billkit.sandbox.services.lookup import find, find_payment_request
from billkit.sandbox.store import Store

__all__ = ["create", "link_url", "pay", "retrieve", "update"]

CREATED = "payment_request.created"
UPDATED = "payment_request.updated"


def link_url(public_url: str, request_id: str) -> str:
    """The hosted page a payer opens to pay the request: `{public_url}/pay/{id}`."""
    return f"{public_url.rstrip('/')}/pay/{request_id}"


def create(
    store: Store, fields: Mapping[str, Any], *, now: float, public_url: str
) -> dict[str, Any]:
    request_id = new_id("pr_")
    link = domain.PaymentRequestLink(new_id("chk_"), link_url(public_url, request_id))
    request = domain.new_payment_request(fields, request_id=request_id, link=link, now=now)
    _check_link(store, request)
    store.payment_requests.insert(request)
    _emit(store, CREATED, request, now=now)
    return request


def retrieve(store: Store, reference: str, *, now: float) -> dict[str, Any]:
    return domain.as_of(find_payment_request(store, reference), now)


def update(
    store: Store, reference: str, changes: Mapping[str, Any], *, now: float
) -> dict[str, Any]:
    current = find_payment_request(store, reference)
    updated = domain.update_payment_request(current, changes, now=now)
    _check_link(store, updated)
    store.payment_requests.update(updated)
    _emit(store, UPDATED, updated, now=now)
    return domain.as_of(updated, now)


def pay(
    store: Store, request: Mapping[str, Any], intent: PaymentIntent, *, now: float
) -> PaymentOutcome:
    """Pay `request` in full (inside the caller's transaction): the linked obligation first, if any,
    then the request itself. Any refusal raises before anything is written."""
    domain.check_payable(request, amount=intent.amount, currency=intent.currency, now=now)
    payment_id, paid_event_id = new_id("pay_"), new_id("evt_")
    now_iso = iso_utc(now)
    link = domain.linked_obligation(request)
    if link is None:
        unlinked: Payment = {
            "id": payment_id,
            "amount": intent.amount,
            "currency": request["currency"],
            "channel": intent.channel,
            "payment_method": intent.payment_method,
            "payment_method_tender": intent.payment_method_tender,
            "status": "succeeded",
            "obligation": {"type": "payment_request", "id": request["id"]},
            "event_id": paid_event_id,
            "payment_request": request["id"],
            "created_at": now_iso,
        }
        payment: dict[str, Any] = dict(unlinked)
        store.events.add_payment(payment, created_at=now)
    else:
        kind, reference = link
        obligation = store.objects(kind).find(reference)
        if obligation is None:
            raise RuleViolation(
                f"payment request {request['id']} is for {kind} {reference!r}, which does not exist",
                code="request_obligation_missing",
                field="payment_request",
            )
        ids = PaymentIds(payment_id, new_id("ob_"), new_id("evt_"))
        applied = apply_payment(kind, obligation, intent, ids=ids, now=now_iso)
        payment = in_order({**applied.payment, "payment_request": request["id"]}, PAYMENT_FIELDS)
        store.record_payment(replace(applied, payment=payment), now=now)
    paid = domain.mark_paid(request, payment_id=payment_id, now=now)
    store.payment_requests.update(paid)
    store.add_event({"id": paid_event_id, "type": domain.PAID, "data": paid}, now=now)
    return PaymentOutcome(payment, paid)


def _check_link(store: Store, request: Mapping[str, Any]) -> None:
    """A request tied to an obligation must name one that exists, in the request's currency."""
    link = domain.linked_obligation(request)
    if link is None:
        return
    kind, reference = link
    obligation = find(store, kind, reference, field=f"metadata.{kind}_id")
    if obligation.get("currency") != request["currency"]:
        raise RuleViolation(
            f"{kind} {obligation['id']} is in {obligation.get('currency', 'no currency')}, "
            f"the request in {request['currency']}",
            code="request_currency_mismatch",
            field="currency",
        )


def _emit(store: Store, event_type: str, request: Mapping[str, Any], *, now: float) -> None:
    store.add_event({"id": new_id("evt_"), "type": event_type, "data": dict(request)}, now=now)
