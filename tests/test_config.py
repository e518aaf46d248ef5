"""ClientSettings: arguments, then MOMENT_API_KEY / MOMENT_BASE_URL, then defaults; every key check."""

from __future__ import annotations

import math
from typing import Any

import pytest

from billkit import Client, ConfigurationError
from billkit._config import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    ClientSettings,
    KeyKind,
)

TEST_KEY = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"
LIVE_KEY = "sk_9f8e7d6c5b4a39281706f5e4"
ENV = {"MOMENT_API_KEY": "sk_test_fromenvironment0001", "MOMENT_BASE_URL": "http://127.0.0.1:8787"}


def test_arguments_win_over_the_environment() -> None:
    settings = ClientSettings.resolve(api_key=TEST_KEY, base_url="http://localhost:9000", env=ENV)
    assert settings.api_key == TEST_KEY
    assert settings.base_url == "http://localhost:9000"


def test_environment_fills_what_arguments_leave_out() -> None:
    settings = ClientSettings.resolve(env=ENV)
    assert settings.api_key == ENV["MOMENT_API_KEY"]
    assert settings.base_url == "http://127.0.0.1:8787"
    assert settings.key_source == "MOMENT_API_KEY"


def test_defaults() -> None:
    settings = ClientSettings.resolve(api_key=TEST_KEY, env={})
    assert settings.base_url == DEFAULT_BASE_URL == "https://api.momentpay.net"
    assert settings.max_retries == DEFAULT_MAX_RETRIES == 2
    assert settings.timeout == DEFAULT_TIMEOUT
    assert settings.is_moment_host


def test_os_environ_is_read_when_no_mapping_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOMENT_API_KEY", "sk_test_fromosenviron0001")
    monkeypatch.setenv("MOMENT_BASE_URL", "http://127.0.0.1:1234/")
    settings = ClientSettings.resolve()
    assert settings.api_key == "sk_test_fromosenviron0001"
    assert settings.base_url == "http://127.0.0.1:1234"


def test_a_given_mapping_replaces_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOMENT_API_KEY", "sk_test_fromosenviron0001")
    with pytest.raises(ConfigurationError):
        ClientSettings.resolve(env={})


@pytest.mark.parametrize("env", [{}, {"MOMENT_API_KEY": ""}, {"MOMENT_API_KEY": "   "}])
def test_missing_key_names_the_variable(env: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError, match="MOMENT_API_KEY"):
        ClientSettings.resolve(env=env)


def test_live_key_is_refused_without_allow_live() -> None:
    with pytest.raises(
        ConfigurationError, match=r"live key.*real money.*allow_live=True"
    ) as caught:
        ClientSettings.resolve(api_key=LIVE_KEY, env={})
    assert LIVE_KEY not in str(caught.value)
    assert "sk_…f5e4" in str(caught.value)


def test_live_key_from_the_environment_is_refused_and_says_where_it_came_from() -> None:
    with pytest.raises(ConfigurationError, match="from MOMENT_API_KEY"):
        Client(env={"MOMENT_API_KEY": LIVE_KEY})


def test_live_public_key_is_live_too() -> None:
    with pytest.raises(ConfigurationError, match="live key"):
        ClientSettings.resolve(api_key="pk_9f8e7d6c5b4a39281706f5e4", env={})


def test_live_key_is_accepted_when_explicitly_allowed() -> None:
    settings = ClientSettings.resolve(api_key=LIVE_KEY, allow_live=True, env={})
    assert settings.is_live
    assert settings.key_kind is KeyKind.SECRET


def test_allow_live_must_be_a_real_bool() -> None:
    with pytest.raises(ConfigurationError, match="allow_live"):
        ClientSettings.resolve(api_key=LIVE_KEY, allow_live="yes", env={})  # type: ignore[arg-type]


def test_test_keys_are_not_live() -> None:
    assert not ClientSettings.resolve(api_key=TEST_KEY, env={}).is_live
    public = ClientSettings.resolve(api_key="pk_test_abcdefghijklmnop", env={})
    assert public.key_kind is KeyKind.PUBLIC
    assert not public.is_live


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("Bearer sk_test_abc123456789", "is not a Moment API key"),
        ("rk_test_abcdefghijkl", "is not a Moment API key"),
        ("sk_test_ab cd", "is not a Moment API key"),
        (123, "must be a str, not int"),
    ],
)
def test_something_that_is_not_a_moment_key_is_refused(key: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as caught:
        ClientSettings(api_key=key)
    if isinstance(key, str):
        assert key not in str(caught.value)


def test_surrounding_whitespace_is_stripped_from_the_key() -> None:
    assert ClientSettings.resolve(env={"MOMENT_API_KEY": f" {TEST_KEY}\n"}).api_key == TEST_KEY


@pytest.mark.parametrize(
    ("base_url", "message"),
    [
        ("ftp://example.test", "http"),
        ("not a url", "http"),
        ("http://api.momentpay.net", "HTTPS only"),
        ("http://api.momentco.io", "HTTPS only"),
        ("https://example.test/?x=1", "query"),
        (42, "must be a str"),
    ],
)
def test_bad_base_urls_are_refused(base_url: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        ClientSettings(api_key=TEST_KEY, base_url=base_url)


def test_base_url_trailing_slash_is_dropped() -> None:
    assert ClientSettings(api_key=TEST_KEY, base_url="http://127.0.0.1:8787/").base_url == (
        "http://127.0.0.1:8787"
    )


def test_which_hosts_are_moments() -> None:
    assert ClientSettings(api_key=TEST_KEY, base_url="https://api.momentco.io").is_moment_host
    assert not ClientSettings(api_key=TEST_KEY, base_url="http://127.0.0.1:8787").is_moment_host


@pytest.mark.parametrize("max_retries", [-1, True, 1.5, "2"])
def test_bad_max_retries(max_retries: Any) -> None:
    with pytest.raises(ConfigurationError, match="max_retries"):
        ClientSettings(api_key=TEST_KEY, max_retries=max_retries)


@pytest.mark.parametrize("timeout", [0, -1.0, math.nan, math.inf, True, "30"])
def test_bad_timeout(timeout: Any) -> None:
    with pytest.raises(ConfigurationError, match="timeout"):
        ClientSettings(api_key=TEST_KEY, timeout=timeout)


def test_repr_shows_the_masked_key_only() -> None:
    settings = ClientSettings(api_key=TEST_KEY, base_url="http://127.0.0.1:8787")
    text = repr(settings)
    assert TEST_KEY not in text
    assert "sk_test_…p7dc" in text
    assert "http://127.0.0.1:8787" in text


def test_settings_are_immutable() -> None:
    settings = ClientSettings(api_key=TEST_KEY)
    with pytest.raises(AttributeError):
        settings.api_key = LIVE_KEY  # type: ignore[misc]
