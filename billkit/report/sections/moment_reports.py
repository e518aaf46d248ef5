"""Moment's reports: the three-way reconciliation of webhook payments, the reconciliation report (T+1) and the
settlement report (T+2), as of the report's day (`billkit.analysis.three_way` has every rule).

Three tables: a summary per currency (how many payments matched, and how many of each finding), the findings as
a list with their references, customer and amounts, and each settled day's totals beside the sums of its
reconciliation rows. An empty finding is a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from billkit import frame_dtypes
from billkit.analysis.point_in_time import AsOfFrames
from billkit.analysis.three_way import ThreeWay
from billkit.money import format_money
from billkit.report.sections import _names
from billkit.report.table import CURRENCY, TOTAL, Table

__all__ = ["KINDS", "MomentReports", "findings", "moment_reports", "settlements", "summary"]

#: The findings as the report names them, in the order shown.
KINDS: Final = {
    "no_webhook": "In Moment's report, no webhook",
    "not_reported": "Webhook, in no report after T+1",
    "mismatched": "Amount or currency differs",
    "unknown_obligation": "Unknown obligation",
}
_FINDING_COLUMNS: Final = [
    "Finding",
    CURRENCY,
    "Customer",
    "Obligation",
    "Payment",
    "Report row",
    "Date",
    "Webhook",
    "Report",
    "Difference",
    "Note",
]
_SUMMARY_COUNTS: Final = (
    "Matched",
    *KINDS.values(),
    "Settlement disagreements",
)
_SETTLEMENT_MONEY: Final = (
    "Settled gross",
    "Reconciled gross",
    "Settled fees",
    "Reconciled fees",
    "Settled net",
    "Reconciled net",
    "Net difference",
)


@dataclass(frozen=True)
class MomentReports:
    """The section's three tables."""

    summary: Table
    findings: Table
    settlements: Table

    def tables(self) -> list[Table]:
        return [self.summary, self.findings, self.settlements]

    def shown(self, *, rows: int, days: int) -> MomentReports:
        """The section as the report shows it: of each kind of finding and currency, the `rows` largest (by
        difference, else amount), and the `days` settled days of each currency that differ most; one line for
        the rest of each, how many and their sums."""
        return replace(
            self,
            findings=self.findings.bounded(
                rows,
                label="Customer",
                noun="finding",
                by=("Difference", "Report", "Webhook"),
                within=("Finding",),
            ),
            settlements=self.settlements.bounded(
                days, label="Result", noun="settled day", by=("Net difference",)
            ),
        )


def moment_reports(result: ThreeWay, day: AsOfFrames) -> MomentReports:
    """The section for `result` (`three_way` of `day`, the as-of frames that name customers)."""
    return MomentReports(summary(result), findings(result, day), settlements(result))


def summary(result: ThreeWay) -> Table:
    """Per currency: payments matched and each finding's count."""
    frames = {
        "Matched": (result.matched, "report_currency"),
        KINDS["no_webhook"]: (result.no_webhook, "currency"),
        KINDS["not_reported"]: (result.not_reported, "currency"),
        KINDS["mismatched"]: (result.mismatched, "report_currency"),
        KINDS["unknown_obligation"]: (result.unknown_obligation, "currency"),
        "Settlement disagreements": (result.settlement_mismatches, "currency"),
    }
    counts = pd.DataFrame(
        {
            header: frame[column].astype(str).value_counts()
            for header, (frame, column) in frames.items()
        }
    )
    counts = counts.reindex(columns=list(_SUMMARY_COUNTS)).fillna(0).astype(frame_dtypes.MINOR)
    frame = counts.rename_axis(CURRENCY).reset_index().sort_values(CURRENCY, kind="stable")
    return Table(
        name="three_way_summary",
        title="Three-way reconciliation",
        frame=frame.reset_index(drop=True),
        empty=f"No payment in Moment's reports or webhooks as of {result.at.day.date()}.",
        counts=_SUMMARY_COUNTS,
    )


def _row_findings(kind: str, rows: pd.DataFrame, day: AsOfFrames) -> pd.DataFrame:
    """Findings that are report rows: no webhook, unknown obligation."""
    note = (
        "no webhook payment matches this row"
        if kind == "no_webhook"
        else "no bill, account or customer of the ledger has this reference"
    )
    return pd.DataFrame(
        {
            "Finding": KINDS[kind],
            CURRENCY: rows["currency"].astype(str).to_numpy(),
            "Customer": _customer(day, rows["customer_id"], rows["customer_reference"]),
            "Obligation": rows["merchant_reference_id"]
            .astype("string")
            .fillna(rows["obligation_id"].astype("string"))
            .to_numpy(),
            "Payment": rows["payment_id"].astype("string").to_numpy(),
            "Report row": rows["reconciliation_id"].astype("string").to_numpy(),
            "Date": rows["transaction_timestamp"].dt.date.to_numpy(),
            "Webhook": pd.NA,
            "Report": rows["amount"].to_numpy(),
            "Difference": pd.NA,
            "Note": note,
        }
    )


def _not_reported(rows: pd.DataFrame, day: AsOfFrames) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Finding": KINDS["not_reported"],
            CURRENCY: rows["currency"].astype(str).to_numpy(),
            "Customer": _customer(day, rows["customer_id"], rows["customer_reference"]),
            "Obligation": rows["obligation_reference"]
            .fillna(rows["obligation_id"].astype("string"))
            .to_numpy(),
            "Payment": rows["payment_id"].astype("string").to_numpy(),
            "Report row": pd.NA,
            "Date": rows["created_at"].dt.date.to_numpy(),
            "Webhook": rows["amount"].to_numpy(),
            "Report": pd.NA,
            "Difference": pd.NA,
            "Note": [f"due in the report of {period.date()}" for period in rows["report_period"]],
        }
    )


