"""Reconciliation and settlement reports (contract §10): what they say, checked against sums worked out by
hand, when they are written (day boundaries on the sandbox clock, once each), on demand, and the new
payment_method and fee_percent inputs.

Each test that moves the clock has its own sandbox. `to_day_start` first moves a fresh sandbox to 01:00 UTC
of a new day, so the payments a test makes land on a known day however the wall clock stands.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sandbox_helpers import Api, ref

import billkit
from billkit.errors import ConfigurationError
from billkit.sandbox import Sandbox
from billkit.sandbox.domain.payments import PaymentIntent
from billkit.sandbox.domain.reports import (
    RECONCILIATION_COLUMNS,
    SETTLEMENT_COLUMNS,
    fee_of,
    reconciliation_id,
)
from billkit.sandbox.services import billing, payments
from billkit.sandbox.services.reports import ReportWriter
from billkit.sandbox.store import Store
from billkit.sandbox.store.migrations import MIGRATIONS

DAY = 86_400
HEADER_ROWS = 6  # title, version, merchant, from, to, the empty row


@pytest.fixture
def acme() -> Iterator[Api]:
    """A sandbox of merchant `acme` taking a 2.5% fee, at 01:00 UTC of a fresh day."""
    with Sandbox(merchant="acme", fee_percent="2.5") as sandbox, Api(sandbox) as api:
        to_day_start(api)
        yield api


def clock(api: Api) -> datetime:
    return datetime.fromisoformat(api.get("/_sandbox/clock").json()["now"])


def advance(api: Api, seconds: float) -> datetime:
    answer = api.post("/_sandbox/clock", {"advance_seconds": seconds})
    assert answer.status_code == 200, answer.text
    return datetime.fromisoformat(answer.json()["now"])


def to_day_start(api: Api, hour: int = 1) -> date:
    """Move the clock to `hour`:00 UTC of the next day; that day."""
    now = clock(api)
    target = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    target += timedelta(hours=hour)
    advance(api, (target - now).total_seconds())
    return target.date()


def to_next_midnight(api: Api, *, plus: float = 1) -> datetime:
    now = clock(api)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    return advance(api, (midnight - now).total_seconds() + plus)


def reports(api: Api, **query: str) -> list[dict[str, Any]]:
    answer = api.get("/_sandbox/reports", params=query)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, Any]] = answer.json()["data"]
    return found


def content(api: Api, name: str) -> str:
    answer = api.get(f"/_sandbox/reports/{name}")
    assert answer.status_code == 200, answer.text
    text: str = answer.json()["content"]
    return text


def table(text: str) -> tuple[list[list[str]], tuple[str, ...], list[dict[str, str]]]:
    """The header rows, the table's columns, and its rows as dicts."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    head, (columns, *body) = rows[:HEADER_ROWS], rows[HEADER_ROWS:]
    return head, tuple(columns), [dict(zip(columns, row, strict=True)) for row in body]


def paid(api: Api, **fields: Any) -> dict[str, Any]:
    answer = api.pay(**fields)
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


# ---- what the files say ------------------------------------------------------------------------


