"""`billkit report`: run the payments report notebook into an executed notebook and a standalone HTML report,
and on request the report's tables in full as an xlsx workbook and CSV files.

    billkit report --currency ZAR --out reports/
    billkit report --source ledger.sqlite --start 2027-01-01 --end 2027-01-15 --format html,xlsx,csv

Every option is validated (with the notebook's own parameter spec) before a kernel starts; a bad value exits
with status 2 and a message naming the option. The notebook runs through papermill in a temporary folder;
`OUT/payments_report.ipynb` and `OUT/payments_report.html` (offline: plotly.js inlined once, code hidden)
appear only when it has run. `--format` adds `OUT/payments_report.xlsx` (one sheet per table) and
`OUT/payments_report_<table>.csv` (see `billkit.report.exports`). A failing notebook exits 1 and keeps the
executed notebook for inspection.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from billkit._usage import UsageError, folder, whole_number
from billkit.errors import InvalidArgumentError
from billkit.ledger import LEDGER_URL_ENV, Ledger, is_postgres_url, without_password
from billkit.notebook.catalog import NOTEBOOKS_DIR
from billkit.notebook.runner.parameters import ParameterError, validate_parameters
from billkit.notebook.runner.run import NotebookExecutionError, execute
from billkit.notebook.specs import PaymentsReportParameters
from billkit.report import checks
from billkit.report.build import resolve_filters, resolve_scope
from billkit.report.exports import TABLE_FORMATS
from billkit.report.source import ReportData

__all__ = [
    "NOTEBOOK",
    "OUTPUT_NAME",
    "add_data_options",
    "checked_parameters",
    "configure",
    "run",
]

NOTEBOOK = NOTEBOOKS_DIR / "10_payments_report.ipynb"
OUTPUT_NAME = "payments_report"
# option flag -> notebook parameter
_OPTIONS = {
    "--as-of": "as_of",
    "--timezone": "timezone",
    "--currency": "currency",
    "--start": "start",
    "--end": "end",
    "--customer": "customer",
    "--account": "account",
    "--source": "source",
    "--seed": "demo_seed",
}


def add_data_options(parser: argparse.ArgumentParser) -> None:
    """The options saying what data to read and how to read its days (`billkit dashboard` shares them)."""
    parser.add_argument(
        "--as-of",
        dest="as_of",
        metavar="YYYY-MM-DD",
        help="the report's day (default: the data's last day)",
    )
    parser.add_argument(
        "--timezone",
        dest="timezone",
        metavar="ZONE",
        help="IANA time zone for calendar days (default: Africa/Johannesburg)",
    )
    parser.add_argument(
        "--currency",
        dest="currency",
        metavar="CODE",
        help="one currency only, an ISO 4217 code the data holds, any case (default: each separately)",
    )
    parser.add_argument(
        "--source",
        dest="source",
        metavar="sandbox|PATH|URL",
        help=(
            "'sandbox' (default: an embedded sandbox with a demo month), a billkit ledger file or a "
            f"postgresql:// ledger URL (default: ${LEDGER_URL_ENV} when set)"
        ),
    )
    parser.add_argument(
        "--seed",
        dest="demo_seed",
        type=whole_number,
        metavar="N",
        help="seed of the demo month (default: 7)",
    )


def configure(parser: argparse.ArgumentParser) -> None:
    add_data_options(parser)
    parser.add_argument(
        "--start",
        dest="start",
        metavar="YYYY-MM-DD",
        help="first bill date of the period (default: as-of's month)",
    )
    parser.add_argument(
        "--end",
        dest="end",
        metavar="YYYY-MM-DD",
        help="last bill date of the period (default: as-of)",
    )
    parser.add_argument(
        "--customer", dest="customer", metavar="ID|REF", help="only this customer and its accounts"
    )
    parser.add_argument("--account", dest="account", metavar="ID|REF", help="only this account")
    parser.add_argument(
        "--out",
        type=folder,
        default=Path("reports"),
        help="folder for payments_report.ipynb and .html (default: reports)",
    )
    parser.add_argument(
        "--format",
        dest="formats",
        default="html",
        metavar="LIST",
        help="comma-separated: html (the report), xlsx (a workbook, one sheet per table), csv (one file "
        "per table); the executed notebook is always written (default: html)",
    )


def _formats(text: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    if not chosen or any(f not in TABLE_FORMATS for f in chosen):
        raise UsageError(
            f"the report options need fixing:\n  --format must list html, xlsx and/or csv, got {text!r}"
        )
    return chosen


def checked_parameters(args: argparse.Namespace, command: str = "report") -> dict[str, object]:
    """The notebook parameters the options given in `args` ask for, checked as the notebook checks them
    (and against the ledger file, when one is the source); `UsageError` naming the options of `command`
    otherwise."""
    given = {parameter: getattr(args, parameter, None) for parameter in _OPTIONS.values()}
    parameters: dict[str, object] = {
        name: value for name, value in given.items() if value is not None
    }
    if "source" not in parameters and os.environ.get(LEDGER_URL_ENV):
        parameters["source"] = os.environ[LEDGER_URL_ENV]
    source = parameters.get("source")
    if isinstance(source, str) and is_postgres_url(source):
        # The URL goes into the executed notebook: its password goes to the kernel's environment instead,
        # where libpq reads it (PGPASSWORD), so no report file ever holds it.
        parameters["source"], password = without_password(source)
        if password is not None:
            os.environ["PGPASSWORD"] = password
    elif isinstance(source, str) and source != "sandbox" and source.strip():
        # The notebook runs in a temporary folder: a relative path must mean the caller's folder.
        parameters["source"] = str(Path(source).expanduser().resolve())
    try:
        checked = validate_parameters(parameters, PaymentsReportParameters)
    except ParameterError as error:
        raise UsageError(_with_option_names(error, command)) from error
    if checked.source != "sandbox":
        _check_against_ledger(checked)
    return parameters


def run(args: argparse.Namespace) -> int:
    formats = _formats(args.formats)
    parameters = checked_parameters(args)
    if not NOTEBOOK.is_file():
        raise UsageError(f"the report notebook is missing: {NOTEBOOK}")
    out_dir: Path = args.out
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = {suffix: out_dir / f"{OUTPUT_NAME}{suffix}" for suffix in (".ipynb", ".html")}
    with tempfile.TemporaryDirectory(prefix=".billkit-report-", dir=out_dir) as staging:
        staged = Path(staging)
        tables = staged / "tables"
        if any(f != "html" for f in formats):
            parameters["tables_out"] = str(tables.resolve())
        try:
            result = execute(
                NOTEBOOK,
                staged,
                parameters,
                spec=PaymentsReportParameters,
                html="html" in formats,  # HTML costs seconds at scale: made only when asked for
                hide_code=True,
            )
        except NotebookExecutionError as error:
            targets[".html"].unlink(missing_ok=True)  # an old report must not pass for this run's
            shutil.move(error.executed, targets[".ipynb"])
            print(
                f"billkit report: the report notebook failed in {error.where}: {error.exception}\n"
                f"The executed notebook is kept at {targets['.ipynb']}",
                file=sys.stderr,
            )
            return 1
        shutil.move(result.notebook, targets[".ipynb"])
        written = {"notebook": targets[".ipynb"]}
        if "html" in formats:
            shutil.move(staged / f"{NOTEBOOK.stem}.html", targets[".html"])
            written["HTML"] = targets[".html"]
        wanted = [f"{OUTPUT_NAME}.xlsx"] if "xlsx" in formats else []
        if "csv" in formats:
            wanted += sorted(path.name for path in tables.glob(f"{OUTPUT_NAME}_*.csv"))
        for name in wanted:
            written[Path(name).suffix[1:]] = out_dir / name
            shutil.move(tables / name, out_dir / name)
    for warning in result.records.get("warnings", []):
        print(f"billkit report: warning: {warning}", file=sys.stderr)
    print(f"Payments report ({result.seconds:.1f} s):")
    for label, path in written.items():
        print(f"  {label:<9} {path if label != 'csv' else path.parent / (OUTPUT_NAME + '_*.csv')}")
    return 0


def _check_against_ledger(params: PaymentsReportParameters) -> None:
    """The checks that need the data, made on the ledger file before a kernel starts (exit 2 naming them)."""
    with Ledger(params.source) as ledger:
        scope = resolve_scope(params, ReportData(ledger, params.source, None))
        try:
            resolve_filters(ledger, scope)
            checks.check(
                ledger,
                start=scope.start,
                end=scope.end,
                timezone=scope.timezone,
                currency=scope.currency,
            )
        except InvalidArgumentError as error:
            raise UsageError(f"the report cannot be made from {params.source}: {error}") from error


def _with_option_names(error: ParameterError, command: str) -> str:
    """The problems as a command-line user reads them: option flags instead of parameter names."""
    flags = {parameter: flag for flag, parameter in _OPTIONS.items()}
    return error.as_options(
        f"the {command} options need fixing:", lambda name: flags.get(name, name)
    )
