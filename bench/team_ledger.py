"""A team ledger under load and faults: receivers sharing one PostgreSQL, and reads against SQLite.

    .venv/bin/python bench/team_ledger.py [--events 10000] [--bills 1000000] [--seconds 10]

Starts its own PostgreSQL server (tests/postgres_server.py, fsync on) and `billkit receive --db URL` processes.

1. Correctness: 4 receivers take `--events` signed events as deliveries with redeliveries (the same delivery
   again, 20%) and duplicates (the same event sent to two receivers at once, 10%), from a Python sender that
   retries a refused or failed delivery as Moment does. Halfway, one receiver is killed with SIGKILL and
   restarted on its port. Checked: every event is in the ledger (0 lost), each once, and exactly one delivery
   per event was answered "recorded" (0 recorded twice; an event may have none: committed by the receiver
   killed before it answered, so its retry is answered "duplicate"). Exit 1 otherwise.
2. Throughput: wrk posting pre-signed deliveries (each a new event), for `--seconds`: 1 receiver, then 4
   (one single-threaded wrk each, 16 connections in total either way). Figures in deliveries/s, the events
   the ledger then holds (each delivery is a new event, so they match), and the 4:1 ratio.
3. Reads: `--bills` bills and a payment each (bench/ledger_scale.py's generator) recorded in a SQLite ledger
   and copied as they are into a PostgreSQL one; `Ledger.as_of(day, tz=...)` timed on both (baseline SQLite).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]

from postgres_server import PostgresServer, start  # noqa: E402
from receiver_process import Receiver  # noqa: E402

from billkit.ledger import Ledger  # noqa: E402
from billkit.webhooks import generate_secret, sign_headers  # noqa: E402

SECRET = generate_secret()
RECEIVERS = 4
CONNECTIONS = 16
WRK_LUA = """
local lines, index = {}, 0
function init(args)
  for line in io.lines(args[1]) do lines[#lines + 1] = line end
end
function request()
  index = index % #lines + 1
  local id, stamp, signature, body = lines[index]:match("([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t(.*)")
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["webhook-id"] = id,
    ["webhook-timestamp"] = stamp, ["webhook-signature"] = signature}, body)
