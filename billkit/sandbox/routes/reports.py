"""`/_sandbox/reports`: write a past day's reconciliation and settlement reports on demand, list the
reports written, and read one (contract §10; the writing is `services/reports.py`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from billkit.sandbox.clock import iso_utc
from billkit.sandbox.http.endpoint import RequestContext, Routes
from billkit.sandbox.http.problems import ApiError
from billkit.sandbox.schemas.reports import ReportContent, ReportCreate, ReportList, ReportListQuery
from billkit.sandbox.store.reports import StoredReport

__all__ = ["routes"]

routes = Routes(tag="sandbox")


@routes.post(
    "/_sandbox/reports",
    status=200,
    body=ReportCreate,
    response=ReportList,
    errors=(422,),
    description="A day's reports are written once: asking again answers the same two reports (the "
    "same names and bytes). The day must have ended on the sandbox clock (else 422). Files go to "
    "/outbound/reports/ when SFTP is served.",
)
def write_reports(context: RequestContext) -> dict[str, Any]:
    """Write both reports of a day (reconciliation and settlement) now, unless already written"""
    reports = context.runtime.reports
    written = reports.write_day(date.fromisoformat(context.body["date"]), context.now)
    context.after_commit.append(reports.file_written)
    return {"data": [_shown(report) for report in written]}


@routes.get("/_sandbox/reports", response=ReportList, query=ReportListQuery)
def list_reports(context: RequestContext) -> dict[str, Any]:
    """List the reports written, oldest day first, a day's reconciliation before its settlement"""
    found = context.store.reports.listed(
        kind=context.query.get("kind"), since=context.query.get("since")
    )
    return {"data": [_shown(report) for report in found]}


@routes.get("/_sandbox/reports/{report}", response=ReportContent, errors=(404,))
def retrieve_report(context: RequestContext) -> dict[str, Any]:
    """One report by file name, with its content (the file's text exactly)"""
    name = context.path_params["report"]
    report = context.store.reports.named(name)
    if report is None:
        raise ApiError(404, f"No report named {name!r} has been written")
    return {**_shown(report), "content": report.content.decode("utf-8")}


def _shown(report: StoredReport) -> dict[str, Any]:
    return {
        "name": report.name,
        "kind": report.kind,
        "date": report.period,
        "generated_on": report.generated_on,
        "created_at": iso_utc(report.written_at),
        "rows": report.rows,
        "size": len(report.content),
        "sha256": report.sha256,
    }
