"""The payments report's figures: scope (day, period, filters) resolved against a ledger, then frames,
metrics, reconciliation and charts from `billkit.analysis`, and the key figures a report run records.

No I/O beyond reading the ledger it is given.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any, Literal
from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go

from billkit.analysis import metrics
from billkit.analysis.charts import aging_chart, balances_chart, funnel_chart, payments_chart
from billkit.analysis.point_in_time import AsOfFrames
from billkit.analysis.three_way import Reports, ThreeWay, three_way
from billkit.errors import InvalidArgumentError
from billkit.ledger import Ledger
from billkit.notebook.specs import PaymentsReportParameters
from billkit.report import checks
from billkit.report.charts import cash_chart, cohort_chart, trend_chart
from billkit.report.sections import (
    aged,
    cash,
    days_to_pay,
    exceptions,
    headline,
    moment_reports,
    trends,
)
from billkit.report.source import ReportData
from billkit.report.table import Table

__all__ = [
    "EXCEPTION_ROWS",
    "SETTLEMENT_DAYS",
    "SUMMARY_CUSTOMERS",
    "WORKLIST_ROWS",
    "PaymentsReport",
    "ReportScope",
    "Sections",
    "build_report",
    "build_sections",
    "resolve_scope",
]

#: What the report shows of the tables that grow with the data (each with one line for the rest, so every
#: column still sums to the whole; the exports hold every row): open bills of the worklist per currency,
#: customers of the aged summary per currency (and accounts per customer), exceptions and Moment-report
#: findings per kind and currency, and settled days per currency.
WORKLIST_ROWS = 25
SUMMARY_CUSTOMERS = 25
EXCEPTION_ROWS = 25
SETTLEMENT_DAYS = 62


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
        currency=None if params.currency is None else params.currency.strip().upper(),
        customer=params.customer,
        account=params.account,
    )


class Sections:
    """The receivables sections of a report, each a `Table` (see `billkit.report.sections`), in full.

    Each is made when first asked for, and then kept: an HTML report shows the aged summary's largest
    customers only, and the whole summary (what the exports hold) costs seconds at a million bills.
    """

    def __init__(
        self,
        scope: ReportScope,
        read: Callable[[date], AsOfFrames],
        reports: ThreeWay | None = None,
    ) -> None:
        """`read(day)`: the (narrowed) as-of frames of a day; `reports` (the three-way reconciliation) adds
        the section on Moment's reports."""
        self._scope = scope
        self._read = read
        self._reports = reports

    @property
    def _day(self) -> AsOfFrames:
        return self._read(self._scope.as_of)

    @cached_property
    def headline(self) -> Table:
        scope = self._scope
        before_start, before_end, before_as_of = headline.previous_dates(
            scope.start, scope.end, scope.as_of
        )
        now = headline.Period(scope.start, scope.end, self._day, self._read(scope.end))
        before = headline.Period(
            before_start, before_end, self._read(before_as_of), self._read(before_end)
        )
        return headline.headline(now, before)

    @cached_property
    def aged_summary(self) -> Table:
        return aged.aged_summary(self._day)

    @cached_property
    def aged_detail(self) -> Table:
        return aged.aged_detail(self._day)

    def _cash(self, freq: Literal["D", "W", "M"]) -> Table:
        return cash.cash_received(
            self._day, start=self._scope.start, end=self._scope.end, freq=freq
        )

    @cached_property
    def cash_by_day(self) -> Table:
        return self._cash("D")

    @cached_property
    def cash_by_week(self) -> Table:
        return self._cash("W")

    @cached_property
    def cash_by_month(self) -> Table:
        return self._cash("M")

    @cached_property
    def cohorts(self) -> Table:
        return trends.cohorts(self._day)

    @cached_property
    def trend(self) -> Table:
        scope = self._scope
        last = min(scope.end, scope.as_of)
        days = trends.trend_days(scope.start, last) if scope.start <= last else [scope.as_of]
        return trends.month_ends([self._read(when) for when in days])

    @cached_property
    def days_to_pay(self) -> Table:
        scope = self._scope
        return days_to_pay.days_to_pay(self._day.days_to_pay(start=scope.start, end=scope.end))

    @cached_property
    def exceptions(self) -> Table:
        return exceptions.exceptions(self._day)

    @cached_property
    def moment_reports(self) -> moment_reports.MomentReports | None:
        """The three-way reconciliation against Moment's reports, when the ledger holds report rows."""
        if self._reports is None:
            return None
        return moment_reports.moment_reports(self._reports, self._day)

    def tables(self) -> list[Table]:
        """Every table in the report's order (what `billkit report --format xlsx,csv` writes)."""
        reports = self.moment_reports.tables() if self.moment_reports is not None else []
        return [
            self.headline,
            self.aged_summary,
            self.aged_detail,
            self.cash_by_day,
            self.cash_by_week,
            self.cash_by_month,
            self.cohorts,
            self.trend,
            self.days_to_pay,
            self.exceptions,
            *reports,
        ]


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
    by_customer: pd.DataFrame
    reconciled_bills: pd.DataFrame
    reconciled_payments: pd.DataFrame
    reconciliation: pd.DataFrame
    ledger: Ledger
    day: AsOfFrames
    period_end: AsOfFrames
    filters: dict[str, str | None]
    warnings: tuple[str, ...] = ()
    #: Webhooks against Moment's reconciliation and settlement reports (None: the source holds no report).
    three_way: ThreeWay | None = None

    @cached_property
    def sections(self) -> Sections:
        """The receivables sections (read on first use: the previous period and the trend read more days)."""
        return build_sections(
            self.ledger,
            self.scope,
            day=self.day,
            period_end=self.period_end,
            filters=self.filters,
            reports=self.three_way,
        )

    @property
    def currencies(self) -> list[str]:
        found = {
            str(code)
            for frame in (self.bills, self.payments)
            for code in frame["currency"].dropna().unique()
        }
        return sorted(found)

    def flagged_payments(self) -> pd.DataFrame:
        """The payments reconciliation could not account for cleanly (unknown, wrong currency, duplicate)."""
        columns = ["event_id", "payment_id", "obligation_type", "obligation_id", "currency", "amount_major",
                   "created_at", "unknown_obligation", "currency_mismatch", "replayed",
                   "possible_double_payment", "double_of"]  # fmt: skip
        return self.reconciled_payments.loc[~self.reconciled_payments["ok"].astype(bool), columns]

    def key_figures(self) -> dict[str, Any]:
        """The report's headline numbers as JSON values (amounts in minor units), for records and tests."""
        bills = self.bills
        status = bills["status"].astype(str)
        paid_some = bills["amount_paid"].fillna(0).to_numpy() > 0
        return {
            "as_of": self.scope.as_of.isoformat(),
            "warnings": list(self.warnings),
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
            "three_way": None if self.three_way is None else self.three_way.counts(),
        }

    def figures(self) -> dict[str, go.Figure]:
        """The report's charts by name: payments, aging, balances, funnel, cash, trend, cohorts."""
        tz = self.scope.timezone
        return {
            "payments": payments_chart(self.payments, tz=tz),
            "aging": aging_chart(self.aging),
            "balances": balances_chart(self.balances, tz=tz),
            "funnel": funnel_chart(self.funnel),
            "cash": cash_chart(
                self.sections.cash_by_day, period=(self.scope.start, self.scope.end)
            ),
            "trend": trend_chart(self.sections.trend),
            "cohorts": cohort_chart(self.sections.cohorts),
        }


