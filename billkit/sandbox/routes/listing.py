"""Turning a store page into a list answer, and the list query conventions (limit, starting_after)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from billkit.sandbox.http.problems import ApiError
from billkit.sandbox.schemas.sandbox import DEFAULT_PAGE_SIZE
from billkit.sandbox.store import Page, UnknownCursor

__all__ = ["page_body", "page_size"]


def page_size(query: Mapping[str, Any]) -> int:
    size: int = query.get("limit", DEFAULT_PAGE_SIZE)
    return size


def page_body(
    fetch: Callable[[int, str | None], Page], limit: int, starting_after: str | None
) -> dict[str, Any]:
    """`{"data": [...], "has_more": bool}`; a `starting_after` naming nothing is a 404 naming it."""
    try:
        page = fetch(limit, starting_after)
    except UnknownCursor:
        raise ApiError.for_field(
            404, "starting_after", f"{starting_after!r} is not the ID of an item of this list"
        ) from None
    return {"data": page.data, "has_more": page.has_more}
