"""What Moment's reconciliation and settlement reports say (contract §10), as pure functions: the fee of a
payment, each report's rows, the file's bytes and its name. The service (`services/reports.py`) reads
the payments and keeps what these return.

    Report Title,Moment Merchant Reconciliation Report
    Version,1.0
    Merchant alias,acme
    From,Start Date,2025-01-15T00:00:00Z
    To,End Date,2025-01-15T23:59:59Z
    <empty row>
    transaction_type,transaction_timestamp,reconciliation_id,...

Money is written in major units with the currency's decimals (`1001` ZAR cents: `10.01`), computed in
integers and `Decimal`, never floats.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from billkit.money import to_major
from billkit.sandbox.domain.payments import DEFAULT_PAYMENT_METHOD

__all__ = [
    "COUNTRY_OF_CURRENCY",
    "RECONCILIATION_COLUMNS",
    "SETTLEMENT_COLUMNS",
    "ReconciliationRow",
    "ReportKind",
    "fee_of",
    "reconciliation_id",
    "reconciliation_row",
    "render_report",
    "report_name",
    "settlement_rows",
]

ReportKind = Literal["reconciliation", "settlement"]
VERSION = "1.0"
_TITLES: dict[ReportKind, str] = {
    "reconciliation": "Moment Merchant Reconciliation Report",
    "settlement": "Moment Merchant Settlement Report",
}
_NAME_WORDS: dict[ReportKind, str] = {"reconciliation": "Recon", "settlement": "Settlement"}

RECONCILIATION_COLUMNS = (
    "transaction_type",
    "transaction_timestamp",
    "reconciliation_id",
    "merchant_reference_id",
    "payment_method",
    "payment_method_tender",
    "customer_reference",
    "country",
    "currency",
    "amount",
    "fee",
    "net_amount",
    "payment_id",
    "obligation_id",
    "channel",
)
SETTLEMENT_COLUMNS = (
    "settlement_date",
    "currency",
    "transaction_count",
    "gross_amount",
    "fees",
    "net_amount",
)
#: The country a payment is reported in, from its currency (the sandbox has no payer addresses).
COUNTRY_OF_CURRENCY = {"ZAR": "ZA", "USD": "US"}
#: Moment pays a day's takings out two days later, when that day's settlement report is due.
SETTLEMENT_DELAY = timedelta(days=2)


def fee_of(amount: int, fee_percent: Decimal) -> int:
    """`fee_percent` % of `amount` minor units, rounded half-up to a whole minor unit (2.5% of 1,020 is
    25.5, so 26)."""
    exact = Decimal(amount) * fee_percent / 100
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def reconciliation_id(payment_id: str) -> str:
    """24 lower-case hex digits (Moment's transaction ids look like this), the same for a payment every
    time, in every report and every sandbox."""
    return hashlib.sha256(f"billkit-reconciliation:{payment_id}".encode()).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class ReconciliationRow:
    """One applied payment as the report shows it; money in minor units until it is written."""

    timestamp: str
    reconciliation_id: str
    merchant_reference_id: str
    payment_method: str
    payment_method_tender: str
    customer_reference: str
    country: str
    currency: str
    amount: int
    fee: int
    payment_id: str
    obligation_id: str
    channel: str

    def cells(self) -> list[str]:
        return [
            "Payment",
            self.timestamp,
            self.reconciliation_id,
            self.merchant_reference_id,
            self.payment_method,
            self.payment_method_tender,
            self.customer_reference,
            self.country,
            self.currency,
            _major(self.amount, self.currency),
            _major(self.fee, self.currency),
            _major(self.amount - self.fee, self.currency),
            self.payment_id,
            self.obligation_id,
            self.channel,
        ]


def reconciliation_row(
    payment: Mapping[str, Any],
    *,
    merchant_reference_id: str,
    customer_reference: str,
    fee_percent: Decimal,
) -> ReconciliationRow:
    """The row of one applied payment; the caller looked up the references of what it paid."""
    currency: str = payment["currency"]
    amount: int = payment["amount"]
    return ReconciliationRow(
        timestamp=payment["created_at"],
        reconciliation_id=reconciliation_id(payment["id"]),
        merchant_reference_id=merchant_reference_id,
        payment_method=payment.get("payment_method", DEFAULT_PAYMENT_METHOD),
        payment_method_tender=payment.get("payment_method_tender", DEFAULT_PAYMENT_METHOD),
        customer_reference=customer_reference,
        country=COUNTRY_OF_CURRENCY.get(currency, ""),
        currency=currency,
        amount=amount,
        fee=fee_of(amount, fee_percent),
        payment_id=payment["id"],
        obligation_id=payment["obligation"]["id"],
        channel=payment["channel"],
    )


def settlement_rows(period: date, rows: Iterable[ReconciliationRow]) -> list[list[str]]:
    """One row per currency (alphabetical): count, gross, fees (each payment's, rounded on its own) and net."""
    totals: dict[str, list[int]] = {}
    for row in rows:
        count, gross, fees = totals.setdefault(row.currency, [0, 0, 0])
        totals[row.currency] = [count + 1, gross + row.amount, fees + row.fee]
    paid_on = (period + SETTLEMENT_DELAY).isoformat()
    return [
        [
            paid_on,
            currency,
            str(count),
            _major(gross, currency),
            _major(fees, currency),
            _major(gross - fees, currency),
        ]
        for currency, (count, gross, fees) in sorted(totals.items())
    ]


def render_report(
    kind: ReportKind, *, merchant: str, period: date, rows: Sequence[Sequence[str]]
) -> bytes:
    """The file: the header rows, an empty row, then the table (UTF-8, CRLF, RFC 4180 quoting)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    day = period.isoformat()
    writer.writerows(
        [
            ["Report Title", _TITLES[kind]],
            ["Version", VERSION],
            ["Merchant alias", merchant],
            ["From", "Start Date", f"{day}T00:00:00Z"],
            ["To", "End Date", f"{day}T23:59:59Z"],
            [],
            RECONCILIATION_COLUMNS if kind == "reconciliation" else SETTLEMENT_COLUMNS,
        ]
    )
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def report_name(kind: ReportKind, *, generated_on: date, uuid: str, period: date) -> str:
    """`20250116_Moment_Recon_<uuid>_20250115.csv`, `..._Moment_Settlement_...` (contract §10)."""
    return f"{_compact(generated_on)}_Moment_{_NAME_WORDS[kind]}_{uuid}_{_compact(period)}.csv"


def _compact(day: date) -> str:
    """YYYYMMDD, four-digit year included (strftime drops the zeros of years before 1000)."""
    return day.isoformat().replace("-", "")


def _major(minor: int, currency: str) -> str:
    """`1001` ZAR as `10.01`: plain digits, the currency's decimals, no grouping."""
    return f"{to_major(minor, currency):f}"
