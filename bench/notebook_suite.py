"""How long the whole notebook suite takes, run exactly as `billkit demo` runs it. Target: 90 s or less.

    .venv/bin/python bench/notebook_suite.py

Runs `billkit demo --out <tmp>` once in a fresh process (kernel start-ups, imports, sandboxes, webhooks,
scrubbing and HTML export included), shows its per-notebook lines, and prints the total against the target.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 90.0
LIMIT_SECONDS = 600  # a hung kernel must not hang the bench
_LINE = re.compile(r"^\s+(ok|FAILED)\s+(\S+)\s+([\d.]+) s")


def main() -> int:
    billkit = Path(sys.executable).with_name("billkit")
    with tempfile.TemporaryDirectory(prefix="billkit-bench-") as out:
        started = time.perf_counter()
        completed = subprocess.run(
            [str(billkit), "demo", "--out", out],
            capture_output=True,
            text=True,
            timeout=LIMIT_SECONDS,
            check=False,
        )
        total = time.perf_counter() - started
    rows = [
        match.groups() for line in completed.stdout.splitlines() if (match := _LINE.match(line))
    ]
    print(f"Notebook suite as `billkit demo` runs it ({os.cpu_count()} CPUs)\n")
    print(f"  {'notebook':<28} {'status':<7} {'seconds':>8}")
    for status, name, seconds in rows:
        print(f"  {name:<28} {status:<7} {float(seconds):8.1f}")
    measured = sum(float(seconds) for _, _, seconds in rows)
    print(f"  {'(sum of notebooks)':<28} {'':<7} {measured:8.1f}")
    print(f"  {'total, process start to exit':<28} {'':<7} {total:8.1f}")
    verdict = "meets" if total <= TARGET_SECONDS else "MISSES"
    print(
        f"\nTotal {total:.1f} s {verdict} the {TARGET_SECONDS:.0f} s target ({total / TARGET_SECONDS:.2f} of it)."
    )
    if completed.returncode != 0:
        print(
            f"\nbillkit demo exited with {completed.returncode}:\n{completed.stdout}\n{completed.stderr}"
        )
        return 1
    return 0 if total <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