def test_reconciliation_and_settlement_match_a_hand_computation(acme: Api) -> None:
    day = clock(acme).date()
    customer = acme.customer(currency="ZAR", balance=5000)
    bill = acme.bill(1500, customer=customer["id"])
    account = acme.account(customer["id"], currency="ZAR", balance=3000)
    usd_customer = acme.customer(currency="USD", balance=9000)
    first = paid(
        acme,
        bill=bill["id"],
        amount=1001,
        payment_method="Capitec Pay",
        payment_method_tender="Bank Transfer",
    )
    second = paid(acme, account=account["external_reference"], amount=1020)
    third = paid(acme, customer=usd_customer["id"], amount=1050, payment_method="Apple Pay")
    fourth = paid(acme, customer=customer["id"], amount=103, channel="in_person")
    assert (first["payment_method"], first["payment_method_tender"]) == (
        "Capitec Pay",
        "Bank Transfer",
    )
    assert (second["payment_method"], second["payment_method_tender"]) == ("Card", "Card")
    assert (third["payment_method"], third["payment_method_tender"]) == ("Apple Pay", "Apple Pay")

    to_next_midnight(acme, plus=DAY + 60)  # past the end of the following day: both are due
    recon, settlement = reports(acme)
    assert (recon["kind"], settlement["kind"]) == ("reconciliation", "settlement")
    assert recon["date"] == settlement["date"] == day.isoformat()
    assert (recon["rows"], settlement["rows"]) == (4, 2)

    head, columns, rows = table(content(acme, recon["name"]))
    assert head == [
        ["Report Title", "Moment Merchant Reconciliation Report"],
        ["Version", "1.0"],
        ["Merchant alias", "acme"],
        ["From", "Start Date", f"{day}T00:00:00Z"],
        ["To", "End Date", f"{day}T23:59:59Z"],
        [],
    ]
    assert columns == RECONCILIATION_COLUMNS
    # 2.5% fees, half-up per payment: 25.025 -> 25, 25.5 -> 26, 26.25 -> 26, 2.575 -> 3.
    expected = [
        (first, bill, customer, "Capitec Pay", "Bank Transfer", "ZA", "10.01", "0.25", "9.76"),
        (second, account, customer, "Card", "Card", "ZA", "10.20", "0.26", "9.94"),
        (
            third,
            usd_customer,
            usd_customer,
            "Apple Pay",
            "Apple Pay",
            "US",
            "10.50",
            "0.26",
            "10.24",
        ),
        (fourth, customer, customer, "Card", "Card", "ZA", "1.03", "0.03", "1.00"),
    ]
    for row, (payment, paid_for, owner, method, tender, country, *money) in zip(
        rows, expected, strict=True
    ):
        assert row == {
            "transaction_type": "Payment",
            "transaction_timestamp": payment["created_at"],
            "reconciliation_id": reconciliation_id(payment["id"]),
            "merchant_reference_id": paid_for["external_reference"],
            "payment_method": method,
            "payment_method_tender": tender,
            "customer_reference": owner["external_reference"],
            "country": country,
            "currency": payment["currency"],
            "amount": money[0],
            "fee": money[1],
            "net_amount": money[2],
            "payment_id": payment["id"],
            "obligation_id": paid_for["id"],
            "channel": payment["channel"],
        }
        assert len(row["reconciliation_id"]) == 24
        assert int(row["reconciliation_id"], 16) >= 0

    head, columns, rows = table(content(acme, settlement["name"]))
    assert head[0] == ["Report Title", "Moment Merchant Settlement Report"]
    assert head[1:] == [
        ["Version", "1.0"],
        ["Merchant alias", "acme"],
        ["From", "Start Date", f"{day}T00:00:00Z"],
        ["To", "End Date", f"{day}T23:59:59Z"],
        [],
    ]
    assert columns == SETTLEMENT_COLUMNS
    paid_out = (day + timedelta(days=2)).isoformat()
    assert rows == [
        # ZAR: 1001 + 1020 + 103 = 2124 gross, 25 + 26 + 3 = 54 fees.
        {
            "settlement_date": paid_out,
            "currency": "USD",
            "transaction_count": "1",
            "gross_amount": "10.50",
            "fees": "0.26",
            "net_amount": "10.24",
        },
        {
            "settlement_date": paid_out,
            "currency": "ZAR",
            "transaction_count": "3",
            "gross_amount": "21.24",
            "fees": "0.54",
            "net_amount": "20.70",
        },
    ]


def test_files_are_utf8_crlf_csv_named_as_the_contract_says(acme: Api) -> None:
    day = clock(acme).date()
    customer = acme.customer(currency="ZAR", balance=5000)
    paid(acme, customer=customer["id"], amount=500, payment_method='Pay, "quoted"')
    now = to_next_midnight(acme, plus=30)
    (recon,) = reports(acme)
    stamp, moment, word, uuid, period = recon["name"].removesuffix(".csv").split("_")
    assert (moment, word) == ("Moment", "Recon")
    assert stamp == now.strftime("%Y%m%d") == recon["generated_on"].replace("-", "")
    assert period == day.strftime("%Y%m%d")
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", uuid
    )
    text = content(acme, recon["name"])
    raw = text.encode("utf-8")
    assert raw.count(b"\r\n") == raw.count(b"\n") == HEADER_ROWS + 2
    assert b'"Pay, ""quoted"""' in raw  # RFC 4180 quoting
    assert len(raw) == recon["size"]
    _, _, rows = table(text)
    assert rows[0]["payment_method"] == 'Pay, "quoted"'


