"""Metrics as of a local calendar day: aging, DSO, collection rate, days to pay, the collection funnel.

Pure functions over a day's bills and payments, as `ledger.as_of(day, tz=...)` gives them (`point_in_time`,
which also calls these with the right day and period). Every amount is summed in integer minor units within
one currency and converted to major units once at the end; every result has a `currency` column and one row
(or group of rows) per currency. Amounts in different
currencies are never added: `total` refuses a frame that holds more than one (`MixedCurrencyError`).

`as_of` is a date ("2025-02-01", meaning that whole day) or an instant, read in the IANA time zone `tz`
(see `billkit.analysis._as_of.resolve`). Bills carry calendar dates; payments carry UTC instants, which are
turned into local days in `tz` before counting days.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from billkit import frame_dtypes, frame_money
from billkit.analysis import _as_of, _columns, _matching
from billkit.analysis._aging import (
    AGING_BUCKETS,
    AGING_DTYPE,
    aging_bucket,
    days_past_due,
    open_mask,
)
from billkit.analysis.reconciliation import BILL_RESULTS
from billkit.errors import InvalidArgumentError
from billkit.frame_money import MixedCurrencyError

__all__ = [
    "FUNNEL_STAGES",
    "MixedCurrencyError",
    "aging",
    "collection_funnel",
    "collection_rate",
    "days_to_pay",
    "days_to_pay_summary",
    "dso",
    "outstanding_by_customer",
    "reconciliation_summary",
    "total",
    "totals_by_currency",
]

FUNNEL_STAGES: Final = ("billed", "at least partly paid", "paid in full")
_FUNNEL_DTYPE: Final = pd.CategoricalDtype(list(FUNNEL_STAGES), ordered=True)
_PAYMENT_CHECKS: Final = (
    "unknown_obligation",
    "currency_mismatch",
    "replayed",
    "possible_double_payment",
)
_CHECK_DTYPE: Final = pd.CategoricalDtype([*BILL_RESULTS, "still_owed", *_PAYMENT_CHECKS])
#: The DSO period when neither a start nor a length is given.
DEFAULT_DSO_DAYS: Final = 90
_NS_PER_DAY: Final = 86_400 * 10**9


def _currencies(currency: pd.Series) -> tuple[list[str], npt.NDArray[np.int64]]:
    """The currencies present (sorted) and each row's index into them (-1 where missing)."""
    categorical = (
        currency
        if isinstance(currency.dtype, pd.CategoricalDtype)
        else currency.astype(frame_dtypes.CATEGORY)
    )
    codes = np.asarray(categorical.cat.codes, dtype=np.int64)
    names = [str(name) for name in categorical.cat.categories]
    used = np.bincount(codes[codes >= 0], minlength=len(names)) > 0
    present = sorted(name for name, is_used in zip(names, used, strict=True) if is_used)
    renumber = np.array([present.index(name) if name in present else -1 for name in names] + [-1])
    return present, renumber[codes]


def _sum_by(
    groups: npt.NDArray[np.int64], values: npt.NDArray[np.int64], size: int
) -> npt.NDArray[np.int64]:
    """Exact integer sums of `values` per group code in 0..size-1 (rows with code -1 are skipped)."""
    totals = np.zeros(size, dtype=np.int64)
    keep = groups >= 0
    np.add.at(totals, groups[keep], values[keep])
    return totals


def _minor(values: npt.NDArray[np.int64]) -> pd.Series:
    return pd.Series(values, dtype=frame_dtypes.MINOR)


def _ratio(numerator: npt.NDArray[np.int64], denominator: npt.NDArray[np.int64]) -> pd.Series:
    """numerator / denominator as Float64, NA where the denominator is 0 (no basis for a rate)."""
    safe = np.where(denominator == 0, 1, denominator)
    return pd.Series(
        pd.arrays.FloatingArray(numerator / safe, denominator == 0), dtype=pd.Float64Dtype()
    )


