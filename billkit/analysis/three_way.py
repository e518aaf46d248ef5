"""Three-way reconciliation: what the ledger billed, what webhooks said was paid, and what Moment's reports say.

Moment sends a Merchant Reconciliation Report (one row per payment) at T+1 and a Settlement Report (per currency
totals) at T+2 to the merchant's SFTP. A webhook can be missed, a payment can be reported late or under another
amount, and a report row can name an obligation the ledger never recorded. `three_way` puts the three sources side
by side as of one day, in the as-of frames' time zone, through the one cutoff of `point_in_time`:

    day = ledger.as_of("2027-01-31", tz="Africa/Johannesburg")
    result = three_way(day, reconciliation=ledger.reconciliation_rows(), settlement=ledger.settlement_rows())
    result.no_webhook; result.not_reported; result.mismatched; result.unknown_obligation
    result.settlement_mismatches; result.summary()

Pure: the frames are given (`billkit.reportfiles` reads the files, the ledger keeps them). The rules:

* **Which reports exist as of the day.** A reconciliation report covers one UTC day, its `period_end` D, and is
  Moment's at T+1: it counts from D+1 00:00Z. A settlement report of D comes at T+2: it counts from D+2 00:00Z.
  A report generated later than that (the first date of its file name) counts from the start of that day. Each
  counts when that instant is before the as-of cutoff (`AsOf.counts`, the one cutoff rule). A row read twice
  (the same `reconciliation_id` in two files) is one row, from the earliest report; several settlement files for
  one day: the last by name (names start with their generation date) stands.
* **Which payments** are the webhook payments of the as-of frames: events before the cutoff, one per payment_id.
* **Matching.** Only `Payment` rows are matched (other transaction types have no webhook of their own; they still
  count in the settlement totals). First by `payment_id`: a webhook payment matches the earliest report row
  carrying its ID. Then each report row left over is matched by (obligation, amount, currency) with a webhook
  payment left over: the row's obligation is its `obligation_id`, else the bill, account or customer whose
  external_reference is its `merchant_reference_id` (bills first, then accounts, then customers, as references
  are unique per kind only). Within one (obligation, amount, currency), rows and payments are paired in time
  order (the earliest row with the earliest payment, ties by reconciliation_id and payment_id), so each webhook
  payment is matched at most once. Two different payment_ids are never paired: they are two payments.
* **Findings.** `mismatched`: a pair whose currency or amount differ (the pair is by payment_id then).
  `no_webhook`: a Payment row no webhook payment matches. `not_reported`: a webhook payment no report row matches
  although it is due in one: its UTC day D ended more than one day before the cutoff (D+2 00:00Z is before it),
  so the whole of T+1 has passed; payments not yet due are in `awaiting_report`. `unknown_obligation`: a report
  row whose obligation_id and merchant_reference_id name no bill, account or customer of the as-of frames (a row
  can also be in `no_webhook` or a pair). `settlement_mismatches`: a settlement row (per day and currency) whose
  count, gross, fees or net differ from the sum of that day's reconciliation rows, or a reconciled day and
  currency whose settlement is due (D+2 00:00Z before the cutoff) but missing.

Money stays in integer minor units of each row's currency; `*_major` columns are for reading.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import numpy.typing as npt
import pandas as pd
from pandas.api.typing import NaTType

from billkit import frame_dtypes, frame_money
from billkit.analysis import _as_of, _columns
from billkit.errors import InvalidArgumentError
from billkit.reportfiles.names import ReportFileName

if TYPE_CHECKING:
    from billkit.analysis.point_in_time import AsOfFrames

__all__ = [
    "FINDINGS",
    "RECONCILIATION",
    "SETTLEMENT",
    "Reports",
    "ThreeWay",
    "reports_available",
    "three_way",
    "with_channels",
]

RECONCILIATION: Final[_columns.Schema] = {
    "reconciliation_id": "id",
    "transaction_type": "id",
    "transaction_timestamp": "timestamp",
    "merchant_reference_id": "id",
    "customer_reference": "id",
    "currency": "category",
    "amount": "minor",
    "fee": "minor",
    "net_amount": "minor",
    "payment_id": "id",
    "obligation_id": "id",
    "channel": "id",
    "report_name": "id",
    "period_end": "date",
}
SETTLEMENT: Final[_columns.Schema] = {
    "settlement_date": "date",
    "currency": "category",
    "transaction_count": "minor",
    "gross_amount": "minor",
    "fees": "minor",
    "net_amount": "minor",
    "report_name": "id",
    "period_end": "date",
}
#: Each finding's frame (a `ThreeWay` attribute) and what it means, in the order a report shows them.
FINDINGS: Final = {
    "no_webhook": "In Moment's report, no webhook received",
    "not_reported": "Webhook received, in no report after T+1",
    "mismatched": "Amount or currency differs",
    "unknown_obligation": "Unknown obligation",
    "settlement_mismatches": "Settlement disagrees with the reconciliation",
}
_DAY: Final = pd.Timedelta(days=1)
#: How many days after a report's period end (D) it is Moment's: reconciliation at T+1, settlement at T+2.
_RECONCILIATION_DELAY: Final = 1
_SETTLEMENT_DELAY: Final = 2

#: Who a finding is about and how much: the columns every row of a finding frame ends its references with.
_PARTY: Final = [
    "customer_id",
    "customer_reference",
    "account_id",
    "currency",
    "amount",
    "amount_major",
]
_ROW_COLUMNS: Final = [
    "reconciliation_id",
    "payment_id",
    "transaction_type",
    "transaction_timestamp",
    "obligation_id",
    "merchant_reference_id",
    *_PARTY,
    "fee",
    "net_amount",
    "channel",
    "report_name",
    "period_end",
]
_PAYMENT_COLUMNS: Final = [
    "payment_id",
    "event_id",
    "created_at",
    "obligation_type",
    "obligation_id",
    "obligation_reference",
    *_PARTY,
    "report_period",
    "due_from",
]
_PAIR_COLUMNS: Final = [
    "payment_id",
    "reconciliation_id",
    "matched_by",
    "obligation_id",
    "obligation_reference",
    "customer_id",
    "customer_reference",
    "account_id",
    "created_at",
    "transaction_timestamp",
    "webhook_currency",
    "webhook_amount",
    "webhook_amount_major",
    "report_currency",
    "report_amount",
    "report_amount_major",
    "difference",
    "fee",
    "net_amount",
    "channel",
    "report_name",
]
_TOTALS: Final = ("count", "gross", "fees", "net")


@dataclass(frozen=True)
class ThreeWay:
    """The three-way reconciliation of one as-of day (see the module docstring for every rule).

    at: the as-of day, cutoff and time zone. matched: report rows and webhook payments that agree (matched_by
    payment_id or reference). mismatched: pairs whose amount or currency differ (`mismatch` says which).
    no_webhook, unknown_obligation: report rows. not_reported, awaiting_report: webhook payments due in a report
    and in none, and those not yet due. settlements: every settlement row (and every due, missing one) beside the
    sums of its day's reconciliation rows; settlement_mismatches: those that disagree. reconciliation_rows: the
    report rows that existed as of the day, one per reconciliation_id; webhook_payments: the day's payments.
    """

    at: _as_of.AsOf
    matched: pd.DataFrame
    mismatched: pd.DataFrame
    no_webhook: pd.DataFrame
    not_reported: pd.DataFrame
    awaiting_report: pd.DataFrame
    unknown_obligation: pd.DataFrame
    settlements: pd.DataFrame
    reconciliation_rows: pd.DataFrame
    webhook_payments: pd.DataFrame

    @property
    def settlement_mismatches(self) -> pd.DataFrame:
        return self.settlements.loc[~self.settlements["agrees"].to_numpy(dtype=bool)].reset_index(
            drop=True
        )

    @property
    def has_reports(self) -> bool:
        """Whether any reconciliation or settlement report existed as of the day."""
        return not (self.reconciliation_rows.empty and self.settlements.empty)

    def with_channels(self, day: AsOfFrames) -> AsOfFrames:
        """`with_channels(day, reconciliation)` for `day` at this reconciliation's cutoff, from the rows it
        already holds (so a report that matches the day reads and sorts the reports' rows once)."""
        return _with_channels(day, self.reconciliation_rows)

    def counts(self) -> dict[str, int]:
        """How many rows each finding has (`FINDINGS` order), and how many pairs matched."""
        found = {name: len(getattr(self, name)) for name in FINDINGS}
        return {"matched": len(self.matched), **found}

    def summary(self) -> pd.DataFrame:
        """One row per finding: its name, what it means, and how many rows it has."""
        counts = self.counts()
        return pd.DataFrame(
            {
                "finding": list(FINDINGS),
                "description": list(FINDINGS.values()),
                "count": pd.array([counts[name] for name in FINDINGS], dtype=frame_dtypes.MINOR),
            }
        )

    def narrowed(
        self,
        *,
        customer_id: str | None = None,
        account_id: str | None = None,
        currency: str | None = None,
    ) -> ThreeWay:
        """The findings of one customer, one account and/or one currency.

        Settlement totals are the merchant's, not a customer's: with a customer or account filter they are left
        out; with a currency filter they keep that currency.
        """
        merchant_wide = customer_id is not None or account_id is not None

        def keep(frame: pd.DataFrame, *, settlement: bool = False) -> pd.DataFrame:
            kept = np.full(len(frame), not (settlement and merchant_wide), dtype=bool)
            for column, wanted in (("customer_id", customer_id), ("account_id", account_id)):
                if wanted is not None and column in frame.columns:
                    kept &= _equals(frame[column], wanted)
            if currency is not None:
                held = np.zeros(len(frame), dtype=bool)
                for column in ("currency", "webhook_currency", "report_currency"):
                    if column in frame.columns:
                        held |= _equals(frame[column], currency)
                kept &= held
            return frame.loc[kept].reset_index(drop=True)

        return dataclasses.replace(
            self,
            matched=keep(self.matched),
            mismatched=keep(self.mismatched),
            no_webhook=keep(self.no_webhook),
            not_reported=keep(self.not_reported),
            awaiting_report=keep(self.awaiting_report),
            unknown_obligation=keep(self.unknown_obligation),
            settlements=keep(self.settlements, settlement=True),
            reconciliation_rows=keep(self.reconciliation_rows),
            webhook_payments=keep(self.webhook_payments),
        )

    def by_day(self) -> pd.DataFrame:
        """Per currency and UTC day (Moment's reports are per UTC day): collected (webhook payments), reported
        (the reconciliation report's Payment rows), settled gross and net (the settlement report), each in
        minor units, 0 where a source has nothing that day. Ordered by currency, then day."""
        webhooks = self.webhook_payments
        rows = self.reconciliation_rows
        paid = (rows["transaction_type"].str.lower() == "payment").to_numpy(
            dtype=bool, na_value=False
        )
        settled = self.settlements.loc[self.settlements["report_name"].notna().to_numpy(dtype=bool)]
        parts = {
            "collected": (webhooks["report_period"], webhooks["currency"], webhooks["amount"]),
            "reported": (rows["period_end"][paid], rows["currency"][paid], rows["amount"][paid]),
            "settled_gross": (
                settled["period_end"],
                settled["currency"],
                settled["reported_gross"],
            ),
            "settled_net": (settled["period_end"], settled["currency"], settled["reported_net"]),
        }
        sums = [
            pd.DataFrame(
                {
                    "currency": currency.astype(str).to_numpy(),
                    "day": day.to_numpy(),
                    name: amount.to_numpy(dtype="int64", na_value=0),
                }
            )
            .groupby(["currency", "day"])[name]
            .sum()
            for name, (day, currency, amount) in parts.items()
        ]
        frame = pd.concat(sums, axis=1).fillna(0).astype(frame_dtypes.MINOR).sort_index()
        frame = frame.reindex(columns=list(parts)).fillna(0).astype(frame_dtypes.MINOR)
        return frame.reset_index().astype(
            {"day": frame_dtypes.DATE, "currency": frame_dtypes.CATEGORY}
        )


def _equals(values: pd.Series, wanted: str) -> npt.NDArray[np.bool_]:
    same: npt.NDArray[np.bool_] = (values.astype(frame_dtypes.STRING) == wanted).to_numpy(
        dtype=bool, na_value=False
    )
    return same


def reports_available(
    rows: pd.DataFrame, at: _as_of.AsOf, *, delay_days: int = _RECONCILIATION_DELAY
) -> npt.NDArray[np.bool_]:
    """Which report rows come from a report that existed at the cutoff: its period_end + `delay_days` (UTC
    midnight: T+1 for reconciliation, T+2 for settlement) is before it, and so is the start of the day its
    name says it was generated (a report written late existed only from then)."""
    return at.counts(_existing_from(rows, delay_days))


def _existing_from(rows: pd.DataFrame, delay_days: int) -> pd.Series:
    """The UTC instant from which each row's report exists (see `reports_available`): the same on every day."""
    due = rows["period_end"] + delay_days * _DAY
    generated = _generated_days(rows["report_name"])
    later = (generated > due).to_numpy(dtype=bool, na_value=False)
    return due.where(~later, generated).dt.tz_localize("UTC")


def _generated_days(names: pd.Series) -> pd.Series:
    """The generation date of each report name (naive midnight), NaT for a name not in Moment's form."""
    days = {str(name): _generated_day(str(name)) for name in names.dropna().unique()}
    return names.astype(frame_dtypes.STRING).map(days).astype(frame_dtypes.DATE)


@functools.lru_cache(maxsize=4096)
def _generated_day(name: str) -> pd.Timestamp | NaTType:
    """The generation date a report name says (NaT for another name): the same for every day a report is
    built for, so parsed once per name."""
    parsed = ReportFileName.maybe(name)
    return pd.NaT if parsed is None else pd.Timestamp(parsed.generated)


def with_channels(day: AsOfFrames, reconciliation: pd.DataFrame | None) -> AsOfFrames:
    """`day` whose payments carry a `channel`, taken from the reconciliation row of each payment (by payment_id)
    among the reports that existed as of the day; NA where no row has one. Unchanged when there are none."""
    if reconciliation is None:
        return day
    return _with_channels(day, Reports.of(reconciliation).reconciliation_at(day.at))


def _with_channels(day: AsOfFrames, rows: pd.DataFrame) -> AsOfFrames:
    """`day` with each payment's channel from `rows`, the reconciliation rows available as of the day."""
    rows = rows.loc[rows["payment_id"].notna().to_numpy(dtype=bool)]
    if rows.empty:
        return day
    channel = rows.drop_duplicates("payment_id").set_index("payment_id")["channel"]
    payments = day.payments.assign(
        channel=day.payments["payment_id"].map(channel).astype(frame_dtypes.STRING)
    )
    return dataclasses.replace(day, payments=payments)


@dataclass(frozen=True)
class Reports:
    """Moment's report rows made ready for `three_way` on any number of days: checked, typed and put in
    the order that picks each reconciliation row's earliest report once, not again for every day (a report
    builds the three-way match for each day it covers). Build with `Reports.of`; read-only."""

    #: The reconciliation rows, by period_end, report_name, transaction_timestamp and reconciliation_id.
    reconciliation: pd.DataFrame
    #: When each reconciliation row's report exists (`reports_available`).
    reconciliation_from: pd.Series
    #: Each reconciliation row's reconciliation_id as a code, to keep its first row among those that exist.
    reconciliation_codes: npt.NDArray[np.intp]
    #: Each reconciliation row's place by (transaction_timestamp, reconciliation_id): the order `three_way`
    #: gives the rows it keeps.
    reconciliation_rank: npt.NDArray[np.intp]
    settlement: pd.DataFrame
    #: When each settlement row's report exists.
    settlement_from: pd.Series

    @classmethod
    def of(cls, reconciliation: pd.DataFrame, settlement: pd.DataFrame | None = None) -> Reports:
        """The rows of every report the ledger keeps (see `three_way`), checked and ordered."""
        frame = _columns.coerce(reconciliation, RECONCILIATION, "reconciliation rows")
        _columns.require_values(
            frame,
            ("reconciliation_id", "transaction_timestamp", "currency", "amount", "period_end"),
            "reconciliation rows",
        )
        # The earliest report first, so the first row of each reconciliation_id that exists is the one kept.
        frame = frame.sort_values(
            ["period_end", "report_name", "transaction_timestamp", "reconciliation_id"],
            kind="stable",
            na_position="last",
        ).reset_index(drop=True)
        codes, _ = pd.factorize(frame["reconciliation_id"])
        by_time = frame[["transaction_timestamp", "reconciliation_id"]].sort_values(
            ["transaction_timestamp", "reconciliation_id"], kind="stable"
        )
        rank = np.empty(len(frame), dtype=np.intp)
        rank[by_time.index.to_numpy()] = np.arange(len(frame))
        settled = _columns.coerce(
            _no_rows(SETTLEMENT) if settlement is None else settlement,
            SETTLEMENT,
            "settlement rows",
        )
        _columns.require_values(settled, ("currency", "period_end"), "settlement rows")
        return cls(
            reconciliation=frame,
            reconciliation_from=_existing_from(frame, _RECONCILIATION_DELAY),
            reconciliation_codes=codes,
            reconciliation_rank=rank,
            settlement=settled,
            settlement_from=_existing_from(settled, _SETTLEMENT_DELAY),
        )

    @property
    def empty(self) -> bool:
        """Whether there is no report row at all (then there is nothing to reconcile against)."""
        return self.reconciliation.empty and self.settlement.empty

    def reconciliation_at(self, at: _as_of.AsOf) -> pd.DataFrame:
        """The reconciliation rows of the reports that existed at the cutoff, one per reconciliation_id (its
        earliest report's), in order of transaction_timestamp and reconciliation_id."""
        existing = np.flatnonzero(at.counts(self.reconciliation_from))
        _, first = np.unique(self.reconciliation_codes[existing], return_index=True)
        kept = existing[first]
        # The kept IDs are distinct, so their places by (time, ID) order them as a sort of these rows would.
        kept = kept[np.argsort(self.reconciliation_rank[kept])]
        return self.reconciliation.take(kept).reset_index(drop=True)

    def settlement_at(self, at: _as_of.AsOf) -> pd.DataFrame:
        """The settlement rows of the reports that existed at the cutoff."""
        return self.settlement.loc[at.counts(self.settlement_from)]


def three_way(
    day: AsOfFrames,
    *,
    reconciliation: pd.DataFrame | Reports,
    settlement: pd.DataFrame | None = None,
) -> ThreeWay:
    """Match `day`'s webhook payments with the reconciliation rows and check the settlement totals.

    `day` is `Ledger.as_of(day, tz=...)` (its cutoff and time zone are the reconciliation's); `reconciliation`
    and `settlement` are the rows of every report the ledger keeps (`Ledger.reconciliation_rows()`,
    `Ledger.settlement_rows()`, or `billkit.reportfiles` readers' `.rows`), in any order; the ones that did not
    exist yet as of the day are left out here. Without `settlement`, no settlement report is known (each one
    due is missing). For many days of the same reports, pass them once prepared as `Reports.of(reconciliation,
    settlement)` (`Ledger.three_way_reports()`) in `reconciliation`, and no `settlement`.
    """
    if isinstance(reconciliation, Reports):
        if settlement is not None:
            raise InvalidArgumentError(
                "settlement is already in the prepared Reports: pass it there"
            )
        reports = reconciliation
    else:
        reports = Reports.of(reconciliation, settlement)
    at = day.at
    obligations = _obligations(day)
    rows = _describe_rows(reports.reconciliation_at(at), obligations, day)
    payments = _describe_payments(day.payments, obligations, day)
    is_payment = (rows["transaction_type"].str.lower() == "payment").to_numpy(
        dtype=bool, na_value=False
    )
    candidates = np.flatnonzero(is_payment)
    row_side, payment_side = _by_payment_id(rows, payments, candidates)
    by_id = len(row_side)
    left_rows = np.setdiff1d(candidates, row_side)
    left_payments = np.setdiff1d(np.arange(len(payments)), payment_side)
    more_rows, more_payments = _by_reference(rows, payments, left_rows, left_payments)
    row_side = np.concatenate([row_side, more_rows])
    payment_side = np.concatenate([payment_side, more_payments])
    pairs = _pairs(rows, payments, row_side, payment_side, by_id)
    agrees = (pairs["difference"] == 0).to_numpy(dtype=bool, na_value=False)
    mismatched = pairs.loc[~agrees].reset_index(drop=True)
    mismatched.insert(
        3,
        "mismatch",
        np.where(
            (mismatched["report_currency"] != mismatched["webhook_currency"]).to_numpy(
                dtype=bool, na_value=True
            ),
            "currency",
            "amount",
        ),
    )
    unmatched = np.ones(len(payments), dtype=bool)
    unmatched[payment_side] = False
    unmatched_payments = payments.loc[unmatched]
    due = at.counts(unmatched_payments["due_from"])
    return ThreeWay(
        at=at,
        matched=pairs.loc[agrees].reset_index(drop=True),
        mismatched=mismatched,
        no_webhook=rows.loc[np.setdiff1d(candidates, row_side), _ROW_COLUMNS].reset_index(
            drop=True
        ),
        not_reported=unmatched_payments.loc[due, _PAYMENT_COLUMNS].reset_index(drop=True),
        awaiting_report=unmatched_payments.loc[~due, _PAYMENT_COLUMNS].reset_index(drop=True),
        unknown_obligation=rows.loc[~rows["known"].to_numpy(dtype=bool), _ROW_COLUMNS].reset_index(
            drop=True
        ),
        settlements=_settlements(reports.settlement_at(at), rows, at),
        reconciliation_rows=rows[_ROW_COLUMNS],
        webhook_payments=payments[_PAYMENT_COLUMNS],
    )


def _no_rows(schema: _columns.Schema) -> pd.DataFrame:
    dtypes: dict[str, Any] = {
        "id": frame_dtypes.STRING,
        "category": frame_dtypes.CATEGORY,
        "minor": frame_dtypes.MINOR,
        "date": frame_dtypes.DATE,
        "timestamp": frame_dtypes.TIMESTAMP,
    }
    return pd.DataFrame(
        {column: pd.Series([], dtype=dtypes[kind]) for column, kind in schema.items()}
    )


def _obligations(day: AsOfFrames) -> pd.DataFrame:
    """Every bill, account and customer of the day: obligation_id, kind, reference, customer_id, account_id."""
    bills, accounts, customers = day.bills, day.accounts, day.customers
    account_owner = pd.Series(
        accounts["customer_id"].astype(frame_dtypes.STRING).to_numpy(),
        index=accounts["account_id"].astype(frame_dtypes.STRING),
    )
    parts = [
        pd.DataFrame(
            {
                "obligation_id": bills["bill_id"],
                "kind": "bill",
                "reference": _text(bills, "external_reference"),
                "customer_id": bills["customer_id"]
                .astype(frame_dtypes.STRING)
                .fillna(bills["account_id"].astype(frame_dtypes.STRING).map(account_owner)),
                "account_id": bills["account_id"],
            }
        ),
        pd.DataFrame(
            {
                "obligation_id": accounts["account_id"],
                "kind": "account",
                "reference": _text(accounts, "external_reference"),
                "customer_id": accounts["customer_id"],
                "account_id": accounts["account_id"],
            }
        ),
        pd.DataFrame(
            {
                "obligation_id": customers["customer_id"],
                "kind": "customer",
                "reference": _text(customers, "external_reference"),
                "customer_id": customers["customer_id"],
                "account_id": pd.NA,
            }
        ),
    ]
    frame = pd.concat(parts, ignore_index=True).astype(
        dict.fromkeys(
            ("obligation_id", "kind", "reference", "customer_id", "account_id"), frame_dtypes.STRING
        )
    )
    return frame.drop_duplicates("obligation_id").set_index("obligation_id", drop=False)


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column in frame.columns:
        return frame[column].astype(frame_dtypes.STRING)
    return pd.Series(pd.NA, index=frame.index, dtype=frame_dtypes.STRING)


def _customer_references(day: AsOfFrames) -> pd.Series:
    customers = day.customers
    return pd.Series(
        _text(customers, "external_reference").to_numpy(),
        index=customers["customer_id"].astype(frame_dtypes.STRING),
    )


def _describe_rows(rows: pd.DataFrame, obligations: pd.DataFrame, day: AsOfFrames) -> pd.DataFrame:
    """Report rows with the obligation they name resolved (obligation_id, customer_id, account_id, known)."""
    given = rows["obligation_id"].astype(frame_dtypes.STRING)
    known_id = given.isin(obligations.index).to_numpy(dtype=bool)
    # A reference may name a bill, an account and a customer at once: bills first, then accounts, customers.
    referenced = obligations.loc[obligations["reference"].notna().to_numpy(dtype=bool)]
    reference_ids = referenced.drop_duplicates("reference").set_index("reference")["obligation_id"]
    from_reference = rows["merchant_reference_id"].astype(frame_dtypes.STRING).map(reference_ids)
    obligation = given.where(known_id, from_reference.astype(frame_dtypes.STRING)).fillna(given)
    known = obligation.isin(obligations.index).to_numpy(dtype=bool)
    owner = obligation.map(obligations["customer_id"]).astype(frame_dtypes.STRING)
    references = _customer_references(day)
    named = references.notna().to_numpy(dtype=bool) & ~references.duplicated().to_numpy(dtype=bool)
    customer_ids = pd.Series(references.index[named], index=references.to_numpy()[named])
    by_customer_reference = rows["customer_reference"].map(customer_ids).astype(frame_dtypes.STRING)
    return rows.assign(
        obligation_id=obligation.astype(frame_dtypes.STRING),
        customer_id=owner.fillna(by_customer_reference),
        account_id=obligation.map(obligations["account_id"]).astype(frame_dtypes.STRING),
        amount_major=frame_money.to_major(rows["amount"], rows["currency"]),
        known=known,
    )


def _describe_payments(
    payments: pd.DataFrame, obligations: pd.DataFrame, day: AsOfFrames
) -> pd.DataFrame:
    """Webhook payments with their obligation's reference, customer and the report they are due in."""
    checked = _columns.coerce(payments, _columns.PAYMENTS, "payments").reset_index(drop=True)
    obligation = checked["obligation_id"].astype(frame_dtypes.STRING)
    customer = (
        checked["customer_id"]
        .astype(frame_dtypes.STRING)
        .fillna(obligation.map(obligations["customer_id"]).astype(frame_dtypes.STRING))
    )
    period = checked["created_at"].dt.tz_convert("UTC").dt.floor("D")
    return checked.assign(
        obligation_reference=obligation.map(obligations["reference"]).astype(frame_dtypes.STRING),
        customer_id=customer,
        customer_reference=customer.map(_customer_references(day)).astype(frame_dtypes.STRING),
        account_id=checked["account_id"]
        .astype(frame_dtypes.STRING)
        .fillna(obligation.map(obligations["account_id"]).astype(frame_dtypes.STRING)),
        amount_major=frame_money.to_major(checked["amount"], checked["currency"]),
        report_period=period.dt.tz_localize(None).astype(frame_dtypes.DATE),
        # Due once the whole of T+1 has passed: from the end of the day after the payment's UTC day.
        due_from=period + (_RECONCILIATION_DELAY + 1) * _DAY,
    )


def _by_payment_id(
    rows: pd.DataFrame, payments: pd.DataFrame, candidates: npt.NDArray[np.intp]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """(row positions, payment positions) of the pairs by payment_id: each payment with its earliest row."""
    ids = rows["payment_id"].tolist()
    earliest: dict[str, int] = {}
    for position in candidates:  # rows are in time order: the first seen is the earliest
        if isinstance(ids[position], str):
            earliest.setdefault(ids[position], int(position))
    where = {
        payment_id: position
        for position, payment_id in enumerate(payments["payment_id"].tolist())
        if isinstance(payment_id, str)
    }
    pairs = [(row, where[key]) for key, row in earliest.items() if key in where]
    row_positions = np.array([row for row, _ in pairs], dtype=np.intp)
    payment_positions = np.array([payment for _, payment in pairs], dtype=np.intp)
    return row_positions, payment_positions


def _by_reference(
    rows: pd.DataFrame,
    payments: pd.DataFrame,
    left_rows: npt.NDArray[np.intp],
    left_payments: npt.NDArray[np.intp],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Pairs of leftover rows and payments with the same (obligation, amount, currency), in time order."""
    row_lacks_id = rows["payment_id"].isna().to_numpy(dtype=bool)
    payment_lacks_id = payments["payment_id"].isna().to_numpy(dtype=bool)
    # Rows without a payment_id may pair with any leftover payment; rows with one only with payments without.
    first_rows, first_payments = _pair_in_order(
        rows, payments, left_rows[row_lacks_id[left_rows]], left_payments
    )
    rest = np.setdiff1d(left_payments, first_payments)
    more_rows, more_payments = _pair_in_order(
        rows, payments, left_rows[~row_lacks_id[left_rows]], rest[payment_lacks_id[rest]]
    )
    return np.concatenate([first_rows, more_rows]), np.concatenate([first_payments, more_payments])


def _pair_in_order(
    rows: pd.DataFrame,
    payments: pd.DataFrame,
    row_positions: npt.NDArray[np.intp],
    payment_positions: npt.NDArray[np.intp],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The n-th row and the n-th payment of each (obligation, amount, currency), each in time order."""
    empty = np.array([], dtype=np.intp)
    if not len(row_positions) or not len(payment_positions):
        return empty, empty
    keys = ["obligation_id", "amount", "currency"]

    def ranked(
        frame: pd.DataFrame, positions: npt.NDArray[np.intp], order: list[str]
    ) -> pd.DataFrame:
        part = frame.iloc[positions]
        part = pd.DataFrame(
            {
                "obligation_id": part["obligation_id"].astype(frame_dtypes.STRING).to_numpy(),
                "amount": part["amount"].to_numpy(dtype="int64", na_value=0),
                "currency": part["currency"].astype(str).to_numpy(),
                "position": positions,
                **{column: part[column].to_numpy() for column in order},
            }
        ).dropna(subset=["obligation_id"])
        part = part.sort_values(order, kind="stable")
        return part.assign(rank=part.groupby(keys, sort=False).cumcount())

    left = ranked(rows, row_positions, ["transaction_timestamp", "reconciliation_id"])
    right = ranked(payments, payment_positions, ["created_at", "payment_id"])
    joined = left.merge(right, on=[*keys, "rank"], suffixes=("_row", "_payment"))
    joined = joined.sort_values("position_row", kind="stable")
    return (
        joined["position_row"].to_numpy(dtype=np.intp),
        joined["position_payment"].to_numpy(dtype=np.intp),
    )


def _pairs(
    rows: pd.DataFrame,
    payments: pd.DataFrame,
    row_side: npt.NDArray[np.intp],
    payment_side: npt.NDArray[np.intp],
    by_id: int,
) -> pd.DataFrame:
    """One row per pair: both sides' amounts and currencies, and the difference (report - webhook)."""
    row = rows.iloc[row_side].reset_index(drop=True)
    pay = payments.iloc[payment_side].reset_index(drop=True)
    same_currency = (row["currency"].astype(str) == pay["currency"].astype(str)).to_numpy()
    difference = (row["amount"] - pay["amount"]).where(same_currency)
    matched_by = np.where(np.arange(len(row_side)) < by_id, "payment_id", "reference")
    frame = pd.DataFrame(
        {
            "payment_id": pay["payment_id"]
            .astype(frame_dtypes.STRING)
            .fillna(row["payment_id"].astype(frame_dtypes.STRING)),
            "reconciliation_id": row["reconciliation_id"],
            "matched_by": matched_by,
            "obligation_id": pay["obligation_id"].astype(frame_dtypes.STRING),
            "obligation_reference": row["merchant_reference_id"]
            .astype(frame_dtypes.STRING)
            .fillna(pay["obligation_reference"]),
            "customer_id": pay["customer_id"].fillna(row["customer_id"]),
            "customer_reference": pay["customer_reference"].fillna(
                row["customer_reference"].astype(frame_dtypes.STRING)
            ),
            "account_id": pay["account_id"],
            "created_at": pay["created_at"],
            "transaction_timestamp": row["transaction_timestamp"],
            "webhook_currency": pay["currency"].astype(str),
            "webhook_amount": pay["amount"],
            "webhook_amount_major": pay["amount_major"],
            "report_currency": row["currency"].astype(str),
            "report_amount": row["amount"],
            "report_amount_major": row["amount_major"],
            "difference": difference.astype(frame_dtypes.MINOR),
            "fee": row["fee"],
            "net_amount": row["net_amount"],
            "channel": row["channel"],
            "report_name": row["report_name"],
        }
    )
    frame = frame.sort_values(["transaction_timestamp", "reconciliation_id"], kind="stable")
    return (
        frame[_PAIR_COLUMNS]
        .astype(
            {"webhook_currency": frame_dtypes.CATEGORY, "report_currency": frame_dtypes.CATEGORY}
        )
        .reset_index(drop=True)
    )


def _settlements(settlement: pd.DataFrame, rows: pd.DataFrame, at: _as_of.AsOf) -> pd.DataFrame:
    """Per settled day and currency: the settlement's totals beside the sums of that day's reconciliation rows
    (`settlement`: the checked rows of the reports that existed at the cutoff, `Reports.settlement_at`)."""
    frame = settlement
    # Several files for one day: the last by name (their names begin with the generation date) stands.
    last = frame.groupby("period_end")["report_name"].transform("max")
    frame = frame.loc[(frame["report_name"] == last).to_numpy(dtype=bool, na_value=True)]
    reported = pd.DataFrame(
        {
            "period_end": frame["period_end"].to_numpy(),
            "currency": frame["currency"].astype(str).to_numpy(),
            "settlement_date": frame["settlement_date"].to_numpy(),
            "report_name": frame["report_name"].to_numpy(),
            "reported_count": frame["transaction_count"].to_numpy(),
            "reported_gross": frame["gross_amount"].to_numpy(),
            "reported_fees": frame["fees"].to_numpy(),
            "reported_net": frame["net_amount"].to_numpy(),
        }
    )
    sums = (
        pd.DataFrame(
            {
                "period_end": rows["period_end"].to_numpy(),
                "currency": rows["currency"].astype(str).to_numpy(),
                "count": 1,
                "gross": rows["amount"].to_numpy(dtype="int64", na_value=0),
                "fees": rows["fee"].to_numpy(dtype="int64", na_value=0),
                "net": rows["net_amount"].to_numpy(dtype="int64", na_value=0),
            }
        )
        .groupby(["period_end", "currency"], as_index=False)[list(_TOTALS)]
        .sum()
        .rename(columns={name: f"expected_{name}" for name in _TOTALS})
    )
    settled_due = at.counts(
        (pd.Series(sums["period_end"]) + _SETTLEMENT_DELAY * _DAY).dt.tz_localize("UTC")
    )
    sums = sums.assign(settlement_due=settled_due)
    both = reported.merge(sums, on=["period_end", "currency"], how="outer")
    # A reconciled day whose settlement is not yet due is not a finding: it has no row here.
    both = both.loc[
        both["report_name"].notna().to_numpy(dtype=bool)
        | both["settlement_due"].to_numpy(dtype=bool, na_value=False)
    ]
    columns: dict[str, pd.Series] = {}
    agrees = np.ones(len(both), dtype=bool)
    for name in _TOTALS:
        theirs = both[f"reported_{name}"].astype(frame_dtypes.MINOR)
        ours = both[f"expected_{name}"].astype(frame_dtypes.MINOR).fillna(0)
        columns[f"reported_{name}"] = theirs
        columns[f"expected_{name}"] = ours
        columns[f"{name}_difference"] = theirs - ours
        agrees &= (theirs == ours).to_numpy(dtype=bool, na_value=False)
    result = pd.DataFrame(
        {
            "period_end": both["period_end"].astype(frame_dtypes.DATE),
            "settlement_date": both["settlement_date"].astype(frame_dtypes.DATE),
            "currency": both["currency"].astype(frame_dtypes.CATEGORY),
            "report_name": both["report_name"].astype(frame_dtypes.STRING),
            **columns,
            "agrees": agrees,
        }
    )
    return result.sort_values(["period_end", "currency"], kind="stable").reset_index(drop=True)