def test_the_hosted_page_pays_by_card(acme: Api) -> None:
    bill = acme.bill(2000)
    page = acme.http.get(f"/pay/{bill['id']}")
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token is not None
    receipt = acme.http.post(f"/pay/{bill['id']}", data={"token": token.group(1), "amount": "7.50"})
    assert receipt.status_code == 200
    to_next_midnight(acme)
    (recon,) = reports(acme)
    _, _, rows = table(content(acme, recon["name"]))
    shown = [(row["payment_method"], row["payment_method_tender"], row["channel"]) for row in rows]
    assert shown == [("Card", "Card", "ebp")]
    assert rows[0]["amount"] == "7.50"


def test_an_unlinked_payment_request_is_in_no_report(acme: Api) -> None:
    request = acme.created(
        "/collect/payment_requests", {"amount": 900, "currency": "ZAR", "type": "link"}
    )
    linked_bill = acme.bill(800)
    linked = acme.created(
        "/collect/payment_requests",
        {
            "amount": 800,
            "currency": "ZAR",
            "type": "link",
            "metadata": {"bill_id": linked_bill["id"]},
        },
    )
    unlinked = paid(acme, payment_request=request["id"], amount=900)
    through = paid(acme, payment_request=linked["id"], amount=800)
    assert unlinked["payment_method"] == through["payment_method"] == "Card"
    to_next_midnight(acme)
    (recon,) = reports(acme)
    _, _, rows = table(content(acme, recon["name"]))
    assert [row["payment_id"] for row in rows] == [through["id"]]
    assert rows[0]["obligation_id"] == linked_bill["id"]


def test_a_day_holding_only_unlinked_payments_gets_no_report(acme: Api) -> None:
    request = acme.created(
        "/collect/payment_requests", {"amount": 900, "currency": "ZAR", "type": "link"}
    )
    paid(acme, payment_request=request["id"], amount=900)
    to_next_midnight(acme, plus=2 * DAY)
    assert reports(acme) == []


# ---- when they are written ---------------------------------------------------------------------


def test_a_day_is_reported_once_however_often_the_clock_passes(acme: Api) -> None:
    day = clock(acme).date()
    paid(acme, bill=acme.bill(2000)["id"], amount=2000)
    advance(acme, 3600)
    assert reports(acme) == []  # the day has not ended
    to_next_midnight(acme, plus=60)
    (recon,) = reports(acme)
    assert (recon["kind"], recon["date"]) == ("reconciliation", day.isoformat())
    advance(acme, 3600)
    advance(acme, 60)
    assert reports(acme) == [recon]
    first = content(acme, recon["name"])
    to_next_midnight(acme, plus=60)  # the following day has ended: its settlement is due
    listed = reports(acme)
    assert [entry["kind"] for entry in listed] == ["reconciliation", "settlement"]
    assert listed[0] == recon
    assert content(acme, recon["name"]) == first
    advance(acme, 30 * DAY)
    assert reports(acme) == listed


def test_the_settlement_waits_for_the_end_of_the_following_day(acme: Api) -> None:
    paid(acme, bill=acme.bill(2000)["id"], amount=1500)
    to_next_midnight(acme, plus=1)
    assert [entry["kind"] for entry in reports(acme)] == ["reconciliation"]
    advance(acme, DAY - 600)  # 23:50 of the following day
    assert [entry["kind"] for entry in reports(acme)] == ["reconciliation"]
    to_next_midnight(acme, plus=1)
    assert [entry["kind"] for entry in reports(acme)] == ["reconciliation", "settlement"]


def test_a_big_advance_writes_every_due_day(acme: Api) -> None:
    days = []
    for _ in range(3):
        days.append(clock(acme).date().isoformat())
        paid(acme, bill=acme.bill(2000)["id"], amount=1000)
        to_day_start(acme)
    # The first two days are settled by now; the third has only its reconciliation.
    assert [(entry["date"], entry["kind"]) for entry in reports(acme)] == [
        (days[0], "reconciliation"),
        (days[0], "settlement"),
        (days[1], "reconciliation"),
        (days[1], "settlement"),
        (days[2], "reconciliation"),
    ]
    advance(acme, 30 * DAY)
    listed = reports(acme)
    assert [(entry["date"], entry["kind"]) for entry in listed][-1] == (days[2], "settlement")
    assert len(listed) == 6
    assert reports(acme, kind="settlement", since=days[1]) == [listed[3], listed[5]]


