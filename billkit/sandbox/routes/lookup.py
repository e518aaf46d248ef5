"""Finding the objects a request names, with the 404 and 409 answers the contract asks for."""

from __future__ import annotations

from typing import Any

from billkit.sandbox.problems import ApiError, FieldProblem
from billkit.sandbox.store import ObjectKind, Store

__all__ = ["ensure_reference_free", "find_or_404", "join"]


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


def ensure_reference_free(store: Store, kind: ObjectKind, reference: str, *, field: str) -> None:
    """409 when another object of this kind already uses `reference` as its external_reference."""
    if store.objects(kind).reference_taken(reference):
        raise ApiError(
            409,
            f"A {kind} with external_reference {reference!r} already exists",
            errors=[FieldProblem(field, "is already used by another " + kind)],
        )


def join(prefix: str, name: str) -> str:
    """`join("account", "customer")` -> "account.customer": where a nested field sits in the body."""
    return f"{prefix}.{name}" if prefix else name
