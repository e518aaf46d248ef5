"""`billkit receive`: the handshake line, one JSON line per event, logs on stderr, clean stop, flag errors."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from slow_clients import dribble_until_dropped
from webhook_helpers import PATIENCE, SLOW_STARTS, amount_applied, delivery

from billkit.cli import main
from billkit.webhooks import generate_secret, sign_headers

SECRET = generate_secret()


def start(*flags: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    environment = {k: v for k, v in os.environ.items() if k != "BILLKIT_WEBHOOK_SECRET"}
    return subprocess.Popen(
        [sys.executable, "-m", "billkit.cli", "receive", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment | (env or {}),
    )


@pytest.fixture
def stopper() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.communicate()


def handshake(process: subprocess.Popen[str]) -> dict[str, str]:
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line, process.stderr.read() if process.stderr else "no output"
    decoded: dict[str, str] = json.loads(line)
    return decoded


def test_it_prints_the_url_then_each_new_event_and_stops_on_sigterm(
    tmp_path: Path, stopper: list[subprocess.Popen[str]]
) -> None:
    process = start("--secret", SECRET, "--db", str(tmp_path / "events.db"), "--path", "/hooks")
    stopper.append(process)
    first = handshake(process)
    assert set(first) == {"url"}
    assert first["url"].startswith("http://127.0.0.1:")
    assert first["url"].endswith("/hooks")

    with httpx.Client(timeout=PATIENCE) as http:
        for event_id in ("evt_1", "evt_1", "evt_2"):
            body, headers = delivery(amount_applied(event_id), SECRET)
            assert http.post(first["url"], content=body, headers=headers).status_code == 200
        body, headers = delivery(amount_applied("evt_3"), generate_secret())
        assert http.post(first["url"], content=body, headers=headers).status_code == 401
    assert process.stdout is not None
    printed = [json.loads(process.stdout.readline()) for _ in range(2)]
    assert printed == [amount_applied("evt_1"), amount_applied("evt_2")]

    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=PATIENCE)
    assert process.returncode == 0
    assert out == ""  # the redelivery and the refused delivery printed nothing
    assert "no_matching_signature" in err
    assert SECRET not in err


def test_without_a_secret_it_generates_and_prints_one(stopper: list[subprocess.Popen[str]]) -> None:
    process = start()
    stopper.append(process)
    first = handshake(process)
    assert first["secret"].startswith("whsec_")
    with httpx.Client(timeout=PATIENCE) as http:
        body, headers = delivery(amount_applied("evt_1"), first["secret"])
        assert http.post(first["url"], content=body, headers=headers).status_code == 200
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=PATIENCE)
    assert process.returncode == 0


def test_a_stop_sent_as_sigint_is_heard_even_when_sigint_was_inherited_ignored(
    stopper: list[subprocess.Popen[str]],
) -> None:
    # What a background job (`make test &`) hands its children: SIGINT ignored.
    def start_ignoring_sigint() -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    environment = {k: v for k, v in os.environ.items() if k != "BILLKIT_WEBHOOK_SECRET"}
    process = subprocess.Popen(
        [sys.executable, "-m", "billkit.cli", "receive", "--secret", SECRET],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment,
        preexec_fn=start_ignoring_sigint,
    )
    stopper.append(process)
    handshake(process)
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=PATIENCE)
    assert process.returncode == 0


@pytest.mark.parametrize("keep", ["memory", "db"])
def test_a_lone_surrogate_escape_is_recorded_as_sent_printed_escaped_and_never_fatal(
    keep: str, tmp_path: Path, stopper: list[subprocess.Popen[str]]
) -> None:
    db = tmp_path / "events.db"
    process = start("--secret", SECRET, *(["--db", str(db)] if keep == "db" else []))
    stopper.append(process)
    url = handshake(process)["url"]
    odd = amount_applied("evt_odd", metadata={"note": "\udfff and Zoë"})
    body = json.dumps(odd, indent=1).encode()  # as the escape \udfff: sendable text
    assert b"\\udfff" in body
    with httpx.Client(timeout=PATIENCE) as http:
        for _ in range(2):  # the redelivery is a duplicate, not a failure
            response = http.post(url, content=body, headers=sign_headers(body, SECRET))
            assert response.status_code == 200, response.text
        after, headers = delivery(amount_applied("evt_after"), SECRET)
        assert http.post(url, content=after, headers=headers).status_code == 200
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "\\udfff" in line  # printed as the escape it arrived as
    assert "Zoë" in line
    assert json.loads(line) == odd
    assert json.loads(process.stdout.readline())["id"] == "evt_after"  # still running
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=PATIENCE)
    assert process.returncode == 0
    if keep == "db":
        with closing(sqlite3.connect(db)) as connection:
            [(stored,)] = connection.execute(
                "SELECT body FROM webhook_events WHERE event_id = 'evt_odd'"
            )
        assert stored == body.decode()  # as it arrived, whitespace and all


def test_a_slow_client_is_dropped_at_the_request_timeout_given(
    stopper: list[subprocess.Popen[str]],
) -> None:
    process = start("--secret", SECRET, "--request-timeout", "2")
    stopper.append(process)
    url = handshake(process)["url"]
    port = httpx.URL(url).port
    assert port is not None
    assert dribble_until_dropped(port, SLOW_STARTS["headers"])


def test_the_secret_can_come_from_the_environment(stopper: list[subprocess.Popen[str]]) -> None:
    process = start(env={"BILLKIT_WEBHOOK_SECRET": SECRET})
    stopper.append(process)
    first = handshake(process)
    assert "secret" not in first
    with httpx.Client(timeout=PATIENCE) as http:
        body, headers = delivery(amount_applied("evt_1"), SECRET)
        assert http.post(first["url"], content=body, headers=headers).status_code == 200


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--port", "70000"], "--port must be"),
        (["--path", "hooks"], "--path must start with '/'"),
        (["--secret", "whsec_not*base64"], "--secret (or $BILLKIT_WEBHOOK_SECRET) cannot be used"),
        (["--host", "256.1.1.1"], "cannot listen on 256.1.1.1"),
        (["--request-timeout", "0"], "--request-timeout: must be a positive number of seconds"),
        (["--request-timeout", "inf"], "--request-timeout: must be a positive number of seconds"),
    ],
)
def test_bad_flags_are_usage_errors(
    flags: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["receive", "--secret", SECRET, *flags])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "billkit receive: error:" in err
    assert message in err


def test_an_unusable_db_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_sqlite = tmp_path / "notes.txt"
    not_sqlite.write_bytes(b"plain text, not a database" * 100)
    with pytest.raises(SystemExit):
        main(["receive", "--secret", SECRET, "--db", str(not_sqlite)])
    assert "--db:" in capsys.readouterr().err
