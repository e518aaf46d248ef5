"""Who is who: customer and account names and references for the report's rows, from the as-of frames."""

from __future__ import annotations

import pandas as pd

from billkit.analysis.point_in_time import AsOfFrames


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column in frame.columns:
        return frame[column].astype("string")
    return pd.Series(pd.NA, index=frame.index, dtype="string")


def customers(day: AsOfFrames) -> pd.DataFrame:
    """customer_id -> name (its name, else its reference, else its ID) and reference."""
    frame = day.customers
    ids = frame["customer_id"].astype("string")
    reference = _text(frame, "external_reference")
    name = _text(frame, "name").fillna(reference).fillna(ids)
    return pd.DataFrame({"name": name.to_numpy(), "reference": reference.to_numpy()}, index=ids)


def accounts(day: AsOfFrames) -> pd.DataFrame:
    """account_id -> customer_id, name and reference."""
    frame = day.accounts
    ids = frame["account_id"].astype("string")
    reference = _text(frame, "external_reference")
    name = _text(frame, "name").fillna(reference).fillna(ids)
    return pd.DataFrame(
        {
            "customer_id": frame["customer_id"].astype("string").to_numpy(),
            "name": name.to_numpy(),
            "reference": reference.to_numpy(),
        },
        index=ids,
    )


def bill_owner(day: AsOfFrames, bills: pd.DataFrame) -> pd.Series:
    """Each bill's customer_id, through its account where the bill names only the account."""
    owner = bills["customer_id"].astype("string")
    via_account = bills["account_id"].astype("string").map(accounts(day)["customer_id"])
    return owner.fillna(via_account.astype("string"))


def customer_name(day: AsOfFrames, customer_ids: pd.Series) -> pd.Series:
    """Names for `customer_ids` (the ID itself for a customer the ledger never recorded)."""
    names = customer_ids.astype("string").map(customers(day)["name"]).astype("string")
    return names.fillna(customer_ids.astype("string"))


def bill_reference(bills: pd.DataFrame) -> pd.Series:
    """A bill as people name it: its external_reference, else its ID."""
    return _text(bills, "external_reference").fillna(bills["bill_id"].astype("string"))


def bill_references(day: AsOfFrames) -> pd.Series:
    """bill_id -> the bill's reference (`bill_reference`), for the bills of the day."""
    bills = day.bills
    return pd.Series(bill_reference(bills).to_numpy(), index=bills["bill_id"].astype("string"))