def _mismatched(rows: pd.DataFrame, day: AsOfFrames) -> pd.DataFrame:
    currency = rows["report_currency"].astype(str).to_numpy()
    same = (rows["webhook_currency"].astype(str) == rows["report_currency"].astype(str)).to_numpy()
    note = [
        "the report says another amount"
        if alike
        else f"the webhook says {format_money(int(amount), str(theirs))} ({theirs})"
        for alike, amount, theirs in zip(
            same, rows["webhook_amount"], rows["webhook_currency"], strict=True
        )
    ]
    return pd.DataFrame(
        {
            "Finding": KINDS["mismatched"],
            CURRENCY: currency,
            "Customer": _customer(day, rows["customer_id"], rows["customer_reference"]),
            "Obligation": rows["obligation_reference"]
            .fillna(rows["obligation_id"].astype("string"))
            .to_numpy(),
            "Payment": rows["payment_id"].astype("string").to_numpy(),
            "Report row": rows["reconciliation_id"].astype("string").to_numpy(),
            "Date": rows["transaction_timestamp"].dt.date.to_numpy(),
            # Amounts in another currency than the row's are in the note, never in its money columns.
            "Webhook": rows["webhook_amount"].where(same).to_numpy(),
            "Report": rows["report_amount"].to_numpy(),
            "Difference": rows["difference"].to_numpy(),
            "Note": note,
        }
    )


def findings(result: ThreeWay, day: AsOfFrames) -> Table:
    """Every finding of the three-way reconciliation but the settlement's, with references and amounts."""
    parts = [
        _row_findings("no_webhook", result.no_webhook, day),
        _not_reported(result.not_reported, day),
        _mismatched(result.mismatched, day),
        _row_findings("unknown_obligation", result.unknown_obligation, day),
    ]
    kept = [part for part in parts if not part.empty]
    frame = pd.concat(kept, ignore_index=True) if kept else pd.DataFrame(columns=_FINDING_COLUMNS)
    frame = frame.astype(dict.fromkeys(("Webhook", "Report", "Difference"), frame_dtypes.MINOR))
    return Table(
        name="three_way_findings",
        title="Three-way reconciliation: findings",
        frame=frame[_FINDING_COLUMNS],
        empty=(
            f"No finding as of {result.at.day.date()}: every payment in Moment's reports matches a webhook "
            "of the same amount on a bill, account or customer of the ledger, and every webhook payment "
            "due in a report is in one."
        ),
        money=("Webhook", "Report", "Difference"),
        dates=("Date",),
        wide=("Obligation", "Payment", "Report row", "Note"),
    )


def settlements(result: ThreeWay) -> Table:
    """Each settled day and currency: Moment's settlement totals beside the sums of its reconciliation rows."""
    rows = result.settlements
    missing = rows["report_name"].isna().to_numpy(dtype=bool)
    agrees = rows["agrees"].to_numpy(dtype=bool)
    frame = pd.DataFrame(
        {
            CURRENCY: rows["currency"].astype(str).to_numpy(),
            "Day": rows["period_end"].dt.date.to_numpy(),
            "Settled payments": rows["reported_count"].array,
            "Reconciled payments": rows["expected_count"].array,
            "Settled gross": rows["reported_gross"].array,
            "Reconciled gross": rows["expected_gross"].array,
            "Settled fees": rows["reported_fees"].array,
            "Reconciled fees": rows["expected_fees"].array,
            "Settled net": rows["reported_net"].array,
            "Reconciled net": rows["expected_net"].array,
            "Net difference": rows["net_difference"].array,
            "Result": np.select(
                [missing, agrees], ["no settlement report", "agrees"], default="differs"
            ),
        }
    )
    counts = ("Settled payments", "Reconciled payments")
    parts = []
    for code, mine in frame.groupby(CURRENCY, sort=True):
        totals = {
            CURRENCY: code,
            "Day": TOTAL,
            **{header: mine[header].sum() for header in (*counts, *_SETTLEMENT_MONEY)},
            "Result": f"{int((mine['Result'] != 'agrees').sum())} of {len(mine)} days differ",
        }
        parts.append(pd.concat([mine, pd.DataFrame([totals])], ignore_index=True))
    if parts:
        frame = pd.concat(parts, ignore_index=True)
    frame = frame.astype(dict.fromkeys((*counts, *_SETTLEMENT_MONEY), frame_dtypes.MINOR))
    return Table(
        name="three_way_settlements",
        title="Settlement against the reconciliation",
        frame=frame,
        empty=f"No settlement report was due as of {result.at.day.date()}.",
        money=_SETTLEMENT_MONEY,
        counts=counts,
        totals="Day",
    )


def _customer(
    day: AsOfFrames, customer_ids: pd.Series, references: pd.Series
) -> npt.NDArray[np.object_]:
    """Customer names (the report's customer reference where the ledger knows no customer)."""
    names = _names.customer_name(day, customer_ids.astype("string"))
    known = customer_ids.notna().to_numpy(dtype=bool)
    shown: npt.NDArray[np.object_] = names.where(known, references.astype("string")).to_numpy(
        dtype=object
    )
    return shown
