"""Suite-wide settings: the slowest tests start first, so parallel workers (`pytest -n auto`) finish together
instead of waiting on one long test picked up last."""

from __future__ import annotations

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(
        key=lambda item: item.get_closest_marker("slow") is None
    )  # stable: order kept otherwise
