"""The payments report's figures: scope (day, period, filters) resolved against a ledger, then frames,
metrics, reconciliation and charts from `billkit.analysis`, and the key figures a report run records.

No I/O beyond reading the ledger it is given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go

from billkit.analysis import frames, metrics, reconciliation
from billkit.analysis.charts import aging_chart, balances_chart, funnel_chart, payments_chart
from billkit.errors import InvalidArgumentError
from billkit.ledger import Ledger
from billkit.notebook.specs import PaymentsReportParameters
from billkit.report.source import ReportData

__all__ = ["PaymentsReport", "ReportScope", "build_report", "resolve_scope"]


@dataclass(frozen=True)
class ReportScope:
    """What a report covers: its day, time zone, bill-date period, currency and customer/account filter."""

    as_of: date
    timezone: str
    start: date
    end: date
    currency: str | None = None
    customer: str | None = None
    account: str | None = None

    @property
    def cutoff(self) -> datetime:
        """The end of the as_of day in the report's time zone: nothing after it is counted."""
        return datetime.combine(self.as_of + timedelta(days=1), time(), ZoneInfo(self.timezone))

    @property
    def period_days(self) -> int:
        return (self.end - self.start).days + 1

    def describe(self) -> str:
        parts = [
            f"as of {self.as_of} ({self.timezone})",
            f"bills dated {self.start} to {self.end}",
            f"currency {self.currency}" if self.currency else "every currency, each separately",
        ]
        if self.customer:
            parts.append(f"customer {self.customer}")
        if self.account:
            parts.append(f"account {self.account}")
        return "; ".join(parts)


def resolve_scope(params: PaymentsReportParameters, data: ReportData) -> ReportScope:
    """The scope `params` ask for, with their defaults filled in from the data (see the parameter help)."""
    zone = ZoneInfo(params.timezone)
    if params.as_of is not None:
        as_of = date.fromisoformat(params.as_of)
    else:
        as_of = data.last_day or datetime.now(zone).date()
    end = date.fromisoformat(params.end) if params.end is not None else as_of
    start = date.fromisoformat(params.start) if params.start is not None else end.replace(day=1)
    if start > end:
        raise InvalidArgumentError(f"start ({start}) must be on or before end ({end})")
    return ReportScope(
        as_of=as_of,
        timezone=params.timezone,
        start=start,
        end=end,
        currency=params.currency,
        customer=params.customer,
        account=params.account,
    )


@dataclass(frozen=True)
class PaymentsReport:
    """Every table and chart of the payments report, for one scope."""

    scope: ReportScope
    bills: pd.DataFrame
    payments: pd.DataFrame
    balances: pd.DataFrame
    aging: pd.DataFrame
    dso: pd.DataFrame
    collection_rate: pd.DataFrame
    days_to_pay: pd.DataFrame
    days_to_pay_summary: pd.DataFrame
    funnel: pd.DataFrame
    reconciled_bills: pd.DataFrame
    reconciled_payments: pd.DataFrame
    reconciliation: pd.DataFrame

    @property
    def currencies(self) -> list[str]:
        found = set(self.bills["currency"].dropna().astype(str)) | set(
            self.payments["currency"].dropna().astype(str)
        )
        return sorted(found)

    def flagged_payments(self) -> pd.DataFrame:
        """The payments reconciliation could not account for cleanly (unknown, wrong currency, duplicate)."""
        columns = ["event_id", "payment_id", "obligation_type", "obligation_id", "currency", "amount_major",
                   "created_at", "unknown_obligation", "currency_mismatch", "duplicate"]  # fmt: skip
        return self.reconciled_payments.loc[~self.reconciled_payments["ok"].astype(bool), columns]

    def key_figures(self) -> dict[str, Any]:
        """The report's headline numbers as JSON values (amounts in minor units), for records and tests."""
        bills = self.bills
        status = bills["status"].astype(str)
        paid_some = bills["amount_paid"].fillna(0).to_numpy() > 0
        return {
            "as_of": self.scope.as_of.isoformat(),
            "start": self.scope.start.isoformat(),
            "end": self.scope.end.isoformat(),
            "timezone": self.scope.timezone,
            "currencies": self.currencies,
            "bills": len(bills),
            "bills_by_status": {
                name: int(count) for name, count in status.value_counts().sort_index().items()
            },
            "partially_paid_bills": int(((status == "unpaid").to_numpy() & paid_some).sum()),
            "payments": len(self.payments),
            "payments_received": _per_currency(self.payments, "amount"),
            "outstanding": _per_currency(self.aging, "amount"),
            "overdue_bills": int(bills["is_overdue"].astype(bool).sum()),
            "billed_in_period": _per_currency(self.collection_rate, "billed"),
            "collected_in_period": _per_currency(self.collection_rate, "collected"),
            "collection_rate": _ratios(self.collection_rate, "rate"),
            "dso": _ratios(self.dso, "dso"),
            "median_days_to_pay": _ratios(self.days_to_pay_summary, "p50"),
            "reconciliation": {
                str(check): int(count)
                for check, count in self.reconciliation.groupby("check", observed=True)["count"]
                .sum()
                .items()
            },
        }

    def figures(self) -> dict[str, go.Figure]:
        """The report's charts by name: payments, aging, balances, funnel."""
        tz = self.scope.timezone
        return {
            "payments": payments_chart(self.payments, tz=tz),
            "aging": aging_chart(self.aging),
            "balances": balances_chart(self.balances, tz=tz),
            "funnel": funnel_chart(self.funnel),
        }


