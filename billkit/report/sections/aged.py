"""Aged receivables, as QuickBooks and Xero show them: a summary by customer and the open-bill worklist.

Both read the open bills (unpaid, something remaining) of one as-of day and age them by days past their due
date on that day, in the buckets of `billkit.analysis.AGING_BUCKETS`. Their totals equal the aging's
outstanding, currency by currency.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from billkit import frame_dtypes
from billkit.analysis._aging import AGING_BUCKETS
from billkit.analysis.point_in_time import AsOfFrames
from billkit.report.sections import _names
from billkit.report.table import CURRENCY, TOTAL, Table

__all__ = [
    "ACCOUNT_MARK",
    "BUCKET_HEADERS",
    "OTHERS",
    "OTHER_ACCOUNTS",
    "aged_detail",
    "aged_summary",
    "worklist",
]

#: Bucket -> column header, in order from not yet due to most overdue.
BUCKET_HEADERS: Final = {
    "current": "Current",
    "1-30": "1-30 days",
    "31-60": "31-60 days",
    "61-90": "61-90 days",
    "90+": "90+ days",
}
_TOTAL_HEADER: Final = "Total owed"
#: The row that holds every customer beyond the `top` largest, and the one under a customer that holds every
#: account beyond its `top` largest.
OTHERS: Final = "Other customers"
OTHER_ACCOUNTS: Final = "Other accounts"
#: Account rows sit under their customer, marked so a reader sees the nesting in any renderer.
ACCOUNT_MARK: Final = "↳ "


def _open_bills(day: AsOfFrames) -> pd.DataFrame:
    bills = day.bills
    open_rows = bills.loc[bills["is_open"].to_numpy(dtype=bool, na_value=False)]
    return open_rows.assign(owner=_names.bill_owner(day, open_rows))


def _buckets(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum of amount_remaining per `keys` and bucket, one column per bucket header, plus the total; one row
    per group of `keys` that has a bill in a bucket, in the order of `keys`."""
    bucket = pd.Categorical(rows["aging_bucket"].astype(str), categories=list(AGING_BUCKETS)).codes
    bucketed = bucket >= 0
    remaining = rows["amount_remaining"].to_numpy(dtype="int64", na_value=0)[bucketed]
    # Each bill's remaining amount in its bucket's column: one sum per group, not a sum per bucket unstacked.
    by_bucket = np.zeros((len(remaining), len(AGING_BUCKETS)), dtype="int64")
    by_bucket[np.arange(len(remaining)), bucket[bucketed]] = remaining
    headers = [BUCKET_HEADERS[name] for name in AGING_BUCKETS]
    spread = (
        rows.loc[bucketed, keys]
        .reset_index(drop=True)
        .assign(**dict(zip(headers, by_bucket.T, strict=True)))
    )
    sums = spread.groupby(keys, sort=True)[headers].sum()
    sums[_TOTAL_HEADER] = sums.sum(axis=1)
    return sums.astype(frame_dtypes.MINOR).reset_index()


def _ranked(frame: pd.DataFrame, keys: list[str], tie: str) -> pd.DataFrame:
    """`frame` largest total first within each group of `keys` (ties by `tie`), with its `rank` there."""
    ordered = frame.sort_values(
        [*keys, _TOTAL_HEADER, tie], ascending=[*([True] * len(keys)), False, True]
    )
    return ordered.assign(rank=ordered.groupby(keys, sort=False).cumcount())


def _rest(rows: pd.DataFrame, keys: list[str], money: tuple[str, ...]) -> pd.DataFrame:
    """One row per group of `keys`: how many of `rows` it holds (`count`) and their sums."""
    grouped = rows.groupby(keys, sort=False)
    return grouped[list(money)].sum().assign(count=grouped.size()).reset_index()


