"""`billkit receive`: a local webhook receiver that verifies and records events, one JSON line per event.

    billkit receive [--host 127.0.0.1] [--port 0] [--secret whsec_...] [--db PATH] [--path /webhooks]
                    [--request-timeout 30]

Standard output carries one JSON line `{"url": ...}` once it listens (plus `"secret"` when it generated one,
because the sender needs it), then each new verified event as one JSON line. Logs, refusals included, go to
standard error. SIGINT and SIGTERM stop it cleanly, exit status 0.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, Final, NoReturn, TextIO

from billkit._json import json_text
from billkit._request_timeout import add_request_timeout_option
from billkit._usage import UsageError
from billkit.errors import InvalidArgumentError
from billkit.webhooks._errors import (
    WebhookReceiverError,
    WebhookStoreError,
    WebhookVerificationError,
)
from billkit.webhooks.receiver import (
    DEFAULT_HOST,
    DEFAULT_PATH,
    WebhookReceiver,
)
from billkit.webhooks.signing import generate_secret

__all__ = ["configure", "run"]

SECRET_ENV: Final = "BILLKIT_WEBHOOK_SECRET"
#: The team ledger's URL (the same variable `billkit report --source` reads).
LEDGER_URL_ENV: Final = "BILLKIT_LEDGER_URL"
_STOP_SIGNALS: Final = (signal.SIGINT, signal.SIGTERM)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help="address to listen on (default: %(default)s)"
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one")
    parser.add_argument(
        "--secret",
        help=f"the whsec_... signing secret (default: ${SECRET_ENV}; absent: one is generated and printed)",
    )
    parser.add_argument(
        "--db",
        default=_team_ledger(),
        help=(
            "SQLite file to record events in, kept across restarts; or a team ledger's postgresql:// URL, "
            f"shared by several receivers (default: ${LEDGER_URL_ENV} when it is such a URL)"
        ),
    )
    parser.add_argument(
        "--path",
        default=DEFAULT_PATH,
        help="URL path deliveries are POSTed to (default: %(default)s)",
    )
    add_request_timeout_option(parser)


def _team_ledger() -> str | None:
    url = os.environ.get(LEDGER_URL_ENV, "")
    return url if url.startswith(("postgresql://", "postgres://")) else None


def _interrupt(signum: int, frame: FrameType | None) -> NoReturn:
    raise KeyboardInterrupt


def _emit(stream: TextIO, payload: dict[str, Any]) -> None:
    _write_lines(stream, [json_text(payload)], [lambda: payload])


def _write_lines(
    stream: TextIO, lines: list[str], payloads: list[Callable[[], dict[str, Any]]]
) -> None:
    """The JSON lines, then one flush; a line the stream cannot carry is written with ASCII escapes."""
    encoding = stream.encoding or "utf-8"
    for line, payload in zip(lines, payloads, strict=True):
        try:
            line.encode(encoding)
        except (UnicodeEncodeError, LookupError):
            line = json.dumps(payload(), separators=(",", ":"))
        stream.write(line + "\n")
    stream.flush()


def _build(args: argparse.Namespace, secret: str) -> WebhookReceiver:
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be from 0 (any free port) to 65535, not {args.port}")
    if not args.path.startswith("/"):
        raise UsageError(f"--path must start with '/', not {args.path!r}")
    try:
        return WebhookReceiver(
            secret,
            host=args.host,
            port=args.port,
            path=args.path,
            db=args.db,
            request_timeout=args.request_timeout,
        )
    except WebhookVerificationError as exc:
        raise UsageError(f"--secret (or ${SECRET_ENV}) cannot be used: {exc.message}") from None
    except WebhookStoreError as exc:
        raise UsageError(f"--db: {exc}") from None
    except InvalidArgumentError as exc:
        raise UsageError(str(exc)) from None


@contextmanager
def _logs_to_stderr() -> Iterator[None]:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    billkit_logger = logging.getLogger("billkit")
    previous_level = billkit_logger.level
    billkit_logger.addHandler(handler)
    billkit_logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        billkit_logger.removeHandler(handler)
        billkit_logger.setLevel(previous_level)


@contextmanager
def _stop_signals_interrupt() -> Iterator[None]:
    # SIGINT too, explicitly: a process started in the background inherits SIGINT ignored, and Python then
    # installs no KeyboardInterrupt for it, so a stop sent as SIGINT would go unheard.
    previous = {sig: signal.signal(sig, _interrupt) for sig in _STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run(args: argparse.Namespace) -> int:
    given = args.secret or os.environ.get(SECRET_ENV) or None
    secret = given or generate_secret()
    receiver = _build(args, secret)
    with _logs_to_stderr(), _stop_signals_interrupt():
        try:
            try:
                receiver.start()
            except WebhookReceiverError as exc:
                raise UsageError(str(exc)) from None
            _emit(sys.stdout, {"url": receiver.url} | ({} if given else {"secret": secret}))
            for batch in receiver.follow_batches():  # one flush per batch of events recorded
                _write_lines(
                    sys.stdout,
                    [record.event.to_json_text() for record in batch],
                    [record.event.to_dict for record in batch],
                )
        except KeyboardInterrupt:
            pass  # SIGINT or SIGTERM: a requested, clean stop
        finally:
            receiver.stop()
    return 0
