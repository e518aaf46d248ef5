"""sign / verify: the contract's scheme, every failure reason, tolerance both ways, rotation, secret forms,
and interoperation with the `standardwebhooks` package in both directions."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from standardwebhooks.webhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError as StandardVerificationError

from billkit.errors import BillkitError, InvalidArgumentError
from billkit.webhooks import (
    VERIFICATION_REASONS,
    WebhookVerificationError,
    generate_secret,
    sign,
    sign_headers,
    verify,
)

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
BODY = b'{"id":"evt_1","type":"obligation.amount_applied","data":{}}'
NOW = 1_736_935_200  # 2025-01-15T10:00:00Z


def headers_at(timestamp: int = NOW, secret: str | list[str] = SECRET) -> dict[str, str]:
    return sign_headers(BODY, secret, msg_id="msg_2LqFZ7TtVd3gXz9kPw4Hc1", timestamp=timestamp)


def reason_of(body: bytes, headers: object, secret: object = SECRET, **kwargs: object) -> str:
    with pytest.raises(WebhookVerificationError) as caught:
        verify(body, headers, secret, now=NOW, **kwargs)  # type: ignore[arg-type]
    assert caught.value.reason in VERIFICATION_REASONS
    return caught.value.reason


def test_signature_is_the_contract_hmac_over_id_timestamp_and_body() -> None:
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    expected = hmac.new(key, b"msg_1.1736935200." + BODY, hashlib.sha256).digest()
    assert sign(BODY, secret=SECRET, msg_id="msg_1", timestamp=NOW) == (
        "v1," + base64.b64encode(expected).decode()
    )


def test_round_trip_returns_what_was_verified() -> None:
    verified = verify(BODY, headers_at(), SECRET, now=NOW)
    assert verified.webhook_id == "msg_2LqFZ7TtVd3gXz9kPw4Hc1"
    assert verified.timestamp == datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
    assert verified.key_index == 0


def test_header_names_are_case_insensitive_and_pairs_are_accepted() -> None:
    headers = {name.title(): value for name, value in headers_at().items()}
    assert verify(BODY, headers, SECRET, now=NOW).key_index == 0
    assert verify(BODY, list(headers_at().items()), SECRET, now=NOW).key_index == 0


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_each_missing_header_is_named(missing: str) -> None:
    headers = headers_at()
    del headers[missing]
    with pytest.raises(WebhookVerificationError, match=missing) as caught:
        verify(BODY, headers, SECRET, now=NOW)
    assert caught.value.reason == "missing_header"


def test_an_empty_header_counts_as_missing() -> None:
    assert reason_of(BODY, headers_at() | {"webhook-signature": "  "}) == "missing_header"


def test_two_different_ids_in_one_request_are_refused() -> None:
    pairs = [*headers_at().items(), ("Webhook-Id", "msg_other")]
    assert reason_of(BODY, pairs) == "duplicate_header"


@pytest.mark.parametrize(
    "timestamp",
    ["soon", "1736935200.5", "-1736935200", "+1736935200", "1e9", "١٧٣٦٩٣٥٢٠٠", "9" * 13],
)
def test_a_timestamp_that_is_not_unix_seconds_is_refused(timestamp: str) -> None:
    assert reason_of(BODY, headers_at() | {"webhook-timestamp": timestamp}) == "invalid_timestamp"


def test_a_timestamp_past_the_calendar_is_refused_not_crashed_on() -> None:
    assert (
        reason_of(BODY, headers_at() | {"webhook-timestamp": "999999999999"}) == "invalid_timestamp"
    )


@pytest.mark.parametrize("signature", ["garbage", "v1", ",abc", "v1,"])
def test_a_signature_header_with_no_version_entry_is_malformed(signature: str) -> None:
    headers = headers_at() | {"webhook-signature": signature}
    assert reason_of(BODY, headers) == "invalid_signature_header"


def test_v1_entries_that_are_not_an_hmac_are_malformed() -> None:
    headers = headers_at() | {"webhook-signature": "v1,not*base64 v1,c2hvcnQ="}
    assert reason_of(BODY, headers) == "invalid_signature_header"


def test_only_other_signature_schemes_is_unsupported() -> None:
    headers = headers_at() | {"webhook-signature": "v1a,bm90IGNoZWNrZWQ="}
    assert reason_of(BODY, headers) == "unsupported_signature_version"


def test_other_schemes_next_to_a_valid_v1_are_ignored() -> None:
    signature = headers_at()["webhook-signature"]
    headers = headers_at() | {"webhook-signature": f"v1a,bm90IGNoZWNrZWQ= {signature} v2,x"}
    assert verify(BODY, headers, SECRET, now=NOW).key_index == 0


def test_a_tampered_body_is_refused() -> None:
    assert reason_of(BODY.replace(b"evt_1", b"evt_2"), headers_at()) == "no_matching_signature"


def test_a_wrong_secret_is_refused() -> None:
    assert reason_of(BODY, headers_at(), OTHER_SECRET) == "no_matching_signature"


def test_a_changed_id_or_timestamp_breaks_the_signature() -> None:
    assert reason_of(BODY, headers_at() | {"webhook-id": "msg_replayed"}) == "no_matching_signature"
    assert reason_of(BODY, headers_at() | {"webhook-timestamp": str(NOW + 1)}) == (
        "no_matching_signature"
    )


def test_the_signature_is_checked_before_the_clock() -> None:
    # A forged, stale message is reported as forged: a timestamp reason always means an authentic message.
    assert reason_of(BODY, headers_at(NOW - 3600), OTHER_SECRET) == "no_matching_signature"


def test_tolerance_applies_in_both_directions_inclusive_at_the_edge() -> None:
    assert verify(BODY, headers_at(NOW - 300), SECRET, now=NOW).key_index == 0
    assert verify(BODY, headers_at(NOW + 300), SECRET, now=NOW).key_index == 0
    assert reason_of(BODY, headers_at(NOW - 301)) == "timestamp_too_old"
    assert reason_of(BODY, headers_at(NOW + 301)) == "timestamp_too_new"


def test_tolerance_takes_seconds_or_timedelta_and_now_takes_a_datetime() -> None:
    stale = headers_at(NOW - 120)
    assert reason_of(BODY, stale, tolerance=60) == "timestamp_too_old"
    assert reason_of(BODY, stale, tolerance=timedelta(minutes=1)) == "timestamp_too_old"
    at = datetime.fromtimestamp(NOW, UTC)
    assert verify(BODY, stale, SECRET, tolerance=timedelta(minutes=3), now=at).key_index == 0


def test_no_tolerance_skips_only_the_clock() -> None:
    ancient = headers_at(NOW - 10 * 365 * 86400)
    assert verify(BODY, ancient, SECRET, tolerance=None, now=NOW).key_index == 0
    assert reason_of(BODY.upper(), ancient, tolerance=None) == "no_matching_signature"


def test_the_default_tolerance_uses_the_real_clock() -> None:
    assert verify(BODY, sign_headers(BODY, SECRET), SECRET).key_index == 0
    with pytest.raises(WebhookVerificationError, match="timestamp_too_old"):
        verify(BODY, headers_at(NOW), SECRET)


@pytest.mark.parametrize("tolerance", [-1, float("nan"), "300", True])
def test_a_bad_tolerance_is_refused(tolerance: object) -> None:
    with pytest.raises(InvalidArgumentError, match="tolerance"):
        verify(BODY, headers_at(), SECRET, tolerance=tolerance, now=NOW)  # type: ignore[arg-type]


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="timezone-aware"):
        verify(BODY, headers_at(), SECRET, now=datetime(2025, 1, 15, 10))


def test_the_payload_must_be_the_raw_bytes() -> None:
    with pytest.raises(InvalidArgumentError, match="raw request body as bytes"):
        verify(BODY.decode(), headers_at(), SECRET, now=NOW)  # type: ignore[arg-type]


def test_rotation_any_of_several_secrets_may_have_signed() -> None:
    signed_with_new = headers_at(secret=OTHER_SECRET)
    assert verify(BODY, signed_with_new, [SECRET, OTHER_SECRET], now=NOW).key_index == 1
    assert verify(BODY, headers_at(), [SECRET, OTHER_SECRET], now=NOW).key_index == 0


def test_rotation_a_delivery_may_carry_several_signatures() -> None:
    both = headers_at(secret=[SECRET, OTHER_SECRET])
    assert len(both["webhook-signature"].split()) == 2
    assert verify(BODY, both, SECRET, now=NOW).key_index == 0
    assert verify(BODY, both, OTHER_SECRET, now=NOW).key_index == 0
    assert reason_of(BODY, both, generate_secret()) == "no_matching_signature"


def test_whsec_and_raw_secrets_name_the_same_key() -> None:
    raw = b"0123456789abcdef0123456789abcdef"
    whsec = "whsec_" + base64.b64encode(raw).decode()
    assert sign(BODY, secret=whsec, msg_id="msg_1", timestamp=NOW) == sign(
        BODY, secret=raw, msg_id="msg_1", timestamp=NOW
    )
    # A string without the prefix is a raw key: its UTF-8 bytes.
    assert sign(BODY, secret="plain-secret", msg_id="msg_1", timestamp=NOW) == sign(
        BODY, secret=b"plain-secret", msg_id="msg_1", timestamp=NOW
    )
    unpadded = whsec.rstrip("=")
    assert verify(BODY, headers_at(secret=whsec), f" {unpadded}\n", now=NOW).key_index == 0


@pytest.mark.parametrize("secret", ["whsec_not*base64", "whsec_", "", [], 42])
def test_an_unusable_secret_is_refused_with_its_reason(secret: object) -> None:
    assert reason_of(BODY, headers_at(), secret) == "invalid_secret"


def test_no_failure_message_shows_a_secret_or_signature() -> None:
    signature = headers_at()["webhook-signature"]
    failures = [
        (BODY + b" ", headers_at(), OTHER_SECRET),
        (BODY, headers_at(NOW - 999), SECRET),
        (BODY, {"webhook-id": "msg_1"}, SECRET),
    ]
    for body, headers, secret in failures:
        with pytest.raises(WebhookVerificationError) as caught:
            verify(body, headers, secret, now=NOW)
        text = str(caught.value)
        assert secret.removeprefix("whsec_")[:8] not in text
        assert signature[3:15] not in text


def test_the_error_is_a_billkit_error_and_a_value_error() -> None:
    with pytest.raises(BillkitError):
        verify(BODY, {}, SECRET)
    with pytest.raises(ValueError, match="missing_header"):
        verify(BODY, {}, SECRET)


def test_generated_secrets_are_whsec_with_32_random_bytes() -> None:
    first, second = generate_secret(), generate_secret()
    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"), validate=True)) == 32
    assert first != second


def test_sign_refuses_a_naive_time_or_an_empty_id() -> None:
    with pytest.raises(InvalidArgumentError, match="timezone-aware"):
        sign(BODY, secret=SECRET, msg_id="msg_1", timestamp=datetime(2025, 1, 1))
    with pytest.raises(InvalidArgumentError, match="msg_id"):
        sign(BODY, secret=SECRET, msg_id=" ", timestamp=NOW)


def test_standardwebhooks_signatures_verify_here() -> None:
    theirs = Webhook(SECRET)
    at = datetime.fromtimestamp(NOW, UTC)
    signature = theirs.sign("msg_from_them", at, BODY.decode())
    headers = {
        "webhook-id": "msg_from_them",
        "webhook-timestamp": str(NOW),
        "webhook-signature": signature,
    }
    assert verify(BODY, headers, SECRET, now=NOW).webhook_id == "msg_from_them"
    assert signature == sign(BODY, secret=SECRET, msg_id="msg_from_them", timestamp=at)


def test_signatures_made_here_verify_with_standardwebhooks() -> None:
    headers = sign_headers(BODY, SECRET)
    assert Webhook(SECRET).verify(BODY, headers) == {
        "id": "evt_1",
        "type": "obligation.amount_applied",
        "data": {},
    }
    rotated = sign_headers(BODY, [OTHER_SECRET, SECRET])
    assert Webhook(SECRET).verify(BODY, rotated) is not None
    with pytest.raises(StandardVerificationError):
        Webhook(generate_secret()).verify(BODY, headers)


@settings(deadline=None)  # correctness only: speed is measured in bench/
@given(
    body=st.binary(max_size=512),
    msg_id=st.text(alphabet="abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=40),
    flip=st.integers(min_value=0),
)
def test_any_body_round_trips_and_any_changed_byte_is_caught(
    body: bytes, msg_id: str, flip: int
) -> None:
    headers = sign_headers(body, SECRET, msg_id=msg_id, timestamp=NOW)
    assert verify(body, headers, SECRET, now=NOW).webhook_id == msg_id
    if body:
        position = flip % len(body)
        changed = body[:position] + bytes([body[position] ^ 1]) + body[position + 1 :]
        with pytest.raises(WebhookVerificationError, match="no_matching_signature"):
            verify(changed, headers, SECRET, now=NOW)


def test_header_text_that_is_not_valid_unicode_fails_verification_not_the_verifier() -> None:
    headers = headers_at() | {"webhook-id": "msg_\ud800"}
    assert reason_of(BODY, headers) == "no_matching_signature"
