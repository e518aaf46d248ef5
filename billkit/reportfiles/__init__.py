"""Moment's reconciliation and settlement reports (contract §10): read, kept in the ledger, fetched over SFTP.

    report = read_reconciliation("20241231_Moment_Recon_ae5811c4-..._20241230.csv")
    report.header.start, report.rows          # typed frame: amounts in minor units, times in UTC
    result = fetch_reports(SftpSettings.resolve(), "reports/", since="2024-12-01")
    ledger.import_reports(result.folder)      # idempotent; then ledger.reconciliation_rows(as_of=...)

See docs/reports.md for the layout, the frames and the rules.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> module that defines it; imported when first used, so `import billkit.reportfiles` stays light.
_EXPORTS: dict[str, str] = {
    "FetchResult": "billkit.reportfiles.fetch",
    "RECONCILIATION_COLUMNS": "billkit.reportfiles.report",
    "ReconciliationReport": "billkit.reportfiles.report",
    "ReportFileError": "billkit.reportfiles.errors",
    "ReportFileName": "billkit.reportfiles.names",
    "ReportHeader": "billkit.reportfiles.header",
    "ReportKind": "billkit.reportfiles.names",
    "SETTLEMENT_COLUMNS": "billkit.reportfiles.report",
    "SettlementReport": "billkit.reportfiles.report",
    "fetch_reports": "billkit.reportfiles.fetch",
    "read_reconciliation": "billkit.reportfiles.report",
    "read_report": "billkit.reportfiles.report",
    "read_settlement": "billkit.reportfiles.report",
}

__all__: list[str] = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'billkit.reportfiles' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from billkit.reportfiles.errors import ReportFileError as ReportFileError
    from billkit.reportfiles.fetch import FetchResult as FetchResult
    from billkit.reportfiles.fetch import fetch_reports as fetch_reports
    from billkit.reportfiles.header import ReportHeader as ReportHeader
    from billkit.reportfiles.names import ReportFileName as ReportFileName
    from billkit.reportfiles.names import ReportKind as ReportKind
    from billkit.reportfiles.report import RECONCILIATION_COLUMNS as RECONCILIATION_COLUMNS
    from billkit.reportfiles.report import SETTLEMENT_COLUMNS as SETTLEMENT_COLUMNS
    from billkit.reportfiles.report import ReconciliationReport as ReconciliationReport
    from billkit.reportfiles.report import SettlementReport as SettlementReport
    from billkit.reportfiles.report import read_reconciliation as read_reconciliation
    from billkit.reportfiles.report import read_report as read_report
    from billkit.reportfiles.report import read_settlement as read_settlement
