"""The `billkit` command line.

Each subcommand lives in its own module, which exposes `configure(parser)` and `run(args) -> int`;
they are imported only when named so that `billkit --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from billkit._usage import UsageError

# subcommand name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "sandbox": (
        "billkit.sandbox.cli",
        "run the local Moment sandbox (real HTTP, SQLite, webhooks)",
    ),
    "receive": (
        "billkit.webhooks.cli",
        "run a local webhook receiver that verifies and records events",
    ),
    "demo": (
        "billkit.notebook.runner.cli",
        "run the quickstart notebooks and the report against the embedded sandbox",
    ),
    "upload": (
        "billkit.billfiles.cli",
        "upload a billing file over SFTP and write its results beside it",
    ),
    "reports": (
        "billkit.reportfiles.cli",
        "fetch Moment's reconciliation and settlement reports over SFTP into a folder and a ledger",
    ),
    "report": (
        "billkit.report.cli",
        "run the payments report notebook into an executed notebook and a standalone HTML report",
    ),
    "export": (
        "billkit.report.export_cli",
        "write a ledger's frames as of a day as Parquet and CSV",
    ),
    "dashboard": (
        "billkit.report.dashboard_cli",
        "serve the payments explorer as a page on loopback",
    ),
}


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="billkit", description="Toolkit for Moment's Billing API."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        # Only the named command's module is imported (its options are needed to parse).
        if name in argv:
            importlib.import_module(module_name).configure(command_parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(args_list)
    args = parser.parse_args(args_list)
    module = importlib.import_module(COMMANDS[args.command][0])
    try:
        return int(module.run(args))
    except UsageError as exc:
        parser.exit(2, f"billkit {args.command}: error: {exc}\n")
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
