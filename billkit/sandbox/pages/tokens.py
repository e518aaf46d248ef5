"""One-time form tokens: a double submission of the pay form pays once.

Showing the page writes nothing: its token is a random nonce signed (HMAC) for that one page, with a key
derived from the sandbox's API key. A submission that pays files its receipt under the token (`store.page_receipts`),
in the same transaction as the payment; the same token submitted again finds that receipt and shows it instead of
paying a second time. A token that was never issued, or was issued for another page, is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = ["TokenSigner"]

_SIGNATURE_CHARS = 32


class TokenSigner:
    def __init__(self, api_key: str) -> None:
        self._key = hashlib.sha256(b"billkit hosted page tokens\0" + api_key.encode()).digest()

    def issue(self, target_id: str) -> str:
        nonce = secrets.token_urlsafe(16)
        return f"{nonce}.{self._sign(target_id, nonce)}"

    def valid(self, token: str, target_id: str) -> bool:
        nonce, _, signature = token.partition(".")
        # compare_digest takes str only when ASCII; a forged token may hold anything (%C3%A9), so bytes.
        given = signature.encode("utf-8", "surrogatepass")
        return bool(nonce) and hmac.compare_digest(given, self._sign(target_id, nonce).encode())

    def _sign(self, target_id: str, nonce: str) -> str:
        message = f"{target_id}\0{nonce}".encode("utf-8", "surrogatepass")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:_SIGNATURE_CHARS]
