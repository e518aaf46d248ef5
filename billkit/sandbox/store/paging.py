"""Cursor pagination shared by every sandbox list: newest first, `starting_after` an object's ID."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Page", "UnknownCursor", "paginate"]


class UnknownCursor(Exception):
    """`starting_after` names no object of the list."""


@dataclass(frozen=True, slots=True)
class Page:
    data: list[dict[str, Any]]
    has_more: bool


def paginate(
    connection: sqlite3.Connection,
    table: str,
    *,
    conditions: Sequence[str] = (),
    params: Sequence[Any] = (),
    limit: int,
    starting_after: str | None,
) -> Page:
    """Objects of `table` (a fixed name, never input) matching `conditions`, after the cursor.

    One row more than `limit` is read to learn whether another page follows.
    """
    where = list(conditions)
    values = list(params)
    if starting_after is not None:
        row = connection.execute(
            f"SELECT seq FROM {table} WHERE id = ?", (starting_after,)
        ).fetchone()
        if row is None:
            raise UnknownCursor(starting_after)
        where.append("seq < ?")
        values.append(row[0])
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = connection.execute(
        f"SELECT object FROM {table} {clause} ORDER BY seq DESC LIMIT ?", (*values, limit + 1)
    ).fetchall()
    return Page([json.loads(row[0]) for row in rows[:limit]], len(rows) > limit)
