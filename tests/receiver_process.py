"""A `billkit receive` process for tests and benches: started, its URL read, its output drained, stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading


class Receiver:
    """One `billkit receive` process; its stdout is read in the background so it never blocks."""

    def __init__(self, db: str, secret: str, port: int = 0) -> None:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("BILLKIT_")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "billkit.cli", "receive", "--secret", secret, "--db", db,
             "--port", str(port)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=environment,
        )  # fmt: skip
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, "the receiver exited before it listened"
        self.url: str = json.loads(line)["url"]
        self.printed: list[dict[str, object]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.printed.append(json.loads(line))

    @property
    def port(self) -> int:
        return int(self.url.split(":")[2].split("/")[0])

    def stop(self, how: signal.Signals = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(how)
            self.process.wait(timeout=60)
        self._reader.join(timeout=60)
        assert self.process.stdout is not None
        self.process.stdout.close()
