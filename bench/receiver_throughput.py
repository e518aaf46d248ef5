"""`billkit receive` throughput: wrk posting pre-signed deliveries (each a new event) to receivers recording
in a SQLite file and in a PostgreSQL ledger (fsync on), against a bare endpoint served the same way.

    .venv/bin/python bench/receiver_throughput.py [--rounds 3] [--seconds 6] [--skip-postgres]

Every server is a process of its own, started fresh: `billkit receive --db FILE` (1 receiver, and 4 sharing
the file), `billkit receive --db postgresql://...` (1, and 4 sharing the database; tests/postgres_server.py
starts the server), and the baseline, a bare ASGI endpoint served through billkit's uvicorn configuration
(`billkit._serving.server_config`, the receiver's request deadline included) that reads the body and answers
the bytes a receiver answers a new event with. wrk uses 8 connections in all (split between the receivers
of a setup, one single-threaded wrk each so each file of deliveries is sent once, in order). Each round
runs every setup in turn; shown per setup: deliveries/s, its ratio to the bare endpoint of the same round,
and the CPU ms its processes spent per delivery (Linux /proc), a figure other load on the shared machine
moves much less than a rate. Each run's events are then counted in the store: every 2xx must be a new event
recorded (beside the few wrk left in flight when it stopped); a mismatch or any non-2xx fails the bench
(exit status 1).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]

from receiver_process import Receiver  # noqa: E402
from team_ledger import SECRET, WRK_LUA, _event, _wrk_file  # noqa: E402

CONNECTIONS = 8
#: Deliveries written per receiver and second of a run: more than a receiver takes, so none is sent twice.
PER_SECOND_CEILING = 4000
_ANSWER_ENV = "BENCH_BARE_ANSWER"


def serve_bare() -> None:
    """The baseline: billkit's uvicorn configuration, an app that reads the body and answers fixed bytes."""
    from billkit._serving import LOOPBACK, ReadyServer, base_url_of, bind_socket, server_config

    answer = os.environ[_ANSWER_ENV].encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(answer))]

    async def bare(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": answer})

    sock = bind_socket(LOOPBACK, 0)
    url = base_url_of(sock) + "/webhooks"
    ReadyServer(server_config(bare), on_ready=lambda: print(url, flush=True)).run(sockets=[sock])


class _Bare:
    def __init__(self) -> None:
        answer = json.dumps(
            {"received": True, "event_id": _event(0)["id"], "duplicate": False},
            separators=(",", ":"),
        )
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve-bare"],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, _ANSWER_ENV: answer},
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()
        assert self.url, "the bare endpoint did not start"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load(
    urls: list[str], pids: list[int], folder: Path, tag: str, seconds: int, *, fresh: bool
) -> dict[str, Any]:
    """wrk on every URL at once (CONNECTIONS split between them); answered 2xx, non-2xx, CPU seconds.
    `fresh`: every delivery must be a new event (the bare endpoint does not care)."""
    lua = folder / "deliver.lua"
    if not lua.exists():
        lua.write_text(WRK_LUA)
    count = PER_SECOND_CEILING * seconds
    files = [_wrk_file(folder, f"{tag}{i}", f"{tag}x{i}", count) for i in range(len(urls))]
    before = sum(_cpu_seconds(pid) for pid in pids)
    command = ["wrk", "-t1", f"-c{CONNECTIONS // len(urls)}", f"-d{seconds}s", "-s", str(lua)]
    runs = [
        subprocess.Popen([*command, url, "--", str(data)], stdout=subprocess.PIPE, text=True)
        for url, data in zip(urls, files, strict=True)
    ]
    outputs = [run.communicate()[0] for run in runs]
    cpu = sum(_cpu_seconds(pid) for pid in pids) - before
    for path in files:
        path.unlink()
    ok = bad = 0
    for output in outputs:
        sent = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
        refused = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        if fresh and sent >= count:
            raise RuntimeError(f"{tag}: wrk sent every delivery written; raise PER_SECOND_CEILING")
        bad += int(refused.group(1)) if refused else 0
        ok += sent - (int(refused.group(1)) if refused else 0)
    return {"ok": ok, "bad": bad, "cpu": cpu}


def _sqlite_events(path: Path) -> int:
    import sqlite3

    with sqlite3.connect(path) as connection:
        (count,) = connection.execute("SELECT count(*) FROM webhook_events").fetchone()
    return int(count)


def _postgres_events(url: str) -> int:
    from billkit.ledger import Ledger

    with Ledger(url) as ledger:
        return ledger.counts()["event"]


def run(rounds: int, seconds: int, postgres: bool) -> int:
    if shutil.which("wrk") is None:
        print("receiver_throughput: wrk is missing (apt-get install wrk)", file=sys.stderr)
        return 2
    server = None
    if postgres:
        from postgres_server import start

        server = start(durable=True)
    folder = Path(tempfile.mkdtemp(prefix="billkit-receiver-bench-"))
    setups = ["sqlite x1", "sqlite x4"] + (["postgresql x1", "postgresql x4"] if postgres else [])
    rates: dict[str, list[float]] = {name: [] for name in ["bare", *setups]}
    failures: list[str] = []
    print(f"load average before: {_loadavg()}")
    print(f"wrk, {CONNECTIONS} connections, {seconds} s per setup and round\n")
    print(f"{'round':<7}{'setup':<16}{'deliveries/s':>14}{'/ bare':>8}{'CPU ms/delivery':>17}")
    try:
        for number in range(1, rounds + 1):
            for name in ["bare", *setups]:
                tag = f"R{number}{name.replace(' ', '')}"
                backend, _, copies = name.partition(" x")
                count = int(copies or 1)
                if backend == "bare":
                    servers: list[Any] = [_Bare()]
                    where = ""
                elif backend == "sqlite":
                    where = str(folder / f"{tag}.sqlite")
                    servers = [Receiver(where, SECRET) for _ in range(count)]
                else:
                    assert server is not None
                    where = server.create_database()
                    from billkit.ledger import Ledger

                    Ledger(where).close()
                    servers = [Receiver(where, SECRET) for _ in range(count)]
                try:
                    figures = _load(
                        [s.url for s in servers],
                        [s.process.pid for s in servers],
                        folder,
                        tag,
                        seconds,
                        fresh=backend != "bare",
                    )
                finally:
                    for s in servers:
                        s.stop()
                if backend != "bare":
                    stored = (
                        _sqlite_events(Path(where))
                        if backend == "sqlite"
                        else _postgres_events(where)
                    )
                    # wrk does not count the requests still in flight when it stops; they may be stored.
                    if not 0 <= stored - figures["ok"] <= CONNECTIONS or figures["bad"]:
                        failures.append(
                            f"round {number} {name}: {figures['ok']} answered 2xx, {figures['bad']} not, "
                            f"{stored} events stored"
                        )
                    if server is not None and backend == "postgresql":
                        server.drop_database(where)
                rate = figures["ok"] / seconds
                rates[name].append(rate)
                bare = rates["bare"][-1]
                print(
                    f"{number:<7}{name:<16}{rate:>14.0f}{rate / bare:>8.2f}"
                    f"{1000 * figures['cpu'] / max(1, figures['ok']):>17.3f}",
                    flush=True,
                )
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\nload average after: {_loadavg()}")
    print("median over rounds:")
    for name, values in rates.items():
        print(f"  {name:<16}{statistics.median(values):>8.0f} deliveries/s")
    for failure in failures:
        print(f"FAILED {failure}", file=sys.stderr)
    return 1 if failures else 0


def _loadavg() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=6, help="seconds of wrk per setup and round")
    parser.add_argument("--skip-postgres", action="store_true", help="SQLite setups only")
    parser.add_argument("--serve-bare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        serve_bare()
        return 0
    return run(args.rounds, args.seconds, not args.skip_postgres)


if __name__ == "__main__":
    sys.exit(main())
