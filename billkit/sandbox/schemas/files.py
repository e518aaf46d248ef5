"""`/_sandbox/files`: billing files received over SFTP and their per-row results (contract §9)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from billkit.sandbox.schemas.common import CLOSED
from billkit.sandbox.schemas.sandbox import MAX_PAGE_SIZE

__all__ = ["BillFile", "BillFileDetail", "BillFileList", "BillFileListQuery", "FileRowCounts"]

FileStatus = Literal["processing", "processed", "rejected"]
RowStatus = Literal["created", "updated", "unchanged", "rejected"]


@with_config(CLOSED)
class FileRowCounts(TypedDict):
    created: int
    updated: int
    unchanged: int
    rejected: int


@with_config(CLOSED)
class BillFile(TypedDict):
    #: The number of this processing of the file (the same name sent again gets a new one).
    id: int
    name: str
    received_at: str
    status: FileStatus
    rows: FileRowCounts


@with_config(CLOSED)
class FileRowResult(TypedDict):
    row: int
    external_reference: str
    bill_reference: str
    status: RowStatus
    customer_id: str | None
    bill_id: str | None
    errors: str | None


@with_config(CLOSED)
class BillFileDetail(BillFile):
    results: list[FileRowResult]


@with_config(CLOSED)
class BillFileList(TypedDict):
    data: list[BillFile]
    has_more: bool


@with_config(ConfigDict(extra="forbid", strict=False))
class BillFileListQuery(TypedDict, total=False):
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)]
    #: The `id` of the last file of the previous page.
    starting_after: Annotated[int, Field(ge=1)]
