"""Receipts of hosted-page payments, filed under the one-time form token that made them, so a second
submission of the same form shows its receipt instead of paying again (contract §7)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

__all__ = ["PageReceipts"]


class PageReceipts:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def find(self, token: str) -> dict[str, Any] | None:
        row = self._connection.execute(
            "SELECT receipt FROM page_receipts WHERE token = ?", (token,)
        ).fetchone()
        if row is None:
            return None
        receipt: dict[str, Any] = json.loads(row[0])
        return receipt

    def add(self, token: str, target_id: str, receipt: dict[str, Any], *, now: float) -> None:
        self._connection.execute(
            "INSERT INTO page_receipts (token, target_id, receipt, created_at) VALUES (?, ?, ?, ?)",
            (token, target_id, json.dumps(receipt, ensure_ascii=False), now),
        )
