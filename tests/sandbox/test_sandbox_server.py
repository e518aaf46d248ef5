"""Contract §1: `billkit sandbox` (the JSON line, logs on stderr, clean stop on SIGINT/SIGTERM, flags) and
the embedded `billkit.Sandbox()` (free loopback port, persistence on the same db, `:memory:` keeps nothing)."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sandbox_helpers import Api, ref
from slow_clients import dribble_until_dropped

import billkit
from billkit.cli import main
from billkit.errors import ConfigurationError
from billkit.sandbox import Sandbox
from billkit.sandbox.store.migrations import MIGRATIONS

STARTUP_SECONDS = 30
#: The installed console script, as a user runs it.
BILLKIT = str(Path(sys.executable).with_name("billkit"))
SECRET = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class Cli:
    def __init__(self, process: subprocess.Popen[str], line: str) -> None:
        self.process = process
        self.line = line
        self.info: dict[str, str] = json.loads(line)

    def get(self, path: str) -> httpx.Response:
        return httpx.get(
            self.info["base_url"] + path,
            headers={"Authorization": f"Bearer {self.info['api_key']}"},
        )

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str, str]:
        self.process.send_signal(sig)
        out, err = self.process.communicate(timeout=STARTUP_SECONDS)
        return self.process.returncode, out, err


@contextmanager
def cli(*flags: str, env: dict[str, str] | None = None) -> Iterator[Cli]:
    process = subprocess.Popen(
        [BILLKIT, "sandbox", "--port", "0", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], STARTUP_SECONDS)
        line = process.stdout.readline() if ready else ""
        if not line:
            process.kill()
            _, err = process.communicate()
            pytest.fail(f"billkit sandbox did not start: {err}")
        yield Cli(process, line)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def run_cli(*flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BILLKIT, "sandbox", *flags],
        capture_output=True,
        text=True,
        timeout=STARTUP_SECONDS,
    )


# ---- the command line --------------------------------------------------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_prints_one_json_line_and_stops_cleanly(sig: int) -> None:
    with cli("--db", ":memory:") as running:
        assert set(running.info) == {"base_url", "api_key"}
        assert running.info["base_url"].startswith("http://127.0.0.1:")
        assert running.info["api_key"].startswith("sk_test_")
        assert running.get("/_sandbox/clock").status_code == 200
        code, out, err = running.stop(sig)
    assert code == 0
    assert out == ""  # nothing after the one line
    assert "sandbox stopped" in err
    assert running.info["api_key"] not in err


def test_cli_logs_requests_to_stderr(tmp_path: Path) -> None:
    with cli("--db", ":memory:") as running:
        running.get("/_sandbox/events")
        _, _, err = running.stop()
    assert "GET /_sandbox/events" in err


def test_cli_webhook_flags_register_the_endpoint(tmp_path: Path) -> None:
    with cli(
        "--db", ":memory:", "--webhook-url", "http://127.0.0.1:9/hooks", "--webhook-secret", SECRET
    ) as running:
        assert running.info["webhook_secret"] == SECRET
        endpoints = running.get("/_sandbox/webhook_endpoints").json()["data"]
        assert [(e["url"], e["secret"]) for e in endpoints] == [
            ("http://127.0.0.1:9/hooks", SECRET)
        ]
        _, _, err = running.stop()
    assert SECRET not in err


def test_cli_default_db_lives_in_the_data_dir_and_keeps_the_key(tmp_path: Path) -> None:
    data_dir = tmp_path / "nested" / "data"
    env = {"BILLKIT_DATA_DIR": str(data_dir)}
    with cli(env=env) as first:
        first.stop()
    assert (data_dir / "sandbox.sqlite3").exists()
    with cli(env=env) as second:
        assert second.info["api_key"] == first.info["api_key"]
        second.stop()


def test_cli_given_key_is_the_one_accepted() -> None:
    with cli("--db", ":memory:", "--api-key", "sk_test_givenKey123") as running:
        assert running.info["api_key"] == "sk_test_givenKey123"
        assert running.get("/_sandbox/clock").status_code == 200
        running.stop()


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--api-key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"], "test keys only"),
        (["--api-key", "pk_test_4eC39HqLyjWDarjtT1zdp7dc"], "test keys only"),
        (["--webhook-secret", "not-a-secret"], "whsec_"),
        (["--webhook-secret", "whsec_c2hvcnQ="], "24 to 64 bytes"),
        (["--webhook-url", "ftp://x"], "http"),
        (["--public-url", "ftp://x"], "public url"),
        (["--request-timeout", "0"], "--request-timeout: must be a positive number of seconds"),
        (["--request-timeout", "nan"], "--request-timeout: must be a positive number of seconds"),
        (["--public-url", "https://pay.example.test/?x=1"], "no query"),
        (["--retry-schedule", "soon"], "retry schedule"),
        (["--retry-schedule", "1,-2"], "retry delay"),
        (["--port", "70000"], "port"),
        (["--fee-percent", "abc"], "fee percent"),
        (["--fee-percent", "100"], "fee percent"),
        (["--fee-percent", "-0.5"], "fee percent"),
        (["--fee-percent", "2.00001"], "fee percent"),
        (["--fee-percent", "nan"], "fee percent"),
    ],
)
def test_cli_bad_flags_exit_2_with_a_clear_message(
    flags: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["sandbox", "--db", ":memory:", *flags])
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert message in err
    assert out == ""
    assert "4eC39HqLyjWDarjtT1zdp7dc" not in err


def test_cli_bad_flag_exit_status_reaches_the_shell() -> None:
    result = run_cli("--api-key", "sk_live_4eC39HqLyjWDarjtT1zdp7dc")
    assert result.returncode == 2
    assert "billkit sandbox: error:" in result.stderr
    assert "4eC39HqLyjWDarjtT1zdp7dc" not in result.stderr


def test_cli_port_in_use_exits_2(sandbox: Sandbox) -> None:
    port = sandbox.base_url.rsplit(":", 1)[1]
    result = run_cli("--db", ":memory:", "--port", port)
    assert result.returncode == 2
    assert "cannot listen" in result.stderr


def test_cli_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not sqlite " * 100)
    result = run_cli("--db", str(bogus), "--port", "0")
    assert result.returncode == 2
    assert "cannot be used as a sandbox database" in result.stderr


# ---- the embedded sandbox ----------------------------------------------------------------------


def slow_starts(api_key: str) -> dict[str, bytes]:
    """How a slow client begins: mid-headers, with its body owed, with nothing sent, mid-form."""
    head = f"POST /billing/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {api_key}\r\n"
    return {
        "headers": head.encode() + b"X-Slow: ",
        "body": head.encode() + b"Idempotency-Key: slow\r\nContent-Length: 100000\r\n\r\n{",
        "nothing": b"",
        "page form": b"POST /pay/bill_x HTTP/1.1\r\nHost: x\r\nContent-Length: 900\r\n\r\namount=",
    }


@pytest.mark.parametrize("start", ["headers", "body", "nothing", "page form"])
def test_a_request_that_dribbles_in_is_dropped_at_the_request_timeout(start: str) -> None:
    """uvicorn's h11 has no header or body timeout of its own (slowloris); the sandbox adds one."""
    with Sandbox(request_timeout=2) as sandbox:
        port = int(sandbox.base_url.rsplit(":", 1)[1])
        with ThreadPoolExecutor(4) as pool:
            opening = slow_starts(sandbox.api_key)[start]
            slow = [pool.submit(dribble_until_dropped, port, opening) for _ in range(4)]
            assert [future.result() for future in slow] == [True] * 4


