"""What the report tests share: the demo seed and the populated sandbox the `demo` fixture yields."""

from __future__ import annotations

from dataclasses import dataclass

from billkit.analysis.demo_data import DemoSummary
from billkit.client import Client

SEED = 11


@dataclass(frozen=True)
class DemoSandbox:
    client: Client
    summary: DemoSummary
