"""Client settings: explicit arguments first, then `MOMENT_API_KEY` / `MOMENT_BASE_URL`, then defaults.

`ClientSettings.resolve()` is the one place those sources meet. It takes a mapping in place of `os.environ`
(tests, papermill runs), and every check on the key happens here, before a request could be sent:

* a key not shaped like Moment's (`billkit.keys`, the one home of key rules) is refused;
* a live key (`sk_...` or `pk_...` without `_test_`) is refused unless `allow_live=True` is passed, so an
  onboarding notebook can never create test bills in production by picking up the wrong environment;
* Moment's own hosts are HTTPS only, as Moment documents.

The key itself never appears in a repr or an error message: only `billkit.keys.redact()`'s mask of it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

from billkit.errors import ConfigurationError
from billkit.keys import KeyKind, KeyType, api_key_type, is_well_formed_api_key, redact

__all__ = [
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "MOMENT_API_HOSTS",
    "ClientSettings",
    "KeyKind",
]

API_KEY_ENV = "MOMENT_API_KEY"
BASE_URL_ENV = "MOMENT_BASE_URL"
DEFAULT_BASE_URL = "https://api.momentpay.net"
DEFAULT_MAX_RETRIES = 2
DEFAULT_TIMEOUT = 30.0
#: The hosts Moment's own API answers on (older and newer documentation); never billkit's sandbox.
MOMENT_API_HOSTS = frozenset({"api.momentpay.net", "api.momentco.io"})


@dataclass(frozen=True, kw_only=True)
class ClientSettings:
    """Everything a client needs to reach Moment, checked once when built.

    Build it with `ClientSettings.resolve(...)` to fall back on the environment; constructing it directly
    checks the same rules on the values given.
    """

    api_key: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    allow_live: bool = False
    max_retries: int = DEFAULT_MAX_RETRIES
    timeout: float = DEFAULT_TIMEOUT
    #: Where the key came from, for error messages ("the api_key argument", "MOMENT_API_KEY").
    key_source: str = field(default="the api_key argument", repr=False, compare=False)
    #: The key's kind and mode, found when the key is checked.
    key_type: KeyType = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        key_type = _checked_key(self.api_key, self.key_source, allow_live=self.allow_live)
        object.__setattr__(self, "key_type", key_type)
        object.__setattr__(self, "base_url", _checked_base_url(self.base_url))
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int):
            raise ConfigurationError(f"max_retries must be an int, not {self.max_retries!r}")
        if self.max_retries < 0:
            raise ConfigurationError(f"max_retries must be 0 or more, not {self.max_retries}")
        if (
            isinstance(self.timeout, bool)
            or not isinstance(self.timeout, int | float)
            or not math.isfinite(self.timeout)
            or self.timeout <= 0
        ):
            raise ConfigurationError(
                f"timeout must be a positive number of seconds, not {self.timeout!r}"
            )

    @classmethod
    def resolve(
        cls,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        allow_live: bool = False,
        max_retries: int = DEFAULT_MAX_RETRIES,
        timeout: float = DEFAULT_TIMEOUT,
        env: Mapping[str, str] | None = None,
    ) -> ClientSettings:
        """Settings from the arguments, then `env` (default `os.environ`), then the defaults."""
        environ = os.environ if env is None else env
        key_source = "the api_key argument"
        if api_key is None:
            api_key, key_source = environ.get(API_KEY_ENV) or None, API_KEY_ENV
        if not api_key or not api_key.strip():
            raise ConfigurationError(
                f"no Moment API key: pass api_key=... or set {API_KEY_ENV} "
                "(a sk_test_... key; `billkit sandbox` prints one for the local sandbox)"
            )
        return cls(
            api_key=api_key.strip(),
            base_url=base_url or environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL,
            allow_live=allow_live,
            max_retries=max_retries,
            timeout=timeout,
            key_source=key_source,
        )

    @property
    def key_kind(self) -> KeyKind:
        return self.key_type.kind

    @property
    def is_live(self) -> bool:
        """True for a live-mode key: requests move real money."""
        return self.key_type.live

    @property
    def is_moment_host(self) -> bool:
        """True when `base_url` is Moment's own API rather than billkit's sandbox or a proxy."""
        return httpx.URL(self.base_url).host in MOMENT_API_HOSTS

    @property
    def redacted_key(self) -> str:
        return redact(self.api_key)

    def __repr__(self) -> str:
        return (
            f"ClientSettings(base_url={self.base_url!r}, api_key={self.redacted_key!r}, "
            f"allow_live={self.allow_live}, max_retries={self.max_retries}, timeout={self.timeout})"
        )


def _checked_key(api_key: object, source: str, *, allow_live: bool) -> KeyType:
    if not isinstance(api_key, str):
        raise ConfigurationError(f"the API key must be a str, not {type(api_key).__name__}")
    shown = redact(api_key)
    key_type = api_key_type(api_key)
    if key_type is None or not is_well_formed_api_key(api_key):
        raise ConfigurationError(
            f"the API key from {source} ({shown}) is not a Moment API key: "
            "expected sk_test_... (or sk_... for live mode)"
        )
    if not isinstance(allow_live, bool):
        raise ConfigurationError(f"allow_live must be True or False, not {allow_live!r}")
    if key_type.live and not allow_live:
        raise ConfigurationError(
            f"the API key from {source} ({shown}) is a live key: its requests move real money. "
            "Use a sk_test_... key, or pass allow_live=True if live mode is really intended."
        )
    return key_type


def _checked_base_url(base_url: object) -> str:
    if not isinstance(base_url, str):
        raise ConfigurationError(f"base_url must be a str, not {type(base_url).__name__}")
    try:
        url = httpx.URL(base_url.strip())
    except httpx.InvalidURL as exc:
        raise ConfigurationError(f"base_url {base_url!r} is not a URL: {exc}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(
            f"base_url {base_url!r} must be an http(s) URL with a host, such as {DEFAULT_BASE_URL}"
        )
    if url.query or url.fragment:
        raise ConfigurationError(f"base_url {base_url!r} must not have a query or fragment")
    if url.host in MOMENT_API_HOSTS and url.scheme != "https":
        raise ConfigurationError(f"base_url {base_url!r}: Moment's API accepts HTTPS only")
    return str(url).rstrip("/")