def build_report(
    ledger: Ledger,
    scope: ReportScope,
    *,
    reconciliation: pd.DataFrame | None = None,
    settlement: pd.DataFrame | None = None,
) -> PaymentsReport:
    """Every figure of the report for `scope`, from what `ledger` recorded, through `ledger.as_of`.

    Every table and chart reads the ledger as it stood at the end of the as-of day; DSO's receivables are those
    at the end of the period (`scope.end`). When the ledger holds Moment's reports (`reconciliation` and
    `settlement` default to `ledger.reconciliation_rows()` and `ledger.settlement_rows()`), the report adds the
    three-way reconciliation and takes each payment's channel from its reconciliation row. Raises
    `InvalidArgumentError` when the customer or account filter names nothing in the ledger.
    """
    tz = scope.timezone
    whole_day = ledger.as_of(scope.as_of, tz=tz)
    filters = resolve_filters(ledger, scope)
    reports: Reports | None
    if reconciliation is None and settlement is None:
        # Prepared once while the ledger is unchanged: a dashboard or a test builds many days of the same rows.
        reports = ledger.three_way_reports()
    else:
        if reconciliation is None:
            reconciliation = ledger.reconciliation_rows()
        if settlement is None:
            settlement = ledger.settlement_rows()
        has_rows = not (reconciliation.empty and settlement.empty)
        reports = Reports.of(reconciliation, settlement) if has_rows else None
    # Matched on the whole day (a row of another customer must still find its webhook), then narrowed.
    whole_match = (
        three_way(whole_day, reconciliation=reports)
        if reports is not None and not reports.empty
        else None
    )
    narrowed = whole_day.narrowed(**filters)
    day = narrowed if whole_match is None else whole_match.with_channels(narrowed)
    matched = None if whole_match is None else whole_match.narrowed(**filters)
    period_end = (
        day if scope.end == scope.as_of else ledger.as_of(scope.end, tz=tz).narrowed(**filters)
    )
    reconciled_bills = day.reconcile_bills()
    reconciled_payments = day.reconcile_payments()
    days = day.days_to_pay(start=scope.start, end=scope.end)
    return PaymentsReport(
        scope=scope,
        bills=day.bills,
        payments=day.payments,
        balances=day.balances,
        aging=day.aging(),
        dso=period_end.dso(start=scope.start),
        collection_rate=day.collection_rate(start=scope.start, end=scope.end),
        days_to_pay=days,
        days_to_pay_summary=metrics.days_to_pay_summary(days),
        funnel=day.funnel(start=scope.start, end=scope.end),
        by_customer=day.outstanding_by_customer(),
        reconciled_bills=reconciled_bills,
        reconciled_payments=reconciled_payments,
        reconciliation=metrics.reconciliation_summary(reconciled_bills, reconciled_payments),
        ledger=ledger,
        day=day,
        period_end=period_end,
        filters=filters,
        warnings=tuple(checks.warnings(ledger, as_of=scope.as_of, timezone=tz)),
        three_way=matched,
    )


