"""Payment requests over real HTTP (contract §8): create, retrieve, update, expiry on the sandbox clock,
full payment only, linked obligations, events, and twenty payments at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sandbox_helpers import Api, ref

from billkit.sandbox import Sandbox

PATH = "/collect/payment_requests"


def _request(api: Api, **fields: Any) -> dict[str, Any]:
    return api.created(PATH, {"amount": 1500, "currency": "ZAR", **fields})


def _events(api: Api, event_type: str, limit: int = 100) -> list[dict[str, Any]]:
    events = api.get("/_sandbox/events", params={"limit": limit}).json()["data"]
    return [event for event in events if event["type"] == event_type]


def _event_for(api: Api, event_type: str, request_id: str) -> list[dict[str, Any]]:
    return [event for event in _events(api, event_type) if event["data"]["id"] == request_id]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _sandbox_now(api: Api) -> datetime:
    return datetime.fromisoformat(api.get("/_sandbox/clock").json()["now"])


# ---- create and retrieve -----------------------------------------------------------------------


def test_create_answers_an_active_link_request_expiring_in_24_hours(api: Api) -> None:
    created = _request(api, description="Deposit", external_reference=ref("PR"))
    assert created["id"].startswith("pr_")
    assert created["type"] == "link"
    assert created["status"] == "active"
    assert (created["amount"], created["currency"]) == (1500, "ZAR")
    lifetime = datetime.fromisoformat(created["expires_at"]) - datetime.fromisoformat(
        created["created_at"]
    )
    assert lifetime == timedelta(hours=24)
    assert created["link"]["checkout_session_id"].startswith("chk_")
    assert created["link"]["link_url"] == f"{api.sandbox.base_url}/pay/{created['id']}"
    assert "payment_id" not in created
    assert "metadata" not in created  # never set, so omitted
    assert _event_for(api, "payment_request.created", created["id"])[0]["data"] == created


def test_links_never_come_from_the_host_header(api: Api) -> None:
    """Contract §8: anyone can send `Host: evil.example:666`; the payer's link must not follow it."""
    for header in ("evil.example:666", "evil.example"):
        created = api.post(
            PATH, {"amount": 1500, "currency": "ZAR"}, headers={"Host": header}
        ).json()
        assert created["link"]["link_url"] == f"{api.sandbox.base_url}/pay/{created['id']}"
    forwarded = api.post(
        PATH,
        {"amount": 1500, "currency": "ZAR"},
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"},
    ).json()
    assert forwarded["link"]["link_url"].startswith(f"{api.sandbox.base_url}/pay/")


def test_links_start_with_the_public_url_when_one_is_given() -> None:
    with Sandbox(public_url="https://pay.example.test/") as sandbox, Api(sandbox) as api:
        created = _request(api)
    assert created["link"]["link_url"] == f"https://pay.example.test/pay/{created['id']}"


def test_retrieve_by_id_and_external_reference(api: Api) -> None:
    reference = ref("PR")
    created = _request(api, external_reference=reference)
    assert api.get(f"{PATH}/{created['id']}").json() == created
    assert api.get(f"{PATH}/{reference}").json() == created
    missing = api.get(f"{PATH}/pr_{'x' * 22}")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_create_needs_an_idempotency_key_and_replays_it(api: Api) -> None:
    body = {"amount": 1500, "currency": "ZAR"}
    missing = api.http.post(PATH, json=body)
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["field"] == "Idempotency-Key"
    first = api.post(PATH, body, key="pr-replay-" + ref())
    again = api.post(PATH, body, key=first.request.headers["Idempotency-Key"])
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        ({"type": "push"}, 422, "type"),
        ({"push": {"provider": "capitec"}}, 422, "push"),
        ({"type": "card"}, 400, "type"),
        ({"amount": 0}, 400, "amount"),
        ({"amount": 100_000_000}, 400, "amount"),
        ({"currency": "EUR"}, 400, "currency"),
        ({"expires_at": "2020-01-01T00:00:00Z"}, 422, "expires_at"),
        ({"expires_at": "2999-01-01T00:00:00"}, 400, "expires_at"),  # no time zone
        ({"description": "x" * 501}, 400, "description"),
        ({"colour": "red"}, 400, "colour"),
        ({"metadata": {"bill_id": "bill_a", "customer_id": "bcus_b"}}, 422, "metadata.customer_id"),
    ],
)
def test_create_refuses_what_moment_would(
    api: Api, fields: dict[str, Any], status: int, field: str
) -> None:
    response = api.post(PATH, {"amount": 1500, "currency": "ZAR", **fields})
    assert response.status_code == status, response.text
    assert field in [problem["field"] for problem in response.json()["errors"]]


def test_expires_at_is_kept_in_utc_whole_seconds(api: Api) -> None:
    expiry = _sandbox_now(api) + timedelta(hours=2)
    created = _request(api, expires_at=expiry.astimezone(UTC).isoformat())
    assert created["expires_at"] == _iso(expiry)


