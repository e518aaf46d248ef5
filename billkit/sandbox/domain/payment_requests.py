"""What creating, updating and paying a Collect payment request does (contract §8, Moment API §9.3).

A request asks for one fixed amount, in full, before it expires on the sandbox clock. Its `status` is kept
as `active` or `paid`; `expired` is never stored but worked out whenever the request is shown or paid
(`as_of`), so moving the sandbox clock past `expires_at` expires it at once.

The sandbox's convention for tying a request to billing: `metadata` naming one of `bill_id`, `account_id`
or `customer_id` makes paying the request pay that obligation too (`linked_obligation`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from billkit.sandbox.clock import iso_utc
from billkit.sandbox.domain.billing import merge_metadata
from billkit.sandbox.domain.errors import RuleViolation
from billkit.sandbox.domain.payments import ObligationKind
from billkit.sandbox.domain.refusals import refusal

__all__ = [
    "DEFAULT_LIFETIME_SECONDS",
    "LINK_KEYS",
    "PAID",
    "PAYMENT_REQUEST_FIELDS",
    "PaymentRequestLink",
    "as_of",
    "check_payable",
    "linked_obligation",
    "mark_paid",
    "new_payment_request",
    "update_payment_request",
]

#: A link request lives 24 hours of sandbox time unless `expires_at` says otherwise.
DEFAULT_LIFETIME_SECONDS = 24 * 3600
PAID = "payment_request.paid"
#: Metadata keys that tie a request to a billing obligation, and the kind each names.
LINK_KEYS: dict[str, ObligationKind] = {
    "bill_id": "bill",
    "account_id": "account",
    "customer_id": "customer",
}
PAYMENT_REQUEST_FIELDS = (
    "id",
    "type",
    "status",
    "amount",
    "currency",
    "external_reference",
    "description",
    "expires_at",
    "link",
    "payment_id",
    "metadata",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True, slots=True)
class PaymentRequestLink:
    """Where a request is paid: its checkout session ID and the URL of the sandbox's hosted page."""

    checkout_session_id: str
    link_url: str


def new_payment_request(
    fields: Mapping[str, Any], *, request_id: str, link: PaymentRequestLink, now: float
) -> dict[str, Any]:
    """An active `link` request; `fields` is a checked create body (`expires_at` an aware datetime)."""
    if fields.get("type", "link") != "link":
        raise RuleViolation(
            "the sandbox supports type link only: bank push (type push) is a Capitec beta it cannot emulate",
            code="push_unsupported",
            field="type",
        )
    if "push" in fields:
        raise RuleViolation(
            "push settings apply to type push only", code="push_unsupported", field="push"
        )
    expires_at = fields.get("expires_at")
    expiry = (
        _future_expiry(expires_at, now)
        if expires_at is not None
        else now + DEFAULT_LIFETIME_SECONDS
    )
    created = iso_utc(now)
    request: dict[str, Any] = {
        **{name: fields[name] for name in ("external_reference", "description") if name in fields},
        "id": request_id,
        "type": "link",
        "status": "active",
        "amount": fields["amount"],
        "currency": fields["currency"],
        "expires_at": iso_utc(expiry),
        "link": {"checkout_session_id": link.checkout_session_id, "link_url": link.link_url},
        "created_at": created,
        "updated_at": created,
    }
    if fields.get("metadata"):
        request["metadata"] = dict(fields["metadata"])
    linked_obligation(request)  # refuses metadata naming two obligations
    return _ordered(request)


def update_payment_request(
    current: Mapping[str, Any], changes: Mapping[str, Any], *, now: float
) -> dict[str, Any]:
    """PATCH: only a request that is still unpaid changes, an expired one too (given an `expires_at` in the
    future it is active again, contract §8); `expires_at: null` removes the expiry and a metadata key set
    to null is removed."""
    if current["status"] == "paid":
        raise RuleViolation(
            f"payment request {current['id']} is paid: only an unpaid request can be updated",
            code="request_closed",
        )
    updated = dict(current)
    for name in ("external_reference", "description"):
        if name in changes:
            updated[name] = changes[name]
    if "expires_at" in changes:
        if changes["expires_at"] is None:
            updated.pop("expires_at", None)
        else:
            updated["expires_at"] = iso_utc(_future_expiry(changes["expires_at"], now))
    if "metadata" in changes:
        metadata = merge_metadata(current.get("metadata"), changes["metadata"])
        if metadata:
            updated["metadata"] = metadata
        else:
            updated.pop("metadata", None)
    linked_obligation(updated)
    updated["updated_at"] = iso_utc(now)
    return _ordered(updated)


def as_of(request: Mapping[str, Any], now: float) -> dict[str, Any]:
    """The request as it stands at `now`: an active request past its `expires_at` is `expired`."""
    shown = dict(request)
    if shown["status"] == "active" and _expired(shown, now):
        shown["status"] = "expired"
    return shown


def check_payable(
    request: Mapping[str, Any], *, amount: int, currency: str | None, now: float
) -> None:
    """Refuse a payment of `amount` unless the request is active and this is exactly its full amount."""
    status = as_of(request, now)["status"]
    name = f"payment request {request['id']}"
    facts = {
        "name": name,
        "amount": amount,
        "owed": request["amount"],
        "currency": request["currency"],
    }
    if status == "paid":
        raise refusal("request_paid", field="payment_request", **facts)
    if status == "expired":
        raise refusal(
            "request_expired", field="payment_request", expires_at=request["expires_at"], **facts
        )
    if currency is not None and currency != request["currency"]:
        raise refusal(
            "request_currency_mismatch", field="currency", paid_currency=currency, **facts
        )
    if amount != request["amount"]:
        raise refusal("request_not_full_amount", field="amount", **facts)


def mark_paid(request: Mapping[str, Any], *, payment_id: str, now: float) -> dict[str, Any]:
    """The request once paid: status `paid`, carrying the payment's ID."""
    paid = {**request, "status": "paid", "payment_id": payment_id, "updated_at": iso_utc(now)}
    return _ordered(paid)


def linked_obligation(request: Mapping[str, Any]) -> tuple[ObligationKind, str] | None:
    """The obligation `metadata` ties the request to (kind, ID or external_reference), if any."""
    metadata: Mapping[str, str] = request.get("metadata") or {}
    named = [key for key in LINK_KEYS if key in metadata]
    if len(named) > 1:
        raise RuleViolation(
            f"metadata names {' and '.join(named)}: a payment request pays at most one obligation",
            code="request_two_obligations",
            field=f"metadata.{named[1]}",
        )
    if not named:
        return None
    return LINK_KEYS[named[0]], metadata[named[0]]


def _future_expiry(moment: datetime, now: float) -> float:
    seconds = moment.timestamp()
    if seconds <= now:
        raise RuleViolation(
            f"expires_at must be in the future; the sandbox clock reads {iso_utc(now)}",
            code="expiry_not_in_future",
            field="expires_at",
        )
    return seconds


def _expired(request: Mapping[str, Any], now: float) -> bool:
    expires_at = request.get("expires_at")
    return expires_at is not None and datetime.fromisoformat(expires_at).timestamp() <= now


def _ordered(request: Mapping[str, Any]) -> dict[str, Any]:
    return {name: request[name] for name in PAYMENT_REQUEST_FIELDS if name in request}
