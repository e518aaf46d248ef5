"""`billkit report` on the demo month with every default, run once per test run (`demo_report` in
tests/conftest.py): the report tests and the notebook tests read the same run instead of three kernels,
and parallel workers read the one run the first of them made instead of each making its own."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import functools
import io
import json
from dataclasses import dataclass
from pathlib import Path

from billkit.cli import main
from billkit.demo import DemoSummary


@dataclass(frozen=True)
class DemoReport:
    """The run's folder, its two files, its exit status and what it printed on standard output."""

    out: Path
    notebook: Path
    html: Path
    code: int
    printed: str


def run_demo_report(out: Path) -> DemoReport:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["report", "--out", str(out)])
    return DemoReport(
        out, out / "payments_report.ipynb", out / "payments_report.html", code, printed.getvalue()
    )


def shared_demo_report(folder: Path) -> DemoReport:
    """The run in `folder` (a folder every worker of this test run sees), made by whichever worker asks
    first; the others wait on the lock for it rather than run a kernel of their own."""
    folder.mkdir(parents=True, exist_ok=True)
    made = folder / "demo-report.json"
    with (folder / "demo-report.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not made.exists():
            report = run_demo_report(folder / "reports")
            fields = {key: str(value) for key, value in dataclasses.asdict(report).items()}
            made.write_text(json.dumps({**fields, "code": report.code}), encoding="utf-8")
        fields = json.loads(made.read_text(encoding="utf-8"))
    return DemoReport(
        Path(fields["out"]),
        Path(fields["notebook"]),
        Path(fields["html"]),
        fields["code"],
        fields["printed"],
    )


@functools.cache
def demo_month() -> DemoSummary:
    """The demo month made again, in a sandbox of its own, from the seed the report and the explorer use
    by default: what their figures must equal. Made once per test process for every check that needs it."""
    from billkit import demo

    with demo.sandbox() as sandbox, sandbox.client() as client:
        return demo.populate(client, month=demo.DEMO_MONTH, seed=7)
