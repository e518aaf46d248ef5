"""Aged receivables, as QuickBooks and Xero show them: a summary by customer and the open-bill worklist.

Both read the open bills (unpaid, something remaining) of one as-of day and age them by days past their due
date on that day, in the buckets of `billkit.analysis.AGING_BUCKETS`. Their totals equal the aging's
outstanding, currency by currency.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Final

import numpy as np
import pandas as pd

from billkit import frame_dtypes
from billkit.analysis._aging import AGING_BUCKETS
from billkit.analysis.point_in_time import AsOfFrames
from billkit.report.sections import _names
from billkit.report.table import CURRENCY, TOTAL, Table

__all__ = ["ACCOUNT_MARK", "BUCKET_HEADERS", "OTHERS", "aged_detail", "aged_summary"]

#: Bucket -> column header, in order from not yet due to most overdue.
BUCKET_HEADERS: Final = {
    "current": "Current",
    "1-30": "1-30 days",
    "31-60": "31-60 days",
    "61-90": "61-90 days",
    "90+": "90+ days",
}
_TOTAL_HEADER: Final = "Total owed"
#: The row that holds every customer beyond the `top` largest.
OTHERS: Final = "Other customers"
#: Account rows sit under their customer, marked so a reader sees the nesting in any renderer.
ACCOUNT_MARK: Final = "↳ "


def _open_bills(day: AsOfFrames) -> pd.DataFrame:
    bills = day.bills
    open_rows = bills.loc[bills["is_open"].to_numpy(dtype=bool, na_value=False)]
    return open_rows.assign(owner=_names.bill_owner(day, open_rows))


def _buckets(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum of amount_remaining per `keys` and bucket, one column per bucket header, plus the total."""
    table = (
        rows.assign(bucket=rows["aging_bucket"].astype(str))
        .pivot_table(
            index=keys,
            columns="bucket",
            values="amount_remaining",
            aggfunc="sum",
            fill_value=0,
            observed=True,
        )
        .reindex(columns=list(AGING_BUCKETS), fill_value=0)
        .rename(columns=BUCKET_HEADERS)
    )
    table.columns.name = None
    table[_TOTAL_HEADER] = table.sum(axis=1)
    return table.astype(frame_dtypes.MINOR).reset_index()


