"""Received events as a pandas DataFrame with explicit dtypes (the same ones every billkit frame uses).

pandas is imported here only, and this module only when `.events` is first read, so `import billkit` stays light.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

import pandas as pd

from billkit import frame_dtypes
from billkit.webhooks.events import ObligationAmountApplied, PaymentRequestEvent, WebhookEvent
from billkit.webhooks.stores import ReceivedEvent

__all__ = ["EVENT_COLUMNS", "events_frame"]

#: column -> dtype, in order. `body` is the whole event as a dict; `metadata` the payment's metadata.
EVENT_COLUMNS: Final[dict[str, Any]] = {
    "event_id": frame_dtypes.STRING,
    "type": frame_dtypes.CATEGORY,
    "received_at": frame_dtypes.TIMESTAMP,
    "created_at": frame_dtypes.TIMESTAMP,
    "amount": frame_dtypes.MINOR,
    "currency": frame_dtypes.CATEGORY,
    "obligation_type": frame_dtypes.CATEGORY,
    "obligation_id": frame_dtypes.STRING,
    "bill_id": frame_dtypes.STRING,
    "account_id": frame_dtypes.STRING,
    "customer_id": frame_dtypes.STRING,
    "payment_id": frame_dtypes.STRING,
    "data_id": frame_dtypes.STRING,
    "metadata": object,
    "body": object,
}


def _row(event: WebhookEvent, received_at: datetime) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(EVENT_COLUMNS)
    row.update(event_id=event.id, type=event.type, received_at=received_at, body=event.to_dict())
    if isinstance(event, ObligationAmountApplied):
        data = event.data
        row.update(
            created_at=data.created_at,
            amount=data.amount,
            currency=data.currency,
            obligation_type=data.obligation_type,
            obligation_id=data.obligation_id,
            bill_id=data.bill_id,
            account_id=data.account_id,
            customer_id=data.customer_id,
            payment_id=data.payment_id,
            data_id=data.id,
            metadata=dict(data.metadata),
        )
    elif isinstance(event, PaymentRequestEvent):
        request = event.data
        row.update(
            created_at=request.updated_at or request.created_at,
            amount=request.amount,
            currency=request.currency,
            payment_id=request.payment_id,
            data_id=request.id,
            metadata=dict(request.metadata),
        )
    return row


def _column(values: list[Any], dtype: Any) -> pd.Series:
    if dtype is frame_dtypes.TIMESTAMP:
        return pd.Series(pd.to_datetime(values, utc=True), dtype=dtype)
    column: pd.Series = pd.Series(values, dtype=dtype)
    return column


def events_frame(records: Sequence[ReceivedEvent]) -> pd.DataFrame:
    """One row per recorded event, in the order received; the same columns and dtypes when empty."""
    rows = [_row(record.event, record.received_at) for record in records]
    return pd.DataFrame(
        {
            name: _column([row[name] for row in rows], dtype)
            for name, dtype in EVENT_COLUMNS.items()
        },
        index=pd.RangeIndex(len(rows)),
    )