def test_on_demand_writes_both_reports_once(acme: Api) -> None:
    day = clock(acme).date()
    paid(acme, bill=acme.bill(2000)["id"], amount=1234)
    early = acme.post("/_sandbox/reports", {"date": day.isoformat()})
    assert early.status_code == 422, early.text
    assert early.json()["errors"][0]["field"] == "date"
    to_next_midnight(acme, plus=5)  # the reconciliation is written as the day ends
    (recon,) = reports(acme)
    first = acme.post("/_sandbox/reports", {"date": day.isoformat()})
    assert first.status_code == 200, first.text
    written = first.json()["data"]
    assert [entry["kind"] for entry in written] == ["reconciliation", "settlement"]
    assert written[0] == recon  # already written: the same one
    again = acme.post("/_sandbox/reports", {"date": day.isoformat()})
    assert again.json()["data"] == written
    assert [content(acme, entry["name"]) for entry in written] == [
        content(acme, entry["name"]) for entry in again.json()["data"]
    ]
    to_next_midnight(acme, plus=5)  # the settlement fell due, but it exists: nothing new
    assert reports(acme) == written


def test_on_demand_for_a_day_without_payments_writes_empty_tables(acme: Api) -> None:
    day = (clock(acme) - timedelta(days=40)).date()
    written = acme.post("/_sandbox/reports", {"date": day.isoformat()}).json()["data"]
    assert [(entry["rows"], entry["date"]) for entry in written] == [(0, str(day)), (0, str(day))]
    head, columns, rows = table(content(acme, written[1]["name"]))
    assert head[3] == ["From", "Start Date", f"{day}T00:00:00Z"]
    assert (columns, rows) == (SETTLEMENT_COLUMNS, [])


def test_the_first_day_of_the_calendar_can_be_reported(api: Api) -> None:
    written = api.post("/_sandbox/reports", {"date": "0001-01-01"})
    assert written.status_code == 200, written.text
    names = [entry["name"] for entry in written.json()["data"]]
    assert all(name.endswith("_00010101.csv") for name in names)
    assert "From,Start Date,0001-01-01T00:00:00Z\r\n" in content(api, names[0])


def test_reset_deletes_the_reports(acme: Api) -> None:
    paid(acme, bill=acme.bill(2000)["id"], amount=2000)
    to_next_midnight(acme)
    (recon,) = reports(acme)
    assert acme.post("/_sandbox/reset").status_code == 200
    assert reports(acme) == []
    assert acme.get(f"/_sandbox/reports/{recon['name']}").status_code == 404


def test_wall_time_passing_midnight_writes_the_report() -> None:
    """The background writer: the clock moves to 2 s before midnight, then only wall time passes."""
    with Sandbox() as sandbox, Api(sandbox) as api:
        to_day_start(api)
        paid(api, bill=api.bill(2000)["id"], amount=2000)
        to_next_midnight(api, plus=-2)
        assert reports(api) == []
        found = _wait_for(lambda: reports(api))
        assert [entry["kind"] for entry in found] == ["reconciliation"]


def _wait_for(probe: Any, attempts: int = 600) -> Any:
    pause = threading.Event()
    for _ in range(attempts):
        found = probe()
        if found:
            return found
        pause.wait(0.05)
    raise AssertionError("the condition never held")


# ---- exact day boundaries, batches and old databases (the writer on its own) -------------------


@pytest.fixture
def store() -> Iterator[Store]:
    opened = Store.open(":memory:")
    yield opened
    opened.close()


def _pay_at(store: Store, at: float, amount: int = 1000) -> dict[str, Any]:
    with store.transaction():
        bill = billing.create_bill(
            store,
            {
                "external_reference": ref("UBR"),
                "currency": "ZAR",
                "amount_due": amount,
                "customer": {"external_reference": ref("UCR"), "name": "A Payer"},
            },
            now=at,
        ).object
        outcome = payments.pay(store, "bill", bill["id"], PaymentIntent(amount), now=at)
    return outcome.payment


MIDNIGHT = datetime(2025, 1, 16, tzinfo=UTC).timestamp()