def aged_summary(day: AsOfFrames, *, top: int | None = None) -> Table:
    """One row per customer (name and reference) with what it owes by bucket, largest total first, per currency.

    A customer's row covers all its bills; below it, one row per account with open bills (marked `↳`), largest
    first. Each currency ends with a totals row. With `top`, only the `top` largest customers of each currency
    have rows of their own, one "Other customers" row holding the rest, and only the `top` largest accounts
    of a customer, one "Other accounts" row under it holding the rest: the report's length is bounded and
    every column still sums to its total.
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
    bills = bills.assign(currency=bills["currency"].astype(str), owner=bills["owner"].astype(str))
    limit = top if top is not None else len(bills) + 1
    # Every row gets a place (currency, customer's rank, 0 customer / 1 account, account's rank) and is
    # sorted by it once: per-customer filtering and sorting of frames cost far more at scale.
    by_customer = _ranked(_buckets(bills, ["currency", "owner"]), ["currency"], "owner")
    customers = _names.customers(day)
    shown = by_customer.loc[by_customer["rank"] < limit]
    known = shown["owner"].isin(customers.index).to_numpy()
    parts = [
        shown.assign(
            Customer=shown["owner"].map(customers["name"]).where(known, shown["owner"]),
            Reference=shown["owner"].map(customers["reference"]).where(known, pd.NA),
            sub=0,
            account_rank=0,
        )
    ]
    others = _rest(by_customer.loc[by_customer["rank"] >= limit], ["currency"], money)
    parts.append(
        others.assign(
            Customer=[f"{OTHERS} ({count})" for count in others["count"]],
            Reference=None,
            rank=limit,
            sub=0,
            account_rank=0,
        )
    )
    on_accounts = bills.loc[bills["account_id"].notna().to_numpy()]
    if not on_accounts.empty:
        ranks = shown.set_index(["currency", "owner"])["rank"].rename("customer_rank")
        by_account = _buckets(
            on_accounts.assign(account_id=on_accounts["account_id"].astype(str)),
            ["currency", "owner", "account_id"],
        ).join(ranks, on=["currency", "owner"], how="inner")  # the accounts of customers shown
        by_account = _ranked(by_account, ["currency", "owner"], "account_id").rename(
            columns={"rank": "account_rank", "customer_rank": "rank"}
        )
        accounts = _names.accounts(day)
        listed = by_account.loc[by_account["account_rank"] < limit]
        named = listed["account_id"].isin(accounts.index).to_numpy()
        parts.append(
            listed.assign(
                Customer=ACCOUNT_MARK
                + listed["account_id"].map(accounts["name"]).where(named, listed["account_id"]),
                Reference=listed["account_id"].map(accounts["reference"]).where(named, pd.NA),
                sub=1,
            )
        )
        rest = by_account.loc[by_account["account_rank"] >= limit]
        if not rest.empty:
            grouped = _rest(rest, ["currency", "owner"], money).join(
                ranks, on=["currency", "owner"]
            )
            parts.append(
                grouped.assign(
                    Customer=[f"{ACCOUNT_MARK}{OTHER_ACCOUNTS} ({n})" for n in grouped["count"]],
                    Reference=None,
                    sub=1,
                    account_rank=limit,
                )
            )
    totals = _rest(by_customer, ["currency"], money)
    parts.append(
        totals.assign(Customer=TOTAL, Reference=None, rank=limit + 1, sub=0, account_rank=0)
    )
    frame = (
        pd.concat([part for part in parts if not part.empty], ignore_index=True)
        .sort_values(["currency", "rank", "sub", "account_rank"], kind="stable")
        .rename(columns={"currency": CURRENCY})
        .reset_index(drop=True)[columns]
    )
    frame = frame.astype(
        {"Customer": frame_dtypes.STRING, "Reference": frame_dtypes.STRING}
        | dict.fromkeys(money, frame_dtypes.MINOR)
    )
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


def worklist(detail: Table, *, rows: int) -> Table:
    """The worklist as the report shows it: the `rows` most overdue open bills of each currency (of
    `aged_detail`'s table), then one line for the rest, how many and what they owe."""
    return detail.bounded(rows, label="Bill", noun="open bill")
