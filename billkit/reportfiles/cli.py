"""`billkit reports fetch --since DATE`: copy new report files from SFTP and import them into a ledger.

    billkit reports fetch --since 2025-03-01                          # MOMENT_SFTP_* from the environment
    billkit reports fetch --since 2025-03-01 --to reports/ --db payments.sqlite
    billkit reports fetch --since 2025-03-01 --host 127.0.0.1 --port 2222 --username merchant \\
        --host-key-fingerprint SHA256:...

Files whose period ends on or after `--since` are copied from `/outbound/reports/` into `--to` (default
`reports`); those already there are not downloaded again. With `--db` (default `$BILLKIT_LEDGER_URL`) they are
then imported into that ledger (idempotent). Exit status: 0 when done (conflicting rows are reported, not
failed), 1 when the server, a file or the ledger failed, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from billkit._usage import UsageError
from billkit.billfiles.cli import add_server_options, server_settings
from billkit.billfiles.errors import SftpError
from billkit.billfiles.sftp import REPORTS
from billkit.reportfiles.errors import ReportFileError
from billkit.reportfiles.fetch import FetchResult, fetch_reports
from billkit.reportfiles.values import as_day

__all__ = ["configure", "run"]

DEFAULT_FOLDER = Path("reports")
_SHOWN_CONFLICTS = 20


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="reports_action", metavar="ACTION", required=True)
    fetch = actions.add_parser(
        "fetch",
        help="copy new report files from SFTP into a folder, and import them into a ledger",
        description="copy new report files from SFTP /outbound/reports/ into a folder, and import "
        "them into a ledger",
    )
    fetch.add_argument(
        "--since",
        type=_day,
        required=True,
        help="fetch reports whose period ends on or after this day (YYYY-MM-DD)",
    )
    fetch.add_argument(
        "--to",
        type=Path,
        default=DEFAULT_FOLDER,
        help="the local folder for the files (default: %(default)s)",
    )
    fetch.add_argument(
        "--db",
        help="import them into this ledger: a SQLite path or a postgresql:// URL "
        "(default: $BILLKIT_LEDGER_URL, if set)",
    )
    add_server_options(fetch)
    fetch.add_argument("--no-progress", action="store_true", help="no progress bars")


def run(args: argparse.Namespace) -> int:
    from billkit.ledger import LEDGER_URL_ENV

    settings = server_settings(args)
    ledger_location = args.db or os.environ.get(LEDGER_URL_ENV) or None
    folder: Path = args.to
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"--to {folder}: not a folder")
    try:
        result = fetch_reports(settings, folder, since=args.since, progress=not args.no_progress)
    except SftpError as exc:
        print(f"billkit reports fetch: {exc}", file=sys.stderr)
        return 1
    print(_fetched(result, args.since))
    if ledger_location is None:
        return 0
    return _import(ledger_location, result)


def _fetched(result: FetchResult, since: date) -> str:
    period = f"with a period ending on or after {since.isoformat()}"
    if not result.names:
        return f"no report files {period} in {REPORTS} on the server"
    if result.nothing_new:
        return (
            f"nothing new: the {len(result.present)} report file(s) {period} are already in "
            f"{result.folder}"
        )
    return (
        f"fetched {len(result.downloaded)} new report file(s) into {result.folder} "
        f"({len(result.present)} already there)"
    )


def _import(location: str, result: FetchResult) -> int:
    from billkit.ledger import Ledger, LedgerError

    try:
        with Ledger(location) as ledger:
            imports = ledger.import_reports(result.paths)
            shown = ledger.path
    except (ReportFileError, LedgerError) as exc:
        print(f"billkit reports fetch: not imported: {exc}", file=sys.stderr)
        return 1
    new_files = sum(not item.already_imported for item in imports)
    recorded = sum(item.recorded for item in imports)
    conflicts = [(item.name, rid) for item in imports for rid in item.conflicts]
    print(
        f"ledger {shown}: {new_files} new report file(s) of {len(imports)}, {recorded} row(s) "
        f"recorded, {len(conflicts)} conflict(s)"
    )
    for name, reconciliation_id in conflicts[:_SHOWN_CONFLICTS]:
        print(
            f"  conflict: {name}: reconciliation_id {reconciliation_id} differs from the row the ledger "
            "already holds (the first is kept)",
            file=sys.stderr,
        )
    return 0


def _day(text: str) -> date:
    try:
        return as_day(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
