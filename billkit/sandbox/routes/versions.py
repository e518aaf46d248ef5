"""`GET /_sandbox/versions`: every state each customer, account and bill has had, oldest first (contract
§6), so a ledger can tell what was true on a past day."""

from __future__ import annotations

import json

from billkit.sandbox.clock import iso_utc
from billkit.sandbox.http.endpoint import Json, RequestContext, Routes
from billkit.sandbox.schemas.sandbox import (
    DEFAULT_VERSIONS_PAGE_SIZE,
    VersionList,
    VersionListQuery,
)

__all__ = ["routes"]

routes = Routes(tag="sandbox")


@routes.get(
    "/_sandbox/versions",
    response=VersionList,
    query=VersionListQuery,
    description="Filters: kind, since (an `at`); pages by limit (1-1000, default 100) and "
    "starting_after (the seq of the last version seen).",
)
def list_versions(context: RequestContext) -> Json:
    """List every state each customer, account and bill has had, oldest first"""
    query = context.query
    since = query.get("since")
    versions, has_more = context.store.versions.list(
        limit=query.get("limit", DEFAULT_VERSIONS_PAGE_SIZE),
        after_seq=query.get("starting_after"),
        kind=query.get("kind"),
        since=None if since is None else since.timestamp(),
    )
    # Objects are spliced in as stored, so a page of a thousand is not parsed and encoded again.
    items = ",".join(
        f'{{"seq":{v.seq},"kind":"{v.kind}","id":{json.dumps(v.id)},'
        f'"at":"{iso_utc(v.at)}","object":{v.object}}}'
        for v in versions
    )
    return Json(f'{{"data":[{items}],"has_more":{"true" if has_more else "false"}}}')
