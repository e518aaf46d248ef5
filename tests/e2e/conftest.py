"""Fixtures for the webhook delivery tests: a sandbox on a free loopback port with a fast retry schedule."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from e2e_helpers import Recorder, SandboxApi

from billkit.sandbox import Sandbox


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    with Recorder() as running:
        yield running


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(retry_schedule="fast") as running:
        yield running


@pytest.fixture
def api(sandbox: Sandbox) -> Iterator[SandboxApi]:
    client = SandboxApi(sandbox.base_url, sandbox.api_key)
    yield client
    client.close()
