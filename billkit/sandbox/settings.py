"""What a sandbox is started with: the `billkit sandbox` flags and the `billkit.Sandbox(...)` arguments.

`SandboxSettings` checks every value when built, so a bad flag is refused before a port is bound or a
database file is created. Secrets are masked in its repr.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlsplit

import platformdirs

from billkit._request_timeout import DEFAULT_REQUEST_TIMEOUT, is_request_timeout
from billkit.billfiles.names import check_merchant_alias
from billkit.errors import ConfigurationError
from billkit.keys import api_key_type, is_well_formed_api_key, redact, webhook_secret_problem

__all__ = [
    "DATA_DIR_ENV",
    "DEFAULT_HOST",
    "DEFAULT_MERCHANT",
    "DEFAULT_PORT",
    "DEFAULT_RETRY_SCHEDULE",
    "FAST_RETRY_SCHEDULE",
    "MEMORY_DB",
    "SandboxSettings",
    "check_api_key",
    "check_fee_percent",
    "check_webhook_secret",
    "check_webhook_url",
    "default_db_path",
    "parse_retry_schedule",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8787
DEFAULT_MERCHANT = "sandbox"
MEMORY_DB = ":memory:"
DATA_DIR_ENV = "BILLKIT_DATA_DIR"
DB_FILE_NAME = "sandbox.sqlite3"

#: Seconds to wait before each retry after the first attempt (sandbox contract §5).
DEFAULT_RETRY_SCHEDULE: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 36000)
FAST_RETRY_SCHEDULE: tuple[float, ...] = (0.1, 0.2, 0.5, 1, 2)
_NAMED_SCHEDULES = {"default": DEFAULT_RETRY_SCHEDULE, "fast": FAST_RETRY_SCHEDULE}
#: No retry waits longer than a day: a longer gap is almost certainly a typo.
MAX_RETRY_DELAY = 86_400.0
MAX_RETRIES = 50

MAX_URL_LENGTH = 2048
#: Fee percentages have at most this many decimal places (0.0125 is fine), so fees stay exact.
FEE_PERCENT_PLACES = 4


def check_api_key(api_key: str) -> str:
    """The one secret key the sandbox accepts: a secret test key (`billkit.keys` has the format)."""
    key_type = api_key_type(api_key)
    if key_type is not None and not key_type.is_test_secret:
        raise ConfigurationError(
            f"api key {redact(api_key)} is not a secret test key: "
            "the sandbox accepts test keys only (sk_test_...)"
        )
    if key_type is None or not is_well_formed_api_key(api_key):
        raise ConfigurationError(
            f"api key {redact(api_key)} must be sk_test_ followed by letters, digits, '_' or '-'"
        )
    return api_key


def check_webhook_secret(secret: str) -> str:
    """A signing secret as Moment issues them: `whsec_` + base64 of 24 to 64 random bytes."""
    problem = webhook_secret_problem(secret)
    if problem is not None:
        raise ConfigurationError(f"webhook secret {redact(secret)} {problem}")
    return secret


def check_webhook_url(url: str) -> str:
    """An absolute http(s) URL with a host, such as http://127.0.0.1:9000/webhooks."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"webhook url {url!r} must be an absolute http:// or https:// URL")
    if len(url) > MAX_URL_LENGTH or any(char.isspace() for char in url):
        raise ConfigurationError(
            f"webhook url must be at most {MAX_URL_LENGTH} characters with no spaces"
        )
    return url


def check_public_url(url: str) -> str:
    """Where payers reach this sandbox (`https://sandbox.example.test`): http(s), a host, no query; the
    hosted-page links it hands out start with it. Returned without a trailing slash."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"public url {url!r} must be an absolute http:// or https:// URL")
    if parts.query or parts.fragment or any(char.isspace() for char in url):
        raise ConfigurationError(f"public url {url!r} must have no query, fragment or spaces")
    if len(url) > MAX_URL_LENGTH:
        raise ConfigurationError(f"public url must be at most {MAX_URL_LENGTH} characters")
    return url.rstrip("/")


def check_fee_percent(value: object) -> Decimal:
    """The fee Moment keeps of each payment, in percent (contract §10): a number from 0 up to (not
    including) 100 with at most four decimal places, such as `2.5`; given as text, an int, a Decimal or
    a float (read by its shortest repr, so 2.5 is exactly 2.5)."""
    problem = (
        f"fee percent must be a number from 0 up to (not including) 100 with at most "
        f"{FEE_PERCENT_PLACES} decimal places, such as 2.5, not {value!r}"
    )
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ConfigurationError(problem)
    try:
        percent = Decimal(value.strip() if isinstance(value, str) else str(value))
    except InvalidOperation:
        raise ConfigurationError(problem) from None
    if not percent.is_finite() or not 0 <= percent < 100:
        raise ConfigurationError(problem)
    exponent = percent.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -FEE_PERCENT_PLACES:
        raise ConfigurationError(problem)
    return percent


def parse_retry_schedule(text: str) -> tuple[float, ...]:
    """`default`, `fast`, or comma-separated seconds between attempts (`1,5,30`)."""
    named = _NAMED_SCHEDULES.get(text.strip())
    if named is not None:
        return named
    parts = [part.strip() for part in text.split(",")]
    try:
        delays = tuple(float(part) for part in parts)
    except ValueError:
        raise ConfigurationError(
            f"retry schedule {text!r} must be default, fast, or seconds such as 1,5,30"
        ) from None
    if not 1 <= len(delays) <= MAX_RETRIES:
        raise ConfigurationError(f"retry schedule must list 1 to {MAX_RETRIES} delays")
    for delay in delays:
        if not math.isfinite(delay) or not 0 < delay <= MAX_RETRY_DELAY:
            raise ConfigurationError(
                f"retry delay {delay:g} must be more than 0 and at most {MAX_RETRY_DELAY:g} seconds"
            )
    return delays


def default_db_path(env: dict[str, str] | None = None) -> Path:
    """`$BILLKIT_DATA_DIR/sandbox.sqlite3`, else the same file in the user's data directory."""
    environ = os.environ if env is None else env
    folder = environ.get(DATA_DIR_ENV) or platformdirs.user_data_dir("billkit", appauthor=False)
    return Path(folder) / DB_FILE_NAME


