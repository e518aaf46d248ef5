"""Sandbox logging for the command line: one stream on standard error, every secret masked.

Messages are scrubbed after formatting, so a key that reaches a log line through an argument, a path or an
exception is masked too (`billkit.keys.scrub`).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TextIO

from billkit.keys import scrub

__all__ = ["LOGGER_NAMES", "RedactingFilter", "log_to_stderr"]

LOGGER_NAMES = ("billkit", "uvicorn", "uvicorn.error", "uvicorn.access")
_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class RedactingFilter(logging.Filter):
    """Masks `secrets` (and anything shaped like a key or webhook secret) in each record."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage(), self._secrets)
        record.args = None
        if record.exc_info:
            record.exc_text = scrub(
                logging.Formatter().formatException(record.exc_info), self._secrets
            )
            record.exc_info = None
        return True


def log_to_stderr(
    secrets: Iterable[str | None], *, stream: TextIO | None = None
) -> logging.Handler:
    """Send billkit's and uvicorn's records to standard error, masked; returns the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(RedactingFilter(secrets))
    for name in LOGGER_NAMES:
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return handler
