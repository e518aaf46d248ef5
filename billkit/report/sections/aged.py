"""Aged receivables, as QuickBooks and Xero show them: a summary by customer and the open-bill worklist.

Both read the open bills (unpaid, something remaining) of one as-of day and age them by days past their due
date on that day, in the buckets of `billkit.analysis.AGING_BUCKETS`. Their totals equal the aging's
outstanding, currency by currency.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import numpy.typing as npt
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


class _Groups:
    """Open bills summed per group of keys (in the order of the keys) and per bucket, in numpy arrays: the
    summary is made of a few dozen rows, where each pandas step costs more than the sums themselves."""

    def __init__(
        self,
        keys: list[npt.NDArray[np.object_]],
        bucket: npt.NDArray[np.intp],
        remaining: npt.NDArray[np.int64],
    ) -> None:
        # Each key as its rank among the key's values, so one number orders and groups the rows.
        combined = np.zeros(len(bucket), dtype=np.int64)
        for values in keys:
            uniques, codes = _sorted_codes(values)
            combined = combined * len(uniques) + codes
        groups, first, rows = np.unique(combined, return_index=True, return_inverse=True)
        rows = rows.reshape(-1)
        self.keys = [values[first] for values in keys]
        sums = np.zeros((len(groups), len(AGING_BUCKETS) + 1), dtype=np.int64)
        np.add.at(sums, (rows, bucket), remaining)
        sums[:, -1] = sums[:, :-1].sum(axis=1)
        #: Per group: the sums of each bucket header, then the total.
        self.sums = sums

    def ranked(self, within: int) -> npt.NDArray[np.intp]:
        """Each group's rank by total (largest first, ties by its last key) among the groups that share its
        first `within` keys."""
        ordering = [self.keys[-1], *self.keys[:within]]
        order = np.lexsort(
            (
                _ranks(ordering[0]),
                -self.sums[:, -1],
                *(_ranks(values) for values in reversed(ordering[1:])),
            )
        )
        ranks = np.empty(len(order), dtype=np.intp)
        if not len(order):
            return ranks
        parent = np.zeros(len(order), dtype=np.int64)
        for values in self.keys[:within]:
            parent = parent * (len(order) + 1) + _ranks(values)
        ordered = parent[order]
        starts = np.r_[True, ordered[1:] != ordered[:-1]]
        start_of = np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))
        ranks[order] = np.arange(len(order)) - start_of
        return ranks


def _sorted_codes(
    values: npt.NDArray[np.object_],
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.intp]]:
    """The distinct values in their sort order, and each value's rank among them: `np.unique(values,
    return_inverse=True)`, but by hashing. np.unique sorts every value of an object array by Python
    comparisons (seconds for the open bills of a million-bill ledger); only the distinct ones are sorted here."""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    return uniques[order], rank[codes]


def _ranks(values: npt.NDArray[np.object_]) -> npt.NDArray[np.intp]:
    """Each value's rank among the distinct values (text in its sort order)."""
    return _sorted_codes(values)[1]


def _rest(
    keys: list[npt.NDArray[np.object_]], sums: npt.NDArray[np.int64]
) -> tuple[list[npt.NDArray[np.object_]], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per distinct `keys` (in the order first seen): the keys, how many rows hold them and their sums."""
    combined = np.zeros(len(sums), dtype=np.int64)
    for values in keys:
        combined = combined * (len(sums) + 1) + _ranks(values)
    _, first, rows, count = np.unique(
        combined, return_index=True, return_inverse=True, return_counts=True
    )
    rows = rows.reshape(-1)
    totals = np.zeros((len(first), sums.shape[1]), dtype=np.int64)
    np.add.at(totals, rows, sums)
    seen = np.argsort(first, kind="stable")
    return [values[first[seen]] for values in keys], count[seen], totals[seen]


def _names_of(
    ids: npt.NDArray[np.object_], names: pd.DataFrame
) -> tuple[list[str], list[str | None]]:
    """The name (the ID itself when unknown) and reference (None when unknown or missing) of each of `ids`,
    from `names` (`_names.customers` or `_names.accounts`)."""
    positions = names.index.get_indexer(pd.Index(ids)) if len(names) else np.full(len(ids), -1)
    name = names["name"].astype(object).where(names["name"].notna(), None).tolist()
    reference = names["reference"].astype(object).where(names["reference"].notna(), None).tolist()
    return (
        [name[at] if at >= 0 else ident for at, ident in zip(positions, ids, strict=True)],
        [reference[at] if at >= 0 else None for at in positions],
    )


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
    limit = top if top is not None else len(bills) + 1
    bucket = pd.Categorical(bills["aging_bucket"].astype(str), categories=list(AGING_BUCKETS)).codes
    bucketed = bucket >= 0
    currency = bills["currency"].astype(str).to_numpy(dtype=object)[bucketed]
    owner = bills["owner"].astype(str).to_numpy(dtype=object)[bucketed]
    has_account = bills["account_id"].notna().to_numpy(dtype=bool)[bucketed]
    account = bills["account_id"].astype(str).to_numpy(dtype=object)[bucketed]
    remaining = bills["amount_remaining"].to_numpy(dtype="int64", na_value=0)[bucketed]
    bucket = bucket[bucketed].astype(np.intp)
    # Every row gets a place (currency, customer's rank, 0 customer / 1 account, account's rank) and is
    # sorted by it once: per-customer filtering and sorting of frames cost far more at scale.
    rows: list[tuple[str, str, str | None, int, int, int, str]] = []
    sums: list[npt.NDArray[np.int64]] = []

    def add(
        currencies: npt.NDArray[np.object_],
        labels: list[str],
        references: list[str | None],
        places: tuple[Any, ...],
        amounts: npt.NDArray[np.int64],
    ) -> None:
        rank, sub, account_rank, after = (
            np.broadcast_to(place, len(labels)).tolist() for place in (*places, "")[:4]
        )
        rows.extend(
            zip(currencies, labels, references, rank, sub, account_rank, after, strict=True)
        )
        sums.append(amounts)

    by_customer = _Groups([currency, owner], bucket, remaining)
    customer_rank = by_customer.ranked(1)
    shown = customer_rank < limit
    names, references = _names_of(by_customer.keys[1][shown], _names.customers(day))
    add(
        by_customer.keys[0][shown],
        names,
        references,
        (customer_rank[shown], 0, 0),
        by_customer.sums[shown],
    )
    (others,), count, other_sums = _rest([by_customer.keys[0][~shown]], by_customer.sums[~shown])
    add(others, [f"{OTHERS} ({n})" for n in count], [None] * len(others), (limit, 0, 0), other_sums)
    if has_account.any():
        by_account = _Groups(
            [currency[has_account], owner[has_account], account[has_account]],
            bucket[has_account],
            remaining[has_account],
        )
        # The accounts of customers shown, each under its customer's rank.
        place = dict(
            zip(
                zip(by_customer.keys[0][shown], by_customer.keys[1][shown], strict=True),
                customer_rank[shown].tolist(),
                strict=True,
            )
        )
        under = np.array(
            [
                place.get(key, -1)
                for key in zip(by_account.keys[0], by_account.keys[1], strict=True)
            ],
            dtype=np.intp,
        )
        account_rank = by_account.ranked(2)
        listed = (under >= 0) & (account_rank < limit)
        names, references = _names_of(by_account.keys[2][listed], _names.accounts(day))
        add(
            by_account.keys[0][listed],
            [ACCOUNT_MARK + name for name in names],
            references,
            (under[listed], 1, account_rank[listed]),
            by_account.sums[listed],
        )
        rest = (under >= 0) & (account_rank >= limit)
        if rest.any():
            (currencies, owners), count, rest_sums = _rest(
                [by_account.keys[0][rest], by_account.keys[1][rest]], by_account.sums[rest]
            )
            # After the currency's totals row, by customer: where the summary has always put these rows
            # (its customer's rank was never carried over to them), kept so that no output changes.
            add(
                currencies,
                [f"{ACCOUNT_MARK}{OTHER_ACCOUNTS} ({n})" for n in count],
                [None] * len(currencies),
                (limit + 2, 1, limit, owners),
                rest_sums,
            )
    (totals,), _, total_sums = _rest([by_customer.keys[0]], by_customer.sums)
    add(totals, [TOTAL] * len(totals), [None] * len(totals), (limit + 1, 0, 0), total_sums)
    order = sorted(range(len(rows)), key=lambda at: (rows[at][0], *rows[at][3:]))
    amounts = np.concatenate(sums)[order]
    frame = pd.DataFrame(
        {
            CURRENCY: np.array([rows[at][0] for at in order], dtype=object),
            "Customer": pd.array([rows[at][1] for at in order], dtype=frame_dtypes.STRING),
            "Reference": pd.array([rows[at][2] for at in order], dtype=frame_dtypes.STRING),
            **{
                header: pd.array(amounts[:, column], dtype=frame_dtypes.MINOR)
                for column, header in enumerate(money)
            },
        }
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
