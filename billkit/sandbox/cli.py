"""`billkit sandbox`: run the sandbox in the foreground (contract §1).

Once it accepts connections it prints one JSON line on standard output:
    {"base_url": "http://127.0.0.1:8787", "api_key": "sk_test_...", "webhook_secret": "whsec_..."}
(with `"sftp": {"host", "port", "username", "host_key_fingerprint"}` when --sftp-port is given) and logs to standard error. SIGINT or SIGTERM stop it cleanly (exit status 0).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from billkit._request_timeout import add_request_timeout_option
from billkit._usage import UsageError
from billkit.errors import ConfigurationError
from billkit.sandbox.app import create_app
from billkit.sandbox.logs import log_to_stderr
from billkit.sandbox.server import SandboxServer, StartedSandbox, prepare, uvicorn_config
from billkit.sandbox.settings import (
    DATA_DIR_ENV,
    DEFAULT_HOST,
    DEFAULT_MERCHANT,
    DEFAULT_PORT,
    MEMORY_DB,
    SandboxSettings,
    check_fee_percent,
    default_db_path,
    parse_retry_schedule,
)

__all__ = ["configure", "run", "settings_from"]

logger = logging.getLogger("billkit.sandbox")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help="address to listen on (default: %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help="port; 0 picks a free one (default: %(default)s)",
    )
    parser.add_argument(
        "--db",
        help=f"SQLite file to keep data in, or {MEMORY_DB} to keep nothing "
        f"(default: sandbox.sqlite3 in ${DATA_DIR_ENV} or the user's data directory)",
    )
    parser.add_argument(
        "--api-key",
        help="the one secret test key to accept (default: one generated on first start and kept in the db)",
    )
    parser.add_argument("--webhook-url", help="register (or update) the webhook endpoint at start")
    parser.add_argument(
        "--webhook-secret",
        help="whsec_... secret that signs deliveries (default: generated and kept)",
    )
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="base of the hosted-page links it hands out, where payers reach it "
        "(default: the address it listens on)",
    )
    add_request_timeout_option(parser)
    parser.add_argument(
        "--retry-schedule",
        default="default",
        help="webhook retry delays: default, fast, or seconds such as 1,5,30 (default: %(default)s)",
    )
    parser.add_argument(
        "--merchant",
        default=DEFAULT_MERCHANT,
        help="the merchant alias in billing file names and reports (default: %(default)s)",
    )
    parser.add_argument(
        "--sftp-port",
        type=int,
        help="also serve SFTP for billing files on this port; 0 picks a free one (default: no SFTP)",
    )
    parser.add_argument(
        "--sftp-authorized-key",
        help="a public key file (authorized_keys format) the merchant user may log in with",
    )
    parser.add_argument(
        "--fee-percent",
        default="0",
        metavar="P",
        help="the fee the reports take of each payment, in percent, such as 2.5 (default: %(default)s)",
    )


def settings_from(args: argparse.Namespace) -> SandboxSettings:
    try:
        return SandboxSettings(
            db=args.db or str(default_db_path()),
            host=args.host,
            port=args.port,
            api_key=args.api_key,
            webhook_url=args.webhook_url,
            webhook_secret=args.webhook_secret,
            retry_schedule=parse_retry_schedule(args.retry_schedule),
            access_log=True,
            merchant=args.merchant,
            sftp_port=args.sftp_port,
            sftp_authorized_key=args.sftp_authorized_key,
            public_url=args.public_url,
            request_timeout=args.request_timeout,
            fee_percent=check_fee_percent(args.fee_percent),
        )
    except ConfigurationError as exc:
        raise UsageError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    log_to_stderr([settings.api_key, settings.webhook_secret])
    try:
        sock, runtime, started, services = prepare(settings)
    except ConfigurationError as exc:
        raise UsageError(str(exc)) from None
    log_to_stderr([started.api_key, started.signing_secret])
    app = create_app(settings, runtime=runtime, services=services)
    config = uvicorn_config(
        app, access_log=settings.access_log, request_timeout=settings.request_timeout
    )
    server = SandboxServer(config, on_ready=lambda: _announce(started))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    logger.info("sandbox stopped")
    return 0


def _announce(started: StartedSandbox) -> None:
    sys.stdout.write(json.dumps(started.as_json_object()) + "\n")
    sys.stdout.flush()
    logger.info("sandbox listening on %s", started.base_url)