def build_sections(
    ledger: Ledger,
    scope: ReportScope,
    *,
    day: AsOfFrames,
    period_end: AsOfFrames,
    filters: dict[str, str | None],
    reports: ThreeWay | None = None,
) -> Sections:
    """The receivables sections for `scope`: `day` and `period_end` are the (narrowed) as-of frames of the
    as-of day and of the period's end; the previous period and the trend's days are read as sections need
    them, each through `ledger.as_of` and narrowed by the same `filters`. `reports` (the three-way
    reconciliation) adds the section on Moment's reports."""
    days = {scope.as_of: day, scope.end: period_end}

    def read(when: date) -> AsOfFrames:
        """The day `when`, read once however many sections ask for it."""
        if when not in days:
            days[when] = ledger.as_of(when, tz=scope.timezone).narrowed(**filters)
        return days[when]

    return Sections(scope, read, reports)


def resolve_filters(ledger: Ledger, scope: ReportScope) -> dict[str, str | None]:
    """The IDs of the customer and account `scope` names (by ID or external_reference), and its currency.

    Raises `InvalidArgumentError` naming a filter that matches nothing the ledger recorded, or an account
    that belongs to another customer than the one named.
    """
    customer_id = account_id = None
    # Read only for a filter: without one (most reports, every day of a trend) there is nothing to look up.
    if scope.customer is not None:
        customers = ledger.latest("customer")
        customer_id = _resolve(customers, "customer_id", scope.customer, "customer")
    if scope.account is not None:
        accounts = ledger.latest("account")
        account_id = _resolve(accounts, "account_id", scope.account, "account")
    if account_id is not None and customer_id is not None:
        owner = accounts.loc[accounts["account_id"] == account_id, "customer_id"].iloc[0]
        if owner != customer_id:
            raise InvalidArgumentError(
                f"account {scope.account!r} belongs to another customer than {scope.customer!r}"
            )
    return {"customer_id": customer_id, "account_id": account_id, "currency": scope.currency}


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
            f"{what} {wanted!r} is not in the ledger: give the ID or external_reference of one it recorded"
        )
    return str(named[id_column].iloc[0])


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
