"""`UsageError`: what every `billkit` subcommand raises for input it cannot use.

It has its own module so that a subcommand (`billkit.sandbox.cli`, `billkit.report.cli`, ...) can raise it
without importing `billkit.cli`, which imports the subcommands.
"""

from __future__ import annotations

__all__ = ["UsageError"]


class UsageError(Exception):
    """A command was given input it cannot use; the message says what to fix (exit status 2)."""
