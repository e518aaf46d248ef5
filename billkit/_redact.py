"""Masking of API keys and webhook secrets: the one place billkit decides how a secret is shown.

A secret is shown as its kind prefix and last four characters (`sk_test_…7dc`), which is enough for a
person to tell two keys apart and useless to anyone who reads a log or a notebook output.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_PREFIXES = ("sk_test_", "pk_test_", "whsec_", "sk_", "pk_")
# The body's class takes "_", so the short prefixes cover test and live keys alike; redact() picks the label.
_SECRET_PATTERN = re.compile(r"\b(?:sk_|pk_|whsec_)[A-Za-z0-9+/=_-]{8,}")
_VISIBLE_TAIL = 4


def redact(secret: str | None) -> str:
    """Return `secret` masked for display; empty or missing secrets read as `<none>`."""
    if not secret:
        return "<none>"
    prefix = next((p for p in _PREFIXES if secret.startswith(p)), "")
    body = secret[len(prefix) :]
    if len(body) <= _VISIBLE_TAIL * 2:
        return f"{prefix}…"
    return f"{prefix}…{body[-_VISIBLE_TAIL:]}"


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Mask every known secret and anything shaped like a Moment key or webhook secret in `text`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, redact(secret))
    return _SECRET_PATTERN.sub(lambda match: redact(match.group(0)), text)
