"""The path every sandbox request takes, in contract order:

    auth -> query -> Idempotency-Key -> body (1 MiB, well-formed JSON) ->
    [one transaction: replay or (validate -> handler) -> store the response] -> notify the outbox worker

Refusals up to the body's JSON are not stored: they leave the key free. Everything after the body has
arrived runs synchronously, so a request's reads and writes are one atomic step, and two requests with
one key are never processed at once (contract §2's 409 for that cannot arise). A stored response is
replayed with `Idempotent-Replayed: true`; the same key with another body (compared as parsed JSON) is 422.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from billkit.sandbox.domain.errors import DuplicateReference, MissingField, NotFound, RuleViolation
from billkit.sandbox.http.auth import authenticate
from billkit.sandbox.http.body import read_body
from billkit.sandbox.http.endpoint import Endpoint, Idempotency, Json, RequestContext
from billkit.sandbox.http.problems import PROBLEM_CONTENT_TYPE, ApiError, FieldProblem, problem_body
from billkit.sandbox.http.validation import DecodedBody, QueryParser
from billkit.sandbox.runtime import IDEMPOTENCY_TTL, Runtime
from billkit.sandbox.schemas.common import NoQuery
from billkit.sandbox.store import Scope, StoredResponse

__all__ = ["IDEMPOTENCY_KEY_HEADER", "REPLAYED_HEADER", "as_api_error", "problem_response", "route"]

IDEMPOTENCY_KEY_HEADER = "idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
_VALID_KEY = re.compile(r"[a-zA-Z0-9-]{1,255}")
JSON_CONTENT_TYPE = "application/json"
NO_QUERY = QueryParser(NoQuery)

logger = logging.getLogger("billkit.sandbox")


def route(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint function for `endpoint`."""

    async def handle(request: Request) -> Response:
        runtime: Runtime = request.app.state.runtime
        try:
            return await _handle(endpoint, runtime, request)
        except ApiError as error:
            return problem_response(error, request.scope["path"])
        except _REFUSALS as refusal:
            return problem_response(as_api_error(refusal), request.scope["path"])
        except (
            ClientDisconnect
        ):  # gone mid-body (or dropped for sending it too slowly): nobody to tell
            return Response(status_code=400)
        except Exception:
            logger.exception("%s failed", endpoint.name)
            return problem_response(
                ApiError(500, "The sandbox failed to handle this request; its log has the details"),
                request.scope["path"],
            )

    return handle


async def _handle(endpoint: Endpoint, runtime: Runtime, request: Request) -> Response:
    authenticate(request.headers.get("authorization"), runtime.api_key)
    query = (
        (endpoint.query or NO_QUERY).parse(request.query_params.multi_items())
        if request.scope["query_string"]
        else {}
    )
    key = _idempotency_key(request, endpoint.idempotency)
    # A key is taken only once the whole body has arrived: from here on nothing awaits, so a request is
    # processed in one step and a client that never finishes its body holds nothing.
    raw = await read_body(request) if endpoint.body is not None else b""
    body = endpoint.body.decode(raw) if endpoint.body is not None else None  # malformed: not stored
    scope = (
        None
        if key is None
        else Scope(runtime.key_owner, request.method, request.scope["path"], key)
    )
    return _run(endpoint, runtime, request, query, body, scope=scope)


