"""Standard Webhooks signatures, as Moment and the billkit sandbox send them (contract §5): standard library only.

The signed content is `{webhook-id}.{webhook-timestamp}.{raw body}` and a signature is `v1,` + base64 of its
HMAC-SHA256. The key is the base64-decoded part of a `whsec_...` secret, or the UTF-8 bytes of any other string.

`verify` checks the raw bytes before anything parses them; it checks the signature before the clock, so a
timestamp reason is only ever reported for an authentic message (a real clock or replay problem, not a forgery);
it accepts several secrets (the receiving side of a key rotation) and several signatures (the sending side),
compares in constant time, and every failure is a `WebhookVerificationError` with a machine-readable reason.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import string
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, TypeAlias

from billkit import keys
from billkit.errors import InvalidArgumentError
from billkit.webhooks._errors import WebhookVerificationError

__all__ = [
    "DEFAULT_TOLERANCE",
    "HeaderSource",
    "Secrets",
    "VerifiedDelivery",
    "generate_secret",
    "sign",
    "sign_headers",
    "signing_keys",
    "verify",
]

#: How far a delivery's timestamp may be from now, either way, before it is refused as a replay.
DEFAULT_TOLERANCE: Final = timedelta(minutes=5)
ID_HEADER: Final = "webhook-id"
TIMESTAMP_HEADER: Final = "webhook-timestamp"
SIGNATURE_HEADER: Final = "webhook-signature"
_VERSION: Final = "v1"
_DIGEST_SIZE: Final = hashlib.sha256().digest_size
#: 9999-12-31T23:59:59Z, the last second a datetime can hold; anything later is garbage, not a time.
_LATEST_TIMESTAMP: Final = 253_402_300_799
_MSG_ID_ALPHABET: Final = string.ascii_letters + string.digits

Secret: TypeAlias = str | bytes
#: One secret, or several during a rotation (any of them may have signed).
Secrets: TypeAlias = Secret | Sequence[Secret]
#: Request headers: any mapping (dict, Starlette `Headers`, ...) or (name, value) pairs; names in any case.
HeaderSource: TypeAlias = Mapping[str, str] | Iterable[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class VerifiedDelivery:
    """What `verify` established about an authentic delivery."""

    webhook_id: str
    #: When the sender signed it (`webhook-timestamp`), in UTC.
    timestamp: datetime
    #: Which of the given secrets matched: during a rotation, 0 for the first one listed.
    key_index: int


def generate_secret() -> str:
    """A new signing secret as the sandbox makes them: `whsec_` + base64 of 32 random bytes."""
    return keys.new_webhook_secret()


def _signing_key(secret: Secret) -> bytes:
    if not isinstance(secret, str | bytes):
        raise WebhookVerificationError(
            "invalid_secret", f"a secret must be str or bytes, not {type(secret).__name__}"
        )
    try:
        return keys.signing_key(secret)
    except ValueError as error:
        raise WebhookVerificationError("invalid_secret", str(error)) from None


def signing_keys(secret: Secrets) -> tuple[bytes, ...]:
    """The HMAC key of each secret (one, or several during a rotation), checked once up front."""
    given: Sequence[Secret] = [secret] if isinstance(secret, str | bytes) else secret
    if not isinstance(given, Sequence) or not given:
        raise WebhookVerificationError(
            "invalid_secret", "give a secret, or a non-empty list of secrets during a rotation"
        )
    return tuple(_signing_key(item) for item in given)


def _unix_seconds(value: int | datetime, what: str) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InvalidArgumentError(f"{what} must be timezone-aware (e.g. datetime.now(UTC))")
        return int(value.timestamp())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgumentError(f"{what} must be Unix seconds (int >= 0) or an aware datetime")
    return value


def _digest(key: bytes, msg_id: str, timestamp: str, payload: bytes) -> bytes:
    signed = f"{msg_id}.{timestamp}.".encode("utf-8", "surrogatepass") + payload
    return hmac.new(key, signed, hashlib.sha256).digest()


def _matching_key(keys: Sequence[bytes], candidates: Sequence[bytes], signed: bytes) -> int | None:
    for index, key in enumerate(keys):
        expected = hmac.new(key, signed, hashlib.sha256).digest()
        if any(hmac.compare_digest(expected, candidate) for candidate in candidates):
            return index
    return None


def _require_bytes(payload: object) -> bytes:
    if not isinstance(payload, bytes | bytearray | memoryview):
        raise InvalidArgumentError(
            f"payload must be the raw request body as bytes, not {type(payload).__name__}: "
            "signatures cover the exact bytes sent, so decoded or re-serialised JSON will not match"
        )
    return bytes(payload)


def sign(payload: bytes, *, secret: Secret, msg_id: str, timestamp: int | datetime) -> str:
    """The `webhook-signature` entry (`v1,<base64>`) for `payload` sent as `msg_id` at `timestamp`."""
    if not isinstance(msg_id, str) or not msg_id.strip():
        raise InvalidArgumentError("msg_id must be a non-empty string such as 'msg_...'")
    seconds = _unix_seconds(timestamp, "timestamp")
    digest = _digest(_signing_key(secret), msg_id, str(seconds), _require_bytes(payload))
    return f"{_VERSION},{base64.b64encode(digest).decode('ascii')}"


def sign_headers(
    payload: bytes,
    secret: Secrets,
    *,
    msg_id: str | None = None,
    timestamp: int | datetime | None = None,
) -> dict[str, str]:
    """The three Standard Webhooks headers for one delivery of `payload`, signed with each secret given.

    `msg_id` defaults to a fresh `msg_...` and `timestamp` to now: handy for testing your own endpoint.
    """
    msg_id = msg_id or "msg_" + "".join(secrets.choice(_MSG_ID_ALPHABET) for _ in range(24))
    seconds = _unix_seconds(int(time.time()) if timestamp is None else timestamp, "timestamp")
    given: Sequence[Secret] = [secret] if isinstance(secret, str | bytes) else secret
    signature = " ".join(
        sign(payload, secret=item, msg_id=msg_id, timestamp=seconds) for item in given
    )
    return {ID_HEADER: msg_id, TIMESTAMP_HEADER: str(seconds), SIGNATURE_HEADER: signature}


def tolerance_seconds(tolerance: float | timedelta) -> float:
    """`tolerance` (seconds or a timedelta) as seconds, refusing negative or non-numeric values."""
    if isinstance(tolerance, timedelta):
        seconds = tolerance.total_seconds()
    elif isinstance(tolerance, int | float) and not isinstance(tolerance, bool):
        seconds = float(tolerance)
    else:
        raise InvalidArgumentError(
            f"tolerance must be seconds or a timedelta, not {type(tolerance).__name__}"
        )
    if not seconds >= 0:  # also refuses NaN
        raise InvalidArgumentError(f"tolerance must be zero or more seconds, not {tolerance!r}")
    return seconds


def _now_seconds(now: datetime | float | None) -> float:
    if now is None:
        return time.time()
    if isinstance(now, datetime):
        if now.tzinfo is None:
            raise InvalidArgumentError("now must be timezone-aware (e.g. datetime.now(UTC))")
        return now.timestamp()
    if isinstance(now, int | float) and not isinstance(now, bool):
        return float(now)
    raise InvalidArgumentError(
        f"now must be an aware datetime or Unix seconds, not {type(now).__name__}"
    )


def _delivery_headers(headers: HeaderSource) -> tuple[str, str, str]:
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    single: dict[str, str] = {}
    signatures: list[str] = []
    for name, value in pairs:
        key = name.lower()
        if key == SIGNATURE_HEADER:
            signatures.append(value)
        # Two different ids or times in one request leave nothing trustworthy to check against.
        elif key in (ID_HEADER, TIMESTAMP_HEADER) and single.setdefault(key, value.strip()) != (
            value.strip()
        ):
            raise WebhookVerificationError(
                "duplicate_header", f"{key} appears more than once with different values"
            )
    values = {**single, SIGNATURE_HEADER: " ".join(signatures).strip()}
    missing = [h for h in (ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER) if not values.get(h)]
    if missing:
        raise WebhookVerificationError(
            "missing_header",
            f"missing or empty {', '.join(missing)}: is this a signed Standard Webhooks delivery?",
        )
    return values[ID_HEADER], values[TIMESTAMP_HEADER], values[SIGNATURE_HEADER]


def _parse_timestamp(value: str) -> int:
    digits = value.isascii() and value.isdigit() and len(value) <= len(str(_LATEST_TIMESTAMP))
    if not digits or int(value) > _LATEST_TIMESTAMP:
        raise WebhookVerificationError(
            "invalid_timestamp",
            f"{TIMESTAMP_HEADER} must be whole Unix seconds, got {value[:20]!r}",
        )
    return int(value)


def _candidate_signatures(header: str) -> list[bytes]:
    versions: set[str] = set()
    candidates: list[bytes] = []
    for entry in header.split():
        version, comma, encoded = entry.partition(",")
        if not (comma and version and encoded):
            continue
        versions.add(version)
        if version != _VERSION:
            continue  # other schemes (e.g. v1a, asymmetric) are allowed alongside; this checks v1
        try:
            decoded = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        if len(decoded) == _DIGEST_SIZE:
            candidates.append(decoded)
    if not versions:
        raise WebhookVerificationError(
            "invalid_signature_header",
            f"{SIGNATURE_HEADER} holds no entry shaped like 'v1,<base64>'",
        )
    if _VERSION not in versions:
        raise WebhookVerificationError(
            "unsupported_signature_version",
            f"{SIGNATURE_HEADER} has only {', '.join(sorted(versions))} entries; "
            "billkit checks v1 (HMAC-SHA256)",
        )
    if not candidates:
        raise WebhookVerificationError(
            "invalid_signature_header",
            f"no v1 entry in {SIGNATURE_HEADER} is base64 of a {_DIGEST_SIZE}-byte HMAC-SHA256",
        )
    return candidates


def _check_window(skew: float, tolerance: float) -> None:
    if skew > tolerance:
        raise WebhookVerificationError(
            "timestamp_too_old",
            f"signed {skew:.0f}s ago, beyond the {tolerance:g}s tolerance: a replay or a slow clock",
        )
    if -skew > tolerance:
        raise WebhookVerificationError(
            "timestamp_too_new",
            f"signed {-skew:.0f}s in the future, beyond the {tolerance:g}s tolerance: check the clocks",
        )


def verify_with_keys(
    payload: bytes,
    headers: HeaderSource,
    keys: Sequence[bytes],
    *,
    tolerance: float | None,
    now: datetime | float | None = None,
) -> VerifiedDelivery:
    """`verify` with keys from `signing_keys` and tolerance in seconds: for callers that verify many times."""
    body = _require_bytes(payload)
    msg_id, timestamp_text, signature_header = _delivery_headers(headers)
    timestamp = _parse_timestamp(timestamp_text)
    candidates = _candidate_signatures(signature_header)
    key_index = _matching_key(
        keys, candidates, f"{msg_id}.{timestamp_text}.".encode("utf-8", "surrogatepass") + body
    )
    if key_index is None:
        raise WebhookVerificationError(
            "no_matching_signature",
            f"no signature matches the body with the {len(keys)} secret(s) given: a wrong or "
            "rotated secret, or a body changed after signing (verify the raw bytes, not re-encoded JSON)",
        )
    if tolerance is not None:
        _check_window(_now_seconds(now) - timestamp, tolerance)
    return VerifiedDelivery(msg_id, datetime.fromtimestamp(timestamp, UTC), key_index)


def verify(
    payload: bytes,
    headers: HeaderSource,
    secret: Secrets,
    *,
    tolerance: float | timedelta | None = DEFAULT_TOLERANCE,
    now: datetime | float | None = None,
) -> VerifiedDelivery:
    """Check that `payload` (the raw body bytes) was signed with `secret` recently; raise if not.

    `secret` is a `whsec_...` secret, a raw string or bytes key, or a list of them during a rotation.
    `tolerance` (seconds or timedelta) bounds how old or how far in the future the timestamp may be
    (None skips that check: only for replaying stored deliveries or a sandbox whose clock was advanced);
    `now` (an aware datetime or Unix seconds) replaces the clock, for tests and replays of stored deliveries.
    Raises `WebhookVerificationError` whose `.reason` is one of `VERIFICATION_REASONS`.
    """
    return verify_with_keys(
        payload,
        headers,
        signing_keys(secret),
        tolerance=None if tolerance is None else tolerance_seconds(tolerance),
        now=now,
    )
