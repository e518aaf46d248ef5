"""`billkit report` on the demo month with every default, run once per test session (`demo_report` in
tests/conftest.py): the report tests and the notebook tests read the same run instead of three kernels."""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from pathlib import Path

from billkit.cli import main


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
