"""The SQLite connection: opening (WAL, migrations), and transactions.

The sandbox runs each request's database work synchronously on the event loop, with no await between
`BEGIN IMMEDIATE` and `COMMIT`: every request is atomic, and concurrent requests (identical idempotent
retries, twenty payments on one bill) are serialized by construction. `BEGIN IMMEDIATE` also takes
SQLite's write lock up front, so a second process sharing the file waits its turn instead of failing late.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from billkit.errors import ConfigurationError
from billkit.sandbox.store.migrations import MIGRATIONS

__all__ = ["BUSY_TIMEOUT_MS", "Database", "StoreError", "Transaction"]

BUSY_TIMEOUT_MS = 5000
MEMORY = ":memory:"


class StoreError(Exception):
    """The database cannot be used as it is (for instance, it is busy or broken)."""


class Database:
    """One connection, used only from the thread that runs the sandbox's event loop."""

    def __init__(self, connection: sqlite3.Connection, path: str) -> None:
        self.connection = connection
        self.path = path
        self._in_transaction = False

    @classmethod
    def open(cls, path: str) -> Database:
        """Open (creating folders and file as needed) and bring the schema up to date."""
        if path != MEMORY:
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = sqlite3.connect(
                path, isolation_level=None, check_same_thread=False, cached_statements=256
            )
        except sqlite3.Error as exc:
            raise ConfigurationError(f"cannot open the sandbox database {path!r}: {exc}") from None
        database = cls(connection, path)
        try:
            database._configure()
            database._migrate()
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise ConfigurationError(
                f"{path!r} cannot be used as a sandbox database: {exc}"
            ) from None
        except ConfigurationError:
            connection.close()
            raise
        return database

    def _configure(self) -> None:
        execute = self.connection.execute
        execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if self.path != MEMORY:
            execute("PRAGMA journal_mode = WAL")
            # The sandbox holds test data, so it never waits for the disk: commits reach the operating
            # system at once and survive the sandbox crashing or restarting; only an operating-system
            # crash or power cut could lose or damage them. Syncing (NORMAL) would stall a request for
            # every WAL checkpoint and cut throughput by about a third.
            execute("PRAGMA synchronous = OFF")
        execute("PRAGMA foreign_keys = ON")

    def _migrate(self) -> None:
        (version,) = self.connection.execute("PRAGMA user_version").fetchone()
        if version > len(MIGRATIONS):
            raise ConfigurationError(
                f"{self.path!r} was written by a newer billkit (schema {version}, "
                f"this one knows {len(MIGRATIONS)}): upgrade billkit or use another --db"
            )
        for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction():
                for statement in _statements(step):
                    self.connection.execute(statement)
                self.connection.execute(f"PRAGMA user_version = {number}")

    def transaction(self, *, on_commit: Callable[[], None] | None = None) -> Transaction:
        """All or nothing: committed when the block ends, rolled back if it raises; `on_commit` is called
        once it has committed."""
        return Transaction(self, on_commit)

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """Inside a transaction: undo only this block's writes if it raises."""
        if not self._in_transaction:
            raise StoreError("savepoint() needs an open transaction")
        self.connection.execute("SAVEPOINT work")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK TO work")
            self.connection.execute("RELEASE work")
            raise
        else:
            self.connection.execute("RELEASE work")

    def close(self) -> None:
        self.connection.close()


class Transaction:
    """`Database.transaction()`: a class rather than a generator, since every request enters one."""

    __slots__ = ("_database", "_on_commit")

    def __init__(self, database: Database, on_commit: Callable[[], None] | None) -> None:
        self._database = database
        self._on_commit = on_commit

    def __enter__(self) -> sqlite3.Connection:
        database = self._database
        if database._in_transaction:
            raise StoreError("transactions do not nest; use savepoint() inside one")
        database.connection.execute("BEGIN IMMEDIATE")
        database._in_transaction = True
        return database.connection

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        database = self._database
        try:
            database.connection.execute("COMMIT" if exc_type is None else "ROLLBACK")
        finally:
            database._in_transaction = False
        if exc_type is None and self._on_commit is not None:
            self._on_commit()


def _statements(script: str) -> list[str]:
    """Split a migration into statements (they hold no semicolons inside strings)."""
    lines = [line for line in script.splitlines() if not line.strip().startswith("--")]
    return [statement.strip() for statement in "\n".join(lines).split(";") if statement.strip()]
