"""Collect payment requests, kept whole as JSON and found by ID or external_reference (which is optional)."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from billkit.sandbox.domain.errors import DuplicateReference
from billkit.sandbox.store.objects import dumps, loads

__all__ = ["PaymentRequestTable"]


class PaymentRequestTable:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def find(self, reference: str) -> dict[str, Any] | None:
        row = self._connection.execute(
            "SELECT object FROM payment_requests WHERE id = ?", (reference,)
        ).fetchone()
        if row is None:
            row = self._connection.execute(
                "SELECT object FROM payment_requests WHERE external_reference = ?", (reference,)
            ).fetchone()
        return None if row is None else loads(row[0])

    def insert(self, request: Mapping[str, Any]) -> None:
        self._write(
            "INSERT INTO payment_requests (external_reference, object, id) VALUES (?, ?, ?)",
            request,
        )

    def update(self, request: Mapping[str, Any]) -> None:
        self._write(
            "UPDATE payment_requests SET external_reference = ?, object = ? WHERE id = ?", request
        )

    def _write(self, sql: str, request: Mapping[str, Any]) -> None:
        reference = request.get("external_reference")
        try:
            self._connection.execute(sql, (reference, dumps(request), request["id"]))
        except sqlite3.IntegrityError:
            raise DuplicateReference("payment request", str(reference)) from None
