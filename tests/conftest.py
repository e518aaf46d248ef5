"""Fixtures every test folder may use (a real PostgreSQL server, ledger locations on both backends), and
the suite's order: the slowest tests start first, so parallel workers (`pytest -n auto`) finish together."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from demo_report import DemoReport, run_demo_report, shared_demo_report
from postgres_server import PostgresMissing, PostgresServer, start


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One server per test process (each pytest-xdist worker has its own), stopped at the end.

    Missing binaries FAIL the tests that need them, never skip them: CI must run them.
    """
    try:
        server = start()
    except PostgresMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A new empty database on the test server, dropped after the test."""
    url = postgres_server.create_database()
    try:
        yield url
    finally:
        postgres_server.drop_database(url)


#: The ledger backends the ledger's and analysis' tests run on.
BACKENDS = [pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def ledger_location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a new, empty ledger goes: a SQLite file, or an empty PostgreSQL database's URL."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("postgres_url")
        return url
    return str(tmp_path / "ledger.sqlite")


@pytest.fixture(scope="module", params=BACKENDS)
def new_ledger_location(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[], str]]:
    """Makes new, empty ledger locations on one backend, for ledgers a module builds once and shares."""
    made: list[str] = []
    server: PostgresServer | None = (
        request.getfixturevalue("postgres_server") if request.param == "postgres" else None
    )

    def new() -> str:
        if server is None:
            return str(tmp_path_factory.mktemp("ledger") / "ledger.sqlite")
        made.append(server.create_database())
        return made[-1]

    yield new
    if server is not None:
        for url in made:
            server.drop_database(url)


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> DemoReport:
    """`billkit report --out` with every default (the demo month), run once: a report kernel costs ~15 s
    of CPU, and the report tests and the notebook tests check the same run. Under pytest-xdist, once for
    all the workers: their temporary folders share a parent, where the first worker to ask leaves it."""
    if worker_id == "master":  # not distributed
        return run_demo_report(tmp_path_factory.mktemp("demo-report") / "reports")
    return shared_demo_report(tmp_path_factory.getbasetemp().parent / "demo-report")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(
        key=lambda item: item.get_closest_marker("slow") is None
    )  # stable: order kept otherwise
