"""Moment's API keys and webhook signing secrets: the one home of their rules.

Every part of billkit that takes, makes, checks or shows a key or a secret uses this module: the client's
settings, the sandbox's settings and its Bearer check, the notebooks' parameters and webhook signing.

Formats (Moment's documentation; the sandbox contract §2 and §5):

* API keys are `sk_test_…` and `sk_…` (secret keys, for servers) and `pk_test_…` and `pk_…` (public keys,
  for browsers); the `_test_` ones are test mode, the others live mode, where requests move real money.
  The part after the prefix is letters, digits, `_` or `-`.
* Webhook signing secrets are issued as `whsec_` + base64 of 24 to 64 random bytes (Standard Webhooks);
  billkit makes them with 32. A verifier also accepts a secret in any other form as its UTF-8 bytes, since
  Moment does not state the format (`signing_key`).

Masking: a key or secret is shown as its prefix and last four characters (`sk_test_…7dc`), which is enough
for a person to tell two keys apart and useless to anyone who reads a log or a notebook output. `redact`
masks one value, `scrub` every value given and anything shaped like a key or secret in a text.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from secrets import token_bytes, token_urlsafe
from typing import Final

__all__ = [
    "PUBLIC_PREFIX",
    "SECRET_PREFIX",
    "TEST_PUBLIC_PREFIX",
    "TEST_SECRET_PREFIX",
    "WEBHOOK_SECRET_PREFIX",
    "KeyKind",
    "KeyType",
    "api_key_type",
    "is_well_formed_api_key",
    "new_test_api_key",
    "new_webhook_secret",
    "redact",
    "scrub",
    "signing_key",
    "webhook_secret_problem",
]

SECRET_PREFIX: Final = "sk_"
PUBLIC_PREFIX: Final = "pk_"
TEST_SECRET_PREFIX: Final = "sk_test_"
TEST_PUBLIC_PREFIX: Final = "pk_test_"
WEBHOOK_SECRET_PREFIX: Final = "whsec_"

#: Standard Webhooks secrets carry 24 to 64 random bytes; billkit generates 32.
WEBHOOK_SECRET_BYTES: Final = range(24, 65)
_GENERATED_SECRET_BYTES: Final = 32
_GENERATED_KEY_BYTES: Final = 24

_KEY_BODY = re.compile(r"[A-Za-z0-9_-]+")
# Longest first, so a test key is labelled as one. The text pattern's body takes "_", so its short prefixes
# cover test and live keys alike; redact() picks the label.
_API_KEY_PREFIXES: Final = (TEST_SECRET_PREFIX, TEST_PUBLIC_PREFIX, SECRET_PREFIX, PUBLIC_PREFIX)
_MASK_PREFIXES: Final = (
    TEST_SECRET_PREFIX,
    TEST_PUBLIC_PREFIX,
    WEBHOOK_SECRET_PREFIX,
    SECRET_PREFIX,
    PUBLIC_PREFIX,
)
_SECRET_IN_TEXT = re.compile(r"\b(?:sk_|pk_|whsec_)[A-Za-z0-9+/=_-]{8,}")
_VISIBLE_TAIL: Final = 4


class KeyKind(Enum):
    """Moment's two kinds of key: secret keys for servers, public keys for browsers."""

    SECRET = "secret"
    PUBLIC = "public"


@dataclass(frozen=True, slots=True)
class KeyType:
    """What a well-formed API key is: secret or public, test or live mode."""

    kind: KeyKind
    live: bool

    @property
    def is_test_secret(self) -> bool:
        """The only kind the sandbox accepts, and the kind billing calls need in test mode."""
        return self.kind is KeyKind.SECRET and not self.live


def api_key_type(key: str) -> KeyType | None:
    """The kind and mode of `key` by its prefix, or None when it has none of Moment's key prefixes.

    Only the prefix counts here, so a refusal can say "a live key" or "a public key" even of a mangled
    one; `is_well_formed_api_key` checks the rest.
    """
    if not key.startswith((SECRET_PREFIX, PUBLIC_PREFIX)):
        return None
    kind = KeyKind.PUBLIC if key.startswith(PUBLIC_PREFIX) else KeyKind.SECRET
    return KeyType(kind=kind, live=not key.startswith((TEST_SECRET_PREFIX, TEST_PUBLIC_PREFIX)))


def is_well_formed_api_key(key: str) -> bool:
    """Whether `key` is a Moment prefix followed by letters, digits, `_` or `-` (and nothing else)."""
    prefix = next((p for p in _API_KEY_PREFIXES if key.startswith(p)), None)
    return prefix is not None and _KEY_BODY.fullmatch(key[len(prefix) :]) is not None


def new_test_api_key() -> str:
    """A new secret test key, as the sandbox makes its own: `sk_test_` and 32 URL-safe characters."""
    return TEST_SECRET_PREFIX + token_urlsafe(_GENERATED_KEY_BYTES)


def new_webhook_secret() -> str:
    """A new signing secret: `whsec_` + base64 of 32 random bytes."""
    return WEBHOOK_SECRET_PREFIX + base64.b64encode(token_bytes(_GENERATED_SECRET_BYTES)).decode(
        "ascii"
    )


def webhook_secret_problem(secret: str) -> str | None:
    """What keeps `secret` from being a signing secret as Moment and the sandbox issue them, or None.

    The words name no value, so callers put the masked secret (or the option's name) in front of them.
    """
    if not secret.startswith(WEBHOOK_SECRET_PREFIX):
        return f"must start with {WEBHOOK_SECRET_PREFIX}"
    try:
        key = base64.b64decode(secret[len(WEBHOOK_SECRET_PREFIX) :], validate=True)
    except binascii.Error:
        return f"must be {WEBHOOK_SECRET_PREFIX} followed by base64"
    if len(key) not in WEBHOOK_SECRET_BYTES:
        return (
            f"must encode {WEBHOOK_SECRET_BYTES.start} to {WEBHOOK_SECRET_BYTES.stop - 1} bytes, "
            f"not {len(key)}"
        )
    return None


def signing_key(secret: str | bytes) -> bytes:
    """The HMAC key a verifier uses for `secret`: the decoded part of `whsec_…`, else the UTF-8 bytes.

    Raises ValueError (with words that show no part of the secret) for an undecodable or empty secret.
    """
    if isinstance(secret, bytes):
        key = secret
    else:
        text = secret.strip()
        if text.startswith(WEBHOOK_SECRET_PREFIX):
            encoded = text[len(WEBHOOK_SECRET_PREFIX) :]
            try:
                # Some senders drop base64 padding; restore it rather than refuse the secret.
                key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
            except (binascii.Error, ValueError):
                raise ValueError(
                    f"the part after {WEBHOOK_SECRET_PREFIX!r} is not base64"
                ) from None
        else:
            key = secret.encode("utf-8")
    if not key:
        raise ValueError("the secret is empty")
    return key


def redact(secret: str | None) -> str:
    """Return `secret` masked for display; empty or missing secrets read as `<none>`."""
    if not secret:
        return "<none>"
    prefix = next((p for p in _MASK_PREFIXES if secret.startswith(p)), "")
    body = secret[len(prefix) :]
    if len(body) <= _VISIBLE_TAIL * 2:
        return f"{prefix}…"
    return f"{prefix}…{body[-_VISIBLE_TAIL:]}"


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Mask every secret given and anything shaped like a Moment key or webhook secret in `text`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, redact(secret))
    return _SECRET_IN_TEXT.sub(lambda match: redact(match.group(0)), text)
