"""Object IDs: a type prefix and 22 random letters and digits (about 130 bits), as Moment's IDs look."""

from __future__ import annotations

import base64
import secrets

__all__ = ["new_id"]

_LENGTH = 22
_NOT_ALPHANUMERIC = str.maketrans("", "", "+/=")


def new_id(prefix: str) -> str:
    """`new_id("bill_")` -> `bill_3kTMd9...`: unguessable, and long enough for every ID pattern Moment documents."""
    while True:
        # 32 random bytes give 43 base64 characters; dropping "+" and "/" leaves 22 or more almost always.
        chars = (
            base64.b64encode(secrets.token_bytes(32)).decode("ascii").translate(_NOT_ALPHANUMERIC)
        )
        if len(chars) >= _LENGTH:
            return prefix + chars[:_LENGTH]