def test_external_reference_is_unique(api: Api) -> None:
    reference = ref("PR")
    _request(api, external_reference=reference)
    duplicate = api.post(PATH, {"amount": 100, "currency": "ZAR", "external_reference": reference})
    assert duplicate.status_code == 409
    assert duplicate.json()["errors"][0]["field"] == "external_reference"


def test_a_linked_obligation_must_exist_in_the_same_currency(api: Api) -> None:
    missing = api.post(
        PATH, {"amount": 100, "currency": "ZAR", "metadata": {"bill_id": "bill_" + "n" * 22}}
    )
    assert missing.status_code == 404
    assert missing.json()["errors"][0]["field"] == "metadata.bill_id"
    usd_bill = api.bill(currency="USD")
    wrong = api.post(
        PATH, {"amount": 100, "currency": "ZAR", "metadata": {"bill_id": usd_bill["id"]}}
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "currency"


# ---- update ------------------------------------------------------------------------------------


def test_update_changes_only_what_is_sent_and_emits_updated(api: Api) -> None:
    created = _request(api, description="Old", metadata={"order": "1", "channel": "sms"})
    expiry = _sandbox_now(api) + timedelta(days=3)
    response = api.patch(
        f"{PATH}/{created['id']}",
        {
            "description": "New",
            "expires_at": _iso(expiry),
            "metadata": {"channel": None, "agent": "A7"},
            "external_reference": (new_reference := ref("PR")),
        },
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["description"] == "New"
    assert updated["expires_at"] == _iso(expiry)
    assert updated["metadata"] == {"order": "1", "agent": "A7"}
    assert updated["external_reference"] == new_reference
    assert (updated["amount"], updated["link"]) == (created["amount"], created["link"])
    assert api.get(f"{PATH}/{new_reference}").json() == updated
    assert _event_for(api, "payment_request.updated", created["id"])[0]["data"] == updated


def test_update_with_null_expires_at_removes_the_expiry(api: Api) -> None:
    created = _request(api)
    updated = api.patch(f"{PATH}/{created['id']}", {"expires_at": None}).json()
    assert "expires_at" not in updated


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"amount": 10}, 400),
        ({"currency": "USD"}, 400),
        ({"expires_at": "2001-01-01T00:00:00Z"}, 422),
    ],
)
def test_update_refuses_fields_moment_does_not_update(
    api: Api, change: dict[str, Any], status: int
) -> None:
    created = _request(api)
    response = api.patch(f"{PATH}/{created['id']}", change)
    assert response.status_code == status
    assert api.get(f"{PATH}/{created['id']}").json() == created


def test_a_paid_request_cannot_be_updated(api: Api) -> None:
    created = _request(api)
    assert api.pay(payment_request=created["id"], amount=1500).status_code == 201
    response = api.patch(f"{PATH}/{created['id']}", {"description": "late"})
    assert response.status_code == 422
    assert "paid" in response.json()["detail"]


# ---- expiry on the sandbox clock ---------------------------------------------------------------


def test_requests_expire_on_the_sandbox_clock(fresh_api: Api) -> None:
    created = _request(fresh_api)
    fresh_api.post("/_sandbox/clock", {"advance_seconds": 24 * 3600 - 60})
    assert fresh_api.get(f"{PATH}/{created['id']}").json()["status"] == "active"
    fresh_api.post("/_sandbox/clock", {"advance_seconds": 61})
    assert fresh_api.get(f"{PATH}/{created['id']}").json()["status"] == "expired"
    paid = fresh_api.pay(payment_request=created["id"], amount=1500)
    assert paid.status_code == 422
    assert "expired" in paid.json()["detail"]
    # An expired request can still be updated, and a new expiry makes it active again (contract §8).
    update = fresh_api.patch(f"{PATH}/{created['id']}", {"description": "again"})
    assert (update.status_code, update.json()["status"]) == (200, "expired")
    later = _iso(_sandbox_now(fresh_api) + timedelta(days=1))
    renewed = fresh_api.patch(f"{PATH}/{created['id']}", {"expires_at": later})
    assert (renewed.status_code, renewed.json()["status"]) == (200, "active")
    assert fresh_api.pay(payment_request=created["id"], amount=1500).status_code == 201


def test_an_update_needs_an_idempotency_key(api: Api) -> None:
    created = _request(api)
    response = api.patch(f"{PATH}/{created['id']}", {"description": "New"}, key="")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    assert api.get(f"{PATH}/{created['id']}").json() == created


def test_a_request_linked_to_a_voided_bill_is_refused_for_that_reason(api: Api) -> None:
    bill = api.bill(amount_due=1500)
    created = _request(api, metadata={"bill_id": bill["id"]})
    assert api.post(f"/billing/bills/{bill['id']}/void").status_code == 200
    response = api.pay(payment_request=created["id"], amount=1500)
    assert response.status_code == 422
    assert "void" in response.json()["detail"]


# ---- paying ------------------------------------------------------------------------------------


