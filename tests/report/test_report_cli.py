"""`billkit report`: options checked before any kernel starts, and a real run's two files."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import pytest
from demo_report import DemoReport, demo_month

from billkit.cli import main
from billkit.demo import populate
from billkit.ledger import Ledger
from billkit.notebook.runner.records import read_records
from billkit.sandbox import Sandbox

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["--as-of", "2026-02-30"], "--as-of must be a date"),
        (["--timezone", "Mars/Olympus"], "--timezone must be an IANA time zone"),
        (["--currency", "XYZ"], "--currency must be an ISO 4217 currency code"),
        (["--start", "2026-12-10", "--end", "2026-12-01"], "--start (2026-12-10) must be on or"),
        (["--end", "2026-12-31", "--as-of", "2026-12-15"], "--end (2026-12-31) must be on or"),
        (["--source", "no-such-ledger.sqlite"], "--source names no ledger file"),
        (["--seed", "-3"], "--seed must be 0 or more"),
        (["--seed", "x"], "argument --seed: must be a whole number such as 7, got 'x'"),
        (["--seed", ""], "argument --seed: must be a whole number such as 7, got ''"),
        (["--as-of", ""], "--as-of must be a date written YYYY-MM-DD, got ''"),
        (["--as-of", "None"], "--as-of must be a date written YYYY-MM-DD, got 'None'"),
        (["--timezone", ""], "--timezone must be an IANA time zone such as"),
        (
            ["--currency", ""],
            "--currency must be an ISO 4217 currency code such as 'ZAR' or 'usd', got ''",
        ),
        (["--start", "x"], "--start must be a date written YYYY-MM-DD, got 'x'"),
        (["--customer", ""], "--customer must be an ID or external_reference, got ''"),
        (["--account", " "], "--account must be an ID or external_reference, got ' '"),
        (["--source", ""], "--source must be 'sandbox', the path of a ledger file or a postgresql"),
        (["--source", "None"], "--source names no ledger file: nothing is at"),
        (
            ["--as-of", "2026-12-05", "--end", "2026-12-06"],
            "--end (2026-12-06) must be on or before --as-of (2026-12-05): nothing after --as-of",
        ),
        (["--format", "pdf"], "--format must list html, xlsx and/or csv, got 'pdf'"),
    ],
)
def test_bad_options_exit_2_naming_the_option(
    arguments: list[str], named: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exited:
        main(["report", *arguments, "--out", str(out)])
    assert exited.value.code == 2
    printed = capsys.readouterr().err
    assert named in printed
    assert not out.exists(), "nothing is written for bad options"
    # A command line speaks in options and the values typed, not in Python's words.
    for python_words in (
        "got str",
        "got int",
        "None for all",
        "invalid int value",
        "as_of",
        "demo_seed",
    ):
        assert python_words not in printed


def test_an_empty_out_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["report", "--out", ""])
    assert exited.value.code == 2
    assert "argument --out: must be a folder's path, got ''" in capsys.readouterr().err


@pytest.mark.slow
def test_report_writes_a_notebook_and_a_standalone_html(demo_report: DemoReport) -> None:
    out, notebook, html = demo_report.out, demo_report.notebook, demo_report.html
    assert demo_report.code == 0
    assert str(notebook) in demo_report.printed
    assert str(html) in demo_report.printed
    assert sorted(path.name for path in out.iterdir()) == [html.name, notebook.name]
    text = html.read_text(encoding="utf-8")
    for secret_prefix in ("sk_test_", "sk_live_", "whsec_"):
        assert secret_prefix not in text
        assert secret_prefix not in notebook.read_text(encoding="utf-8")
    for path in {str(REPO_ROOT), str(Path.home()), str(out.parent), sys.prefix}:
        assert path not in text
    assert text.count('class="plotly-graph-div"') == 6
    assert '<script src="http' not in text, "works offline: nothing is loaded from the network"
    assert text.count("plotly.js v") == 1, "plotly.js is inlined once"
    assert "check_parameters(globals()" not in text, "code cells are hidden in the report"
    # The same seed in a sandbox of the test's own gives the same month: compare the recorded figures.
    records = read_records(notebook)
    summary = demo_month()
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
    captured = capsys.readouterr()
    assert code == 1
    assert "customer 'NO-SUCH-CUSTOMER' is not in the ledger" in captured.err
    assert "is not in the ledger" not in captured.out, "a failure goes to stderr only"
    # The cell is named as Jupyter shows it: its execution count and its first line, not its position.
    failed = nbformat.read(out / "payments_report.ipynb", as_version=4)
    cell = next(cell for cell in failed.cells if "ename" in str(cell.get("outputs")))
    first_line = cell.source.strip().splitlines()[0]
    assert f"failed in In [{cell.execution_count}] `{first_line}`" in captured.err
    assert (out / "payments_report.ipynb").is_file()
    assert not (out / "payments_report.html").exists()


@pytest.fixture(scope="module")
def ledger_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A ledger file of the demo month imported from a sandbox, and the month (YYYY-MM)."""
    path = tmp_path_factory.mktemp("cli") / "ledger.sqlite"
    with Sandbox() as sandbox, sandbox.client() as client, Ledger(path) as ledger:
        summary = populate(client, seed=3, customers=8)
        ledger.import_sandbox(client, observed_at=client.sandbox.clock.now())
    return path, summary.month


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["--customer", "NO-SUCH-CUSTOMER"], "customer 'NO-SUCH-CUSTOMER' is not in the ledger"),
        (
            ["--account", "NO-SUCH-ACCOUNT"],
            "account 'NO-SUCH-ACCOUNT' is not in the ledger: give the ID or external_reference of one",
        ),
        (["--currency", "eur"], "currency EUR is not in the ledger, which holds USD, ZAR"),
        (
            ["--as-of", "1999-01-31", "--start", "1999-01-01"],
            "the period 1999-01-01 to 1999-01-31 has no bills and no payments",
        ),
    ],
)
def test_checks_that_need_the_data_exit_2_before_a_kernel_starts(
    ledger_file: tuple[Path, str],
    arguments: list[str],
    named: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, month = ledger_file
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exited:
        main(
            [
                "report",
                "--source",
                str(path),
                "--as-of",
                f"{month}-28",
                *arguments,
                "--out",
                str(out),
            ]
        )
    assert exited.value.code == 2
    assert named in capsys.readouterr().err
    assert not out.exists(), "nothing is written, no kernel started"


@pytest.mark.slow
def test_a_day_after_the_data_warns_on_stderr_and_in_the_report(
    ledger_file: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, month = ledger_file
    year, number = map(int, month.split("-"))
    later = f"{year + 1}-{number:02d}-15"
    out = tmp_path / "reports"
    code = main(
        ["report", "--source", str(path), "--as-of", later, "--start", f"{month}-01", "--currency", "zar",
         "--out", str(out)]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.out
    assert f"warning: as of {later} is after the last recorded activity" in captured.err
    records = read_records(out / "payments_report.ipynb")
    assert records["currencies"] == ["ZAR"]
    assert records["warnings"]
    assert "after the last recorded activity" in records["warnings"][0]
    assert "after the last recorded activity" in (out / "payments_report.html").read_text("utf-8")


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["--port", "x"], "argument --port: must be a whole number such as 7, got 'x'"),
        (["--port", "-1"], "--port must be 0 to 65535, got -1"),
        (["--seed", "x"], "argument --seed: must be a whole number such as 7, got 'x'"),
        (["--as-of", "x"], "the dashboard options need fixing:\n  --as-of must be a date"),
        (["--source", "nope"], "--source names no ledger file: nothing is at"),
        (
            ["--currency", ""],
            "--currency must be an ISO 4217 currency code such as 'ZAR' or 'usd', got ''",
        ),
    ],
)
def test_dashboard_options_exit_2_naming_the_option_before_serving(
    arguments: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["dashboard", *arguments])
    assert exited.value.code == 2
    printed = capsys.readouterr()
    assert named in printed.err
    assert "Dashboard:" not in printed.out, "nothing was served"
    for python_words in ("got str", "invalid int value", "as_of", "demo_seed"):
        assert python_words not in printed.err
