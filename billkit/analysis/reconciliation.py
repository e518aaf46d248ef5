"""Reconciliation: bills against the payments applied to them, and checks on every payment.

Two pure functions over `frames.bills_frame`/`ledger.latest("bill")` and `frames.payments_frame` output:

* `reconcile_bills`: per bill, what was expected against what payment events applied, with a result of
  unpaid / underpaid / exact / overpaid / voided, and whether the bill's own `amount_paid` agrees.
* `reconcile_payments`: per payment, whether its obligation is unknown to the ledger, whether its currency
  differs from the obligation's, whether it was replayed (the same payment seen again; counted once) and
  whether it may be a double payment (another payment of the same amount on the same obligation shortly
  before; both are counted, since the money arrived twice).

A payment counts towards a bill only in the bill's currency: amounts in different currencies are never added.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from billkit import frame_dtypes, frame_money
from billkit.analysis import _columns, _matching
from billkit.errors import InvalidArgumentError

__all__ = ["BILL_RESULTS", "DEFAULT_DOUBLE_PAYMENT_WINDOW", "reconcile_bills", "reconcile_payments"]

BILL_RESULTS: Final = ("unpaid", "underpaid", "exact", "overpaid", "voided")
_RESULT_DTYPE: Final = pd.CategoricalDtype(list(BILL_RESULTS))
#: Two different payments of the same amount to the same obligation this close together may be one intended
#: payment made twice (a double click, a retried form): worth a look, though both are counted.
DEFAULT_DOUBLE_PAYMENT_WINDOW: Final = dt.timedelta(minutes=10)


def reconcile_bills(bills: pd.DataFrame, payments: pd.DataFrame) -> pd.DataFrame:
    """Per bill: the amount expected against the payments applied to it.

    `bills` has one row per bill (`ledger.latest("bill")` or `bills_frame`); `payments` is `payments_frame`.
    The result has a row per row of `bills`, in the same order.
    Columns: bill_id, customer_id, account_id, currency, status, amount_due, amount_paid (as the bill reports it),
    expected (amount_due; 0 for a voided bill, which is no longer collectable), applied (sum of the payments
    applied to the bill in its currency, each payment once), payments (how many), difference (applied -
    expected; positive means paid too much), matches_bill (applied equals the bill's amount_paid; False points
    to missed webhook events or a manual `amount_paid` update), owed (what is still to collect: the bill's
    amount_remaining while it is unpaid, else 0), result, and *_major columns for expected, applied,
    difference and owed.

    result: "voided" (voided, nothing applied); otherwise "unpaid" (nothing applied), "underpaid"
    (0 < applied < expected), "exact" (applied = expected) or "overpaid" (applied > expected; a voided bill
    with any payment applied is overpaid, since the money must be returned or credited).
    """
    bill_rows = _columns.coerce(bills, _columns.BILLS, "bills")
    pays = _columns.coerce(payments, _columns.PAYMENTS, "payments")
    _columns.require_values(pays, ("amount", "currency", "created_at"), "payments")
    row = _matching.bill_rows(bill_rows, pays)
    counted = row >= 0
    applied = np.zeros(len(bill_rows), dtype=np.int64)
    np.add.at(applied, row[counted], pays["amount"].to_numpy(dtype="int64")[counted])
    count = np.bincount(row[counted], minlength=len(bill_rows))

    voided = (bill_rows["status"] == "voided").to_numpy(dtype=bool, na_value=False)
    amount_due = bill_rows["amount_due"].to_numpy(dtype="int64", na_value=0)
    expected = np.where(voided, 0, amount_due)
    result_codes = np.select(
        [voided & (applied == 0), applied == 0, applied < expected, applied == expected],
        [4, 0, 1, 2],
        default=3,
    )
    currency = bill_rows["currency"]
    expected_s = pd.Series(expected, index=bill_rows.index, dtype=frame_dtypes.MINOR)
    applied_s = pd.Series(applied, index=bill_rows.index, dtype=frame_dtypes.MINOR)
    difference_s = applied_s - expected_s
    unpaid = (bill_rows["status"] == "unpaid").to_numpy(dtype=bool, na_value=False)
    remaining = bill_rows["amount_remaining"].to_numpy(dtype="int64", na_value=0)
    owed_s = pd.Series(
        np.where(unpaid, np.maximum(remaining, 0), 0),
        index=bill_rows.index,
        dtype=frame_dtypes.MINOR,
    )
    return pd.DataFrame(
        {
            "bill_id": bill_rows["bill_id"],
            "customer_id": bill_rows["customer_id"],
            "account_id": bill_rows["account_id"],
            "currency": currency,
            "status": bill_rows["status"],
            "amount_due": bill_rows["amount_due"],
            "amount_paid": bill_rows["amount_paid"],
            "expected": expected_s,
            "applied": applied_s,
            "payments": pd.Series(count, index=bill_rows.index, dtype=frame_dtypes.MINOR),
            "difference": difference_s,
            "owed": owed_s,
            "matches_bill": (applied_s == bill_rows["amount_paid"]).to_numpy(
                dtype=bool, na_value=False
            ),
            "result": pd.Categorical.from_codes(result_codes, dtype=_RESULT_DTYPE),
            "expected_major": frame_money.to_major(expected_s, currency),
            "applied_major": frame_money.to_major(applied_s, currency),
            "difference_major": frame_money.to_major(difference_s, currency),
            "owed_major": frame_money.to_major(owed_s, currency),
        },
        index=bill_rows.index,
        copy=False,
    ).reset_index(drop=True)


def reconcile_payments(
    payments: pd.DataFrame,
    *,
    bills: pd.DataFrame,
    accounts: pd.DataFrame | None = None,
    customers: pd.DataFrame | None = None,
    double_payment_window: dt.timedelta = DEFAULT_DOUBLE_PAYMENT_WINDOW,
) -> pd.DataFrame:
    """Per payment (`payments_frame` rows, one per payment_id, same order): the checks a reconciliation needs.

    Added columns:
      unknown_obligation (boolean): the bill, account or customer the payment was applied to is not in
        `bills` / `accounts` / `customers` (a payment naming no obligation at all is unknown too). NA for
        account or customer payments when that frame was not given (not checked).
      currency_mismatch (boolean): the payment's currency differs from its known obligation's currency
        (NA when not checked or the obligation has no currency). Such payments are never counted towards it.
      replayed (bool): the same payment arrived again under another event (a redelivery or replay); it is
        counted once everywhere.
      possible_double_payment (bool), double_of (payment_id of the earlier payment): a different payment of
        the same amount and currency on the same obligation at most `double_payment_window` after the previous
        one (default 10 minutes, inclusive, chaining from each payment to the next). Both are counted, since
        the money arrived twice. Payments on a bill whose own amount_paid equals the sum of its payments are
        instalments the bill confirms, and are not flagged.
      ok: none of the above is true.
    """
    window = double_payment_window
    if not isinstance(window, dt.timedelta) or window < dt.timedelta(0):
        raise InvalidArgumentError(
            f"double_payment_window must be a non-negative timedelta, got {window!r}"
        )
    pays = _columns.coerce(payments, _columns.PAYMENTS, "payments").reset_index(drop=True)
    _columns.require_values(pays, ("amount", "currency", "created_at"), "payments")
    bill_rows = _columns.coerce(bills, _columns.BILLS, "bills")
    unknown = pd.Series(pd.NA, index=pays.index, dtype="boolean")
    mismatch = pd.Series(pd.NA, index=pays.index, dtype="boolean")
    obligation_type = pays["obligation_type"]
    unknown[obligation_type.isna().to_numpy()] = True
    references = {"bill": (bill_rows, "bill_id"), "account": (accounts, "account_id")}
    references["customer"] = (customers, "customer_id")
    for kind, (frame, id_column) in references.items():
        if frame is None:
            continue
        known = _columns.coerce(frame, {id_column: "id", "currency": "category"}, f"{kind}s")
        rows = (obligation_type == kind).to_numpy(dtype=bool, na_value=False)
        if not rows.any():
            continue
        index = _matching.unique_index(known[id_column], f"{kind}s", f"ledger.latest('{kind}')")
        position = _matching.positions(index, pays[id_column].loc[rows])
        unknown[rows] = position < 0
        same = _matching.same_currency(known["currency"], position, pays["currency"].loc[rows])
        theirs_known = np.zeros(len(position), dtype=bool)
        found = position >= 0
        theirs_known[found] = known["currency"].notna().to_numpy()[position[found]]
        differs = pd.array(~same, dtype="boolean")
        differs[~theirs_known] = pd.NA
        mismatch[rows] = differs
    replayed = (
        pays["replayed"].to_numpy(dtype=bool, na_value=False)
        if "replayed" in pays.columns
        else np.zeros(len(pays), dtype=bool)
    )
    double, double_of = _double_payments(pays, window, _confirmed_by_bill(bill_rows, pays))
    flagged = (
        unknown.fillna(False).to_numpy(dtype=bool)
        | mismatch.fillna(False).to_numpy(dtype=bool)
        | replayed
        | double
    )
    return pays.assign(
        unknown_obligation=unknown,
        currency_mismatch=mismatch,
        replayed=replayed,
        possible_double_payment=double,
        double_of=double_of,
        ok=~flagged,
    )


def _confirmed_by_bill(bills: pd.DataFrame, pays: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Payments on a bill whose own amount_paid equals the sum of the payments counted towards it."""
    row = _matching.bill_rows(bills, pays)
    counted = row >= 0
    applied = np.zeros(len(bills), dtype=np.int64)
    np.add.at(applied, row[counted], pays["amount"].to_numpy(dtype="int64")[counted])
    agrees = applied == bills["amount_paid"].to_numpy(dtype="int64", na_value=-1)
    confirmed: npt.NDArray[np.bool_] = counted & agrees[np.where(counted, row, 0)]
    return confirmed