def test_requests_are_answered_while_slow_clients_hold_connections(
    sandbox: Sandbox, api: Api
) -> None:
    host, port = sandbox.base_url.removeprefix("http://").split(":")
    held = []
    for start in [*slow_starts(sandbox.api_key).values()] * 10:
        connection = socket.create_connection((host, int(port)), timeout=60)
        connection.sendall(start)
        held.append(connection)
    try:
        assert api.post("/billing/customers", {"external_reference": ref()}).status_code == 201
    finally:
        for connection in held:
            connection.close()


def test_embedded_sandbox_binds_loopback_on_a_free_port() -> None:
    with Sandbox() as one, Sandbox() as two:
        assert one.base_url.startswith("http://127.0.0.1:")
        assert one.base_url != two.base_url
        assert one.api_key != two.api_key


def test_data_survives_a_restart_on_the_same_db(db_file: str) -> None:
    with Sandbox(db=db_file) as first, Api(first) as api:
        bill = api.bill(2000)
        api.pay(bill=bill["id"], amount=500)
        api.post("/_sandbox/clock", {"advance_seconds": 86_400})
        clock = api.get("/_sandbox/clock").json()["now"]
        key, secret = first.api_key, first.webhook_secret
    with Sandbox(db=db_file) as second, Api(second) as api:
        assert (second.api_key, second.webhook_secret) == (key, secret)
        assert api.get(f"/billing/bills/{bill['external_reference']}").json()["amount_paid"] == 500
        assert len(api.get("/_sandbox/events").json()["data"]) == 1
        assert api.get("/_sandbox/clock").json()["now"] >= clock


