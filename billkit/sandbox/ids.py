"""Object IDs: a type prefix and 22 random letters and digits (about 130 bits), as Moment's IDs look."""

from __future__ import annotations

import base64
import secrets

__all__ = ["new_id"]

_LENGTH = 22
#: Dropped from the base64 text: bytes.translate deletes them in one C call (str.translate with a table
#: goes through a dict per character, most of the cost of an ID).
_NOT_ALPHANUMERIC = b"+/="


def new_id(prefix: str) -> str:
    """`new_id("bill_")` -> `bill_3kTMd9...`: unguessable, and long enough for every ID pattern Moment documents."""
    while True:
        # 32 random bytes give 43 base64 characters; dropping "+" and "/" leaves 22 or more almost always.
        chars = (
            base64.b64encode(secrets.token_bytes(32)).translate(None, _NOT_ALPHANUMERIC).decode()
        )
        if len(chars) >= _LENGTH:
            return prefix + chars[:_LENGTH]