def aged_summary(day: AsOfFrames, *, top: int | None = None) -> Table:
    """One row per customer (name and reference) with what it owes by bucket, largest total first, per currency.

    A customer's row covers all its bills; below it, one row per account with open bills (marked `↳`), largest
    first. Each currency ends with a totals row. With `top`, only the `top` largest customers of each currency
    have rows of their own; one "Other customers" row holds the rest, so the totals stay whole.
    """
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise ValueError(f"top must be a positive whole number, got {top!r}")
    bills = _open_bills(day)
    columns = [CURRENCY, "Customer", "Reference", *BUCKET_HEADERS.values(), _TOTAL_HEADER]
    money = (*BUCKET_HEADERS.values(), _TOTAL_HEADER)
    if bills.empty:
        return Table(
            name="aged_summary",
            title="Aged receivables summary",
            frame=pd.DataFrame(columns=columns),
            empty="Nothing is owed on this day: no bill is open.",
            money=money,
            totals="Customer",
        )
    bills = bills.assign(currency=bills["currency"].astype(str))
    by_customer = _buckets(bills, ["currency", "owner"])
    on_accounts = bills.loc[bills["account_id"].notna().to_numpy()]
    by_account = (
        _buckets(on_accounts, ["currency", "owner", "account_id"])
        if not on_accounts.empty
        else pd.DataFrame(columns=["currency", "owner", "account_id", *money])
    )
    customers = _names.customers(day)
    accounts = _names.accounts(day)
    # Sorted once, walked as records: per-customer filtering and sorting of frames cost far more.
    by_customer = by_customer.sort_values(
        ["currency", _TOTAL_HEADER, "owner"], ascending=[True, False, True]
    )
    under: dict[tuple[str, str], list[dict[Hashable, Any]]] = {}
    for account in by_account.sort_values(
        [_TOTAL_HEADER, "account_id"], ascending=[False, True]
    ).to_dict("records"):
        under.setdefault((account["currency"], str(account["owner"])), []).append(account)
    parts: list[pd.DataFrame] = []
    for currency in sorted(by_customer["currency"].unique()):
        mine = by_customer.loc[by_customer["currency"] == currency]
        rows: list[dict[str, object]] = []
        shown, rest = (mine, mine.iloc[0:0]) if top is None else (mine.head(top), mine.iloc[top:])
        for customer in shown.to_dict("records"):
            owner = str(customer["owner"])
            known = owner in customers.index
            rows.append(
                {
                    CURRENCY: currency,
                    "Customer": customers.at[owner, "name"] if known else owner,
                    "Reference": customers.at[owner, "reference"] if known else pd.NA,
                    **{header: customer[header] for header in money},
                }
            )
            for account in under.get((currency, owner), []):
                account_id = str(account["account_id"])
                named = account_id in accounts.index
                rows.append(
                    {
                        CURRENCY: currency,
                        "Customer": ACCOUNT_MARK
                        + str(accounts.at[account_id, "name"] if named else account_id),
                        "Reference": accounts.at[account_id, "reference"] if named else pd.NA,
                        **{header: account[header] for header in money},
                    }
                )
        if not rest.empty:
            rows.append(
                {
                    CURRENCY: currency,
                    "Customer": f"{OTHERS} ({len(rest)})",
                    "Reference": pd.NA,
                    **{header: int(rest[header].sum()) for header in money},
                }
            )
        totals = {header: int(mine[header].sum()) for header in money}
        rows.append({CURRENCY: currency, "Customer": TOTAL, "Reference": pd.NA, **totals})
        parts.append(pd.DataFrame(rows, columns=columns))
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.astype(dict.fromkeys(money, frame_dtypes.MINOR))
    return Table(
        name="aged_summary",
        title="Aged receivables summary",
        frame=frame,
        empty="Nothing is owed on this day: no bill is open.",
        money=money,
        totals="Customer",
    )


def aged_detail(day: AsOfFrames) -> Table:
    """The worklist: every open bill with its references, customer, dates, days past due and what remains.

    Most overdue first (then the largest remaining); bills not yet due come last, soonest due first.
    """
    bills = _open_bills(day)
    past_due = bills["days_past_due"].astype("Float64")
    order = np.lexsort(
        (
            -bills["amount_remaining"].to_numpy(dtype="int64", na_value=0),
            -past_due.to_numpy(dtype="float64", na_value=-np.inf),
        )
    )
    bills, past_due = bills.iloc[order], past_due.iloc[order]
    frame = pd.DataFrame(
        {
            CURRENCY: bills["currency"].astype(str).to_numpy(),
            "Bill": _names.bill_reference(bills).to_numpy(),
            "Bill ID": bills["bill_id"].astype("string").to_numpy(),
            "Customer": _names.customer_name(day, bills["owner"]).to_numpy(),
            "Bill date": bills["bill_date"].dt.date.to_numpy(),
            "Due date": bills["due_date"].dt.date.to_numpy(),
            "Days past due": bills["days_past_due"].to_numpy(),
            "Amount due": bills["amount_due"].to_numpy(),
            "Remaining": bills["amount_remaining"].to_numpy(),
        }
    ).astype({"Amount due": frame_dtypes.MINOR, "Remaining": frame_dtypes.MINOR})
    frame["Days past due"] = frame["Days past due"].astype("Int64")
    return Table(
        name="aged_detail",
        title="Aged receivables detail (open bills, most overdue first)",
        frame=frame,
        empty="No bill is open on this day, so there is nothing to chase.",
        money=("Amount due", "Remaining"),
        dates=("Bill date", "Due date"),
        counts=("Days past due",),
        wide=("Bill", "Bill ID"),
    )