def _run(
    endpoint: Endpoint,
    runtime: Runtime,
    request: Request,
    query: dict[str, Any],
    decoded: DecodedBody | None,
    *,
    scope: Scope | None,
) -> Response:
    """Synchronous from here on: no other request runs until this one has committed.

    A refused request's writes are rolled back; its problem response is then stored for its key in a second
    transaction. Nothing else can run in between, so to other requests the two are one step.
    """
    store = runtime.store
    now = runtime.clock.timestamp()
    context = RequestContext(runtime, request.path_params, {}, query, now, request=request)
    parser = endpoint.body
    if not endpoint.writes:
        context.body = parser.validate(decoded) if parser and decoded else {}
        return _json_response(endpoint.status, _encoded(endpoint.handler(context)))
    # Bodies are compared as parsed JSON: layout and key order do not make another request.
    fingerprint = hashlib.sha256(decoded.comparable() if decoded else b"").hexdigest()
    try:
        with store.transaction():
            if runtime.purge_due(now):
                store.idempotency.purge(before=now - IDEMPOTENCY_TTL)
            if scope is not None:
                stored = store.idempotency.get(scope, not_before=now - IDEMPOTENCY_TTL)
                if stored is not None:
                    return _replay(stored, fingerprint)
            try:
                context.body = parser.validate(decoded) if parser and decoded else {}
                body = _encoded(endpoint.handler(context))
            except (ApiError, *_REFUSALS) as exc:
                raise _Refused(as_api_error(exc)) from None  # leaving the block undoes the writes
            if scope is not None:
                store.idempotency.put(
                    scope, StoredResponse(fingerprint, endpoint.status, body, now)
                )
    except _Refused as refused:
        if scope is not None:  # the refusal is the first response to this key: replay it too
            problem = _dumps(problem_body(refused.error, request.scope["path"]))
            with store.transaction():
                store.idempotency.put(
                    scope, StoredResponse(fingerprint, refused.error.status, problem, now)
                )
        raise refused.error from None
    for hook in context.after_commit:
        hook()
    return _json_response(endpoint.status, body)


class _Refused(Exception):
    """Carries a handler's refusal out of its transaction, so its writes are rolled back."""

    def __init__(self, error: ApiError) -> None:
        super().__init__(error.detail)
        self.error = error


def _replay(stored: StoredResponse, fingerprint: str) -> Response:
    if stored.fingerprint != fingerprint:
        raise ApiError(
            422,
            "This Idempotency-Key was already used with a different request body: "
            "use a new key for a new request",
            errors=[FieldProblem("Idempotency-Key", "was used with a different request body")],
        )
    response = _json_response(stored.status, stored.body)
    response.headers[REPLAYED_HEADER] = "true"
    return response


def _idempotency_key(request: Request, rule: Idempotency) -> str | None:
    if rule is Idempotency.NONE:
        return None
    key = request.headers.get(IDEMPOTENCY_KEY_HEADER)
    if key is None:
        if rule is Idempotency.REQUIRED:
            raise ApiError.for_field(
                400,
                "Idempotency-Key",
                "is required on this request: send a new UUID, the same one on every retry",
            )
        return None
    if _VALID_KEY.fullmatch(key) is None:
        raise ApiError.for_field(
            400, "Idempotency-Key", "must be 1 to 255 letters, digits and hyphens (a UUID, say)"
        )
    return key


#: What services refuse with; `as_api_error` words each as its problem+json.
Refusal = RuleViolation | NotFound | DuplicateReference | MissingField
_REFUSALS = (RuleViolation, NotFound, DuplicateReference, MissingField)


def as_api_error(exc: ApiError | Refusal) -> ApiError:
    """The one translation of the services' refusals into answers: 404, 409, 400 and 422."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, NotFound):
        errors = [FieldProblem(exc.field, f"no {exc.kind} {exc.reference!r}")] if exc.field else []
        return ApiError(404, exc.message, errors=errors)
    if isinstance(exc, DuplicateReference):
        problem = FieldProblem(exc.field, f"is already used by another {exc.kind}")
        return ApiError(409, exc.message, errors=[problem])
    if isinstance(exc, MissingField):
        return ApiError.for_field(400, exc.field, exc.message)
    if exc.field is None:
        return ApiError(422, exc.message)
    return ApiError(422, exc.message, errors=[FieldProblem(exc.field, exc.message)])


def problem_response(error: ApiError, instance: str) -> Response:
    body = _dumps(problem_body(error, instance))
    return Response(body, error.status, headers=error.headers, media_type=PROBLEM_CONTENT_TYPE)


def _json_response(status: int, body: str) -> Response:
    media_type = PROBLEM_CONTENT_TYPE if status >= 400 else JSON_CONTENT_TYPE
    return Response(body, status, media_type=media_type)


def _encoded(answer: dict[str, Any] | Json) -> str:
    return answer if isinstance(answer, Json) else _dumps(answer)


def _dumps(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)
