"""`/_sandbox/files`: the billing files the SFTP side has processed, newest first, and one by name."""

from __future__ import annotations

from typing import Any

from billkit.sandbox.http.endpoint import RequestContext, Routes
from billkit.sandbox.http.problems import ApiError
from billkit.sandbox.routes.listing import page_size
from billkit.sandbox.schemas.files import BillFileDetail, BillFileList, BillFileListQuery

__all__ = ["routes"]

routes = Routes(tag="sandbox")


@routes.get("/_sandbox/files", response=BillFileList, query=BillFileListQuery)
def list_files(context: RequestContext) -> dict[str, Any]:
    """List the billing files received over SFTP, newest first, with row counts per status"""
    data, has_more = context.store.bill_files.list(
        limit=page_size(context.query), before=context.query.get("starting_after")
    )
    return {"data": data, "has_more": has_more}


@routes.get("/_sandbox/files/{file}", response=BillFileDetail, errors=(404,))
def retrieve_file(context: RequestContext) -> dict[str, Any]:
    """The latest processing of one billing file, with the result of each row"""
    name = context.path_params["file"]
    found = context.store.bill_files.latest(name)
    if found is None:
        raise ApiError(404, f"No billing file named {name!r} has been received")
    return found