@dataclass(frozen=True, kw_only=True)
class SandboxSettings:
    """How one sandbox runs. `db` is a file path or `:memory:` (nothing kept after it stops)."""

    db: str = MEMORY_DB
    host: str = DEFAULT_HOST
    port: int = 0
    api_key: str | None = field(default=None, repr=False)
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    retry_schedule: tuple[float, ...] = DEFAULT_RETRY_SCHEDULE
    #: Log one line per request (the command line does; the embedded sandbox stays quiet).
    access_log: bool = False
    #: The merchant alias in billing file names and reports (contract §1, §9).
    merchant: str = DEFAULT_MERCHANT
    #: Serve SFTP on this port too (0: a free one); None: no SFTP (contract §9).
    sftp_port: int | None = None
    #: A file of public keys (authorized_keys format) the `merchant` user may also log in with.
    sftp_authorized_key: str | None = None
    #: The base of the links the sandbox hands out (contract §8); None: the address it listens on.
    #: Never taken from a request's Host header, which any client can set.
    public_url: str | None = None
    #: Seconds a request (head and body) may take to arrive; slower clients are disconnected.
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    #: The percentage of each payment the reports show as Moment's fee (contract §10); see
    #: `check_fee_percent` for what it may be.
    fee_percent: Decimal = Decimal(0)
    #: Where a new database's clock starts (timezone-aware); None: at wall time. A database that already
    #: has a clock keeps it, since the clock never moves back (contract §6).
    clock_start: datetime | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.db, str) or not self.db:
            raise ConfigurationError("db must be a file path or ':memory:'")
        if self.clock_start is not None and (
            not isinstance(self.clock_start, datetime) or self.clock_start.utcoffset() is None
        ):
            raise ConfigurationError(
                f"clock_start must be a timezone-aware datetime, not {self.clock_start!r}"
            )
        if not isinstance(self.host, str) or not self.host:
            raise ConfigurationError("host must be an address such as 127.0.0.1")
        if isinstance(self.port, bool) or not isinstance(self.port, int):
            raise ConfigurationError(f"port must be an int, not {self.port!r}")
        if not 0 <= self.port <= 65535:
            raise ConfigurationError(f"port must be 0 (any free port) to 65535, not {self.port}")
        if self.api_key is not None:
            check_api_key(self.api_key)
        if self.webhook_url is not None:
            check_webhook_url(self.webhook_url)
        if self.webhook_secret is not None:
            check_webhook_secret(self.webhook_secret)
        try:
            check_merchant_alias(self.merchant)
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None
        if self.sftp_port is not None and (
            isinstance(self.sftp_port, bool)
            or not isinstance(self.sftp_port, int)
            or not 0 <= self.sftp_port <= 65535
        ):
            raise ConfigurationError(
                f"sftp port must be 0 (any free port) to 65535, not {self.sftp_port!r}"
            )
        if self.sftp_authorized_key is not None:
            if self.sftp_port is None:
                raise ConfigurationError("an SFTP authorized key needs SFTP: give an sftp port too")
            if not Path(self.sftp_authorized_key).is_file():
                raise ConfigurationError(
                    f"sftp authorized key {self.sftp_authorized_key!r} is not a file"
                )
        if self.public_url is not None:
            object.__setattr__(self, "public_url", check_public_url(self.public_url))
        object.__setattr__(self, "fee_percent", check_fee_percent(self.fee_percent))
        if not is_request_timeout(self.request_timeout):
            raise ConfigurationError(
                f"request_timeout must be a positive number of seconds, not {self.request_timeout!r}"
            )
        if not self.retry_schedule or not all(
            isinstance(delay, int | float) and 0 < delay <= MAX_RETRY_DELAY
            for delay in self.retry_schedule
        ):
            raise ConfigurationError(
                "retry_schedule must be a non-empty tuple of positive seconds (see parse_retry_schedule)"
            )

    @property
    def in_memory(self) -> bool:
        return self.db == MEMORY_DB

    def __repr__(self) -> str:
        return (
            f"SandboxSettings(db={self.db!r}, host={self.host!r}, port={self.port}, "
            f"api_key={redact(self.api_key)!r}, webhook_url={self.webhook_url!r}, "
            f"webhook_secret={redact(self.webhook_secret)!r}, retry_schedule={self.retry_schedule!r}, "
            f"merchant={self.merchant!r}, sftp_port={self.sftp_port!r}, public_url={self.public_url!r}, "
            f"fee_percent={self.fee_percent!s})"
        )