def _with_major(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    return frame.assign(
        **{f"{c}_major": frame_money.to_major(frame[c], frame["currency"]) for c in columns}
    )


def _currency_column(names: Sequence[str]) -> pd.Series:
    return pd.Series(list(names), dtype=frame_dtypes.CATEGORY)


def aging(bills: pd.DataFrame, *, as_of: _as_of.AsOfLike, tz: str = "UTC") -> pd.DataFrame:
    """Outstanding amounts by aging bucket, per currency, as of a local day.

    Counts open bills (status "unpaid", amount_remaining > 0; paid and voided bills are excluded) by
    days past due = as_of day - due_date: "current" (not yet due, due that very day, or no due date), "1-30",
    "31-60", "61-90", "90+". Columns: currency, bucket (ordered), bills, amount (sum of amount_remaining,
    Int64 minor units), amount_major, share (amount / the currency's total outstanding; NA when nothing is
    outstanding). Every currency in `bills` gets all five buckets, zeros included.
    """
    frame = _columns.coerce(bills, _columns.BILLS, "bills")
    day = _as_of.resolve(as_of, tz).day
    is_open = open_mask(frame)
    bucket = aging_bucket(days_past_due(frame["due_date"], day), is_open)
    names, currency = _currencies(frame["currency"])
    slots = len(AGING_BUCKETS)
    group = np.where(is_open & (currency >= 0), currency * slots + bucket.cat.codes.to_numpy(), -1)
    remaining = frame["amount_remaining"].to_numpy(dtype="int64", na_value=0)
    amount = _sum_by(group, remaining, len(names) * slots)
    count = _sum_by(group, np.ones(len(frame), dtype=np.int64), len(names) * slots)
    per_currency = amount.reshape(len(names), slots).sum(axis=1)
    result = pd.DataFrame(
        {
            "currency": _currency_column([name for name in names for _ in range(slots)]),
            "bucket": pd.Categorical(list(AGING_BUCKETS) * len(names), dtype=AGING_DTYPE),
            "bills": _minor(count),
            "amount": _minor(amount),
        }
    )
    return _with_major(result, ["amount"]).assign(
        share=_ratio(amount, np.repeat(per_currency, slots))
    )


def dso(
    bills: pd.DataFrame,
    *,
    end: _as_of.AsOfLike,
    start: _as_of.AsOfLike | None = None,
    days: int | None = None,
) -> pd.DataFrame:
    """Days sales outstanding per currency over a stated period, by the standard formula.

        DSO = receivables at the period's end / billed in the period * days in the period

    The period is the local days `start` to `end` (inclusive); without `start`, the `days` days (default 90)
    ending on `end`. receivables: the amount_remaining of open bills (status "unpaid") in `bills`, which must be
    the state at the end of `end` (`ledger.as_of(end, tz=...).bills`; the same total as `aging` that day);
    billed: the amount_due of non-voided bills dated in the period. DSO is NA when nothing was billed. Columns:
    currency, receivables, billed, days, dso, receivables_major, billed_major.
    """
    if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
        raise InvalidArgumentError(f"days must be a positive whole number of days, got {days!r}")
    if days is not None and start is not None:
        raise InvalidArgumentError("give start or days for the DSO period, not both")
    last = _as_of.calendar_day(end, "end")
    first = (
        _as_of.calendar_day(start, "start")
        if start is not None
        else last - pd.Timedelta(days=(days or DEFAULT_DSO_DAYS) - 1)
    )
    period = _as_of.window(first.date(), last.date(), "UTC")
    frame = _columns.coerce(bills, _columns.BILLS, "bills")
    names, currency = _currencies(frame["currency"])
    receivable_rows = np.where(open_mask(frame), currency, -1)
    receivables = _sum_by(
        receivable_rows, frame["amount_remaining"].to_numpy(dtype="int64", na_value=0), len(names)
    )
    billed_rows = np.where(_not_voided(frame) & period.holds_days(frame["bill_date"]), currency, -1)
    billed = _sum_by(
        billed_rows, frame["amount_due"].to_numpy(dtype="int64", na_value=0), len(names)
    )
    result = pd.DataFrame(
        {
            "currency": _currency_column(names),
            "receivables": _minor(receivables),
            "billed": _minor(billed),
            "days": _minor(np.full(len(names), period.days, dtype=np.int64)),
            "dso": _ratio(receivables * period.days, billed),
        }
    )
    return _with_major(result, ["receivables", "billed"])


def collection_rate(
    bills: pd.DataFrame, *, start: _as_of.AsOfLike, end: _as_of.AsOfLike
) -> pd.DataFrame:
    """Of what was billed in a period, the share collected, per currency.

        rate = collected / billed

    billed: the amount_due of non-voided bills with bill_date from `start` to `end` (dates, inclusive);
    collected: their amount_paid, which in `ledger.as_of(day).bills` is what had been paid by the end of that
    day (each payment once, in the bill's currency, plus manual changes in effect), at most the amount_due.
    Columns: currency, bills, billed, collected, outstanding (billed - collected), rate (NA when nothing was
    billed), and *_major for the amounts.
    """
    period = _as_of.window(start, end, "UTC")
    frame = _columns.coerce(bills, _columns.BILLS, "bills")
    names, currency = _currencies(frame["currency"])
    cohort = _not_voided(frame) & period.holds_days(frame["bill_date"])
    amount_due = frame["amount_due"].to_numpy(dtype="int64", na_value=0)
    paid = frame["amount_paid"].to_numpy(dtype="int64", na_value=0)
    cohort_rows = np.where(cohort, currency, -1)
    billed = _sum_by(cohort_rows, amount_due, len(names))
    collected = _sum_by(cohort_rows, np.clip(paid, 0, amount_due), len(names))
    count = _sum_by(cohort_rows, np.ones(len(frame), dtype=np.int64), len(names))
    result = pd.DataFrame(
        {
            "currency": _currency_column(names),
            "bills": _minor(count),
            "billed": _minor(billed),
            "collected": _minor(collected),
            "outstanding": _minor(billed - collected),
            "rate": _ratio(collected, billed),
        }
    )
    return _with_major(result, ["billed", "collected", "outstanding"])


def outstanding_by_customer(bills: pd.DataFrame) -> pd.DataFrame:
    """What each customer still owes, per currency: its open bills and the sum of their amount_remaining.

    Columns: customer_id, currency, bills, outstanding, outstanding_major; customers with nothing open are left
    out. Per currency the rows add up to `aging`'s outstanding for the same bills.
    """
    frame = _columns.coerce(bills, _columns.BILLS, "bills")
    is_open = open_mask(frame)
    opened = frame.loc[is_open]
    grouped = (
        pd.DataFrame(
            {
                "customer_id": opened["customer_id"],
                "currency": opened["currency"].astype(str),
                "amount_remaining": opened["amount_remaining"],
            }
        )
        .groupby(["customer_id", "currency"], observed=True, sort=True)["amount_remaining"]
        .agg(["count", "sum"])
        .reset_index()
    )
    result = pd.DataFrame(
        {
            "customer_id": grouped["customer_id"].astype(frame_dtypes.STRING),
            "currency": grouped["currency"].astype(frame_dtypes.CATEGORY),
            "bills": grouped["count"].astype(frame_dtypes.MINOR),
            "outstanding": grouped["sum"].astype(frame_dtypes.MINOR),
        }
    )
    return _with_major(result, ["outstanding"])


def days_to_pay(
    bills: pd.DataFrame,
    payments: pd.DataFrame,
    *,
    as_of: _as_of.AsOfLike | None = None,
    tz: str = "UTC",
    start: _as_of.AsOfLike | None = None,
    end: _as_of.AsOfLike | None = None,
) -> pd.DataFrame:
    """Per settled bill, the whole days from its bill date to the payment that settled it.

    A bill is settled by the payment (in its currency, before the end of `as_of` if given) that brings the
    running total applied to it to its amount_due; each payment counts once (`frames.payments_frame`).
    `start`/`end` keep the bills dated in that period. days_to_pay = that payment's local calendar day in `tz` - bill_date
    (0 = paid on the day it was billed). Voided bills, bills without a bill_date, and bills settled without
    payment events (a manual `amount_paid` update) are left out. Columns: bill_id, customer_id, account_id,
    currency, amount_due, bill_date, settled_at (UTC), settled_on (local day), days_to_pay (Int64).
    """
    frame = _columns.coerce(bills, _columns.BILLS, "bills")
    cutoff = None if as_of is None else _as_of.resolve(as_of, tz).cutoff
    _as_of.zone(tz)
    position, pays = _counted_payments(frame, payments, cutoff)
    created = pays["created_at"].to_numpy(dtype="datetime64[ns]").astype("int64")
    amounts = pays["amount"].to_numpy(dtype="int64")
    # Payments come oldest first (payments_frame); a stable sort by bill then keeps time order per bill.
    in_time_order = bool(np.all(created[1:] >= created[:-1]))
    order = (
        np.argsort(position, kind="stable") if in_time_order else np.lexsort((created, position))
    )
    position, created, amounts = position[order], created[order], amounts[order]
    # Running total applied to each bill, payment by payment: a cumulative sum restarted per bill.
    starts = np.r_[True, position[1:] != position[:-1]] if len(order) else np.zeros(0, dtype=bool)
    running = np.cumsum(amounts)
    before_bill = (running - amounts)[starts]
    per_bill_running = running - np.repeat(
        before_bill, np.diff(np.r_[np.flatnonzero(starts), len(order)])
    )
    amount_due = frame["amount_due"].to_numpy(dtype="int64", na_value=0)
    reached = np.flatnonzero(per_bill_running >= amount_due[position])
    reached_bill = position[reached]
    first = (
        np.r_[True, reached_bill[1:] != reached_bill[:-1]]
        if len(reached)
        else np.zeros(0, dtype=bool)
    )
    settled_bills, settled_at = reached_bill[first], created[reached[first]]
    eligible = (
        _not_voided(frame)[settled_bills] & frame["bill_date"].notna().to_numpy()[settled_bills]
    )
    if start is not None or end is not None:
        eligible &= _dated_between(
            frame["bill_date"],
            None if start is None else _as_of.calendar_day(start, "start"),
            None if end is None else _as_of.calendar_day(end, "end"),
        )[settled_bills]
    settled_bills, settled_at = settled_bills[eligible], settled_at[eligible]
    chosen = frame[
        ["bill_id", "customer_id", "account_id", "currency", "amount_due", "bill_date"]
    ].iloc[settled_bills]
    settled = pd.Series(
        settled_at.view("datetime64[ns]"), index=chosen.index, copy=False
    ).dt.tz_localize("UTC")
    settled_on = _as_of.local_days(settled, tz)
    elapsed = (settled_on - chosen["bill_date"]).to_numpy(dtype="timedelta64[ns]").astype("int64")
    return pd.DataFrame(
        {
            "bill_id": chosen["bill_id"],
            "customer_id": chosen["customer_id"],
            "account_id": chosen["account_id"],
            "currency": chosen["currency"],
            "amount_due": chosen["amount_due"],
            "bill_date": chosen["bill_date"],
            "settled_at": settled,
            "settled_on": settled_on,
            "days_to_pay": pd.Series(
                elapsed // _NS_PER_DAY, index=chosen.index, dtype=frame_dtypes.MINOR
            ),
        }
    ).reset_index(drop=True)


def days_to_pay_summary(days: pd.DataFrame) -> pd.DataFrame:
    """The days-to-pay distribution per currency: bills, mean, min, median (p50), p75, p90 and max days.

    `days` is `days_to_pay(...)`. Quantiles interpolate linearly between bills.
    """
    frame = _columns.coerce(days, {"currency": "category", "days_to_pay": "minor"}, "days")
    values = frame["days_to_pay"].astype("float64")
    grouped = values.groupby(frame["currency"], observed=True)
    summary = pd.DataFrame(
        {
            "bills": grouped.count().astype(frame_dtypes.MINOR),
            "mean": grouped.mean(),
            "min": grouped.min(),
            "p50": grouped.quantile(0.5),
            "p75": grouped.quantile(0.75),
            "p90": grouped.quantile(0.9),
            "max": grouped.max(),
        }
    )
    summary.index = pd.CategoricalIndex(summary.index.astype(str), name="currency")
    return summary.reset_index()


def collection_funnel(
    bills: pd.DataFrame,
    *,
    start: _as_of.AsOfLike | None = None,
    end: _as_of.AsOfLike | None = None,
) -> pd.DataFrame:
    """Billed -> at least partly paid -> paid in full, per currency (voided bills are not billed).

    Stages are nested: "at least partly paid" bills have amount_paid > 0 (fully paid ones included), "paid in
    full" bills have status "paid". `start`/`end` (dates, inclusive) restrict to bills dated in that period.
    Columns: currency, stage (ordered), bills, share (of the currency's billed bills), amount_due and
    amount_paid of the bills in the stage, and their *_major.
    """
    frame = _columns.coerce(bills, _columns.BILLS, "bills")
    chosen = _not_voided(frame)
    if start is not None or end is not None:
        first = None if start is None else _as_of.calendar_day(start, "start")
        last = None if end is None else _as_of.calendar_day(end, "end")
        chosen = chosen & _dated_between(frame["bill_date"], first, last)
    names, currency = _currencies(frame["currency"])
    paid = frame["amount_paid"].to_numpy(dtype="int64", na_value=0)
    due = frame["amount_due"].to_numpy(dtype="int64", na_value=0)
    stage_masks = (
        chosen,
        chosen & (paid > 0),
        chosen & (frame["status"] == "paid").to_numpy(dtype=bool, na_value=False),
    )
    columns: dict[str, list[npt.NDArray[np.int64]]] = {
        "bills": [],
        "amount_due": [],
        "amount_paid": [],
    }
    for mask in stage_masks:
        rows = np.where(mask, currency, -1)
        columns["bills"].append(_sum_by(rows, np.ones(len(frame), dtype=np.int64), len(names)))
        columns["amount_due"].append(_sum_by(rows, due, len(names)))
        columns["amount_paid"].append(_sum_by(rows, paid, len(names)))
    stacked = {name: np.stack(parts, axis=1).ravel() for name, parts in columns.items()}
    slots = len(FUNNEL_STAGES)
    result = pd.DataFrame(
        {
            "currency": _currency_column([name for name in names for _ in range(slots)]),
            "stage": pd.Categorical(list(FUNNEL_STAGES) * len(names), dtype=_FUNNEL_DTYPE),
            "bills": _minor(stacked["bills"]),
            "share": _ratio(stacked["bills"], np.repeat(stacked["bills"][::slots], slots)),
            "amount_due": _minor(stacked["amount_due"]),
            "amount_paid": _minor(stacked["amount_paid"]),
        }
    )
    return _with_major(result, ["amount_due", "amount_paid"])


def reconciliation_summary(
    reconciled_bills: pd.DataFrame, reconciled_payments: pd.DataFrame
) -> pd.DataFrame:
    """Counts and amounts per currency for each reconciliation outcome, for a report's table.

    Rows per currency: each bill result (unpaid, underpaid, exact, overpaid, voided) with count = bills and
    amount = the sum of their `difference` (applied - expected: negative is still owed, positive was paid too
    much); still_owed with count = bills with something still owed and amount = what they owe (the `owed`
    column: the same total as `aging`'s outstanding); then unknown_obligation, currency_mismatch, replayed
    and possible_double_payment with count = payments so flagged and amount = the sum of their amounts.
    Columns: currency, check, count, amount, amount_major.
    """
    bill_rows = _columns.coerce(
        reconciled_bills,
        {"currency": "category", "result": "category", "difference": "minor", "owed": "minor"},
        "reconciled_bills",
    )
    pay_rows = _columns.coerce(
        reconciled_payments, {"currency": "category", "amount": "minor"}, "reconciled_payments"
    )
    for flag in _PAYMENT_CHECKS:
        if flag not in pay_rows.columns:
            raise InvalidArgumentError(
                f"reconciled_payments is missing column {flag!r}: pass reconcile_payments(...) output"
            )
    names, bill_currency = _currencies(bill_rows["currency"])
    names_paid, pay_currency = _currencies(pay_rows["currency"])
    vocabulary = sorted(set(names) | set(names_paid))
    bill_currency = (
        np.searchsorted(vocabulary, names)[bill_currency] if len(names) else bill_currency
    )
    pay_currency = (
        np.searchsorted(vocabulary, names_paid)[pay_currency] if len(names_paid) else pay_currency
    )
    checks = len(_CHECK_DTYPE.categories)
    result_codes = np.asarray(
        bill_rows["result"].cat.set_categories(list(_CHECK_DTYPE.categories)).cat.codes
    )
    owed = bill_rows["owed"].to_numpy(dtype="int64", na_value=0)
    owed_code = list(_CHECK_DTYPE.categories).index("still_owed")
    groups = [
        np.where(result_codes >= 0, bill_currency * checks + result_codes, -1),
        np.where(owed > 0, bill_currency * checks + owed_code, -1),
    ]
    amounts = [bill_rows["difference"].to_numpy(dtype="int64", na_value=0), owed]
    for flag in _PAYMENT_CHECKS:
        flagged = pay_rows[flag].fillna(False).to_numpy(dtype=bool)
        code = list(_CHECK_DTYPE.categories).index(flag)
        groups.append(np.where(flagged, pay_currency * checks + code, -1))
        amounts.append(pay_rows["amount"].to_numpy(dtype="int64", na_value=0))
    group, amount = np.concatenate(groups), np.concatenate(amounts)
    slots = len(vocabulary) * checks
    count = _sum_by(group, np.ones(len(group), dtype=np.int64), slots)
    total = _sum_by(group, amount, slots)
    present = np.flatnonzero(count > 0)
    result = pd.DataFrame(
        {
            "currency": pd.Series(
                [vocabulary[i // checks] for i in present], dtype=frame_dtypes.CATEGORY
            ),
            "check": pd.Categorical.from_codes(present % checks, dtype=_CHECK_DTYPE),
            "count": _minor(count[present]),
            "amount": _minor(total[present]),
        }
    )
    return _with_major(result, ["amount"])


def totals_by_currency(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Sums of the minor-unit `columns` per currency, with `rows` and `<column>_major` for each.

    `frame` needs a `currency` column; rows without a currency are refused rather than guessed.
    """
    if isinstance(columns, str):
        columns = [columns]
    checked = _columns.coerce(
        frame, {"currency": "category", **dict.fromkeys(columns, "minor")}, "frame"
    )
    _columns.require_values(checked, ("currency",), "frame")
    names, currency = _currencies(checked["currency"])
    result = pd.DataFrame(
        {
            "currency": _currency_column(names),
            "rows": _minor(_sum_by(currency, np.ones(len(checked), dtype=np.int64), len(names))),
            **{
                c: _minor(
                    _sum_by(currency, checked[c].to_numpy(dtype="int64", na_value=0), len(names))
                )
                for c in columns
            },
        }
    )
    return _with_major(result, list(columns))


def total(frame: pd.DataFrame, column: str) -> int:
    """The sum of minor-unit `column` over a frame in ONE currency (0 for an empty frame).

    Raises `MixedCurrencyError` if the frame holds several currencies: use `totals_by_currency`, or filter.
    """
    checked = _columns.coerce(frame, {"currency": "category", column: "minor"}, "frame")
    frame_money.single_currency(checked["currency"], f"column {column!r}")
    return int(checked[column].sum())


def _not_voided(frame: pd.DataFrame) -> npt.NDArray[np.bool_]:
    not_voided: npt.NDArray[np.bool_] = (frame["status"] != "voided").to_numpy(
        dtype=bool, na_value=True
    )
    return not_voided


def _dated_between(
    bill_date: pd.Series, first: pd.Timestamp | None, last: pd.Timestamp | None
) -> npt.NDArray[np.bool_]:
    """Bills dated from `first` to `last` inclusive (either bound may be open); undated bills never are."""
    dates = bill_date.to_numpy(dtype="datetime64[ns]")
    within: npt.NDArray[np.bool_] = ~np.isnat(dates)
    if first is not None:
        within &= dates >= np.datetime64(first.value, "ns")
    if last is not None:
        within &= dates <= np.datetime64(last.value, "ns")
    return within


def _counted_payments(
    bills: pd.DataFrame, payments: pd.DataFrame, cutoff: pd.Timestamp | None
) -> tuple[npt.NDArray[np.intp], pd.DataFrame]:
    """The payments that count towards `bills` (see `_matching.bill_rows`) up to `cutoff`, with their bill rows."""
    pays = _columns.coerce(payments, _columns.PAYMENTS, "payments")
    _columns.require_values(pays, ("amount", "currency", "created_at"), "payments")
    row = _matching.bill_rows(bills, pays)
    counted = row >= 0
    if cutoff is not None:
        counted &= _as_of.before(pays["created_at"], cutoff)
    return row[counted], pays[["amount", "created_at"]].loc[counted]
