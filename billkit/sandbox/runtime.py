"""Everything a running sandbox shares between requests: its store, clock, key and signals.

`Runtime.start(settings)` opens the database and settles what the contract says happens at start: the API
key (given, or generated once and kept), the webhook signing secret (given, or generated once and kept) and
the endpoint named by `--webhook-url`. Both secrets are fixed for the life of the runtime.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from billkit.keys import new_test_api_key, new_webhook_secret, redact
from billkit.sandbox.clock import SandboxClock
from billkit.sandbox.ids import new_id
from billkit.sandbox.outbox import OutboxSignal
from billkit.sandbox.services.reports import ReportWriter
from billkit.sandbox.settings import SandboxSettings
from billkit.sandbox.store import Store
from billkit.sandbox.store.meta import API_KEY, CLOCK_OFFSET, WEBHOOK_SECRET

__all__ = ["IDEMPOTENCY_TTL", "Runtime"]

#: Stored responses are replayed for 24 hours of sandbox time.
IDEMPOTENCY_TTL = 24 * 3600.0
#: How often (sandbox seconds) expired idempotency records are swept away.
_PURGE_EVERY = 3600.0

logger = logging.getLogger("billkit.sandbox")


@dataclass(eq=False)
class Runtime:
    settings: SandboxSettings
    store: Store
    clock: SandboxClock
    api_key: str = field(repr=False)
    #: Signs webhook deliveries; generated once and kept, or fixed by --webhook-secret.
    signing_secret: str = field(repr=False)
    outbox_signal: OutboxSignal = field(default_factory=OutboxSignal)
    #: Wakes the background report writer when the clock was moved (contract §10).
    clock_signal: OutboxSignal = field(default_factory=OutboxSignal)
    _next_purge: float = 0.0

    def __post_init__(self) -> None:
        self.store.on_delivery_queued = self.outbox_signal.notify
        #: The reconciliation and settlement reports; the SFTP door gives it its folder.
        self.reports = ReportWriter(
            self.store, merchant=self.settings.merchant, fee_percent=self.settings.fee_percent
        )

    def clock_moved(self) -> None:
        """After a clock advance has committed: webhook retries and reports may now be due."""
        self.outbox_signal.notify()
        self.clock_signal.notify()

    @classmethod
    def start(cls, settings: SandboxSettings) -> Runtime:
        store = Store.open(settings.db)
        try:
            with store.transaction():
                api_key = settings.api_key or _kept(store, API_KEY, new_test_api_key)
                clock = _clock(store, settings)
                if settings.webhook_secret is not None:
                    store.meta.set(WEBHOOK_SECRET, settings.webhook_secret)
                signing_secret = _kept(store, WEBHOOK_SECRET, new_webhook_secret)
                if settings.webhook_url is not None:
                    _register(store, settings.webhook_url, clock.timestamp())
        except BaseException:
            store.close()
            raise
        runtime = cls(
            settings=settings,
            store=store,
            clock=clock,
            api_key=api_key,
            signing_secret=signing_secret,
        )
        logger.info("sandbox database %s, api key %s", settings.db, redact(api_key))
        return runtime

    @cached_property
    def key_owner(self) -> str:
        """Idempotency records belong to a key; they are filed under its hash, not the key itself."""
        return hashlib.sha256(self.api_key.encode()).hexdigest()[:32]

    def has_webhook_endpoint(self) -> bool:
        return self.store.webhook_endpoints.current() is not None

    def purge_due(self, now: float) -> bool:
        """True about once an hour of sandbox time: time to forget expired idempotency records."""
        if now < self._next_purge:
            return False
        self._next_purge = now + _PURGE_EVERY
        return True

    def close(self) -> None:
        self.store.close()


def _kept(store: Store, name: str, make: Callable[[], str]) -> str:
    """The value kept under `name`, made and kept now if there is none yet."""
    value = store.meta.get(name)
    if value is None:
        value = make()
        store.meta.set(name, value)
    return value


def _register(store: Store, url: str, now: float) -> None:
    current = store.webhook_endpoints.current()
    if current is not None and current["url"] == url:
        return
    store.webhook_endpoints.replace(new_id("we_"), url, None, now=now)


def _clock(store: Store, settings: SandboxSettings) -> SandboxClock:
    """The database's clock. A new database's starts at `settings.clock_start` when one is given, else at
    wall time, and is kept at once: a restart, with or without a clock start, goes on from there."""
    kept = store.meta.get(CLOCK_OFFSET)
    if kept is not None:
        return SandboxClock(float(kept))
    clock = (
        SandboxClock()
        if settings.clock_start is None
        else SandboxClock.starting_at(settings.clock_start)
    )
    store.meta.set(CLOCK_OFFSET, repr(clock.offset))
    return clock