def test_the_day_ends_exactly_at_midnight_utc(store: Store) -> None:
    writer = ReportWriter(store, merchant="sandbox", fee_percent=Decimal(0))
    late = _pay_at(store, MIDNIGHT - 0.5)
    early = _pay_at(store, MIDNIGHT)
    assert late["created_at"] == "2025-01-15T23:59:59Z"
    with store.transaction():
        assert writer.write_due(MIDNIGHT - 0.001) is False
    assert store.reports.listed() == []
    with store.transaction():
        writer.write_due(MIDNIGHT)
    (recon,) = store.reports.listed()
    assert (recon.period, recon.generated_on) == ("2025-01-15", "2025-01-16")
    text = recon.content.decode()
    assert late["id"] in text
    assert early["id"] not in text
    with store.transaction():
        writer.write_due(MIDNIGHT + DAY)
    assert [(r.period, r.kind) for r in store.reports.listed()] == [
        ("2025-01-15", "reconciliation"),
        ("2025-01-15", "settlement"),
        ("2025-01-16", "reconciliation"),
    ]
    next_day = store.reports.find("reconciliation", "2025-01-16")
    assert next_day is not None
    assert early["id"] in next_day.content.decode()


def test_the_writer_works_in_bounded_batches(store: Store) -> None:
    writer = ReportWriter(store, merchant="sandbox", fee_percent=Decimal(0))
    for day in range(5):
        _pay_at(store, MIDNIGHT + day * DAY + 100)
    later = MIDNIGHT + 40 * DAY
    batches = []
    while True:
        with store.transaction():
            more = writer.write_due(later, limit=3)
        batches.append(len(store.reports.listed()))
        if not more:
            break
    assert batches == [3, 6, 9, 10]


def test_a_database_from_before_reports_keeps_its_payments(tmp_path: Any) -> None:
    """An older sandbox database gains the reports table, and its payments their times."""
    path = str(tmp_path / "old.sqlite3")
    old = Store.open(path)
    _pay_at(old, MIDNIGHT - 3600, amount=4321)
    old.close()
    connection = sqlite3.connect(path)
    connection.executescript(
        "DROP TABLE reports; DROP INDEX payments_by_time; ALTER TABLE payments DROP COLUMN created_at;"
        f"PRAGMA user_version = {len(MIGRATIONS) - 1};"
    )
    connection.close()
    upgraded = Store.open(path)
    try:
        writer = ReportWriter(upgraded, merchant="sandbox", fee_percent=Decimal(0))
        with upgraded.transaction():
            writer.write_due(MIDNIGHT + 10)
        (recon,) = upgraded.reports.listed()
        assert recon.period == "2025-01-15"
        assert b"43.21" in recon.content
    finally:
        upgraded.close()


def test_fees_round_half_up_to_the_minor_unit() -> None:
    assert fee_of(1001, Decimal("2.5")) == 25  # 25.025
    assert fee_of(1020, Decimal("2.5")) == 26  # 25.5, where banker's rounding would say 26 too
    assert fee_of(1050, Decimal("1")) == 11  # 10.5, where banker's rounding would say 10
    assert fee_of(99_999_999, Decimal("99.9999")) == 99_999_899
    assert fee_of(1, Decimal("49.9999")) == 0
    assert fee_of(1, Decimal("50")) == 1
    assert fee_of(12345, Decimal(0)) == 0


# ---- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method",
    ["", " Card", "Card ", "x" * 41, "Kärtchen", "tab\there", 7, None, ["Card"]],
)
@pytest.mark.parametrize("field", ["payment_method", "payment_method_tender"])
def test_bad_payment_methods_are_400_naming_the_field(
    api: Api, bill: dict[str, Any], field: str, method: Any
) -> None:
    answer = api.pay(bill=bill["id"], amount=100, **{field: method})
    assert answer.status_code == 400, answer.text
    assert [problem["field"] for problem in answer.json()["errors"]] == [field]


def test_a_40_character_payment_method_is_fine(api: Api, bill: dict[str, Any]) -> None:
    method = "M" + " -&/()'.,:" * 3 + "x" * 8 + "Z"
    assert len(method) == 40
    assert paid(api, bill=bill["id"], amount=100, payment_method=method)["payment_method"] == method


