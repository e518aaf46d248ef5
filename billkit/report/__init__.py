"""The payments report: `notebooks/10_payments_report.ipynb`, the code it calls, and `billkit report`.

    data = source.load_source(params)                  # a ledger: demo month in a sandbox, or a file
    report = build.build_report(data.ledger, build.resolve_scope(params, data))
    report.key_figures(); report.figures()

`billkit report` (see `cli.py`) validates its options, runs the notebook through papermill and writes the
executed notebook and a standalone HTML report.
"""

from __future__ import annotations

__all__: list[str] = []
