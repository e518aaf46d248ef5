"""The demo month is fixed (`billkit.demo.DEMO_MONTH`), whatever the wall clock says, and every example date
in the README, the docs and the report notebooks falls inside it, so a copied example shows a full report."""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from billkit import demo
from billkit.notebook.specs import PaymentsReportParameters
from billkit.report.source import load_source
from billkit.sandbox import Sandbox, clock

REPO_ROOT = Path(__file__).resolve().parents[2]
FIRST_DAY = datetime.strptime(demo.DEMO_MONTH, "%Y-%m").date()
LAST_DAY = FIRST_DAY.replace(day=calendar.monthrange(FIRST_DAY.year, FIRST_DAY.month)[1])
# Where the docs tell a reader which day to report on: options and Python arguments.
EXAMPLE_DATE = re.compile(
    r"(?:--as-of|--start|--end|as_of\(|start=|end=|as_of =|start =|end =)\s*\\?[\"']?(\d{4}-\d{2}-\d{2})"
)
EXAMPLE_FILES = [
    "README.md",
    *sorted(str(path.relative_to(REPO_ROOT)) for path in (REPO_ROOT / "docs").glob("*.md")),
    "notebooks/10_payments_report.ipynb",
    "notebooks/11_explore_payments.ipynb",
    "billkit/report/cli.py",
    "billkit/report/export_cli.py",
]


@pytest.mark.parametrize("wall", ["2024-03-10", "2031-08-20"], ids=["years-before", "years-after"])
def test_the_demo_month_is_the_same_whatever_the_wall_clock(
    wall: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = time.time()
    shift = datetime.fromisoformat(wall).replace(tzinfo=UTC).timestamp() - started
    monkeypatch.setattr(clock, "wall_time", lambda: time.time() + shift)

    data = load_source(PaymentsReportParameters(demo_seed=3))

    assert data.demo is not None
    assert data.demo.month == demo.DEMO_MONTH
    assert (data.demo.first_day, data.demo.last_day) == (FIRST_DAY, LAST_DAY)
    assert data.last_day == LAST_DAY, "a report's default day is the demo month's last"
    frames = data.ledger.as_of(LAST_DAY, tz="UTC")
    paid_on = {moment.date() for moment in frames.payments["created_at"]}
    assert paid_on
    assert min(paid_on) >= FIRST_DAY
    assert max(paid_on) <= LAST_DAY
    assert max(frames.bills["bill_date"]).date() <= LAST_DAY


def test_a_demo_sandbox_starts_its_clock_just_before_the_month() -> None:
    with demo.sandbox() as sandbox, sandbox.client() as client:
        now = client.sandbox.clock.now()
    assert now.date() == date.fromordinal(FIRST_DAY.toordinal() - 1)


@pytest.mark.parametrize("relative", EXAMPLE_FILES)
def test_example_dates_fall_inside_the_demo_month(relative: str) -> None:
    text = (REPO_ROOT / relative).read_text(encoding="utf-8")
    for found in EXAMPLE_DATE.finditer(text):
        day = date.fromisoformat(found.group(1))
        assert FIRST_DAY <= day <= LAST_DAY, (
            f"{relative}: {found.group(0)!r} lies outside the demo month {demo.DEMO_MONTH}"
        )


def test_a_clock_start_applies_to_a_new_database_only_and_is_kept(tmp_path: Path) -> None:
    started_on = date.fromordinal(FIRST_DAY.toordinal() - 1)
    fresh = str(tmp_path / "fresh.sqlite")
    with Sandbox(db=fresh, clock_start=demo.clock_start()) as sandbox, sandbox.client() as client:
        assert client.sandbox.clock.now().date() == started_on
    with Sandbox(db=fresh) as sandbox, sandbox.client() as client:
        assert client.sandbox.clock.now().date() == started_on, (
            "a restart goes on from the kept clock"
        )
    used = str(tmp_path / "used.sqlite")
    with Sandbox(db=used) as sandbox, sandbox.client() as client:
        before = client.sandbox.clock.now()
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    with Sandbox(db=used, clock_start=long_ago) as sandbox, sandbox.client() as client:
        assert client.sandbox.clock.now() >= before, "a database's clock never moves back"