def build_report(ledger: Ledger, scope: ReportScope) -> PaymentsReport:
    """Every figure of the report for `scope`, from what `ledger` recorded.

    Raises `InvalidArgumentError` when the customer or account filter names nothing in the ledger.
    """
    customers = ledger.latest("customer")
    accounts = ledger.latest("account")
    bills = ledger.latest("bill")
    payments = frames.payments_frame(ledger.events_frame(frames.AMOUNT_APPLIED))
    customer_id = _resolve(customers, "customer_id", scope.customer, "customer")
    account_id = _resolve(accounts, "account_id", scope.account, "account")
    if account_id is not None and customer_id is not None:
        owner = accounts.loc[accounts["account_id"] == account_id, "customer_id"].iloc[0]
        if owner != customer_id:
            raise InvalidArgumentError(
                f"account {scope.account!r} belongs to another customer than {scope.customer!r}"
            )
    if customer_id is not None:
        customers = customers.loc[customers["customer_id"] == customer_id]
        accounts = accounts.loc[accounts["customer_id"] == customer_id]
        bills = bills.loc[bills["customer_id"] == customer_id]
    if account_id is not None:
        customers = customers.iloc[0:0]  # the account's own figures, not its customer's balance
        accounts = accounts.loc[accounts["account_id"] == account_id]
        bills = bills.loc[bills["account_id"] == account_id]
    if scope.currency is not None:
        customers, accounts, bills, payments = (
            frame.loc[frame["currency"] == scope.currency]
            for frame in (customers, accounts, bills, payments)
        )
    if customer_id is not None or account_id is not None:
        payments = payments.loc[
            payments["bill_id"].isin(bills["bill_id"]).to_numpy(dtype=bool, na_value=False)
            | payments["account_id"]
            .isin(accounts["account_id"])
            .to_numpy(dtype=bool, na_value=False)
            | payments["customer_id"]
            .isin(customers["customer_id"])
            .to_numpy(dtype=bool, na_value=False)
        ]
    payments = payments.loc[payments["created_at"] < pd.Timestamp(scope.cutoff)].reset_index(
        drop=True
    )
    tz = scope.timezone
    bills_frame = frames.bills_frame(bills.reset_index(drop=True), as_of=scope.as_of, tz=tz)
    days = metrics.days_to_pay(bills_frame, payments, as_of=scope.as_of, tz=tz)
    in_period = (days["bill_date"] >= pd.Timestamp(scope.start)) & (
        days["bill_date"] <= pd.Timestamp(scope.end)
    )
    days = days.loc[in_period.to_numpy(dtype=bool)].reset_index(drop=True)
    reconciled_bills = reconciliation.reconcile_bills(bills_frame, payments)
    reconciled_payments = reconciliation.reconcile_payments(
        payments,
        bills=bills_frame,
        accounts=ledger.latest("account"),
        customers=ledger.latest("customer"),
    )
    return PaymentsReport(
        scope=scope,
        bills=bills_frame,
        payments=payments,
        balances=frames.balances_frame(
            ledger.versions("customer").pipe(_same_rows, customers, "customer_id"),
            ledger.versions("account").pipe(_same_rows, accounts, "account_id"),
        ),
        aging=metrics.aging(bills_frame, as_of=scope.as_of, tz=tz),
        dso=metrics.dso(bills_frame, as_of=scope.as_of, tz=tz, days=scope.period_days),
        collection_rate=metrics.collection_rate(
            bills_frame, payments, start=scope.start, end=scope.end, as_of=scope.as_of, tz=tz
        ),
        days_to_pay=days,
        days_to_pay_summary=metrics.days_to_pay_summary(days),
        funnel=metrics.collection_funnel(bills_frame, start=scope.start, end=scope.end),
        reconciled_bills=reconciled_bills,
        reconciled_payments=reconciled_payments,
        reconciliation=metrics.reconciliation_summary(reconciled_bills, reconciled_payments),
    )


def _resolve(frame: pd.DataFrame, id_column: str, wanted: str | None, what: str) -> str | None:
    """The ID of the customer or account `wanted` names by ID or external_reference (None: no filter)."""
    if wanted is None:
        return None
    named = frame.loc[
        (frame[id_column] == wanted).to_numpy(dtype=bool, na_value=False)
        | (frame["external_reference"] == wanted).to_numpy(dtype=bool, na_value=False)
    ]
    if named.empty:
        raise InvalidArgumentError(
            f"{what} {wanted!r} is not in the ledger: give a {what} ID or external_reference it recorded"
        )
    return str(named[id_column].iloc[0])


def _same_rows(versions: pd.DataFrame, kept: pd.DataFrame, id_column: str) -> pd.DataFrame:
    return versions.loc[
        versions[id_column].isin(kept[id_column]).to_numpy(dtype=bool, na_value=False)
    ]


def _per_currency(frame: pd.DataFrame, column: str) -> dict[str, int]:
    if frame.empty:
        return {}
    sums = frame.groupby(frame["currency"].astype(str))[column].sum()
    return {str(currency): int(value) for currency, value in sums.items()}


def _ratios(frame: pd.DataFrame, column: str) -> dict[str, float | None]:
    """Per currency, the value rounded to 4 places; None where the metric is undefined (nothing billed)."""
    result: dict[str, float | None] = {}
    for currency, value in zip(frame["currency"].astype(str), frame[column], strict=True):
        number = None if pd.isna(value) else float(value)
        result[currency] = None if number is None or math.isnan(number) else round(number, 4)
    return result
