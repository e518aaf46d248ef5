"""`billkit export`: a ledger's frames as of a day, as Parquet and CSV files for BI tools.

    billkit export --source ledger.sqlite --out exports/ --as-of 2027-01-31 --timezone Africa/Johannesburg

Writes `bills`, `payments` and `balances` (`.parquet` and `.csv`, or the `--format` given) and `as_of.json`
into OUT, in the schema of `billkit.report.frames_export.SCHEMA` (docs/exports.md). Bad options exit 2
naming the option, before anything is written.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from billkit._usage import UsageError, folder
from billkit.ledger import Ledger
from billkit.report import checks
from billkit.report.frames_export import FORMATS, write_frames

__all__ = ["configure", "run"]

_DEFAULT_ZONE = "Africa/Johannesburg"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", required=True, metavar="PATH", help="a billkit ledger file")
    parser.add_argument("--out", required=True, type=folder, help="folder to write the files into")
    parser.add_argument(
        "--as-of",
        dest="as_of",
        metavar="YYYY-MM-DD",
        help="the day the frames are as of, to its end (default: the ledger's last day of activity)",
    )
    parser.add_argument(
        "--timezone",
        default=_DEFAULT_ZONE,
        metavar="ZONE",
        help=f"IANA time zone for calendar days (default: {_DEFAULT_ZONE})",
    )
    parser.add_argument(
        "--format",
        dest="formats",
        default=",".join(FORMATS),
        metavar="LIST",
        help="comma-separated: parquet, csv (default: both)",
    )


def _formats(text: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if not chosen or unknown:
        raise UsageError(f"--format must list {' and/or '.join(FORMATS)}, got {text!r}")
    return chosen


def run(args: argparse.Namespace) -> int:
    formats = _formats(args.formats)
    try:
        ZoneInfo(args.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"--timezone must be an IANA time zone such as 'Africa/Johannesburg', got {args.timezone!r}"
        ) from None
    as_of: date | None = None
    if args.as_of is not None:
        try:
            as_of = date.fromisoformat(args.as_of)
        except ValueError:
            raise UsageError(
                f"--as-of must be a date written YYYY-MM-DD, got {args.as_of!r}"
            ) from None
    source = Path(args.source).expanduser()
    if not source.is_file():
        raise UsageError(f"--source {args.source!r}: no ledger file there")
    with Ledger(source) as ledger:
        if as_of is None:
            span = ledger.activity_span()
            if span is None:
                raise UsageError(f"--source {args.source!r}: the ledger records nothing to export")
            as_of = pd.Timestamp(span[1]).tz_convert(args.timezone).date()
        for warning in checks.warnings(ledger, as_of=as_of, timezone=args.timezone):
            print(f"billkit export: warning: {warning}", file=sys.stderr)
        written = write_frames(ledger.as_of(as_of, tz=args.timezone), args.out, formats=formats)
    print(f"Frames as of {as_of} ({args.timezone}):")
    for path in written:
        print(f"  {path}")
    return 0