def test_memory_db_keeps_nothing() -> None:
    reference = ref()
    with Sandbox() as first, Api(first) as api:
        api.created("/billing/customers", {"external_reference": reference})
        key = first.api_key
    with Sandbox() as second, Api(second) as api:
        assert second.api_key != key
        assert api.get(f"/billing/customers/{reference}").status_code == 404


def test_file_db_uses_wal(db_file: str) -> None:
    with Sandbox(db=db_file), closing(sqlite3.connect(db_file)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_database_from_a_newer_billkit_is_refused(db_file: str) -> None:
    with closing(sqlite3.connect(db_file)) as db:
        db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(ConfigurationError, match="newer billkit"):
        Sandbox(db=db_file).start()


def test_sandbox_is_exported_and_hands_out_a_client() -> None:
    with billkit.Sandbox() as sandbox, sandbox.client() as client:
        customer = client.customers.create(external_reference=ref(), currency="ZAR", balance=2000)
        assert client.customers.retrieve(customer.id).balance == 2000
        assert client.base_url == sandbox.base_url


def test_sandbox_repr_masks_the_key_and_stopped_sandbox_refuses_use() -> None:
    sandbox = Sandbox(api_key="sk_test_secretValue1234")
    assert "not running" in repr(sandbox)
    with pytest.raises(RuntimeError, match="not running"):
        _ = sandbox.base_url
    with sandbox:
        assert "sk_test_secretValue1234" not in repr(sandbox)
        assert sandbox.api_key == "sk_test_secretValue1234"
        assert sandbox.running
    assert not sandbox.running


@pytest.mark.parametrize(
    "kwargs",
    [
        {"api_key": "sk_live_abc"},
        {"webhook_url": "nope"},
        {"retry_schedule": "sometimes"},
        {"retry_schedule": [0]},
        {"port": -1},
    ],
)
def test_sandbox_refuses_bad_arguments_before_starting(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError):
        Sandbox(**kwargs)


def test_retry_schedule_reaches_the_runtime() -> None:
    assert Sandbox(retry_schedule="fast").settings.retry_schedule == (0.1, 0.2, 0.5, 1, 2)
    assert Sandbox(retry_schedule="1, 2.5").settings.retry_schedule == (1.0, 2.5)
    assert Sandbox(retry_schedule=[3, 4]).settings.retry_schedule == (3, 4)