end
"""


def _event(number: int, prefix: str = "B") -> dict[str, Any]:
    event_id = f"evt_{prefix}{number:020d}"
    return {
        "id": event_id,
        "type": "obligation.amount_applied",
        "data": {
            "id": f"ob_{prefix}{number:020d}",
            "amount": 1000 + number % 5000,
            "currency": "ZAR",
            "payment_id": f"pay_{prefix}{number:020d}",
            "bill_id": f"bill_{prefix}{number % 997:020d}",
            "account_id": "bacc_H4jp6KnU5cPw263v1jyz4",
            "created_at": "2025-01-15T10:00:00Z",
            "updated_at": "2025-01-15T10:00:00Z",
        },
    }


def correctness(server: PostgresServer, events: int) -> dict[str, Any]:
    url = server.create_database()
    Ledger(url).close()
    receivers = [Receiver(url, SECRET) for _ in range(RECEIVERS)]
    rng = random.Random(16)
    deliveries: list[tuple[int, int]] = []  # (event number, receiver index)
    for number in range(events):
        home = number % RECEIVERS
        deliveries.append((number, home))
        if rng.random() < 0.2:
            deliveries.append((number, home))  # redelivered to the same receiver
        if rng.random() < 0.1:
            deliveries.append((number, (home + 1) % RECEIVERS))  # a duplicate at another receiver
    rng.shuffle(deliveries)
    recorded: dict[int, int] = {}
    lock = threading.Lock()
    attempts_failed = 0
    sent = 0
    killed_at = len(deliveries) // 2
    restart = threading.Event()

    limits = httpx.Limits(max_connections=CONNECTIONS * RECEIVERS)
    http = httpx.Client(timeout=30, limits=limits)

    def deliver(job: tuple[int, int]) -> None:
        nonlocal attempts_failed, sent
        number, target = job
        body = json.dumps(_event(number, "C"), separators=(",", ":")).encode()
        while True:
            headers = sign_headers(body, SECRET)
            try:
                answer = http.post(receivers[target].url, content=body, headers=headers)
                if answer.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            with lock:
                attempts_failed += 1
            target = (target + 1) % RECEIVERS  # the sender retries, here at the next receiver
        with lock:
            sent += 1
            if not answer.json()["duplicate"]:
                recorded[number] = recorded.get(number, 0) + 1
            if sent == killed_at:
                restart.set()

    def kill_and_restart() -> None:
        restart.wait()
        victim = receivers[2]
        victim.stop(signal.SIGKILL)
        receivers[2] = Receiver(url, SECRET, port=victim.port)

    started = time.perf_counter()
    fault = threading.Thread(target=kill_and_restart)
    fault.start()
    with ThreadPoolExecutor(CONNECTIONS) as pool:
        list(pool.map(deliver, deliveries))
    fault.join()
    seconds = time.perf_counter() - started
    http.close()
    for receiver in receivers:
        receiver.stop()
    with Ledger(url) as ledger:
        in_ledger = ledger.events_frame()["event_id"]
    expected = {_event(number, "C")["id"] for number in range(events)}
    found = set(in_ledger)
    result = {
        "events": events,
        "deliveries": len(deliveries),
        "lost": len(expected - found),
        "recorded_twice": int(in_ledger.duplicated().sum())
        + sum(1 for count in recorded.values() if count > 1),
        "answered_recorded": sum(recorded.values()),
        "failed_attempts_retried": attempts_failed,
        "seconds": round(seconds, 1),
        "deliveries_per_second_python_sender": round(len(deliveries) / seconds),
    }
    server.drop_database(url)
    return result


def _wrk_file(folder: Path, name: str, prefix: str, count: int) -> Path:
    path = folder / f"{name}.tsv"
    with path.open("w") as out:
        for number in range(count):
            body = json.dumps(_event(number, prefix), separators=(",", ":")).encode()
            headers = sign_headers(body, SECRET)
            out.write(
                f"{headers['webhook-id']}\t{headers['webhook-timestamp']}\t"
                f"{headers['webhook-signature']}\t{body.decode()}\n"
            )
    return path


def _wrk(url: str, lua: Path, data: Path, threads: int, connections: int, seconds: int) -> Any:
    return subprocess.Popen(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "-s", str(lua),
         url, "--", str(data)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


def _requests(output: str) -> tuple[int, int]:
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return total, int(bad.group(1)) if bad else 0


def throughput(server: PostgresServer, seconds: int, folder: Path) -> dict[str, Any]:
    lua = folder / "deliver.lua"
    lua.write_text(WRK_LUA)
    per_file = 30_000  # more than a receiver takes in the run: every delivery is a new event
    results: dict[str, Any] = {}
    for count in (1, RECEIVERS):
        url = server.create_database()
        Ledger(url).close()
        receivers = [Receiver(url, SECRET) for _ in range(count)]
        files = [
            _wrk_file(folder, f"r{count}_{i}", f"W{count}x{i}", per_file) for i in range(count)
        ]
        runs = [
            _wrk(r.url, lua, f, 1, CONNECTIONS // count, seconds)  # one thread: each file sent once
            for r, f in zip(receivers, files, strict=True)
        ]
        totals = [_requests(run.communicate()[0]) for run in runs]
        for receiver in receivers:
            receiver.stop()
        with Ledger(url) as ledger:
            in_ledger = ledger.counts()["event"]
        ok = sum(total - bad for total, bad in totals)
        results[f"{count}_receiver"] = {
            "deliveries_per_second": round(ok / seconds),
            "non_2xx": sum(bad for _, bad in totals),
            "events_in_ledger": in_ledger,
        }
        server.drop_database(url)
    one = results["1_receiver"]["deliveries_per_second"]
    results["ratio_4_to_1"] = round(
        results[f"{RECEIVERS}_receiver"]["deliveries_per_second"] / one, 2
    )
    return results


def reads(server: PostgresServer, bills: int, folder: Path) -> dict[str, Any]:
    import ledger_scale

    path = folder / "reads.sqlite"
    with Ledger(path) as ledger:
        for bill_batch, event_batch in ledger_scale.batches(bills):
            ledger.record_objects("bill", bill_batch, ledger_scale.OBSERVED)
            ledger.record_events(event_batch, ledger_scale.OBSERVED)
    url = server.create_database()
    Ledger(url).close()
    _copy(path, url)
    figures: dict[str, Any] = {}
    for name, location in (("sqlite", str(path)), ("postgresql", url)):
        with Ledger(location) as ledger:
            started = time.perf_counter()
            day = ledger.as_of(ledger_scale.AS_OF, tz=ledger_scale.TZ)
            figures[name] = {
                "seconds": round(time.perf_counter() - started, 2),
                "bills": len(day.bills),
                "payments": len(day.payments),
                "open": int(day.bills["is_open"].sum()),
            }
    same = {k: v for k, v in figures["sqlite"].items() if k != "seconds"} == {
        k: v for k, v in figures["postgresql"].items() if k != "seconds"
    }
    figures["same_frames"] = same
    figures["ratio_postgresql_to_sqlite"] = round(
        figures["postgresql"]["seconds"] / figures["sqlite"]["seconds"], 2
    )
    server.drop_database(url)
    return figures


def _copy(path: Path, url: str) -> None:
    """The SQLite ledger's rows into the PostgreSQL one as they are (COPY): the same data on both."""
    import sqlite3

    import psycopg

    source = sqlite3.connect(path)
    with psycopg.connect(url) as target, target.cursor() as cursor:
        for table in ("object_versions", "events"):
            columns = [row[1] for row in source.execute(f"PRAGMA table_info({table})")]
            if table == "object_versions":
                columns.remove("seq")  # an identity column; rows go in in seq order, so it is kept
            query = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            order = " ORDER BY seq" if table == "object_versions" else ""
            with cursor.copy(query) as copy:
                for row in source.execute(f"SELECT {', '.join(columns)} FROM {table}{order}"):
                    copy.write_row(row)
    source.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--bills", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("team_ledger: wrk is missing (apt-get install wrk)", file=sys.stderr)
        return 1
    server = start(durable=True)
    folder = Path(tempfile.mkdtemp(prefix="billkit-team-bench-"))
    try:
        figures = {
            "correctness": correctness(server, args.events),
            "throughput_wrk": throughput(server, args.seconds, folder),
            "reads": reads(server, args.bills, folder),
        }
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print(json.dumps(figures, indent=2))
    checked = figures["correctness"]
    return (
        0
        if checked["lost"] == 0
        and checked["recorded_twice"] == 0
        and figures["reads"]["same_frames"]
        else 1
    )


if __name__ == "__main__":
    sys.exit(main())
