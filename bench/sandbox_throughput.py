"""Sandbox create-bill throughput, measured by an independent load generator (`wrk`, 8 connections) against
a bare JSON endpoint served by the same uvicorn configuration (the ceiling), round after round.

    .venv/bin/python bench/sandbox_throughput.py [--rounds 3] [--seconds 8]

Each server runs in its own process (the sandbox on a WAL database file, exactly as `billkit sandbox` runs
it, access log aside), both started fresh; the bare endpoint answers with a bill a sandbox of its own made
beforehand, so both send the same bytes. Each round loads each server for the same time, in short slices
taken in turn (bare, sandbox, sandbox, bare, ...) so both see the same noise of a shared machine, with a
Lua script that posts a bill with a unique Idempotency-Key and external_reference per request. Each round
also shows each server's CPU time per request (Linux) and their ratio, a figure other load on the machine
moves much less than a rate, and the load average before and after. Exit status 1 when a round misses
the target. Target: sandbox / bare >= 0.5 in every round, the first one after start included (no warm-up run
is granted: the sandbox warms itself up before it accepts connections).
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

import httpx

TARGET_RATIO = 0.5
CONNECTIONS = 8
KINDS = ("bare", "sandbox")
#: Each round gives each server this many wrk runs, in turn (see `_slice_order`).
SLICES = 8
API_KEY = "sk_test_benchmarkKey"
#: How the bare server is handed the bill it answers with.
_REPLY_ENV = "BENCH_BARE_REPLY"

_LUA = """
counter = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function request()
  counter = counter + 1
  local key = string.format("%s-%d-%d", run, tid, counter)
  local body = string.format(
    '{"external_reference":"B-%s","currency":"ZAR","amount_due":2000,"customer":"%s"}', key, customer)
  return wrk.format("POST", "/billing/bills", {
    ["Authorization"] = "Bearer " .. api_key,
    ["Idempotency-Key"] = key,
    ["Content-Type"] = "application/json",
  }, body)
end
"""

# ---- servers (run in child processes) ----------------------------------------------------------


def serve(kind: str, db: str) -> None:
    """Run one server and print its base URL once it accepts connections."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    from billkit.sandbox.app import create_app
    from billkit.sandbox.server import SandboxServer, bind_socket, prepare, uvicorn_config
    from billkit.sandbox.settings import SandboxSettings

    settings = SandboxSettings(db=db, api_key=API_KEY)
    if kind == "sandbox":
        sock, runtime, started, services = prepare(settings)
        app = create_app(settings, runtime=runtime, services=services)
        base_url = started.base_url
    else:
        # A bill the sandbox answered (see `_sample_bill`), so both servers send the same bytes.
        reply = json.loads(os.environ[_REPLY_ENV])

        async def bare(request: Request) -> Response:
            await request.json()  # a JSON endpoint reads its JSON, and does nothing else
            return JSONResponse(reply, status_code=201)

        app = Starlette(routes=[Route("/billing/bills", bare, methods=["POST"])])
        sock = bind_socket(settings.host, 0)
        host, port = sock.getsockname()[:2]
        base_url = f"http://{host}:{port}"

    def announce() -> None:
        print(base_url, flush=True)

    SandboxServer(uvicorn_config(app, access_log=False), on_ready=announce).run(sockets=[sock])


# ---- load --------------------------------------------------------------------------------------


def _start(kind: str, db: str, reply: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, "--db", db],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, _REPLY_ENV: reply},
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().strip()
    if not base_url:
        process.kill()
        raise RuntimeError(f"the {kind} server did not start")
    return process, base_url


def _sample_bill() -> str:
    """A bill as a sandbox answers a create like those the Lua script sends, made by a sandbox of its own
    so that the measured one starts with no create-bill served."""
    from billkit import Sandbox

    with Sandbox() as sandbox:
        customer = _customer(sandbox.base_url, sandbox.api_key)
        response = httpx.post(
            f"{sandbox.base_url}/billing/bills",
            json={"external_reference": "B-r1s1-1-1000", "currency": "ZAR", "amount_due": 2000,
                  "customer": customer},
            headers={"Authorization": f"Bearer {sandbox.api_key}", "Idempotency-Key": "r1s1-1-1000"},
        )  # fmt: skip
        response.raise_for_status()
        return response.text


