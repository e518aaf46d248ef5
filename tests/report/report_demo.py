"""What the report tests share: the demo seed and the populated sandbox the `demo` fixture yields."""

from __future__ import annotations

from dataclasses import dataclass

from billkit.client import Client
from billkit.demo import DemoSummary

SEED = 11


@dataclass(frozen=True)
class DemoSandbox:
    client: Client
    summary: DemoSummary
