"""Reading a request body with the 1 MiB limit (contract §2), refused early when Content-Length says so."""

from __future__ import annotations

from starlette.requests import Request

from billkit.sandbox.http.problems import ApiError

__all__ = ["MAX_BODY_BYTES", "read_body"]

MAX_BODY_BYTES = 1024 * 1024


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ApiError(400, f"Content-Length {declared!r} is not a number of bytes")
        if int(declared) > limit:
            raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:  # a chunked body, or one longer than its Content-Length claimed
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> ApiError:
    return ApiError(413, f"The request body is larger than the {limit // 1024} KiB limit")