def _customer(base_url: str, api_key: str = API_KEY) -> str:
    response = httpx.post(
        f"{base_url}/billing/customers",
        json={"external_reference": "BENCH", "currency": "ZAR"},
        headers={"Authorization": f"Bearer {api_key}", "Idempotency-Key": "bench-customer"},
    )
    response.raise_for_status()
    customer_id: str = response.json()["id"]
    return customer_id


def _wrk(wrk: str, script: Path, base_url: str, seconds: float) -> tuple[float, int]:
    """Requests per second wrk measured, and how many requests; refuses a run in which any failed."""
    output = subprocess.run(
        [wrk, "-t1", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "-s", str(script), base_url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"wrk saw failed requests:\n{output}")
    match = re.search(r"Requests/sec:\s+([0-9.]+)", output)
    count = re.search(r"([0-9]+) requests in", output)
    if match is None or count is None:
        raise RuntimeError(f"no rate in wrk's output:\n{output}")
    return float(match.group(1)), int(count.group(1))


def _cpu_seconds(pid: int) -> float | None:
    """CPU time a process has used (Linux), or None where /proc does not tell."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(seconds: float, rounds: int) -> int:
    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    slice_seconds = seconds / SLICES
    ratios: list[float] = []
    reply = _sample_bill()
    print(f"load average before: {_load()}")
    with tempfile.TemporaryDirectory() as folder:
        servers = {
            kind: _start(kind, str(Path(folder) / f"{kind}.sqlite3"), reply) for kind in KINDS
        }
        try:
            customer = _customer(servers["sandbox"][1])
            print(
                f"create-bill, wrk {CONNECTIONS} connections, {seconds:g} s of each server per round "
                f"in {SLICES} interleaved slices of {slice_seconds:g} s\n"
            )
            print(
                f"{'round':<7}{'bare req/s':>12}{'sandbox req/s':>15}{'ratio':>8}"
                f"{'CPU ms/request (bare, sandbox)':>34}{'ratio':>7}"
            )
            for number in range(1, rounds + 1):
                rates: dict[str, list[float]] = {kind: [] for kind in KINDS}
                cpu = dict.fromkeys(KINDS, 0.0)
                served = dict.fromkeys(KINDS, 0)
                for part, kind in enumerate(_slice_order(SLICES)):
                    script = Path(folder) / f"{kind}-{number}-{part}.lua"
                    script.write_text(
                        f"run = {json.dumps(f'r{number}s{part}')}\ncustomer = {json.dumps(customer)}\n"
                        f"api_key = {json.dumps(API_KEY)}\n{_LUA}"
                    )
                    process, base_url = servers[kind]
                    before = _cpu_seconds(process.pid)
                    rate, count = _wrk(wrk, script, base_url, slice_seconds)
                    after = _cpu_seconds(process.pid)
                    rates[kind].append(rate)
                    served[kind] += count
                    cpu[kind] += 0.0 if before is None or after is None else after - before
                bare, sandbox = (statistics.fmean(rates[kind]) for kind in KINDS)
                ratios.append(sandbox / bare)
                costs = [1000 * cpu[kind] / max(1, served[kind]) for kind in KINDS]
                print(
                    f"{number:<7}{bare:>12.0f}{sandbox:>15.0f}{sandbox / bare:>8.2f}"
                    f"{costs[0]:>22.3f}{costs[1]:>12.3f}{costs[0] / max(costs[1], 1e-9):>7.2f}"
                )
        finally:
            for process, _ in servers.values():
                process.terminate()
                process.wait(timeout=30)
    print(f"load average after: {_load()} (other work on the machine weighs on both servers)")
    worst = min(ratios)
    verdict = "ok" if worst >= TARGET_RATIO else "BELOW TARGET"
    print(
        f"\nworst round: sandbox / bare = {worst:.2f} (target >= {TARGET_RATIO} in every round) {verdict}"
    )
    return 0 if worst >= TARGET_RATIO else 1


def _load() -> str:
    return " ".join(f"{figure:.2f}" for figure in os.getloadavg())


def _slice_order(slices: int) -> list[str]:
    """bare, sandbox, sandbox, bare, ... (ABBA): a load that rises or falls during a round weighs on both
    servers alike, and the sandbox's first slice still comes right after its start."""
    order: list[str] = []
    for pair in range(slices):
        order += list(KINDS) if pair % 2 == 0 else list(reversed(KINDS))
    return order


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of both servers")
    parser.add_argument("--serve", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.db)
        return 0
    return run(args.seconds, args.rounds)


if __name__ == "__main__":
    sys.exit(main())
