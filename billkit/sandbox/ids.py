"""Object IDs: a type prefix and 22 random letters and digits (128 bits), as Moment's IDs look."""

from __future__ import annotations

import secrets
import string

__all__ = ["new_id"]

_ALPHABET = string.digits + string.ascii_letters
_LENGTH = 22  # 62**22 > 2**128, so every 128-bit value fits


def new_id(prefix: str) -> str:
    """`new_id("bill_")` -> `bill_3kTMd9...`: unguessable, and long enough for every ID pattern Moment documents."""
    value = int.from_bytes(secrets.token_bytes(16), "big")
    chars = []
    for _ in range(_LENGTH):
        value, digit = divmod(value, 62)
        chars.append(_ALPHABET[digit])
    return prefix + "".join(chars)
