"""What `Ledger.import_sandbox` needs from a client: the sandbox-only list routes, as a Protocol."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from billkit.ledger._records import Recordable


class ListsObjects(Protocol):
    """`client.sandbox.customers` and friends: `list()` pages through every object."""

    def list(self) -> Iterable[Recordable]: ...


class IteratesEvents(Protocol):
    """`client.sandbox.events`: `iterate()` pages through every event."""

    def iterate(self) -> Iterable[Recordable]: ...


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
    """How many items an import read (`seen`) and how many were new to the ledger (`recorded`), per kind."""

    seen: Mapping[str, int] = field(default_factory=dict)
    recorded: Mapping[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return "; ".join(
            f"{kind}: {count} seen, {self.recorded.get(kind, 0)} new"
            for kind, count in self.seen.items()
        )
