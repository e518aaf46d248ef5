"""`/_sandbox/files`: the billing files the SFTP side has processed, newest first, and one by name."""

from __future__ import annotations

from typing import Any

from billkit.sandbox.http.endpoint import Endpoint, RequestContext
from billkit.sandbox.problems import ApiError
from billkit.sandbox.routes.listing import page_size
from billkit.sandbox.schemas.files import BillFileDetail, BillFileList, BillFileListQuery
from billkit.sandbox.validation import QueryParser

__all__ = ["ENDPOINTS"]


def list_files(context: RequestContext) -> dict[str, Any]:
    data, has_more = context.store.bill_files.list(
        limit=page_size(context.query), before=context.query.get("starting_after")
    )
    return {"data": data, "has_more": has_more}


def retrieve_file(context: RequestContext) -> dict[str, Any]:
    name = context.path_params["file"]
    found = context.store.bill_files.latest(name)
    if found is None:
        raise ApiError(404, f"No billing file named {name!r} has been received")
    return found


ENDPOINTS = (
    Endpoint(
        "GET",
        "/_sandbox/files",
        list_files,
        "List the billing files received over SFTP, newest first, with row counts per status",
        "sandbox",
        200,
        BillFileList,
        query=QueryParser(BillFileListQuery),
    ),
    Endpoint(
        "GET",
        "/_sandbox/files/{file}",
        retrieve_file,
        "The latest processing of one billing file, with the result of each row",
        "sandbox",
        200,
        BillFileDetail,
    ),
)
