"""The start-up warm-up runs a create-bill's path and keeps nothing of it."""

from __future__ import annotations

from pathlib import Path

from billkit.sandbox.runtime import Runtime
from billkit.sandbox.settings import SandboxSettings
from billkit.sandbox.warmup import warm_up


def test_warming_up_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    runtime = Runtime.start(SandboxSettings(db=f"{tmp_path}/sandbox.sqlite3"))
    try:
        connection = runtime.store.database.connection
        tables = ("customers", "bills", "versions", "idempotency")

        def counts() -> list[int]:
            return [connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables]

        before = counts()
        warm_up(runtime)
        assert counts() == before == [0, 0, 0, 0]
    finally:
        runtime.close()
