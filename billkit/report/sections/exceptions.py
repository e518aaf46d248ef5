"""Exceptions as a list: every bill or payment reconciliation flags, with its references, customer and amounts.

Kinds, in the order shown: underpaid (part paid, still open), overpaid, voided with a payment, unknown
obligation, currency mismatch, replayed (the same payment seen again; counted once) and possible double payment
(a different payment of the same amount on the same obligation minutes later; both counted).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from billkit import frame_dtypes
from billkit.analysis.point_in_time import AsOfFrames
from billkit.report.sections import _names
from billkit.report.table import CURRENCY, Table

__all__ = ["KINDS", "exceptions", "shown"]

KINDS: Final = (
    "Underpaid",
    "Overpaid",
    "Voided with payment",
    "Unknown obligation",
    "Currency mismatch",
    "Replayed",
    "Possible double payment",
)
_COLUMNS: Final = [
    "Exception",
    CURRENCY,
    "Customer",
    "Bill",
    "Payment",
    "Obligation",
    "Expected",
    "Applied",
    "Difference",
    "Note",
]


def _bill_rows(day: AsOfFrames) -> pd.DataFrame:
    bills = day.reconcile_bills()
    voided = (bills["status"] == "voided").to_numpy(dtype=bool, na_value=False)
    result = bills["result"]
    applied = bills["applied"].to_numpy(dtype="int64", na_value=0)
    kind = np.select(
        [
            voided & (applied > 0),
            (result == "underpaid").to_numpy(dtype=bool),
            (result == "overpaid").to_numpy(dtype=bool),
        ],
        ["Voided with payment", "Underpaid", "Overpaid"],
        default="",
    )
    listed = kind != ""
    flagged = bills.loc[listed]
    kind = kind[listed]
    if flagged.empty:
        return pd.DataFrame(columns=_COLUMNS)
    # reconcile_bills has a row per bill of day.bills, in its order: the references are taken by position
    # (a lookup by bill_id hashes every bill of the day).
    bill_ref = _names.bill_reference(day.bills.loc[listed])
    owner = _names.bill_owner(day, flagged)
    return pd.DataFrame(
        {
            "Exception": kind,
            CURRENCY: flagged["currency"].astype(str).to_numpy(),
            "Customer": _names.customer_name(day, owner).to_numpy(),
            "Bill": bill_ref.to_numpy(),
            "Payment": pd.NA,
            "Obligation": flagged["bill_id"].astype("string").to_numpy(),
            "Expected": flagged["expected"].to_numpy(),
            "Applied": flagged["applied"].to_numpy(),
            "Difference": flagged["difference"].to_numpy(),
            "Note": [
                f"{count} payment(s); the bill says {paid} paid"
                if not matches
                else f"{count} payment(s)"
                for count, paid, matches in zip(
                    flagged["payments"].tolist(),
                    flagged["amount_paid"].tolist(),
                    flagged["matches_bill"].tolist(),
                    strict=True,
                )
            ],
        }
    )


def _payment_rows(day: AsOfFrames) -> pd.DataFrame:
    payments = day.reconcile_payments()
    checks = {
        "Unknown obligation": "unknown_obligation",
        "Currency mismatch": "currency_mismatch",
        "Replayed": "replayed",
        "Possible double payment": "possible_double_payment",
    }
    parts = []
    bills = day.bills.set_index(day.bills["bill_id"].astype("string"))
    for kind, column in checks.items():
        rows = payments.loc[payments[column].to_numpy(dtype=bool, na_value=False)]
        if rows.empty:
            continue
        customer = (
            rows["customer_id"]
            .astype("string")
            .fillna(rows["bill_id"].astype("string").map(bills["customer_id"]).astype("string"))
        )
        notes = {
            "Unknown obligation": "no such bill, account or customer in the ledger",
            "Currency mismatch": "paid in another currency than the obligation's; not counted",
            "Replayed": "",
            "Possible double payment": "",
        }
        note = (
            [f"seen in {int(n)} events; counted once" for n in rows["events"]]
            if kind == "Replayed"
            else [f"same amount as {other}" for other in rows["double_of"].astype("string")]
            if kind == "Possible double payment"
            else [notes[kind]] * len(rows)
        )
        bill_ref = rows["bill_id"].astype("string").map(_names.bill_references(day))
        parts.append(
            pd.DataFrame(
                {
                    "Exception": kind,
                    CURRENCY: rows["currency"].astype(str).to_numpy(),
                    "Customer": _names.customer_name(day, customer).to_numpy(),
                    "Bill": bill_ref.to_numpy(),
                    "Payment": rows["payment_id"].astype("string").to_numpy(),
                    "Obligation": rows["obligation_id"].astype("string").to_numpy(),
                    "Expected": pd.NA,
                    "Applied": rows["amount"].to_numpy(),
                    "Difference": pd.NA,
                    "Note": note,
                }
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=_COLUMNS)


def exceptions(day: AsOfFrames) -> Table:
    """Every exception of the as-of day, grouped by kind (in `KINDS` order), with references and amounts."""
    parts = [part for part in (_bill_rows(day), _payment_rows(day)) if not part.empty]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=_COLUMNS)
    frame["Exception"] = pd.Categorical(frame["Exception"], categories=list(KINDS), ordered=True)
    frame = frame.sort_values(["Exception", CURRENCY, "Customer"], kind="stable").reset_index(
        drop=True
    )
    frame["Exception"] = frame["Exception"].astype(str)
    frame = frame.astype(dict.fromkeys(("Expected", "Applied", "Difference"), frame_dtypes.MINOR))
    return Table(
        name="exceptions",
        title="Exceptions",
        frame=frame[_COLUMNS],
        empty="No exception: every bill is paid as billed or still open, and every payment matches a "
        "known obligation in its currency, once.",
        money=("Expected", "Applied", "Difference"),
        wide=("Bill", "Payment", "Obligation", "Note"),
    )


def shown(table: Table, *, rows: int) -> Table:
    """The exceptions as the report shows them: of each kind and currency, the `rows` largest (by difference,
    else by amount applied) in the table's order, then one line for the rest, how many and their sums."""
    return table.bounded(
        rows,
        label="Customer",
        noun="exception",
        by=("Difference", "Applied"),
        within=("Exception",),
    )
