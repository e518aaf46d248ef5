"""How long a request may take to arrive at one of billkit's servers (the sandbox, the webhook receiver):
one default, one check, one command-line option. A client slower than this, headers and body together, is
disconnected, so slow or idle clients (slowloris) cannot hold a server's connections."""

from __future__ import annotations

import argparse
import math
from typing import Final, TypeGuard

__all__ = ["DEFAULT_REQUEST_TIMEOUT", "add_request_timeout_option", "is_request_timeout"]

DEFAULT_REQUEST_TIMEOUT: Final = 30.0


def is_request_timeout(seconds: object) -> TypeGuard[int | float]:
    """A positive, finite number of seconds (not a bool)."""
    return (
        not isinstance(seconds, bool)
        and isinstance(seconds, int | float)
        and 0 < seconds < math.inf
    )


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not is_request_timeout(seconds):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, not {text!r}")
    return seconds


def add_request_timeout_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--request-timeout",
        type=_seconds,
        default=DEFAULT_REQUEST_TIMEOUT,
        metavar="SECONDS",
        help="drop a client whose request takes longer than this to arrive (default: %(default)g)",
    )
