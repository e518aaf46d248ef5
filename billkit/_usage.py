"""`UsageError`: what every `billkit` subcommand raises for input it cannot use.

It has its own module so that a subcommand (`billkit.sandbox.cli`, `billkit.report.cli`, ...) can raise it
without importing `billkit.cli`, which imports the subcommands.
"""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["UsageError", "folder", "whole_number"]


class UsageError(Exception):
    """A command was given input it cannot use; the message says what to fix (exit status 2)."""


def whole_number(text: str) -> int:
    """An option's whole number (argparse `type=`): its error says what was typed, not `invalid int value`."""
    try:
        return int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number such as 7, got {text!r}"
        ) from None


def folder(text: str) -> Path:
    """An option's folder (argparse `type=`): an empty one is refused rather than taken as the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError(f"must be a folder's path, got {text!r}")
    return Path(text)
