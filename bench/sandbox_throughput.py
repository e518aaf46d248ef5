"""Sandbox create-bill throughput, measured by an independent load generator (`wrk`, 8 connections) against
a bare JSON endpoint served by the same uvicorn configuration (the ceiling), round after round.

    .venv/bin/python bench/sandbox_throughput.py [--rounds 3] [--seconds 8]

Each server runs in its own process (the sandbox on a WAL database file, exactly as `billkit sandbox` runs
it, access log aside), both started fresh. Each round loads the bare endpoint, then the sandbox, for the
same time, with a Lua script that posts a bill with a unique Idempotency-Key and external_reference per
request. Target: sandbox / bare >= 0.5 in every round, the first one after start included (no warm-up run
is granted: the sandbox warms itself up before it accepts connections).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

TARGET_RATIO = 0.5
CONNECTIONS = 8
KINDS = ("bare", "sandbox")
API_KEY = "sk_test_benchmarkKey"

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
        sock, runtime, started = prepare(settings)
        app = create_app(settings, runtime=runtime)
        base_url = started.base_url
    else:
        # A bill as the sandbox answers it, so both servers send the same number of bytes.
        reply = {
            "id": "bill_" + "x" * 22,
            "external_reference": "B-" + "0" * 32,
            "customer_id": "bcus_" + "x" * 22,
            "status": "unpaid",
            "currency": "ZAR",
            "amount_due": 2000,
            "amount_paid": 0,
            "amount_remaining": 2000,
            "bill_date": "2025-01-01",
            "payment_rules": {
                "min_amount": 100,
                "max_amount": 2000,
                "underpayment_allowed": True,
                "overpayment_allowed": False,
            },
        }

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


def _start(kind: str, db: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, "--db", db],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    base_url = process.stdout.readline().strip()
    if not base_url:
        process.kill()
        raise RuntimeError(f"the {kind} server did not start")
    return process, base_url


def _customer(base_url: str) -> str:
    response = httpx.post(
        f"{base_url}/billing/customers",
        json={"external_reference": "BENCH", "currency": "ZAR"},
        headers={"Authorization": f"Bearer {API_KEY}", "Idempotency-Key": "bench-customer"},
    )
    response.raise_for_status()
    customer_id: str = response.json()["id"]
    return customer_id


def _wrk(wrk: str, script: Path, base_url: str, seconds: float) -> float:
    """Requests per second wrk measured; refuses a run in which any request failed."""
    output = subprocess.run(
        [wrk, "-t1", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "-s", str(script), base_url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"wrk saw failed requests:\n{output}")
    match = re.search(r"Requests/sec:\s+([0-9.]+)", output)
    if match is None:
        raise RuntimeError(f"no rate in wrk's output:\n{output}")
    return float(match.group(1))


def run(seconds: float, rounds: int) -> int:
    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    ratios: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        servers = {kind: _start(kind, str(Path(folder) / f"{kind}.sqlite3")) for kind in KINDS}
        try:
            customer = _customer(servers["sandbox"][1])
            print(f"create-bill, wrk {CONNECTIONS} connections, {seconds:g} s rounds\n")
            print(f"{'round':<7}{'bare req/s':>12}{'sandbox req/s':>15}{'ratio':>8}")
            for number in range(1, rounds + 1):
                rates = {}
                for kind, (_, base_url) in servers.items():
                    script = Path(folder) / f"{kind}-{number}.lua"
                    script.write_text(
                        f"run = {json.dumps(f'r{number}')}\ncustomer = {json.dumps(customer)}\n"
                        f"api_key = {json.dumps(API_KEY)}\n{_LUA}"
                    )
                    rates[kind] = _wrk(wrk, script, base_url, seconds)
                ratio = rates["sandbox"] / rates["bare"]
                ratios.append(ratio)
                print(f"{number:<7}{rates['bare']:>12.0f}{rates['sandbox']:>15.0f}{ratio:>8.2f}")
        finally:
            for process, _ in servers.values():
                process.terminate()
                process.wait(timeout=30)
    worst = min(ratios)
    verdict = "ok" if worst >= TARGET_RATIO else "BELOW TARGET"
    print(
        f"\nworst round: sandbox / bare = {worst:.2f} (target >= {TARGET_RATIO} in every round) {verdict}"
    )
    return 0 if worst >= TARGET_RATIO else 1


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
