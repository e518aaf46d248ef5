"""One-time form tokens: a double submission of the pay form pays once.

Showing the page writes nothing: its token is a random nonce signed (HMAC) for that one page, with a key
derived from the sandbox's API key. A submission that pays files its receipt under the token, in the same
transaction as the payment; the same token submitted again finds that receipt and shows it instead of
paying a second time. A token that was never issued, or was issued for another page, is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
from typing import Any

__all__ = ["ReceiptTable", "TokenSigner"]

_SIGNATURE_CHARS = 32


class TokenSigner:
    def __init__(self, api_key: str) -> None:
        self._key = hashlib.sha256(b"billkit hosted page tokens\0" + api_key.encode()).digest()

    def issue(self, target_id: str) -> str:
        nonce = secrets.token_urlsafe(16)
        return f"{nonce}.{self._sign(target_id, nonce)}"

    def valid(self, token: str, target_id: str) -> bool:
        nonce, _, signature = token.partition(".")
        return bool(nonce) and hmac.compare_digest(signature, self._sign(target_id, nonce))

    def _sign(self, target_id: str, nonce: str) -> str:
        message = f"{target_id}\0{nonce}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:_SIGNATURE_CHARS]


class ReceiptTable:
    """Receipts of payments made through the page, by the form token that made them."""

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
