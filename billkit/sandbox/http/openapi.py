"""`/openapi.json`, built from the same `Endpoint` declarations and schemas that serve the requests.

It describes exactly the faithful surface and the `/_sandbox/` routes: every parameter, body and success
shape, and a problem+json answer for every error status a route can give, so a schema-driven fuzzer can
hold the sandbox to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import TypeAdapter

from billkit.sandbox.http.endpoint import Endpoint, Idempotency
from billkit.sandbox.http.problems import SLUGS
from billkit.sandbox.schemas.common import id_pattern

__all__ = ["PATH_PARAMETERS", "build_openapi"]

_REF = "#/components/schemas/{model}"
_PROBLEM = "Problem"
_PATH_PARAM = re.compile(r"{([a-z_]+)}")
_REFERENCE = {"type": "string", "pattern": "^[a-zA-Z0-9_-]+$", "maxLength": 255}

#: Schema and description of each path parameter name used by the routes.
PATH_PARAMETERS: dict[str, tuple[dict[str, Any], str]] = {
    "customer": (_REFERENCE, "The customer's ID (bcus_...) or external_reference"),
    "account": (_REFERENCE, "The account's ID (bacc_...) or external_reference"),
    "bill": (_REFERENCE, "The bill's ID (bill_...) or external_reference"),
    "payment_request": (
        _REFERENCE,
        "The payment request's ID (pr_...) or external_reference",
    ),
    "event": ({"type": "string", "pattern": id_pattern("evt_")}, "The event's ID (evt_...)"),
    "endpoint": (
        {"type": "string", "pattern": id_pattern("we_")},
        "The webhook endpoint's ID (we_...)",
    ),
    "file": (
        {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$"},
        "A billing file's name, as uploaded to /inbound",
    ),
    "report": (
        {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$"},
        "A report's file name, as in /outbound/reports",
    ),
}

_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details, as Moment answers every error",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "pattern": "^https://api\\.momentco\\.io/docs/errors#[a-z-]+$"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}

_IDEMPOTENCY_KEY_SCHEMA = {
    "type": "string",
    "pattern": "^[a-zA-Z0-9-]+$",
    "minLength": 1,
    "maxLength": 255,
}


def build_openapi(endpoints: Iterable[Endpoint], *, version: str) -> dict[str, Any]:
    schemas: dict[str, Any] = {_PROBLEM: _PROBLEM_SCHEMA}
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        operation = _operation(endpoint, schemas)
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "billkit sandbox",
            "version": version,
            "description": "billkit's local emulation of Moment's Billing API (the /billing and /collect "
            "paths, answering as Moment documents) and its sandbox-only routes under /_sandbox.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The sandbox's secret test key (sk_test_...)",
                }
            },
        },
    }


def error_statuses(endpoint: Endpoint) -> list[int]:
    """Every error status the pipeline and the handler can answer with."""
    statuses = {400, 401, 403, 500, *endpoint.errors}
    if endpoint.body is not None:
        statuses.add(413)
    if endpoint.idempotency is not Idempotency.NONE:
        statuses.update({409, 422})  # in-flight duplicate; key reused with another body
    if _PATH_PARAM.search(endpoint.path):
        statuses.add(404)
    return sorted(statuses)


def _operation(endpoint: Endpoint, schemas: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": endpoint.handler.__name__,
        "summary": endpoint.summary,
        "tags": [endpoint.tag],
        "parameters": _parameters(endpoint),
        "responses": {
            str(endpoint.status): {
                "description": endpoint.summary,
                "content": {
                    "application/json": {"schema": _schema_ref(endpoint.response, schemas)}
                },
            },
            **{
                str(status): {
                    "description": SLUGS[status][1],
                    "content": {
                        "application/problem+json": {
                            "schema": {"$ref": _REF.format(model=_PROBLEM)}
                        }
                    },
                }
                for status in error_statuses(endpoint)
            },
        },
    }
    if endpoint.description:
        operation["description"] = endpoint.description
    if endpoint.body is not None:
        operation["requestBody"] = {
            "required": not endpoint.body.empty_is_object,
            "content": {"application/json": {"schema": _schema_ref(endpoint.body.schema, schemas)}},
        }
    return operation


def _parameters(endpoint: Endpoint) -> list[dict[str, Any]]:
    parameters: list[dict[str, Any]] = []
    for name in _PATH_PARAM.findall(endpoint.path):
        schema, description = PATH_PARAMETERS[name]
        parameters.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": schema,
                "description": description,
            }
        )
    if endpoint.query is not None:
        query_schema = TypeAdapter(endpoint.query.schema).json_schema(ref_template=_REF)
        required = set(query_schema.get("required", ()))
        for name, schema in query_schema.get("properties", {}).items():
            schema = {key: value for key, value in schema.items() if key != "title"}
            parameters.append(
                {"name": name, "in": "query", "required": name in required, "schema": schema}
            )
    if endpoint.idempotency is not Idempotency.NONE:
        parameters.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": endpoint.idempotency is Idempotency.REQUIRED,
                "schema": _IDEMPOTENCY_KEY_SCHEMA,
                "description": "Makes retries safe: the first response is replayed for 24 hours",
            }
        )
    return parameters


def _schema_ref(schema_type: type, schemas: dict[str, Any]) -> dict[str, Any]:
    """Register `schema_type` (and what it nests) under components and return a reference to it."""
    schema = TypeAdapter(schema_type).json_schema(ref_template=_REF)
    schemas.update(schema.pop("$defs", {}))
    name = schema_type.__name__
    schemas[name] = schema
    return {"$ref": _REF.format(model=name)}
