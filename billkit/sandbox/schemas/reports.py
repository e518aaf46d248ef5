"""`/_sandbox/reports`: the reconciliation and settlement reports the sandbox has written (contract §10)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    with_config,
)
from pydantic_core import PydanticCustomError
from typing_extensions import TypedDict

from billkit.sandbox.schemas.common import CLOSED, Timestamp

__all__ = [
    "Report",
    "ReportContent",
    "ReportCreate",
    "ReportDay",
    "ReportList",
    "ReportListQuery",
]

ReportKind = Literal["reconciliation", "settlement"]


def _calendar_day(value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date", "must be a day of the calendar, YYYY-MM-DD") from None
    return value


#: A UTC day, `2025-01-15`.
ReportDay = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
    AfterValidator(_calendar_day),
    WithJsonSchema({"type": "string", "format": "date"}),
]


@with_config(CLOSED)
class ReportCreate(TypedDict):
    """The day (UTC) whose two reports to write; it must have ended on the sandbox clock."""

    date: ReportDay


@with_config(ConfigDict(extra="forbid", strict=False))
class ReportListQuery(TypedDict, total=False):
    kind: ReportKind
    #: Only reports of this day or later.
    since: ReportDay


@with_config(CLOSED)
class Report(TypedDict):
    """One written report: `name` is its file name in /outbound/reports/."""

    name: str
    kind: ReportKind
    #: The day reported on.
    date: str
    #: The sandbox clock's date when it was written (the first part of the name).
    generated_on: str
    #: When it was written, on the sandbox clock.
    created_at: Timestamp
    #: Rows of its table: payments, or currencies for a settlement report.
    rows: Annotated[int, Field(ge=0)]
    #: The file's length in bytes, and its SHA-256 (hex), so a copy can be checked.
    size: Annotated[int, Field(ge=0)]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


@with_config(CLOSED)
class ReportContent(Report):
    """A report with the file itself: `content` is its text exactly (UTF-8, CRLF line ends)."""

    content: str


@with_config(CLOSED)
class ReportList(TypedDict):
    data: list[Report]
