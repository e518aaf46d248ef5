"""Webhook latency: from `POST /_sandbox/payments` returning to the event verified and recorded by a receiver.

    .venv/bin/python bench/webhook_latency.py [--payments 500]

500 payments through `billkit.Client` to an embedded `billkit.Sandbox` that delivers to a
`billkit.WebhookReceiver`; for each, the time from the client's `create` returning to `wait_for` seeing the
event (0 when it was already recorded). Baseline, measured in the same run and interleaved with it (one
round trip, one payment, in turn, so both see the same noise of the machine): a plain loopback POST round
trip (httpx, keep-alive) to an equally plain standard-library server that answers 200 at once. Target: p50
at most 1x the baseline's p50.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

import billkit
from billkit.webhooks import generate_secret

TARGET_RATIO = 1.0
WARM_UP = 20


class _PlainHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = (
        True  # as any tuned server: no 40 ms delayed-ACK stall between head and body
    )

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def plain_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PlainHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def interleaved(count: int, steps: dict[str, Callable[[], float]]) -> dict[str, list[float]]:
    """`count` samples of each step (which returns seconds), taken in turn, so every kind sees the same
    moments of the machine's noise; a warm-up of each is not counted."""
    for _ in range(WARM_UP):
        for step in steps.values():
            step()
    samples: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(count):
        for name, step in steps.items():
            samples[name].append(step())
    return samples


def measure(count: int) -> dict[str, list[float]]:
    """Baseline round trips and webhook deliveries, one of each in turn."""
    body = b'{"id":"evt_baseline","type":"obligation.amount_applied","data":{}}'
    secret = generate_secret()
    with (
        plain_server() as url,
        httpx.Client(trust_env=False) as http,
        billkit.WebhookReceiver(secret) as receiver,
        billkit.Sandbox(webhook_url=receiver.url, webhook_secret=secret) as sandbox,
        sandbox.client() as client,
    ):
        customer = client.customers.create(
            external_reference="BENCH-LATENCY", currency="ZAR", balance=99_000_000
        )

        def round_trip() -> float:
            started = time.perf_counter()
            http.post(url, content=body, headers={"content-type": "application/json"})
            return time.perf_counter() - started

        def one_payment() -> float:
            payment = client.sandbox.payments.create(customer=customer.id, amount=100)
            returned = time.perf_counter()
            receiver.wait_for(event_id=payment.event_id, timeout=15)
            return time.perf_counter() - returned

        return interleaved(count, {"baseline": round_trip, "delivery": one_payment})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=500)
    count = parser.parse_args().payments
    samples = measure(count)
    baseline, latencies = samples["baseline"], samples["delivery"]
    base_p50, base_p99 = percentile(baseline, 0.5), percentile(baseline, 0.99)
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    ratio = p50 / base_p50
    print(
        f"webhook latency over {count} payments (POST /_sandbox/payments returned -> event verified)"
    )
    print(
        f"  baseline loopback POST round trip: p50 {base_p50 * 1000:.3f} ms, p99 {base_p99 * 1000:.3f} ms"
    )
    print(f"  webhook delivery:                  p50 {p50 * 1000:.3f} ms, p99 {p99 * 1000:.3f} ms")
    print(f"  mean delivery {statistics.fmean(latencies) * 1000:.3f} ms")
    verdict = "meets" if ratio <= TARGET_RATIO else "misses"
    print(f"  p50 ratio {ratio:.2f}x the round trip; target <= {TARGET_RATIO:g}x: {verdict} it")


if __name__ == "__main__":
    main()
