"""Customers, accounts and bills: kept whole as JSON, found by ID or external_reference, listed by cursor."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import orjson
from pydantic_core import from_json

from billkit.sandbox.domain.errors import DuplicateReference
from billkit.sandbox.store.paging import Page, paginate
from billkit.sandbox.store.versions import Versions

__all__ = ["DuplicateReference", "ObjectKind", "ObjectTable", "dumps", "loads"]

ObjectKind = Literal["customer", "account", "bill"]


@dataclass(frozen=True, slots=True)
class _Layout:
    table: str
    #: Columns copied out of the object for searching (filters) besides id and external_reference.
    columns: tuple[str, ...]


_LAYOUTS: dict[ObjectKind, _Layout] = {
    "customer": _Layout("customers", ()),
    "account": _Layout("accounts", ("customer_id",)),
    "bill": _Layout("bills", ("customer_id", "account_id", "status")),
}


#: Compact JSON as stored and answered, when orjson cannot write it: a string holding a lone surrogate, an
#: integer past 64 bits. One encoder made once (json.dumps with options makes a new one per call).
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def dumps(obj: Mapping[str, Any]) -> str:
    """Compact JSON, non-ASCII written as it is. orjson writes the same text as `json` for the values
    objects hold, about ten times faster: every request encodes at least one object."""
    try:
        return orjson.dumps(obj).decode()
    except orjson.JSONEncodeError:
        return _encode(obj)


class ObjectTable:
    """One kind of billing object. Table and column names come from the fixed layouts above, never from input."""

    def __init__(
        self, connection: sqlite3.Connection, kind: ObjectKind, versions: Versions
    ) -> None:
        layout = _LAYOUTS[kind]
        self.kind = kind
        self._connection = connection
        self._versions = versions
        self._columns = layout.columns
        table = layout.table
        self._table = table
        names = ", ".join(("id", "external_reference", *layout.columns, "object"))
        marks = ", ".join("?" for _ in range(len(layout.columns) + 3))
        updates = ", ".join(f"{column} = ?" for column in (*layout.columns, "object"))
        self._insert_sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
        self._update_sql = f"UPDATE {table} SET {updates} WHERE id = ?"
        self._by_id_sql = f"SELECT object FROM {table} WHERE id = ?"
        self._by_reference_sql = f"SELECT object FROM {table} WHERE external_reference = ?"

    def find(self, reference: str) -> dict[str, Any] | None:
        """The object whose ID is `reference`, else the one whose external_reference is."""
        text = self.find_json(reference)
        return None if text is None else loads(text)

    def find_by_reference(self, external_reference: str) -> dict[str, Any] | None:
        """The object with this external_reference only (a billing file's rows name nothing by ID)."""
        row = self._connection.execute(self._by_reference_sql, (external_reference,)).fetchone()
        return None if row is None else loads(str(row[0]))

    def find_json(self, reference: str) -> str | None:
        """`find`, as the JSON text it is stored as (what a retrieve answers, unparsed)."""
        row = self._connection.execute(self._by_id_sql, (reference,)).fetchone()
        if row is None:
            row = self._connection.execute(self._by_reference_sql, (reference,)).fetchone()
        return None if row is None else str(row[0])

    def reference_taken(self, external_reference: str) -> bool:
        row = self._connection.execute(self._by_reference_sql, (external_reference,)).fetchone()
        return row is not None

    def insert(self, obj: Mapping[str, Any], *, at: float) -> str:
        """Store a new object, and its first version dated `at`; returns the JSON text stored."""
        text = dumps(obj)
        values = (obj["id"], obj["external_reference"], *self._indexed(obj), text)
        try:
            self._connection.execute(self._insert_sql, values)
        except sqlite3.IntegrityError:
            if self.reference_taken(obj["external_reference"]):
                raise DuplicateReference(self.kind, obj["external_reference"]) from None
            raise
        self._versions.add(self.kind, obj["id"], at=at, text=text)
        return text

    def update(self, obj: Mapping[str, Any], *, at: float) -> str:
        """Replace a stored object, keeping the new state as a version dated `at`; returns the JSON text."""
        text = dumps(obj)
        cursor = self._connection.execute(self._update_sql, (*self._indexed(obj), text, obj["id"]))
        if cursor.rowcount != 1:
            raise LookupError(f"no {self.kind} {obj['id']} to update")
        self._versions.add(self.kind, obj["id"], at=at, text=text)
        return text

    def list(self, *, limit: int, starting_after: str | None, filters: Mapping[str, str]) -> Page:
        """Newest first; `filters` maps indexed column names to the values they must equal."""
        unknown = set(filters) - set(self._columns)
        if unknown:
            raise ValueError(f"{self.kind} lists cannot be filtered on {sorted(unknown)}")
        return paginate(
            self._connection,
            self._table,
            conditions=[f"{column} = ?" for column in filters],
            params=list(filters.values()),
            limit=limit,
            starting_after=starting_after,
        )

    def _indexed(self, obj: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(obj.get(column) for column in self._columns)


def loads(text: str) -> dict[str, Any]:
    """A stored object, read by pydantic's parser (integers of any size, floats as `json` rounds them)
    several times faster than `json`, which reads what it refuses (a `\\udfff` escape)."""
    try:
        obj: dict[str, Any] = from_json(text, cache_strings="keys")
    except (ValueError, TypeError):  # TypeError: a lone surrogate, which cannot be UTF-8
        obj = json.loads(text)
    return obj
