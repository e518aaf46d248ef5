"""billkit.keys: the one home of key and secret rules, and the parts of billkit that rely on it."""

from __future__ import annotations

import base64

import pytest

from billkit._config import ClientSettings
from billkit.errors import ConfigurationError
from billkit.keys import (
    KeyKind,
    KeyType,
    api_key_type,
    is_well_formed_api_key,
    new_test_api_key,
    new_webhook_secret,
    redact,
    scrub,
    signing_key,
    webhook_secret_problem,
)
from billkit.notebook.runner.parameters import ParameterError, validate_parameters
from billkit.notebook.specs import BillAmountDueParameters
from billkit.sandbox.settings import check_api_key, check_webhook_secret

KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.mark.parametrize(
    ("secret", "shown"),
    [
        (KEY, "sk_test_…p7dc"),
        (SECRET, "whsec_…LaSw"),
        ("pk_test_abcdefghijkl", "pk_test_…ijkl"),
        ("sk_short", "sk_…"),
        ("", "<none>"),
        (None, "<none>"),
    ],
)
def test_redact_keeps_only_prefix_and_tail(secret: str | None, shown: str) -> None:
    assert redact(secret) == shown


def test_scrub_masks_known_and_shaped_secrets() -> None:
    raw = "custom-secret-value"
    live = "sk_live_9f8e7d6c5b4a3928"
    public = "pk_test_TYooMQauvdEDq54NiTphI7jx"
    text = f"key={KEY} secret={SECRET} live={live} public={public} other={raw}"
    out = scrub(text, [raw])
    for secret in (KEY, SECRET, live, public, raw):
        assert secret not in out
    assert out.startswith("key=sk_test_…p7dc secret=whsec_…LaSw live=sk_…3928 public=pk_test_…I7jx")


# ---- kinds, formats and generation ------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "kind", "live"),
    [
        (KEY, KeyKind.SECRET, False),
        ("sk_9f8e7d6c5b4a3928", KeyKind.SECRET, True),
        ("pk_test_TYooMQauvdEDq54NiTphI7jx", KeyKind.PUBLIC, False),
        ("pk_TYooMQauvdEDq54NiTphI7jx", KeyKind.PUBLIC, True),
    ],
)
def test_a_key_is_secret_or_public_and_test_or_live_by_its_prefix(
    key: str, kind: KeyKind, live: bool
) -> None:
    assert api_key_type(key) == KeyType(kind=kind, live=live)
    assert is_well_formed_api_key(key)


@pytest.mark.parametrize("key", ["", "sk-test-abc", "Bearer sk_test_abc", "whsec_abc", "key"])
def test_a_string_without_a_key_prefix_has_no_type(key: str) -> None:
    assert api_key_type(key) is None
    assert not is_well_formed_api_key(key)


@pytest.mark.parametrize("key", ["sk_test_", "sk_test_abc def", "sk_test_abc\n", "sk_test_é"])
def test_a_key_with_a_prefix_but_other_characters_is_not_well_formed(key: str) -> None:
    assert not is_well_formed_api_key(key)


def test_generated_keys_and_secrets_pass_their_own_rules_and_differ() -> None:
    key, secret = new_test_api_key(), new_webhook_secret()
    key_type = api_key_type(key)
    assert key_type is not None
    assert key_type.is_test_secret
    assert is_well_formed_api_key(key)
    assert webhook_secret_problem(secret) is None
    assert len(signing_key(secret)) == 32
    assert new_test_api_key() != key
    assert new_webhook_secret() != secret


@pytest.mark.parametrize(
    ("secret", "problem"),
    [
        ("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "must start with whsec_"),
        ("whsec_not base64!", "must be whsec_ followed by base64"),
        ("whsec_" + base64.b64encode(b"x" * 8).decode(), "must encode 24 to 64 bytes, not 8"),
    ],
)
def test_a_webhook_secret_not_as_moment_issues_them_is_named_for_what_is_wrong(
    secret: str, problem: str
) -> None:
    assert webhook_secret_problem(secret) == problem


def test_a_verifier_keys_on_the_decoded_secret_or_a_raw_one_as_utf8() -> None:
    raw = base64.b64encode(b"k" * 32).decode()
    assert signing_key("whsec_" + raw) == b"k" * 32
    assert signing_key("whsec_" + raw.rstrip("=")) == b"k" * 32  # padding dropped by some senders
    assert signing_key("plain secret") == b"plain secret"
    with pytest.raises(ValueError, match="not base64"):
        signing_key("whsec_***")
    with pytest.raises(ValueError, match="empty"):
        signing_key(b"")


# ---- every user of the rules agrees -----------------------------------------------------------


def test_the_notebooks_and_the_sandbox_refuse_the_same_webhook_secret() -> None:
    bare = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    with pytest.raises(ConfigurationError, match="must start with whsec_"):
        check_webhook_secret(bare)
    with pytest.raises(ParameterError, match="must start with whsec_") as caught:
        validate_parameters({"webhook_secret": bare}, BillAmountDueParameters)
    assert bare not in str(caught.value)


def test_the_client_the_sandbox_and_the_notebooks_agree_on_live_keys() -> None:
    live = "sk_9f8e7d6c5b4a3928"
    with pytest.raises(ConfigurationError, match="live key"):
        ClientSettings(api_key=live)
    with pytest.raises(ConfigurationError, match="not a secret test key"):
        check_api_key(live)
    with pytest.raises(ParameterError, match="live key"):
        validate_parameters({"api_key": live}, BillAmountDueParameters)
