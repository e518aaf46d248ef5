"""Fixtures every test folder may use (a real PostgreSQL server, ledger locations on both backends), and
the suite's order: the slowest tests start first, so parallel workers (`pytest -n auto`) finish together."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from demo_report import DemoReport, run_demo_report
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
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> DemoReport:
    """`billkit report --out` with every default (the demo month), run once: a report kernel costs ~15 s
    of CPU, and the report tests and the notebook tests check the same run."""
    return run_demo_report(tmp_path_factory.mktemp("demo-report") / "reports")


#: Session fixtures too costly to build on every worker: all their tests run on one (`--dist loadgroup`).
ONE_WORKER_FIXTURES = frozenset({"demo_report"})


def _module_fixture_key(item: pytest.Item) -> str | None:
    """The module (and the parameters of its module-scoped fixtures) whose fixture instances `item`
    shares with other tests, or None when it uses no module- or class-scoped fixture."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    scoped = [
        name
        for name, defs in info.name2fixturedefs.items()
        if defs and defs[-1].scope in ("module", "class", "package")
    ]
    if not scoped:
        return None
    callspec = getattr(item, "callspec", None)
    indices = callspec.indices if callspec is not None else {}
    instance = ",".join(f"{name}={indices[name]}" for name in sorted(scoped) if name in indices)
    return f"module:{item.nodeid.split('::')[0]}[{instance}]"


def _work_units(items: list[pytest.Item]) -> list[list[pytest.Item]]:
    """The items in units that must share a worker, in collection order: the tests of a module that
    share an instance of one of its module- (or class-) scoped fixtures, joined with every test using
    the same `ONE_WORKER_FIXTURES` fixture; any other test is a unit of its own."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    keys: list[list[str]] = []
    for item in items:
        module = _module_fixture_key(item)
        shared = [module] if module is not None else []
        shared += [f"fixture:{name}" for name in item.fixturenames if name in ONE_WORKER_FIXTURES]
        for other in shared[1:]:
            parent[find(other)] = find(shared[0])
        keys.append(shared)
    units: dict[str, list[pytest.Item]] = {}
    for item, shared in zip(items, keys, strict=True):
        units.setdefault(find(shared[0]) if shared else f"item:{item.nodeid}", []).append(item)
    return list(units.values())


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Units with the most tests marked `slow` start first (stable otherwise), so the workers finish
    together. Under pytest-xdist each worker writes which unit each test is in for `UnitScheduling`."""
    units = _work_units(items)
    units.sort(key=lambda unit: -sum(item.get_closest_marker("slow") is not None for item in unit))
    items[:] = [item for unit in units for item in unit]
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and _UNITS_INPUT in workerinput:
        names = {item.nodeid: f"unit{n}" for n, unit in enumerate(units) for item in unit}
        written = Path(workerinput[_UNITS_INPUT])
        partial = written.with_name(f"{written.name}.{workerinput['workerid']}")
        partial.write_text(json.dumps(names), encoding="utf-8")
        partial.replace(written)  # every worker collects the same tests: any complete copy will do


# pytest-xdist's own `xdist_group` marks do not reach its scheduler under pytest 9 (it still renames
# items through a `_nodeid` pytest no longer reads), so the units travel in a file of the run's own.
_UNITS_INPUT = "billkit_units_file"
_UNITS_FILE = pytest.StashKey[Path]()


def _units_file(config: pytest.Config) -> Path:
    if _UNITS_FILE not in config.stash:
        folder = Path(tempfile.mkdtemp(prefix="billkit-test-units-"))
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
        config.stash[_UNITS_FILE] = folder / "units.json"
    return config.stash[_UNITS_FILE]


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    node.workerinput[_UNITS_INPUT] = str(_units_file(node.config))


@pytest.hookimpl(optionalhook=True, tryfirst=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadgroup` sends each unit of `_work_units` whole to one worker, in the suite's order, so
    no module fixture (nor a `ONE_WORKER_FIXTURES` one) is built twice and the slow units start first."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    units_file = _units_file(config)

    class UnitScheduling(LoadScopeScheduling):  # type: ignore[misc]
        units: dict[str, str] | None = None

        def _split_scope(self, nodeid: str) -> str:
            # Asked only once every worker has collected (and so has written the file).
            if self.units is None:
                self.units = json.loads(units_file.read_text(encoding="utf-8"))
            return self.units.get(nodeid, nodeid)

    return UnitScheduling(config, log)
