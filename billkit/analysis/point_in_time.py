"""Frames as of an instant: the one path from what a ledger recorded to figures that are true on their day.

    day = ledger.as_of("2025-03-31", tz="Africa/Johannesburg")      # Ledger.as_of calls as_of_frames
    day.bills, day.payments, day.balances                            # the state at the end of that day
    day.aging(); day.dso(start="2025-03-01"); day.reconcile_bills()  # every metric over that state

Every billkit metric, chart, table and the payments report reads a day through this module. The state is the one
at the cutoff: the end of the as-of day in `tz` (the next local midnight, which itself belongs to the next day),
or the instant given. The rules:

* **Bills** exist once their bill_date has come: a bill dated after the as-of day does not exist yet. A bill
  without a bill_date exists from its first recorded state.
* **Payments** count by their event time, before the cutoff, and once per `payment_id`
  (`frames.payments_frame`): a redelivered or replayed event never counts twice.
* **A bill's amount_paid** is the payments applied to it in its currency before the cutoff, plus the part of the
  amount_paid its state records that no payment event explains (a manual PATCH), counted from when that state
  began. Its status is voided from the state that voided it, else paid when nothing remains, else unpaid.
* **When a state began** is the source's own time where the source knows it (the sandbox's
  `GET /_sandbox/versions`, which `Ledger.import_sandbox` reads), else when the ledger first observed it
  (Moment's objects carry no times). So a void, a PATCHed amount_paid or a balance reset seen only by a later
  observation counts from that observation; before an object's first recorded state, it is as that state shows,
  without its manual parts.
* **Balances** (customers and accounts) are the state in effect at the cutoff, less the payments applied to the
  balance after that state began; before an entity's first state, that state plus the payments made from the
  cutoff up to it. An entity whose first state began after the cutoff by the source's clock does not exist yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field, replace
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from billkit import frame_dtypes
from billkit.analysis import _as_of, _columns, _matching, frames, metrics, reconciliation

__all__ = ["AsOfFrames", "as_of_frames", "cutoff_of"]

_STATUS_DTYPE: Final = pd.CategoricalDtype(["unpaid", "paid", "voided"])
_STATE: Final[_columns.Schema] = {"valid_from": "timestamp"}
_NO_TIME: Final = np.iinfo(np.int64).min


@dataclass(frozen=True)
class AsOfFrames:
    """A ledger as it stood at one cutoff, and the metrics over it (each with the right day and period).

    at: the as-of day, its cutoff and time zone. bills: `frames.bills_frame` of the bills that existed, with
    their state at the cutoff (plus state_from: when that state began, NaT before the first). payments:
    `frames.payments_frame` of the payments before the cutoff, one row per payment. customers, accounts: each
    entity's state at the cutoff (balance adjusted by balance payments). balances: `frames.balances_frame` of
    those states, one row per entity.

    Each metric is computed once per set of frames and then shared (a report asks for the same day's
    reconciliation, days to pay and DSO from several sections): treat what the methods return as read-only.
    """

    at: _as_of.AsOf
    bills: pd.DataFrame
    payments: pd.DataFrame
    customers: pd.DataFrame
    accounts: pd.DataFrame
    balances: pd.DataFrame
    _computed: dict[Hashable, pd.DataFrame] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def _once(self, key: Hashable, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        if key not in self._computed:
            self._computed[key] = compute()
        return self._computed[key]

    @property
    def day(self) -> dt.date:
        return self.at.day.date()

    @property
    def tz(self) -> str:
        return self.at.tz

    def aging(self) -> pd.DataFrame:
        return self._once("aging", lambda: metrics.aging(self.bills, as_of=self.day, tz=self.tz))

    def dso(self, *, start: _as_of.AsOfLike | None = None, days: int | None = None) -> pd.DataFrame:
        """DSO over the period ending on the as-of day (receivables are at this frame's cutoff)."""
        return self._once(
            ("dso", start, days),
            lambda: metrics.dso(self.bills, end=self.day, start=start, days=days),
        )

    def collection_rate(self, *, start: _as_of.AsOfLike, end: _as_of.AsOfLike) -> pd.DataFrame:
        return self._once(
            ("collection_rate", start, end),
            lambda: metrics.collection_rate(self.bills, start=start, end=end),
        )

    def funnel(
        self, *, start: _as_of.AsOfLike | None = None, end: _as_of.AsOfLike | None = None
    ) -> pd.DataFrame:
        return self._once(
            ("funnel", start, end),
            lambda: metrics.collection_funnel(self.bills, start=start, end=end),
        )

    def days_to_pay(
        self, *, start: _as_of.AsOfLike | None = None, end: _as_of.AsOfLike | None = None
    ) -> pd.DataFrame:
        """Days to pay of the bills dated start..end (default: all) settled before the cutoff."""
        return self._once(
            ("days_to_pay", start, end),
            lambda: metrics.days_to_pay(
                self.bills, self.payments, tz=self.tz, start=start, end=end
            ),
        )

    def reconcile_bills(self) -> pd.DataFrame:
        return self._once(
            "reconcile_bills", lambda: reconciliation.reconcile_bills(self.bills, self.payments)
        )

    def reconcile_payments(
        self, *, window: dt.timedelta = reconciliation.DEFAULT_DOUBLE_PAYMENT_WINDOW
    ) -> pd.DataFrame:
        return self._once(
            ("reconcile_payments", window),
            lambda: reconciliation.reconcile_payments(
                self.payments,
                bills=self.bills,
                accounts=self.accounts,
                customers=self.customers,
                double_payment_window=window,
            ),
        )

    def outstanding_by_customer(self) -> pd.DataFrame:
        return self._once(
            "outstanding_by_customer", lambda: metrics.outstanding_by_customer(self.bills)
        )

    def narrowed(
        self,
        *,
        customer_id: str | None = None,
        account_id: str | None = None,
        currency: str | None = None,
    ) -> AsOfFrames:
        """The same day for one customer (and its accounts), one account, and/or one currency.

        An account's figures leave out its customer's own balance. Payments follow their obligations. The
        frames' `currency` categories are the currencies their rows hold.
        """
        bills, payments, customers, accounts = (
            self.bills,
            self.payments,
            self.customers,
            self.accounts,
        )
        if customer_id is not None:
            customers = customers.loc[_equals(customers["customer_id"], customer_id)]
            accounts = accounts.loc[_equals(accounts["customer_id"], customer_id)]
            bills = bills.loc[_equals(bills["customer_id"], customer_id)]
        if account_id is not None:
            customers = customers.iloc[0:0]
            accounts = accounts.loc[_equals(accounts["account_id"], account_id)]
            bills = bills.loc[_equals(bills["account_id"], account_id)]
        if currency is not None:
            customers, accounts, bills, payments = (
                frame.loc[_equals(frame["currency"], currency)]
                for frame in (customers, accounts, bills, payments)
            )
        if customer_id is not None or account_id is not None:
            payments = payments.loc[
                _within(payments["bill_id"], bills["bill_id"])
                | (
                    _within(payments["account_id"], accounts["account_id"])
                    & payments["bill_id"].isna().to_numpy()
                )
                | (
                    _within(payments["customer_id"], customers["customer_id"])
                    & payments["bill_id"].isna().to_numpy()
                    & payments["account_id"].isna().to_numpy()
                )
            ]
        balances = self.balances.loc[
            _within(self.balances["entity_id"], customers["customer_id"])
            | _within(self.balances["entity_id"], accounts["account_id"])
        ]
        return replace(
            self,
            bills=_own_currencies(bills),
            payments=_own_currencies(payments),
            customers=_own_currencies(customers),
            accounts=_own_currencies(accounts),
            balances=_own_currencies(balances),
        )


def as_of_frames(
    *,
    bill_versions: pd.DataFrame,
    events: pd.DataFrame,
    customer_versions: pd.DataFrame,
    account_versions: pd.DataFrame,
    as_of: _as_of.AsOfLike,
    tz: str = "UTC",
) -> AsOfFrames:
    """The frames as of `as_of` in `tz`, by the rules in this module's docstring.

    The inputs are what `Ledger.versions(kind)` and `Ledger.events_frame()` return (every state of every object,
    with valid_from and from_source; every event); `Ledger.as_of` passes them. Pure: nothing is read here.
    """
    at = _as_of.resolve(as_of, tz)
    every_payment = frames.payments_frame(events)
    # Its currencies are those of the payments made by then, whatever the ledger holds of later ones.
    payments = _own_currencies(every_payment.loc[at.counts(every_payment["created_at"])])
    bills = _bills_at(bill_versions, payments, at)
    customers = _balances_at(customer_versions, "customer_id", "customer", every_payment, at)
    accounts = _balances_at(account_versions, "account_id", "account", every_payment, at)
    return AsOfFrames(
        at=at,
        bills=frames.bills_frame(bills, as_of=as_of, tz=tz),
        payments=payments,
        customers=customers,
        accounts=accounts,
        balances=frames.balances_frame(customers, accounts),
    )


def _own_currencies(frame: pd.DataFrame) -> pd.DataFrame:
    """A narrowed frame renumbered, knowing only the currencies its rows hold: the same frame whether the
    ledger read everything or only what the narrowing keeps (`Ledger.as_of(currency=..., customer=...)`)."""
    frame = frame.reset_index(drop=True)
    currency = frame["currency"]
    if isinstance(currency.dtype, pd.CategoricalDtype):
        frame["currency"] = currency.cat.remove_unused_categories()
    return frame


def cutoff_of(as_of: _as_of.AsOfLike, tz: str = "UTC") -> pd.Timestamp:
    """The UTC instant before which events count for `as_of` in `tz` (what a reader may leave out after)."""
    return _as_of.resolve(as_of, tz).cutoff


def _equals(values: pd.Series, wanted: str) -> npt.NDArray[np.bool_]:
    return (values.astype(frame_dtypes.STRING) == wanted).to_numpy(dtype=bool, na_value=False)


def _within(values: pd.Series, allowed: pd.Series) -> npt.NDArray[np.bool_]:
    return values.isin(allowed.dropna()).to_numpy(dtype=bool, na_value=False)


def _nanoseconds(instants: pd.Series) -> npt.NDArray[np.int64]:
    values: npt.NDArray[np.int64] = instants.to_numpy(dtype="datetime64[ns]").view(np.int64)
    return values


@dataclass(frozen=True)
class _States:
    """Per object: the row of its state at the cutoff (or of its first state), and whether one was in effect."""

    rows: pd.DataFrame
    in_effect: npt.NDArray[np.bool_]


def _states_at(versions: pd.DataFrame, id_column: str, at: _as_of.AsOf) -> _States:
    codes, uniques = pd.factorize(versions[id_column])
    valid_from = _nanoseconds(versions["valid_from"])
    grouped = bool(np.all(codes[1:] >= codes[:-1]))
    if not grouped or not bool(
        np.all((valid_from[1:] >= valid_from[:-1]) | (codes[1:] != codes[:-1]))
    ):
        order = np.lexsort((valid_from, codes))
        versions, codes, valid_from = versions.take(order), codes[order], valid_from[order]
    count = len(uniques)
    positions = np.arange(len(codes))
    first = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else positions
    started = at.counts(versions["valid_from"])
    latest = np.full(count, -1, dtype=np.int64)
    np.maximum.at(latest, codes[started], positions[started])
    in_effect = latest >= 0
    chosen = np.where(in_effect, latest, first)
    if len(chosen) == len(versions) and np.array_equal(chosen, positions):
        return _States(
            versions.reset_index(drop=True), in_effect
        )  # one state each: nothing to pick
    return _States(versions.iloc[chosen].reset_index(drop=True), in_effect)


def _from_source(state: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Whether each state's valid_from is the source's time (frames not from a ledger: observations)."""
    if "from_source" not in state.columns:
        return np.zeros(len(state), dtype=bool)
    flags: npt.NDArray[np.bool_] = state["from_source"].to_numpy(dtype=bool, na_value=False)
    return flags


def _bills_at(versions: pd.DataFrame, payments: pd.DataFrame, at: _as_of.AsOf) -> pd.DataFrame:
    checked = _columns.coerce(versions, {**_columns.BILLS, **_STATE}, "bill_versions")
    states = _states_at(checked, "bill_id", at)
    state, in_effect = states.rows, states.in_effect
    dated = state["bill_date"].notna().to_numpy()
    from_source = _from_source(state)
    came = (state["bill_date"] <= at.day).to_numpy(dtype=bool, na_value=False)
    exists = np.where(dated, came, in_effect | ~from_source)
    if not exists.all():
        state = state.loc[exists].reset_index(drop=True)
        in_effect = in_effect[exists]

    rows = _matching.bill_rows(state, payments)
    counted = rows >= 0
    amounts = payments["amount"].to_numpy(dtype=np.int64, na_value=0)
    paid = np.zeros(len(state), dtype=np.int64)
    np.add.at(paid, rows[counted], amounts[counted])
    # What the state's own amount_paid holds beyond the payments made by the time it began: a manual change.
    began = _nanoseconds(state["valid_from"])
    explained = counted.copy()
    explained[counted] = _nanoseconds(payments["created_at"])[counted] <= began[rows[counted]]
    paid_by_then = np.zeros(len(state), dtype=np.int64)
    np.add.at(paid_by_then, rows[explained], amounts[explained])
    recorded_paid = state["amount_paid"].to_numpy(dtype=np.int64, na_value=0)
    manual = np.where(in_effect, recorded_paid - paid_by_then, 0)
    amount_due = state["amount_due"].to_numpy(dtype=np.int64, na_value=0)
    amount_paid = np.clip(paid + manual, 0, amount_due)
    voided = in_effect & (state["status"] == "voided").to_numpy(dtype=bool, na_value=False)
    status = np.where(voided, 2, np.where(amount_paid >= amount_due, 1, 0))
    return state.assign(
        status=pd.Categorical.from_codes(status, dtype=_STATUS_DTYPE),
        amount_paid=pd.array(amount_paid, dtype=frame_dtypes.MINOR),
        amount_remaining=pd.array(amount_due - amount_paid, dtype=frame_dtypes.MINOR),
        state_from=state["valid_from"].where(in_effect),
    ).drop(
        columns=[
            c for c in ("valid_from", "observed_at", "from_source", "superseded_at") if c in state
        ]
    )


def _balances_at(
    versions: pd.DataFrame, id_column: str, kind: str, payments: pd.DataFrame, at: _as_of.AsOf
) -> pd.DataFrame:
    checked = _columns.coerce(
        versions, {id_column: "id", "currency": "category", "balance": "minor", **_STATE}, kind
    )
    states = _states_at(checked, id_column, at)
    state, in_effect = states.rows, states.in_effect
    from_source = _from_source(state)
    exists = in_effect | ~from_source
    state, in_effect = state.loc[exists].reset_index(drop=True), in_effect[exists]
    mine = (payments["obligation_type"] == kind).to_numpy(dtype=bool, na_value=False)
    index = _matching.unique_index(state[id_column], f"{kind}s", f"ledger.versions('{kind}')")
    rows = np.full(len(payments), -1, dtype=np.intp)
    rows[mine] = _matching.positions(index, payments["obligation_id"].loc[mine])
    rows = np.where(
        _matching.same_currency(state["currency"], rows, payments["currency"]), rows, -1
    )
    counted = rows >= 0
    when = _nanoseconds(payments["created_at"])
    began = _nanoseconds(state["valid_from"])
    cutoff = at.cutoff.value
    theirs = np.full(len(rows), _NO_TIME, dtype=np.int64)
    theirs[counted] = began[rows[counted]]
    effective = np.zeros(len(rows), dtype=bool)
    effective[counted] = in_effect[rows[counted]]
    # In effect: payments after the state began and before the cutoff came off the balance since.
    since = counted & effective & (when > theirs) & (when < cutoff)
    # Before the first state: payments from the cutoff up to that state are not yet made.
    ahead = counted & ~effective & (when >= cutoff) & (when <= theirs)
    amounts = payments["amount"].to_numpy(dtype=np.int64, na_value=0)
    change = np.zeros(len(state), dtype=np.int64)
    np.add.at(change, rows[since], -amounts[since])
    np.add.at(change, rows[ahead], amounts[ahead])
    balance = state["balance"]
    adjusted = balance + pd.array(change, dtype=frame_dtypes.MINOR)
    return state.assign(
        balance=adjusted.where(balance.notna()),
        state_from=state["valid_from"].where(in_effect),
    ).drop(columns=[c for c in ("superseded_at",) if c in state])
