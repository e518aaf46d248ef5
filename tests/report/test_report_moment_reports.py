"""The report's section on Moment's reports (three-way reconciliation) and cash by channel, on the hand-built
world of tests/three_way_world.py and on a sandbox-filled ledger through `build_report`."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pandas as pd
from samples import ann_with_a_bill
from three_way_world import RECONCILIATION_COLUMNS, SETTLEMENT_COLUMNS, january, recon_name

from billkit.analysis.three_way import three_way, with_channels
from billkit.ledger import Ledger
from billkit.report.build import ReportScope, build_report
from billkit.report.sections import cash, moment_reports
from billkit.report.table import CURRENCY, TOTAL
from billkit.report.tables import to_html
from billkit.reportfiles import fetch_reports
from billkit.sandbox import Sandbox


def records(frame: pd.DataFrame, *columns: str) -> list[tuple[object, ...]]:
    return [
        tuple(None if pd.isna(value) else value for value in row)
        for row in frame[list(columns)].itertuples(index=False)
    ]


def section_of(day: str) -> moment_reports.MomentReports:
    """The section of the hand-built January world as of `day` (UTC)."""
    world = january()
    frames = world.as_of(day)
    result = three_way(
        frames, reconciliation=world.reconciliation_rows(), settlement=world.settlement_rows()
    )
    return moment_reports.moment_reports(result, frames)


def test_findings_list_every_disagreement_with_references_customers_and_amounts() -> None:
    section = section_of("2027-01-12")
    table = section.findings
    assert records(
        table.frame,
        "Finding",
        CURRENCY,
        "Customer",
        "Obligation",
        "Payment",
        "Webhook",
        "Report",
        "Difference",
    ) == [
        ("In Moment's report, no webhook", "ZAR", "Ben Botha", "B2", "pay_2", None, 2500, None),
        ("In Moment's report, no webhook", "ZAR", None, "GHOST-9", "pay_ghost", None, 300, None),
        ("Webhook, in no report after T+1", "ZAR", "Ann Adams", "B1", "pay_5", 500, None, None),
        ("Amount or currency differs", "USD", "Cas Cele", "B3", "pay_3", 1000, 1200, 200),
        ("Amount or currency differs", "USD", "Ben Botha", "B5", "pay_8", None, 900, None),
        ("Unknown obligation", "ZAR", None, "GHOST-9", "pay_ghost", None, 300, None),
    ]
    assert list(table.frame["Note"])[2:5] == [
        "due in the report of 2027-01-10",
        "the report says another amount",
        "the webhook says R9.00 (ZAR)",
    ]
    page = to_html(table)
    for shown in ("$12.00", "R25.00", "$2.00"):
        assert shown in page

    assert records(section.summary.frame, CURRENCY, *moment_reports._SUMMARY_COUNTS) == [
        ("USD", 0, 0, 0, 2, 0, 1),
        ("ZAR", 4, 2, 1, 0, 1, 0),
    ]
    assert records(
        section.settlements.frame,
        CURRENCY,
        "Day",
        "Settled payments",
        "Reconciled payments",
        "Settled gross",
        "Reconciled gross",
        "Net difference",
        "Result",
    ) == [
        ("USD", date(2027, 1, 10), 2, 2, 2000, 2100, -98, "differs"),
        ("USD", TOTAL, 2, 2, 2000, 2100, -98, "1 of 1 days differ"),
        ("ZAR", date(2027, 1, 10), 5, 5, 9000, 9000, 0, "agrees"),
        ("ZAR", TOTAL, 5, 5, 9000, 9000, 0, "0 of 1 days differ"),
    ]


def test_empty_findings_are_sentences() -> None:
    section = section_of("2027-01-10")
    assert section.findings.is_empty
    assert "No finding as of 2027-01-10" in to_html(section.findings)
    assert section.settlements.is_empty
    assert "No settlement report was due" in to_html(section.settlements)


def test_cash_by_channel_from_the_reconciliation_rows() -> None:
    world = january()
    day = with_channels(world.as_of("2027-01-12"), world.reconciliation_rows())
    table = cash.cash_received(day, start=date(2027, 1, 10), end=date(2027, 1, 12))
    assert records(
        table.frame,
        CURRENCY,
        "Day",
        "API",
        "In person",
        "Channel not recorded",
        "Total received",
        "Payments",
    ) == [
        # P3 was reported in USD and P8 in ZAR by webhook: a payment's currency is the webhook's.
        ("USD", date(2027, 1, 10), 1000, 0, 0, 1000, 1),
        ("USD", TOTAL, 1000, 0, 0, 1000, 1),
        # P1 api, P4 in person, P5 not in any report, P7 (its row has no payment_id), P8 api; P9 api.
        ("ZAR", date(2027, 1, 10), 4900, 700, 2000, 7600, 5),
        ("ZAR", date(2027, 1, 11), 1000, 0, 0, 1000, 1),
        ("ZAR", TOTAL, 5900, 700, 2000, 8600, 6),
    ]
    without = cash.cash_received(
        world.as_of("2027-01-12"), start=date(2027, 1, 10), end=date(2027, 1, 12)
    )
    assert [h for h in without.money if h != "Total received"] == [cash.UNRECORDED]


def test_the_report_adds_the_section_when_the_source_has_report_rows(tmp_path: Path) -> None:
    """A sandbox with two payments; Moment's report of their day holds one (and a row the ledger cannot
    place). Two days later the report finds the missing row, the unknown one and the unreported payment."""
    with Sandbox() as sandbox, sandbox.client() as client:
        today = ann_with_a_bill(client)
        client.sandbox.payments.create(bill="B1", amount=4000)
        client.sandbox.payments.create(bill="B1", amount=1000)
        ledger = Ledger(tmp_path / "ledger.sqlite")
        ledger.import_sandbox(client, observed_at=client.sandbox.clock.now())
    events = ledger.events_frame("obligation.amount_applied").set_index("amount")
    first, second = events.loc[4000], events.loc[1000]  # the one reported, the one not
    rows = pd.DataFrame(
        [
            {
                "reconciliation_id": f"{1:024x}",
                "transaction_type": "Payment",
                "transaction_timestamp": first["created_at"],
                "merchant_reference_id": "B1",
                "payment_method": "Card",
                "payment_method_tender": "Card",
                "customer_reference": "CUS-A",
                "country": "ZA",
                "currency": "ZAR",
                "amount": 4000,
                "fee": 0,
                "net_amount": 4000,
                "payment_id": first["payment_id"],
                "obligation_id": first["bill_id"],
                "channel": "ebp",
                "report_name": recon_name(today),
                "period_end": pd.Timestamp(today),
            },
            {
                "reconciliation_id": f"{2:024x}",
                "transaction_type": "Payment",
                "transaction_timestamp": first["created_at"],
                "merchant_reference_id": "NOT-OURS",
                "payment_method": "Card",
                "payment_method_tender": "Card",
                "customer_reference": None,
                "country": "ZA",
                "currency": "ZAR",
                "amount": 250,
                "fee": 0,
                "net_amount": 250,
                "payment_id": "pay_elsewhere",
                "obligation_id": None,
                "channel": "api",
                "report_name": recon_name(today),
                "period_end": pd.Timestamp(today),
            },
        ]
    ).astype(RECONCILIATION_COLUMNS)
    settlement = pd.DataFrame(columns=list(SETTLEMENT_COLUMNS)).astype(SETTLEMENT_COLUMNS)
    later = today + timedelta(days=2)
    scope = ReportScope(as_of=later, timezone="UTC", start=today.replace(day=1), end=later)
    report = build_report(ledger, scope, reconciliation=rows, settlement=settlement)
    assert report.key_figures()["three_way"] == {
        "matched": 1,
        "no_webhook": 1,
        "not_reported": 1,
        "mismatched": 0,
        "unknown_obligation": 1,
        # The settlement of `today` was due at the start of `later` and is missing.
        "settlement_mismatches": 1,
    }
    section = report.sections.moment_reports
    assert section is not None
    assert list(section.findings.frame["Payment"]) == [
        "pay_elsewhere",
        second["payment_id"],
        "pay_elsewhere",
    ]
    assert section.findings in report.sections.tables()
    cash_day = report.sections.cash_by_day
    assert records(cash_day.frame, "Bill page", "Channel not recorded", "Total received")[0] == (
        4000,
        1000,
        5000,
    )
    plain = build_report(ledger, scope)
    assert plain.sections.moment_reports is None
    assert plain.key_figures()["three_way"] is None


def test_the_report_reads_moments_reports_from_the_ledger(tmp_path: Path) -> None:
    """Reports the sandbox wrote, fetched over SFTP and imported: the report finds them in the ledger itself,
    every payment matches its webhook, and cash by channel comes from the rows."""
    with Sandbox(sftp=True, fee_percent=2) as sandbox, sandbox.client() as client:
        today = ann_with_a_bill(client)
        client.sandbox.payments.create(bill="B1", amount=4000, channel="ebp")
        client.sandbox.payments.create(bill="B1", amount=1000, channel="in_person")
        client.sandbox.clock.advance(timedelta(days=3))
        fetched = fetch_reports(sandbox.sftp_settings(), tmp_path / "reports", since=today)
        ledger = Ledger(tmp_path / "ledger.sqlite")
        ledger.import_sandbox(client, observed_at=client.sandbox.clock.now())
    ledger.import_reports(fetched.folder)
    # The clock moved three days at once: the reports of `today` were generated then, and exist from then.
    later = today + timedelta(days=3)
    scope = ReportScope(as_of=later, timezone="UTC", start=today.replace(day=1), end=later)
    report = build_report(ledger, scope)
    assert report.key_figures()["three_way"] == {
        "matched": 2,
        **dict.fromkeys(("no_webhook", "not_reported", "mismatched", "unknown_obligation"), 0),
        "settlement_mismatches": 0,
    }
    section = report.sections.moment_reports
    assert section is not None
    assert records(
        section.settlements.frame, "Day", "Settled gross", "Settled fees", "Net difference"
    ) == [(today, 5000, 100, 0), (TOTAL, 5000, 100, 0)]
    assert records(report.sections.cash_by_day.frame, "Bill page", "In person")[0] == (4000, 1000)
