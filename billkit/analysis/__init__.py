"""Analysis of what the ledger recorded: frames, metrics, reconciliation and charts.

Pure functions, DataFrame in, DataFrame or plotly Figure out; nothing here reads files or the network.
A day's figures start from the one path `ledger.as_of(day, tz=...)` (`point_in_time`; docs/analysis.md):

    from billkit.analysis import charts

    day = ledger.as_of("2025-02-01", tz="Africa/Johannesburg")   # the ledger as it stood that day
    day.aging(); day.dso(start="2025-01-01"); day.reconcile_bills()
    charts.aging_chart(day.aging())

Submodules load on first use, so `import billkit.analysis` does not pull in plotly until a chart is drawn.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_SUBMODULES = ("charts", "frames", "metrics", "point_in_time", "reconciliation", "three_way")

__all__ = [
    "MixedCurrencyError",
    "charts",
    "frames",
    "metrics",
    "point_in_time",
    "reconciliation",
    "three_way",
]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"billkit.analysis.{name}")
    if name == "MixedCurrencyError":
        from billkit.frame_money import MixedCurrencyError

        return MixedCurrencyError
    raise AttributeError(f"module 'billkit.analysis' has no attribute {name!r}")


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from billkit.analysis import (
        charts,
        frames,
        metrics,
        point_in_time,
        reconciliation,
        three_way,
    )
    from billkit.frame_money import MixedCurrencyError
