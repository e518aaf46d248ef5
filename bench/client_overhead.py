"""How much billkit.Client costs over bare httpx, on the call notebooks make most: creating a bill.

A tiny ASGI app (served by `billkit._serving` on a free 127.0.0.1 port) answers POST /billing/bills with
a canned 201 bill. The same number of identical requests (same headers and body, a fresh UUID4
Idempotency-Key each) go through `billkit.Client.bills.create` and through a bare `httpx.Client`, in
interleaved rounds whose order alternates, so drift in machine load hits both sides alike.

    .venv/bin/python bench/client_overhead.py [--calls 2000] [--rounds 10]

Prints calls per second for each side and the ratio billkit / bare httpx (target: at least 0.9).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import httpx

import billkit
from billkit._serving import ServedApp

# The sample bill the tests use (tests/samples.py), answered as Moment would.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import samples

TARGET_RATIO = 0.9
API_KEY = "sk_test_benchmarkbenchmark0001"
PARAMS: dict[str, Any] = {
    "external_reference": "UBR1234567890",
    "currency": "ZAR",
    "amount_due": 2000,
    "account": samples.ACCOUNT_ID,
    "due_date": "2025-01-31",
    "metadata": {"invoice_period": "January 2025"},
}
CANNED = json.dumps(samples.BILL).encode()

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]


async def app(
    scope: Scope,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    """201 with the canned bill for POST /billing/bills (after reading the body), 404 otherwise."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    found = scope["method"] == "POST" and scope["path"] == "/billing/bills"
    body = CANNED if found else b'{"status": 404}'
    await send(
        {
            "type": "http.response.start",
            "status": 201 if found else 404,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def billkit_calls(client: billkit.Client) -> Callable[[int], None]:
    def run(count: int) -> None:
        for _ in range(count):
            client.bills.create(**PARAMS)

    return run


def bare_calls(client: httpx.Client) -> Callable[[int], None]:
    def run(count: int) -> None:
        for _ in range(count):
            response = client.post(
                "/billing/bills", json=PARAMS, headers={"Idempotency-Key": str(uuid.uuid4())}
            )
            response.raise_for_status()
            response.json()

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="create-bill calls per side")
    parser.add_argument("--rounds", type=int, default=20, help="interleaved rounds")
    args = parser.parse_args()
    per_round = max(1, args.calls // args.rounds)

    with ServedApp(app) as server:
        client = billkit.Client(API_KEY, server.url, env={})
        # The bare client sends exactly billkit's headers, so both sides put the same bytes on the wire.
        bare = httpx.Client(
            base_url=server.url,
            headers={
                "Authorization": f"Bearer {API_KEY}",
                "Accept": "application/json",
                "User-Agent": client._http.headers["User-Agent"],
            },
        )
        sides = {"billkit": billkit_calls(client), "bare httpx": bare_calls(bare)}
        for run in sides.values():  # warm up connections, imports and caches
            run(50)
        elapsed: dict[str, list[float]] = {name: [] for name in sides}
        for round_number in range(args.rounds):
            order = list(sides) if round_number % 2 == 0 else list(reversed(sides))
            for name in order:
                started = time.perf_counter()
                sides[name](per_round)
                elapsed[name].append(time.perf_counter() - started)
        client.close()
        bare.close()

    calls = per_round * args.rounds
    rates = {name: calls / sum(seconds) for name, seconds in elapsed.items()}
    # Each round times both sides back to back; the median of their ratios shrugs off bursts of load
    # from other processes that a ratio of totals would absorb.
    ratio = statistics.median(
        bare / ours for ours, bare in zip(elapsed["billkit"], elapsed["bare httpx"], strict=True)
    )
    overhead_us = (sum(elapsed["billkit"]) - sum(elapsed["bare httpx"])) / calls * 1e6
    print(f"client overhead: {calls} create-bill calls per side, {args.rounds} interleaved rounds")
    for name, rate in rates.items():
        print(f"  {name:<11} {rate:8.0f} calls/s  {1000 / rate:6.3f} ms/call")
    print(f"  billkit adds {overhead_us:.0f} µs per call on average")
    verdict = "meets" if ratio >= TARGET_RATIO else "BELOW"
    print(
        f"ratio billkit / bare httpx (median of rounds): {ratio:.3f} "
        f"({verdict} the target of {TARGET_RATIO})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
