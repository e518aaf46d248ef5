"""`billkit upload FILE`: check a billing file, upload it over SFTP, wait for its results.

    billkit upload za_acme_dailyfile_2025-02-02.csv              # MOMENT_SFTP_* from the environment
    billkit upload bills.csv --country za --merchant acme --date 2025-02-02 \\
        --host 127.0.0.1 --port 2222 --username merchant --host-key-fingerprint SHA256:...

The results are written beside the input (`<name>.results.csv`) and summed up (created / updated /
unchanged / rejected). The password comes only from MOMENT_SFTP_PASSWORD, never the command line (which
other users of the machine can read). Exit status: 0 when every row was applied, 1 when any row (or the file) was
rejected, 2 for bad usage (a missing option, an unreadable file, settings that cannot be used).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from billkit._usage import UsageError
from billkit.billfiles.build import bill_file_name
from billkit.billfiles.errors import BillFileRejected, SftpError
from billkit.billfiles.names import BillFileName, results_name
from billkit.billfiles.results import summarize
from billkit.billfiles.settings import SFTP_ENV, SftpSettings
from billkit.billfiles.sftp import DEFAULT_WAIT, BillFileSftp
from billkit.billfiles.validate import validate_bill_file
from billkit.errors import ConfigurationError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["add_server_options", "configure", "run", "server_settings"]

_SHOWN_PROBLEMS = 20


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="the billing file (CSV) to upload")
    naming = parser.add_argument_group(
        "file name",
        "upload under [country]_[merchant]_dailyfile_[date].csv instead of FILE's own name",
    )
    naming.add_argument("--country", help="ISO 3166 alpha-2 code, such as za or us")
    naming.add_argument("--merchant", help="your merchant alias")
    naming.add_argument("--date", type=_day, help="the file's date, YYYY-MM-DD")
    naming.add_argument(
        "--full", action="store_true", help="the initial full file (moment_all-customers)"
    )
    add_server_options(parser)
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_WAIT,
        help="seconds to wait for the results (default: %(default)s)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")


def run(args: argparse.Namespace) -> int:
    source: Path = args.file
    if not source.is_file():
        raise UsageError(f"{source}: no such file")
    name = _upload_name(args, source)
    problems = validate_bill_file(source, name=name)
    whole = problems[problems["row"] == 0]
    if not whole.empty:
        print(f"{name}: not uploaded: {whole.iloc[0]['field']}: {whole.iloc[0]['message']}")
        return 1
    if not problems.empty:
        print(f"{name}: {problems['row'].nunique()} row(s) will be rejected:")
        for problem in problems.head(_SHOWN_PROBLEMS).itertuples():
            print(f"  row {problem.row}: {problem.field}: {problem.message}")
    settings = server_settings(args)
    try:
        results = _upload(settings, source, name, args)
    except SftpError as exc:
        print(f"billkit upload: {exc}", file=sys.stderr)
        return 1
    target = source.with_name(results_name(name))
    results.to_csv(target, index=False, lineterminator="\r\n")
    counts = summarize(results)
    print(
        f"{name}: created {counts['created']}, updated {counts['updated']}, "
        f"unchanged {counts['unchanged']}, rejected {counts['rejected']}; results in {target}"
    )
    return 1 if counts["rejected"] else 0


def add_server_options(parser: argparse.ArgumentParser) -> None:
    """The SFTP server's options, each defaulting to its MOMENT_SFTP_* variable (never a password: that
    comes only from MOMENT_SFTP_PASSWORD, since other users of the machine can read command lines)."""
    server = parser.add_argument_group("SFTP server", "each defaults to its MOMENT_SFTP_* variable")
    server.add_argument("--host", help=f"(${SFTP_ENV['host']})")
    server.add_argument("--port", type=int, help=f"(${SFTP_ENV['port']}, else 22)")
    server.add_argument("--username", help=f"(${SFTP_ENV['username']})")
    server.add_argument("--key-file", help=f"private key to log in with (${SFTP_ENV['key_file']})")
    server.add_argument(
        "--known-hosts", help=f"known_hosts file with the server's key (${SFTP_ENV['known_hosts']})"
    )
    server.add_argument(
        "--host-key-fingerprint",
        help=f"the server's SHA256:... host key fingerprint (${SFTP_ENV['host_key_fingerprint']})",
    )


def server_settings(args: argparse.Namespace) -> SftpSettings:
    """The settings `add_server_options` gave, then the environment; `UsageError` when unusable."""
    try:
        return SftpSettings.resolve(
            host=args.host,
            port=args.port,
            username=args.username,
            key_file=args.key_file,
            known_hosts=args.known_hosts,
            host_key_fingerprint=args.host_key_fingerprint,
        )
    except ConfigurationError as exc:
        raise UsageError(str(exc)) from None


def _upload_name(args: argparse.Namespace, source: Path) -> str:
    parts = (args.country, args.merchant, args.date)
    if any(part is not None for part in parts) or args.full:
        if not all(part is not None for part in parts):
            raise UsageError("--country, --merchant and --date go together: give all three")
        try:
            return bill_file_name(args.country, args.merchant, args.date, full=args.full)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    try:
        BillFileName.parse(source.name)
    except BillFileRejected as exc:
        raise UsageError(
            f"{exc.message}; rename the file or give --country, --merchant and --date"
        ) from None
    return source.name


def _upload(
    settings: SftpSettings, source: Path, name: str, args: argparse.Namespace
) -> pd.DataFrame:
    with tempfile.TemporaryDirectory(prefix="billkit-upload-") as folder:
        upload = source
        if source.name != name:  # upload under its billing name, leaving the input as it is
            upload = Path(folder) / name
            shutil.copyfile(source, upload)
        with upload.open("rb") as stream:
            rows = sum(1 for _ in stream) - 1  # lines, for the progress bar: close enough
        with BillFileSftp(settings, progress=not args.no_progress) as sftp:
            sftp.upload(upload)
            return sftp.wait_for_results(name, timeout=args.timeout, rows=max(rows, 0))


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None
