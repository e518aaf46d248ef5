"""Fixtures for the notebook tests: a real embedded sandbox, started once per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from billkit.client import Client
from billkit.sandbox import Sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[Client]:
    with sandbox.client() as sandbox_client:
        yield sandbox_client
