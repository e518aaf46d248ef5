"""Writing a batch of ledger rows, on SQLite or PostgreSQL, inside the caller's transaction.

States: a state is new only if its body differs from the state in effect when it began (see `_schema`). For
a batch that is decided by one query, which finds for each of its states the stored state in effect at that
state's time (one index seek each; a body read only where there is one), and then in Python, where the
batch's own earlier states count too, exactly as if the states were recorded one by one in batch order. The
new states are then written by a plain insert (SQLite `executemany`, PostgreSQL `COPY` for a big batch), in
batch order, so `seq` is the recording order. The caller holds the write lock (SQLite `BEGIN IMMEDIATE`,
PostgreSQL the advisory lock): nothing changes between the query and the insert.

Events: kept once per `evt_` ID; the primary key decides (`INSERT OR IGNORE`, `ON CONFLICT DO NOTHING`).
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_right, insort
from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any, Final

import orjson

from billkit.ledger import _postgres, _schema_pg
from billkit.ledger import _schema as sql

Row = tuple[Any, ...]
# Positions in a `VERSION_COLUMNS` row.
_OBJECT_ID, _VALID_FROM, _BODY = 1, 2, 5
_TIME: Final = itemgetter(0)


def insert_rows(connection: Any, statement: str, rows: list[Row]) -> int:
    """Run an INSERT for every row; returns how many rows it wrote."""
    if isinstance(connection, sqlite3.Connection):
        before = connection.total_changes
        connection.executemany(statement, rows)
        return connection.total_changes - before
    if not rows:
        return 0
    with (
        connection.cursor() as cursor
    ):  # psycopg: one pipeline of the batch; rowcount sums its rows
        cursor.executemany(statement, rows)
        return int(cursor.rowcount)


def write_states(connection: Any, kind: str, rows: list[Row]) -> int:
    """Write the states of `rows` (one kind, `VERSION_COLUMNS` order) that are new; returns how many."""
    if not rows:
        return 0
    new = new_states(rows, _stored_in_effect(connection, kind, rows))
    if isinstance(connection, sqlite3.Connection):
        return insert_rows(connection, sql.INSERT_VERSION, new)
    if len(new) >= _schema_pg.COPY_ROWS:
        return _postgres.copy_rows(connection, _schema_pg.COPY_VERSIONS, new)
    return insert_rows(connection, _schema_pg.INSERT_VERSION, new)


def write_events(connection: Any, rows: list[Row]) -> int:
    """Write the events of `rows` (`EVENT_COLUMNS` order) not recorded before; returns how many."""
    if isinstance(connection, sqlite3.Connection):
        return insert_rows(connection, sql.INSERT_EVENT, rows)
    if len(rows) >= _schema_pg.COPY_ROWS:
        return _postgres.copy_in(connection, rows, *_COPY_EVENTS)
    return insert_rows(connection, _schema_pg.INSERT_EVENT, rows)


_COPY_EVENTS: Final = (
    _schema_pg.STAGE_EVENTS,
    _schema_pg.COPY_EVENTS,
    _schema_pg.MOVE_EVENTS,
    _schema_pg.CLEAR_EVENTS,
)


def _stored_in_effect(connection: Any, kind: str, rows: list[Row]) -> dict[int, tuple[int, str]]:
    """For each row (by position) whose object has a stored state in effect at the row's time: that state's
    (valid_from, body)."""
    ids = [row[_OBJECT_ID] for row in rows]
    times = [row[_VALID_FROM] for row in rows]
    if isinstance(connection, sqlite3.Connection):
        first = times[0]
        if times.count(first) == len(times):  # a batch observed at once: one time for every ID
            query, params = sql.STORED_IN_EFFECT_AT, [orjson.dumps(ids).decode(), kind, first]
        else:
            pairs = orjson.dumps(list(zip(ids, times, strict=True))).decode()
            query, params = sql.STORED_IN_EFFECT, [pairs, kind]
        found = connection.execute(query, params).fetchall()
    else:
        with connection.cursor() as cursor:
            found = cursor.execute(_schema_pg.STORED_IN_EFFECT, [ids, times, kind]).fetchall()
    return {int(position): (int(valid_from), body) for position, valid_from, body in found}


def new_states(rows: Sequence[Row], stored: Mapping[int, tuple[int, str]]) -> list[Row]:
    """The rows, in order, whose body differs from the state in effect when each began: the latest (by time,
    then recording order) of the stored state in effect (`stored`, by position) and the batch's own new
    states before it of the same object at or before its time."""
    if not stored and len({row[_OBJECT_ID] for row in rows}) == len(rows):
        return list(rows)  # new objects, each once: every state is new
    new: list[Row] = []
    earlier: dict[str, list[tuple[int, str]]] = {}  # per object: its new states so far, by time
    for position, row in enumerate(rows):
        object_id, valid_from, body = row[_OBJECT_ID], row[_VALID_FROM], row[_BODY]
        in_effect = stored.get(position)
        own = earlier.get(object_id)
        if own:
            # The last of those at or before its time; on a tie the batch's own is the later recorded.
            place = bisect_right(own, valid_from, key=_TIME)
            if place and (in_effect is None or own[place - 1][0] >= in_effect[0]):
                in_effect = own[place - 1]
        if in_effect is not None and in_effect[1] == body:
            continue
        new.append(row)
        insort(earlier.setdefault(object_id, []), (valid_from, body), key=_TIME)
    return new