@pytest.mark.parametrize(
    "body",
    [
        {"date": "2025-02-30"},
        {"date": "20250115"},
        {"date": "2025-1-5"},
        {"date": 20250115},
        {"date": None},
        {"date": "2025-01-15T00:00:00Z"},
        {},
        {"date": "2025-01-15", "kind": "settlement"},
    ],
)
def test_bad_report_requests_are_400_naming_the_field(api: Api, body: dict[str, Any]) -> None:
    answer = api.post("/_sandbox/reports", body)
    assert answer.status_code == 400, answer.text
    named = {problem["field"] for problem in answer.json()["errors"]}
    assert named <= {"date", "kind"}
    assert named


@pytest.mark.parametrize(
    "query", [{"kind": "recon"}, {"since": "yesterday"}, {"since": "2025-13-01"}, {"page": "2"}]
)
def test_bad_report_queries_are_400(api: Api, query: dict[str, str]) -> None:
    answer = api.get("/_sandbox/reports", params=query)
    assert answer.status_code == 400, answer.text
    assert answer.json()["errors"][0]["field"] in query


@pytest.mark.parametrize(
    "name", ["nothing.csv", "20250101_Moment_Recon_x_20250101.csv", "..", "a" * 300]
)
def test_an_unknown_report_is_404(api: Api, name: str) -> None:
    assert api.get(f"/_sandbox/reports/{name}").status_code == 404


@pytest.mark.parametrize(
    "percent", [-1, 100, 100.0, "abc", "", float("nan"), float("inf"), "1e3", True, "2.12345", [1]]
)
def test_bad_fee_percents_are_refused_by_name(percent: Any) -> None:
    with pytest.raises(ConfigurationError, match="fee percent"):
        Sandbox(fee_percent=percent)


@pytest.mark.parametrize(
    ("given", "kept"),
    [(0, "0"), (2.5, "2.5"), ("0.0125", "0.0125"), (Decimal("99.9999"), "99.9999")],
)
def test_good_fee_percents_are_kept_exactly(given: Any, kept: str) -> None:
    assert Sandbox(fee_percent=given).settings.fee_percent == Decimal(kept)


# ---- the client --------------------------------------------------------------------------------


def test_the_client_writes_lists_and_reads_reports() -> None:
    with Sandbox(fee_percent=1) as sandbox, sandbox.client() as client:
        bill = client.bills.create(
            external_reference=ref("UBR"),
            amount_due=5000,
            currency="USD",
            customer={"external_reference": ref("UCR"), "name": "A Payer"},
        )
        payment = client.sandbox.payments.create(
            bill=bill.id, amount=1050, payment_method="Apple Pay", payment_method_tender="Wallet"
        )
        assert (payment.payment_method, payment.payment_method_tender) == ("Apple Pay", "Wallet")
        day = client.sandbox.clock.now().date()
        with pytest.raises(billkit.UnprocessableEntityError):
            client.sandbox.reports.create(day)
        client.sandbox.clock.advance(timedelta(days=2))
        listed = client.sandbox.reports.list()
        assert [(report.kind, report.date) for report in listed] == [
            ("reconciliation", day),
            ("settlement", day),
        ]
        settled = client.sandbox.reports.list(kind="settlement")
        assert [report.name for report in settled] == [listed[1].name]
        assert client.sandbox.reports.list(since=day + timedelta(days=1)) == []
        recon = client.sandbox.reports.retrieve(listed[0].name)
        assert recon.content is not None
        assert "10.50,0.11,10.39" in recon.content
        assert len(recon.content_bytes) == recon.size
        assert [report.name for report in client.sandbox.reports.create(day)] == [
            report.name for report in listed
        ]
        with pytest.raises(billkit.InvalidArgumentError):
            client.sandbox.reports.list(kind="recon")
        with pytest.raises(billkit.InvalidArgumentError):
            client.sandbox.reports.create("2025-01-01")  # type: ignore[arg-type]

        async def read_async() -> list[str]:
            async with billkit.AsyncClient(
                api_key=sandbox.api_key, base_url=sandbox.base_url
            ) as aclient:
                found = await aclient.sandbox.reports.list()
                again = await aclient.sandbox.reports.create(day)
                one = await aclient.sandbox.reports.retrieve(found[1].name)
                assert [report.name for report in again] == [report.name for report in found]
                return [report.name for report in found] + [one.content or ""]

        names = asyncio.run(read_async())
        assert names[:2] == [report.name for report in listed]
        assert names[2].startswith("Report Title,Moment Merchant Settlement Report\r\n")
