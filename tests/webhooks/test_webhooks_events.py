"""Typed events: the contract's shapes parse, unknown fields survive, wrong shapes are refused by field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError
from samples import CONTRACT_EVENT, amount_applied
from webhook_helpers import encode

from billkit.errors import BillkitError
from billkit.webhooks import (
    ObligationAmountApplied,
    PaymentRequestEvent,
    UnknownEvent,
    WebhookPayloadError,
    parse_event,
)

PAID_REQUEST: dict[str, Any] = {
    "id": "evt_Pq8sLm2Vx7Kd4Nz1Rb6Tc9Wf",
    "type": "payment_request.paid",
    "data": {
        "id": "pr_9fKx2Lm7Qw4Zt1Vb8Nc3Hd6",
        "type": "link",
        "status": "paid",
        "amount": 15000,
        "currency": "ZAR",
        "payment_id": "pay_7Hs2Kd9Lm4Qx1Vb8Nc3Zt6",
        "metadata": {"bill_id": "bill_H4jp6KnU5cPw263v1jyz4"},
        "expires_at": "2025-01-16T10:00:00Z",
        "link": {"link_url": "http://127.0.0.1:8787/pay/pr_9fKx2Lm7Qw4Zt1Vb8Nc3Hd6"},
        "created_at": "2025-01-15T10:00:00Z",
        "updated_at": "2025-01-15T10:05:00Z",
    },
}


def test_the_contract_event_parses_into_its_type() -> None:
    event = parse_event(encode(CONTRACT_EVENT))
    assert isinstance(event, ObligationAmountApplied)
    assert event.id == "evt_7kQ2mZ9xLp4Rt8Vb3Nc6Hd1"
    assert event.data.amount == 2000
    assert event.data.amount_decimal == Decimal("20.00")
    assert event.data.created_at == datetime(2025, 1, 15, 10, tzinfo=UTC)
    assert event.data.metadata == {"utm_source": "sms"}


@pytest.mark.parametrize(
    ("ids", "kind", "obligation_id"),
    [
        ({"bill_id": "bill_1", "account_id": "bacc_1"}, "bill", "bill_1"),
        ({"bill_id": "bill_1", "customer_id": "bcus_1"}, "bill", "bill_1"),
        ({"account_id": "bacc_1"}, "account", "bacc_1"),
        ({"customer_id": "bcus_1"}, "customer", "bcus_1"),
    ],
)
def test_the_obligation_is_named_by_which_ids_are_present(
    ids: dict[str, str], kind: str, obligation_id: str
) -> None:
    body = amount_applied("evt_1")
    body["data"] = {
        k: v for k, v in body["data"].items() if not k.endswith(("bill_id", "account_id"))
    }
    body["data"].update(ids)
    event = parse_event(body)
    assert isinstance(event, ObligationAmountApplied)
    assert (event.obligation_type, event.obligation_id) == (kind, obligation_id)


def test_moments_quickstart_payload_without_timestamps_parses() -> None:
    quickstart = {
        "id": "evt_2341234567890abcdef",
        "type": "obligation.amount_applied",
        "data": {
            "id": "ob_N2a38DJQWPL8K4X42354234",
            "amount": 2000,
            "currency": "ZAR",
            "payment_id": "pay_1313235234843nmafdsa",
            "customer_id": "bcus_H4jp6KnU5cPw263v1jyz4",
        },
    }
    event = parse_event(json.dumps(quickstart))
    assert isinstance(event, ObligationAmountApplied)
    assert event.data.created_at is None
    assert event.obligation_type == "customer"


def test_unknown_fields_are_kept_as_attributes_and_in_to_dict() -> None:
    body = amount_applied("evt_1", settlement={"batch": "b_1"})
    body["livemode"] = False
    event = parse_event(encode(body))
    assert isinstance(event, ObligationAmountApplied)
    assert event.livemode is False  # type: ignore[attr-defined]
    assert event.data.settlement == {"batch": "b_1"}  # type: ignore[attr-defined]
    assert event.to_dict() == body


def test_to_dict_is_exactly_what_was_received_and_a_copy() -> None:
    event = parse_event(encode(CONTRACT_EVENT))
    first = event.to_dict()
    assert first == CONTRACT_EVENT
    first["data"]["amount"] = 1
    assert event.to_dict()["data"]["amount"] == 2000


def test_events_are_immutable() -> None:
    event = parse_event(encode(CONTRACT_EVENT))
    with pytest.raises(ValidationError):
        event.id = "evt_other"  # type: ignore[misc]


def test_a_paid_payment_request_parses_with_its_request_object() -> None:
    event = parse_event(encode(PAID_REQUEST))
    assert isinstance(event, PaymentRequestEvent)
    assert event.data.status == "paid"
    assert event.data.expires_at == datetime(2025, 1, 16, 10, tzinfo=UTC)
    assert event.data.link == {  # type: ignore[attr-defined]
        "link_url": "http://127.0.0.1:8787/pay/pr_9fKx2Lm7Qw4Zt1Vb8Nc3Hd6"
    }
    assert event.to_dict() == PAID_REQUEST


@pytest.mark.parametrize("kind", ["payment_request.created", "payment_request.updated"])
def test_every_payment_request_type_has_the_typed_model(kind: str) -> None:
    assert isinstance(parse_event(PAID_REQUEST | {"type": kind}), PaymentRequestEvent)


def test_any_other_type_is_an_unknown_event_with_its_data() -> None:
    body = {"id": "evt_9", "type": "bill.created", "data": {"id": "bill_1", "anything": [1, 2]}}
    event = parse_event(encode(body))
    assert type(event) is UnknownEvent
    assert event.data == {"id": "bill_1", "anything": [1, 2]}
    assert event.to_dict() == body


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "invalid_json"),
        (b"\xff\xfe\x00", "invalid_json"),
        (b"[" * 100_000, "invalid_json"),
        (b"[]", "invalid_event"),
        (b'"evt_1"', "invalid_event"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_refused(body: bytes, reason: str) -> None:
    with pytest.raises(WebhookPayloadError) as caught:
        parse_event(body)
    assert caught.value.reason == reason


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id": None}, "id"),
        ({"id": ""}, "id"),
        ({"data": "nope"}, "data"),
        ({"data": {**CONTRACT_EVENT["data"], "amount": "2000"}}, "data.amount"),
        ({"data": {**CONTRACT_EVENT["data"], "amount": 20.5}}, "data.amount"),
        ({"data": {**CONTRACT_EVENT["data"], "amount": True}}, "data.amount"),
        ({"data": {**CONTRACT_EVENT["data"], "currency": "rand"}}, "data.currency"),
        (
            {"data": {**CONTRACT_EVENT["data"], "created_at": "2025-01-15T10:00:00"}},
            "data.created_at",
        ),
        (
            {"data": {k: v for k, v in CONTRACT_EVENT["data"].items() if k != "payment_id"}},
            "data.payment_id",
        ),
    ],
)
def test_a_wrong_shape_is_refused_naming_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(WebhookPayloadError, match=field.replace(".", r"\.")) as caught:
        parse_event(CONTRACT_EVENT | change)
    assert caught.value.reason == "invalid_event"
    assert isinstance(caught.value, BillkitError)


def test_an_application_that_names_no_obligation_is_refused() -> None:
    data = {k: v for k, v in CONTRACT_EVENT["data"].items() if k not in ("bill_id", "account_id")}
    with pytest.raises(WebhookPayloadError, match="names no obligation"):
        parse_event(CONTRACT_EVENT | {"data": data})
