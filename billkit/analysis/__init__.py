"""Analysis of what the ledger recorded: frames, metrics, reconciliation and charts.

Pure functions, DataFrame in, DataFrame or plotly Figure out; nothing here reads files or the network.

    from billkit.analysis import frames, metrics, reconciliation, charts

    bills = frames.bills_frame(ledger.latest("bill"), as_of="2025-02-01", tz="Africa/Johannesburg")
    payments = frames.payments_frame(ledger.events_frame())
    metrics.aging(bills, as_of="2025-02-01", tz="Africa/Johannesburg")
    charts.aging_chart(metrics.aging(...))

Submodules load on first use, so `import billkit.analysis` does not pull in plotly until a chart is drawn.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_SUBMODULES = ("charts", "frames", "metrics", "reconciliation")

__all__ = ["MixedCurrencyError", "charts", "frames", "metrics", "reconciliation"]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"billkit.analysis.{name}")
    if name == "MixedCurrencyError":
        from billkit.frame_money import MixedCurrencyError

        return MixedCurrencyError
    raise AttributeError(f"module 'billkit.analysis' has no attribute {name!r}")


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from billkit.analysis import charts, frames, metrics, reconciliation
    from billkit.frame_money import MixedCurrencyError
