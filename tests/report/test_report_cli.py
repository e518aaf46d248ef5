"""`billkit report`: options checked before any kernel starts, and a real run's two files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from billkit.cli import main
from billkit.demo import populate
from billkit.notebook.records import read_records
from billkit.notebook.run import PROJECT_ROOT
from billkit.sandbox import Sandbox


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["--as-of", "2026-02-30"], "--as-of must be a date"),
        (["--timezone", "Mars/Olympus"], "--timezone must be an IANA time zone"),
        (["--currency", "EUR"], "--currency must be one of 'USD', 'ZAR'"),
        (["--start", "2026-12-10", "--end", "2026-12-01"], "--start (2026-12-10) must be on or"),
        (["--end", "2026-12-31", "--as-of", "2026-12-15"], "--end (2026-12-31) must be on or"),
        (["--source", "no-such-ledger.sqlite"], "--source names no ledger file"),
        (["--seed", "-3"], "--seed must be 0 or more"),
    ],
)
def test_bad_options_exit_2_naming_the_option(
    arguments: list[str], named: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exited:
        main(["report", *arguments, "--out", str(out)])
    assert exited.value.code == 2
    assert named in capsys.readouterr().err
    assert not out.exists(), "nothing is written for bad options"


@pytest.mark.slow
def test_report_writes_a_notebook_and_a_standalone_html(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reports"
    assert main(["report", "--out", str(out)]) == 0
    notebook, html = out / "payments_report.ipynb", out / "payments_report.html"
    printed = capsys.readouterr().out
    assert str(notebook) in printed
    assert str(html) in printed
    assert sorted(path.name for path in out.iterdir()) == [html.name, notebook.name]
    text = html.read_text(encoding="utf-8")
    for secret_prefix in ("sk_test_", "sk_live_", "whsec_"):
        assert secret_prefix not in text
        assert secret_prefix not in notebook.read_text(encoding="utf-8")
    for path in {str(PROJECT_ROOT), str(Path.home()), str(tmp_path), sys.prefix}:
        assert path not in text
    assert text.count('class="plotly-graph-div"') == 4
    assert '<script src="http' not in text, "works offline: nothing is loaded from the network"
    assert text.count("plotly.js v") == 1, "plotly.js is inlined once"
    assert "check_parameters(globals()" not in text, "code cells are hidden in the report"
    # The same seed in a sandbox of the test's own gives the same month: compare the recorded figures.
    records = read_records(notebook)
    with Sandbox() as sandbox, sandbox.client() as client:
        summary = populate(client, seed=7)
    assert records["as_of"] == summary.last_day.isoformat()
    assert records["bills_by_status"] == summary.bills_by_status
    assert records["partially_paid_bills"] == summary.partially_paid_bills
    assert records["payments"] == summary.payments
    assert records["payments_received"] == summary.collected
    assert records["outstanding"] == summary.outstanding
    json.dumps(records)


def test_a_failing_notebook_exits_1_and_keeps_the_executed_notebook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reports"
    code = main(["report", "--customer", "NO-SUCH-CUSTOMER", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 1
    assert "customer 'NO-SUCH-CUSTOMER' is not in the ledger" in printed
    assert (out / "payments_report.ipynb").is_file()
    assert not (out / "payments_report.html").exists()
