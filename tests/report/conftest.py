"""Fixtures for the report tests: one embedded sandbox filled with the demo month per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from report_demo import SEED, DemoSandbox

from billkit.demo import populate
from billkit.sandbox import Sandbox


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoSandbox]:
    with Sandbox() as sandbox, sandbox.client() as client:
        yield DemoSandbox(client, populate(client, seed=SEED, customers=30))
