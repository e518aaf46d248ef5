"""Finding what a reference names, and inserting new objects: the one source of `NotFound` and of a taken
external_reference (`DuplicateReference`, blaming the field the request gave it in)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from billkit.sandbox.domain.errors import DuplicateReference, NotFound
from billkit.sandbox.store import ObjectKind, Store

__all__ = ["find", "find_json", "find_payment_request", "insert_new", "join"]


def find(
    store: Store, kind: ObjectKind, reference: str, *, field: str | None = None
) -> dict[str, Any]:
    """The object with this ID or external_reference; `NotFound` (blaming `field`) when there is none."""
    obj = store.objects(kind).find(reference)
    if obj is None:
        raise NotFound(kind, reference, field=field)
    return obj


def find_json(store: Store, kind: ObjectKind, reference: str) -> str:
    """`find` for a retrieve: the stored JSON text, unparsed."""
    text = store.objects(kind).find_json(reference)
    if text is None:
        raise NotFound(kind, reference)
    return text


def find_payment_request(
    store: Store, reference: str, *, field: str | None = None
) -> dict[str, Any]:
    request = store.payment_requests.find(reference)
    if request is None:
        raise NotFound("payment request", reference, field=field)
    return request


def insert_new(
    store: Store, kind: ObjectKind, obj: Mapping[str, Any], *, field: str, now: float
) -> str:
    """Store a new object and return the JSON text it is stored as; `DuplicateReference` blaming `field`
    when its external_reference is taken.

    The table's UNIQUE constraint does the checking, so a create costs no extra query."""
    try:
        return store.objects(kind).insert(obj, at=now)
    except DuplicateReference as taken:
        raise DuplicateReference(kind, taken.external_reference, field=field) from None


def join(prefix: str, name: str) -> str:
    """`join("account", "customer")` -> "account.customer": where a nested field sits in the body."""
    return f"{prefix}.{name}" if prefix else name
