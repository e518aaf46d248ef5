"""Fixtures for the sandbox tests: real servers on free loopback ports, and an httpx client for them.

`sandbox` is shared by the whole session (a database file in a temporary folder); tests that touch
sandbox-wide state (the clock, reset, the webhook endpoint) use `fresh_sandbox`, their own in-memory one.
Objects get unique external references from `ref()`, so tests never see each other's data; `bill` is an
unpaid ZAR 20.00 bill of a new customer in the shared sandbox, for tests that need one and nothing more.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sandbox_helpers import Api

from billkit.sandbox import Sandbox


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    db = tmp_path_factory.mktemp("sandbox") / "sandbox.sqlite3"
    with Sandbox(db=str(db)) as running:
        yield running


@pytest.fixture(scope="session")
def api(sandbox: Sandbox) -> Iterator[Api]:
    client = Api(sandbox)
    yield client
    client.close()


@pytest.fixture
def fresh_sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


@pytest.fixture
def fresh_api(fresh_sandbox: Sandbox) -> Iterator[Api]:
    client = Api(fresh_sandbox)
    yield client
    client.close()


@pytest.fixture
def db_file(tmp_path: Path) -> str:
    """A database file of this test's own, for restarts on the same --db."""
    return str(tmp_path / "sandbox.sqlite3")


@pytest.fixture
def bill(api: Api) -> dict[str, Any]:
    return api.bill()
