"""Frames: the typed DataFrames an analysis starts from, built from what the ledger returns.

Pure functions (DataFrame in, DataFrame out, no I/O). Money stays in `Int64` minor units; each amount also gets a
`*_major` column (float64, by the currency's ISO 4217 exponent) for reading and plotting. Nothing here adds
amounts across rows, so nothing can mix currencies; the metrics that do always group by currency.

    bills = frames.bills_frame(bills_as_of_the_day, as_of="2025-02-01", tz="Africa/Johannesburg")
    payments = frames.payments_frame(ledger.events_frame())
    balances = frames.balances_frame(ledger.versions("customer"), ledger.versions("account"))

`ledger.as_of(day, tz=...)` builds these for a day's state (`point_in_time`): use it for a day's figures.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from billkit import frame_dtypes, frame_money
from billkit.analysis import _as_of, _columns
from billkit.analysis._aging import AGING_BUCKETS, aging_bucket, days_past_due, open_mask

__all__ = [
    "AGING_BUCKETS",
    "AMOUNT_APPLIED",
    "OBLIGATION_TYPES",
    "balances_at",
    "balances_frame",
    "bills_frame",
    "payments_frame",
]

AMOUNT_APPLIED: Final = "obligation.amount_applied"
OBLIGATION_TYPES: Final = ("bill", "account", "customer")
_OBLIGATION_DTYPE: Final = pd.CategoricalDtype(list(OBLIGATION_TYPES))
_ENTITY_DTYPE: Final = pd.CategoricalDtype(["customer", "account"])


def bills_frame(bills: pd.DataFrame, *, as_of: _as_of.AsOfLike, tz: str = "UTC") -> pd.DataFrame:
    """Bills with major amounts and their standing as of a local calendar day.

    `bills` has one row per bill (`ledger.latest("bill")`): bill_id, customer_id, account_id, currency, status,
    amount_due, amount_paid, amount_remaining, bill_date, due_date; other columns are kept. `as_of` is a date
    ("2025-02-01") or an instant, read in `tz` (see `billkit.analysis._as_of.resolve`).

    Added columns:
      amount_due_major, amount_paid_major, amount_remaining_major: float64 major units.
      is_open: status "unpaid" and amount_remaining > 0 (voided and paid bills are closed).
      days_past_due: Int64, as_of day minus due date in whole days, for open bills with a due date
        (0 = due today, negative = not yet due); NA for closed bills and bills without a due date.
      is_due: open and due on or before the as_of day. is_overdue: open and due before it (days_past_due > 0).
      aging_bucket: ordered category current (not yet due, due today, or no due date), 1-30, 31-60, 61-90,
        90+ days past due; NA for closed bills.
    """
    frame = _columns.coerce(bills, _columns.BILLS, "bills")
    day = _as_of.resolve(as_of, tz).day
    is_open = open_mask(frame)
    past_due = days_past_due(frame["due_date"], day).where(is_open)
    known_past_due = past_due.to_numpy(dtype="int64", na_value=np.iinfo(np.int64).min)
    return frame.assign(
        amount_due_major=frame_money.to_major(frame["amount_due"], frame["currency"]),
        amount_paid_major=frame_money.to_major(frame["amount_paid"], frame["currency"]),
        amount_remaining_major=frame_money.to_major(frame["amount_remaining"], frame["currency"]),
        is_open=is_open,
        days_past_due=past_due,
        is_due=is_open & (known_past_due >= 0),
        is_overdue=is_open & (known_past_due > 0),
        aging_bucket=aging_bucket(past_due, is_open),
    )


def payments_frame(events: pd.DataFrame) -> pd.DataFrame:
    """Payments applied to obligations, one row per payment (its `payment_id`), oldest first.

    `events` is `ledger.events_frame()` (or any frame with its columns); other event types are left out. A
    payment is its payment_id: an event present twice (at-least-once delivery) or the same payment under a
    second event ID (a replay or redelivery) is one payment, dated by its earliest event, so every sum counts
    it once. Columns: event_id (the earliest event), application_id (`ob_...`), payment_id, obligation_type
    (bill, account or customer: what the payment was applied to; NA if the event names none), obligation_id,
    bill_id, account_id, customer_id, currency, amount (Int64 minor units), amount_major, created_at (UTC),
    events (how many events carried it) and replayed (more than one did).
    """
    frame = _columns.coerce(events, _columns.EVENTS, "events")
    applied_type = (frame["type"] == AMOUNT_APPLIED).to_numpy(dtype=bool, na_value=False)
    # Filtering copies every column; ledger frames usually need none, so skip it then.
    applied = frame if applied_type.all() else frame.loc[applied_type]
    _columns.require_values(applied, ("amount", "currency", "created_at"), "payment events")
    if not applied["created_at"].is_monotonic_increasing:
        applied = applied.sort_values("created_at", kind="stable")
    applied = applied.loc[~applied["event_id"].duplicated().to_numpy(dtype=bool)]
    codes, _ = pd.factorize(applied["payment_id"])
    # Events without a payment_id cannot be matched to another: each is a payment of its own.
    lone = codes < 0
    codes = np.where(lone, codes.max(initial=-1) + 1 + np.cumsum(lone), codes)
    seen_before = pd.Series(codes).duplicated().to_numpy(dtype=bool)
    carried = np.bincount(codes)[codes[~seen_before]]
    applied = applied.loc[~seen_before] if seen_before.any() else applied
    bill_id, account_id, customer_id = (
        applied["bill_id"],
        applied["account_id"],
        applied["customer_id"],
    )
    has_bill = bill_id.notna().to_numpy(dtype=bool)
    codes = np.where(has_bill, 0, -1)
    obligation_id = bill_id
    if not has_bill.all():  # most payments are for bills; look further only for the others
        has_account = account_id.notna().to_numpy(dtype=bool)
        has_customer = customer_id.notna().to_numpy(dtype=bool)
        codes = np.select([has_bill, has_account, has_customer], [0, 1, 2], default=-1)
        obligation_id = bill_id.fillna(account_id).fillna(customer_id)
    result = pd.DataFrame(
        {
            "event_id": applied["event_id"],
            "application_id": applied["data_id"],
            "payment_id": applied["payment_id"],
            "obligation_type": pd.Categorical.from_codes(codes, dtype=_OBLIGATION_DTYPE),
            "obligation_id": obligation_id,
            "bill_id": bill_id,
            "account_id": account_id,
            "customer_id": customer_id,
            "currency": applied["currency"],
            "amount": applied["amount"],
            "amount_major": frame_money.to_major(applied["amount"], applied["currency"]),
            "created_at": applied["created_at"],
            "events": pd.array(carried, dtype=frame_dtypes.MINOR),
            "replayed": carried > 1,
        },
        index=applied.index,
        copy=False,
    )
    return result.reset_index(drop=True)


def balances_frame(customers: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """Customer and account balances over time: one row per balance version, with when it held.

    `customers` and `accounts` are `ledger.versions("customer")` and `ledger.versions("account")` (or their
    `latest`): customers need customer_id, currency, balance, observed_at; accounts also account_id. `name`
    and `external_reference` are used for labels when present. Versions without a balance (entities that do not
    track one) are left out. Columns: entity (customer or account), entity_id, customer_id, account_id (NA for
    a customer's own balance), label (name, else external reference, else ID), customer_label, currency,
    balance (Int64; positive = owed, negative = credit), balance_major, observed_at (from when it held),
    superseded_at (until when; NaT while current). Customers' rows come first, then accounts', each in
    order of entity and time. When the versions carry `valid_from` (the ledger's: when each state began),
    that is when a balance starts to hold.
    """
    customers, accounts = (
        rows.assign(observed_at=rows["valid_from"]) if "valid_from" in rows.columns else rows
        for rows in (customers, accounts)
    )
    customer_rows = _columns.coerce(
        customers,
        {
            "customer_id": "id",
            "currency": "category",
            "balance": "minor",
            "observed_at": "timestamp",
        },
        "customers",
    )
    account_rows = _columns.coerce(
        accounts,
        {
            "account_id": "id",
            "customer_id": "id",
            "currency": "category",
            "balance": "minor",
            "observed_at": "timestamp",
        },
        "accounts",
    )
    customer_labels = _latest_labels(customer_rows, "customer_id")
    account_labels = _latest_labels(account_rows, "account_id")
    parts = []
    for entity, rows, id_column, labels in (
        ("customer", customer_rows, "customer_id", customer_labels),
        ("account", account_rows, "account_id", account_labels),
    ):
        timeline = _timeline(rows, id_column)
        timeline = timeline.loc[timeline["balance"].notna().to_numpy(dtype=bool)]
        entity_ids = timeline[id_column]
        parts.append(
            pd.DataFrame(
                {
                    "entity": pd.Categorical([entity] * len(timeline), dtype=_ENTITY_DTYPE),
                    "entity_id": entity_ids,
                    "customer_id": timeline["customer_id"],
                    "account_id": (
                        entity_ids
                        if entity == "account"
                        else pd.Series(pd.NA, index=timeline.index, dtype=frame_dtypes.STRING)
                    ),
                    "label": entity_ids.map(labels).astype(frame_dtypes.STRING),
                    "customer_label": timeline["customer_id"]
                    .map(customer_labels)
                    .astype(frame_dtypes.STRING)
                    .fillna(timeline["customer_id"]),
                    "currency": timeline["currency"].astype(str),
                    "balance": timeline["balance"],
                    "balance_major": frame_money.to_major(
                        timeline["balance"], timeline["currency"]
                    ),
                    "observed_at": timeline["observed_at"],
                    "superseded_at": timeline["superseded_at"],
                },
                index=timeline.index,
            )
        )
    combined = pd.concat(parts, ignore_index=True)
    return combined.assign(currency=combined["currency"].astype(frame_dtypes.CATEGORY))


def balances_at(balances: pd.DataFrame, *, as_of: _as_of.AsOfLike, tz: str = "UTC") -> pd.DataFrame:
    """The balance version in effect for each entity at `as_of` (end of that local day for a date).

    `balances` is `balances_frame(...)`; entities first observed after `as_of` are left out.
    """
    frame = _columns.coerce(
        balances, {"observed_at": "timestamp", "superseded_at": "timestamp"}, "balances"
    )
    at = _as_of.resolve(as_of, tz)
    started = at.counts(frame["observed_at"])
    not_ended = ~at.counts(frame["superseded_at"])
    return frame.loc[started & not_ended].reset_index(drop=True)


def _timeline(versions: pd.DataFrame, id_column: str) -> pd.DataFrame:
    """Versions ordered per entity, each with the time the next version replaced it."""
    ordered = versions.reset_index(drop=True)
    ids = ordered[id_column]
    observed = ordered["observed_at"].to_numpy(dtype="datetime64[ns]").astype("int64")
    same_entity = ids.eq(ids.shift()).to_numpy(dtype=bool, na_value=False)[1:]
    # ledger.versions() is already in this order; sort only what is not.
    if not (ids.is_monotonic_increasing and bool(np.all((np.diff(observed) >= 0) | ~same_entity))):
        ordered = ordered.sort_values([id_column, "observed_at"], kind="stable").reset_index(
            drop=True
        )
    same_next = ordered[id_column].eq(ordered[id_column].shift(-1)).fillna(False)
    return ordered.assign(
        superseded_at=ordered["observed_at"].shift(-1).where(same_next.to_numpy(dtype=bool))
    )


def _latest_labels(versions: pd.DataFrame, id_column: str) -> pd.Series:
    """Per entity, its latest name, else external reference, else ID: what a chart calls it."""
    if not versions["observed_at"].is_monotonic_increasing:
        versions = versions.sort_values("observed_at", kind="stable")
    latest = versions.drop_duplicates(id_column, keep="last")
    label = latest[id_column].astype(frame_dtypes.STRING)
    for column in ("external_reference", "name"):  # later wins: name over reference over ID
        if column in latest.columns:
            label = latest[column].astype(frame_dtypes.STRING).fillna(label)
    return pd.Series(label.to_numpy(), index=latest[id_column].to_numpy())