def _double_payments(
    pays: pd.DataFrame, window: dt.timedelta, confirmed: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.bool_], pd.Series]:
    """(possible double payment, payment_id of the earlier one) for each payment."""
    n = len(pays)
    created = pays["created_at"].to_numpy(dtype="datetime64[ns]").astype("int64")
    flagged = np.zeros(n, dtype=bool)
    earlier = np.full(n, -1, dtype=np.int64)
    in_time_order = bool(np.all(created[1:] >= created[:-1]))  # payments_frame output already is
    by_time = np.arange(n) if in_time_order else np.argsort(created, kind="stable")
    # Same obligation, currency and amount as the previous such payment, within the window. Only payments
    # with another payment of the same currency and amount within the window can qualify, so the string IDs
    # are compared for those few candidates only.
    window_ns = pd.Timedelta(window).value
    currency = pays["currency"].cat.codes.to_numpy(dtype="int64")
    amounts = pays["amount"].to_numpy(dtype="int64")
    eligible = by_time[
        ~confirmed[by_time] & pays["obligation_id"].notna().to_numpy(dtype=bool)[by_time]
    ]
    # A stable sort on (currency, amount) of rows already in time order keeps time order within each.
    order = eligible[np.argsort(currency[eligible] * 2**40 + amounts[eligible], kind="stable")]
    near_previous = (
        (currency[order[1:]] == currency[order[:-1]])
        & (amounts[order[1:]] == amounts[order[:-1]])
        & (created[order[1:]] - created[order[:-1]] <= window_ns)
    )
    near = np.zeros(len(order), dtype=bool)
    near[1:] |= near_previous
    near[:-1] |= near_previous
    candidates = order[near]
    if len(candidates):
        obligation, _ = pd.factorize(pays["obligation_id"].to_numpy(dtype=object)[candidates])
        ranked = np.lexsort(
            (created[candidates], amounts[candidates], currency[candidates], obligation)
        )
        ordered, keys = candidates[ranked], obligation[ranked]
        current, previous = ordered[1:], ordered[:-1]
        close = (
            (keys[1:] == keys[:-1])
            & (currency[current] == currency[previous])
            & (amounts[current] == amounts[previous])
            & (created[current] - created[previous] <= window_ns)
        )
        flagged[current[close]] = True
        earlier[current[close]] = previous[close]

    # Few payments are flagged: fill only their cells rather than building a column of a million NAs.
    double_of = pd.Series(pd.NA, index=pays.index, dtype=frame_dtypes.STRING)
    has_earlier = np.flatnonzero(earlier >= 0)
    if len(has_earlier):
        double_of.iloc[has_earlier] = pays["payment_id"].to_numpy(dtype=object)[
            earlier[has_earlier]
        ]
    return flagged, double_of
