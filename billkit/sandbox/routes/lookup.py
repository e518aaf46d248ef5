"""Finding the objects a request names, with the 404 and 409 answers the contract asks for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from billkit.sandbox.http.endpoint import Json
from billkit.sandbox.problems import ApiError, FieldProblem
from billkit.sandbox.store import DuplicateReference, ObjectKind, Store

__all__ = ["find_json_or_404", "find_or_404", "insert_new", "join"]


def find_or_404(
    store: Store, kind: ObjectKind, reference: str, *, field: str | None = None
) -> dict[str, Any]:
    """The object with this ID or external_reference; 404 (blaming `field`, if given) when there is none."""
    obj = store.objects(kind).find(reference)
    if obj is None:
        detail = f"No {kind} has the ID or external_reference {reference!r}"
        errors = [FieldProblem(field, f"no {kind} {reference!r}")] if field else []
        raise ApiError(404, detail, errors=errors)
    return obj


def find_json_or_404(store: Store, kind: ObjectKind, reference: str) -> Json:
    """`find_or_404` for a retrieve: the stored JSON, answered without parsing it."""
    text = store.objects(kind).find_json(reference)
    if text is None:
        raise ApiError(404, f"No {kind} has the ID or external_reference {reference!r}")
    return Json(text)


def insert_new(store: Store, kind: ObjectKind, obj: Mapping[str, Any], *, field: str) -> Json:
    """Store a new object and return it as stored; 409 blaming `field` when its external_reference
    is already used.

    The table's UNIQUE constraint does the checking, so a create costs no extra query.
    """
    try:
        return Json(store.objects(kind).insert(obj))
    except DuplicateReference:
        raise ApiError(
            409,
            f"A {kind} with external_reference {obj['external_reference']!r} already exists",
            errors=[FieldProblem(field, "is already used by another " + kind)],
        ) from None


def join(prefix: str, name: str) -> str:
    """`join("account", "customer")` -> "account.customer": where a nested field sits in the body."""
    return f"{prefix}.{name}" if prefix else name