def test_paying_in_full_marks_the_request_paid_and_emits_paid(api: Api) -> None:
    created = _request(api, metadata={"order": "77"})
    response = api.pay(payment_request=created["id"], amount=1500, metadata={"utm_source": "sms"})
    assert response.status_code == 201, response.text
    payment = response.json()
    assert payment["obligation"] == {"type": "payment_request", "id": created["id"]}
    assert payment["payment_request"] == created["id"]
    assert "application_id" not in payment
    paid = api.get(f"{PATH}/{created['id']}").json()
    assert paid["status"] == "paid"
    assert paid["payment_id"] == payment["id"]
    (event,) = _event_for(api, "payment_request.paid", created["id"])
    assert event["id"] == payment["event_id"]
    assert event["data"] == paid
    again = api.pay(payment_request=created["id"], amount=1500)
    assert again.status_code == 422
    assert "already paid" in again.json()["detail"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"amount": 1000}, "amount"), ({"amount": 1600}, "amount"), ({"currency": "USD"}, "currency")],
)
def test_only_the_full_amount_in_the_request_currency_pays(
    api: Api, fields: dict[str, Any], field: str
) -> None:
    created = _request(api)
    response = api.pay(payment_request=created["id"], **{"amount": 1500, **fields})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert api.get(f"{PATH}/{created['id']}").json() == created


def test_a_payment_names_one_target(api: Api, bill: dict[str, Any]) -> None:
    created = _request(api)
    response = api.pay(payment_request=created["id"], bill=bill["id"], amount=1500)
    assert response.status_code == 400
    unknown = api.pay(payment_request="pr_" + "u" * 22, amount=1500)
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["field"] == "payment_request"


@pytest.mark.parametrize("kind", ["bill", "account", "customer"])
def test_a_linked_request_also_pays_its_obligation(api: Api, kind: str) -> None:
    customer = api.customer(currency="ZAR", balance=5000)
    targets: dict[str, Callable[[], dict[str, Any]]] = {
        "bill": lambda: api.bill(amount_due=4000, customer=customer["id"]),
        "account": lambda: api.account(customer["id"], currency="ZAR", balance=5000),
        "customer": lambda: customer,
    }
    target = targets[kind]()
    created = _request(api, metadata={f"{kind}_id": target["id"]})
    response = api.pay(payment_request=created["id"], amount=1500, metadata={"agent": "A1"})
    assert response.status_code == 201, response.text
    payment = response.json()
    assert payment["obligation"] == {"type": kind, "id": target["id"]}
    assert payment["payment_request"] == created["id"]  # the payment says how it was made
    path = {
        "bill": "/billing/bills",
        "account": "/billing/accounts",
        "customer": "/billing/customers",
    }
    after = api.get(f"{path[kind]}/{target['id']}").json()
    if kind == "bill":
        assert (after["amount_paid"], after["amount_remaining"]) == (1500, 2500)
    else:
        assert after["balance"] == 5000 - 1500
    applied = api.get(f"/_sandbox/events/{payment['event_id']}").json()
    assert applied["type"] == "obligation.amount_applied"
    assert applied["data"][f"{kind}_id"] == target["id"]
    assert applied["data"]["payment_id"] == payment["id"]
    assert applied["data"]["metadata"] == {"agent": "A1"}
    (paid,) = _event_for(api, "payment_request.paid", created["id"])
    assert paid["data"]["payment_id"] == payment["id"]


def test_a_refused_linked_payment_changes_nothing(api: Api) -> None:
    bill = api.bill(amount_due=1000)
    created = _request(api, metadata={"bill_id": bill["id"]})  # asks more than the bill's 1000
    response = api.pay(payment_request=created["id"], amount=1500)
    assert response.status_code == 422
    assert api.get(f"{PATH}/{created['id']}").json()["status"] == "active"
    assert api.get(f"/billing/bills/{bill['id']}").json() == bill
    assert _event_for(api, "payment_request.paid", created["id"]) == []


def test_twenty_payments_at_once_pay_a_request_once(api: Api) -> None:
    bill = api.bill(amount_due=3000)
    created = _request(api, metadata={"bill_id": bill["id"]})
    start = threading.Barrier(20)

    def pay(_: int) -> int:
        with httpx.Client(base_url=api.sandbox.base_url, timeout=20) as http:
            start.wait()
            return http.post(
                "/_sandbox/payments",
                json={"payment_request": created["id"], "amount": 1500},
                headers={
                    "Authorization": f"Bearer {api.sandbox.api_key}",
                    "Idempotency-Key": ref("K"),
                },
            ).status_code

    with ThreadPoolExecutor(20) as pool:
        statuses = sorted(pool.map(pay, range(20)))
    assert statuses == [201] + [422] * 19
    assert api.get(f"/billing/bills/{bill['id']}").json()["amount_paid"] == 1500
    assert len(_event_for(api, "payment_request.paid", created["id"])) == 1


def test_reset_deletes_payment_requests(fresh_api: Api) -> None:
    created = _request(fresh_api, external_reference="PR-RESET")
    assert fresh_api.post("/_sandbox/reset").status_code == 200
    assert fresh_api.get(f"{PATH}/{created['id']}").status_code == 404
    _request(fresh_api, external_reference="PR-RESET")  # its reference is free again
