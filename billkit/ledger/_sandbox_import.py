"""What `Ledger.import_sandbox` needs from a client: the sandbox-only routes, as Protocols, and the paging.

The sandbox's `GET /_sandbox/versions` (contract §6) lists every state each customer, account and bill has had,
with the sandbox-clock time it began, so an imported ledger knows when each change happened. A sandbox that
predates that route answers 404; then only the current lists can be imported, stamped with when they were seen.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from billkit.errors import InvalidArgumentError, NotFoundError
from billkit.ledger._records import Recordable, as_mapping

#: The largest page the versions route serves.
VERSIONS_PAGE: Final = 1000
VERSION_KINDS: Final = ("customer", "account", "bill")


class ListsObjects(Protocol):
    """`client.sandbox.customers` and friends: `list()` pages through every object."""

    def list(self) -> Iterable[Recordable]: ...


class IteratesEvents(Protocol):
    """`client.sandbox.events`: `iterate()` pages through every event."""

    def iterate(self) -> Iterable[Recordable]: ...


class ListsVersions(Protocol):
    """`client.sandbox.versions`: one page of `GET /_sandbox/versions` per call (oldest first)."""

    def list(self, *, limit: int = ..., starting_after: int | None = None) -> Any: ...


class SandboxRoutes(Protocol):
    @property
    def customers(self) -> ListsObjects: ...
    @property
    def accounts(self) -> ListsObjects: ...
    @property
    def bills(self) -> ListsObjects: ...
    @property
    def events(self) -> IteratesEvents: ...


class SandboxClient(Protocol):
    """A `billkit.Client` pointed at the billkit sandbox (only the sandbox has list routes)."""

    @property
    def sandbox(self) -> SandboxRoutes: ...


@dataclass(frozen=True)
class ImportResult:
    """How many items an import read (`seen`) and how many were new to the ledger (`recorded`), per kind.

    `with_history` says whether the sandbox listed every state with its time (`GET /_sandbox/versions`) or
    only the current objects (an older sandbox), whose changes then count from when they were imported.
    """

    seen: Mapping[str, int] = field(default_factory=dict)
    recorded: Mapping[str, int] = field(default_factory=dict)
    with_history: bool = True

    def __str__(self) -> str:
        return "; ".join(
            f"{kind}: {count} seen, {self.recorded.get(kind, 0)} new"
            for kind, count in self.seen.items()
        )


@dataclass(frozen=True)
class SandboxVersion:
    """One entry of `GET /_sandbox/versions`: object `kind`, the state `obj`, and `at`, when it began."""

    seq: int
    kind: str
    at: str | dt.datetime
    obj: Recordable


def _page_parts(page: Any) -> tuple[Sequence[Any], bool]:
    if isinstance(page, Mapping):
        return page.get("data", []), bool(page.get("has_more", False))
    return list(page.data), bool(page.has_more)


def _version(item: Any) -> SandboxVersion:
    # The client's typed ObjectVersion, or the JSON entry as the route sends it.
    entry: Mapping[str, Any] = (
        {name: getattr(item, name) for name in ("seq", "kind", "at", "object")}
        if hasattr(item, "object") and hasattr(item, "seq")
        else as_mapping(item, "sandbox version")
    )
    seq, kind, at, obj = (entry.get(name) for name in ("seq", "kind", "at", "object"))
    if type(seq) is not int or kind not in VERSION_KINDS or not isinstance(at, str | dt.datetime):
        raise InvalidArgumentError(
            f"sandbox version {entry.get('seq')!r}: expected seq (an integer), kind "
            f"({', '.join(VERSION_KINDS)}) and at (a time); got {dict(entry)!r:.120}"
        )
    if not isinstance(obj, Mapping):
        raise InvalidArgumentError(f"sandbox version {seq}: 'object' must be an object")
    return SandboxVersion(seq, kind, at, obj)


def sandbox_report_files(routes: object) -> list[tuple[str, bytes]] | None:
    """(name, bytes) of every reconciliation and settlement report the sandbox wrote (contract §10), so an
    imported ledger holds what Moment's reports said (channels, fees) as a fetched one does; None from a
    client or a sandbox from before the reports routes."""
    reports = getattr(routes, "reports", None)
    if reports is None:
        return None
    try:
        listed = reports.list()
    except NotFoundError:
        return None
    return [(item.name, reports.retrieve(item.name).content_bytes) for item in listed]


def iterate_versions(route: ListsVersions) -> Iterator[SandboxVersion]:
    """Every state the sandbox lists, oldest first, a page at a time (`starting_after` the last `seq`)."""
    cursor: int | None = None
    while True:
        data, has_more = _page_parts(route.list(limit=VERSIONS_PAGE, starting_after=cursor))
        versions = [_version(item) for item in data]
        yield from versions
        if not has_more or not versions:
            return
        cursor = versions[-1].seq
