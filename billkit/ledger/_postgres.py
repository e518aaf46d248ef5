"""Opening a ledger on PostgreSQL (psycopg 3): the URL, the schema check and its creation or migration.

psycopg is imported only here and only for a `postgresql://` URL, so a SQLite ledger needs nothing more than
Python's own sqlite3 (install `billkit[postgresql]` for a team ledger).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote, urlsplit, urlunsplit

from billkit.ledger import _schema_pg as sql

if TYPE_CHECKING:
    import psycopg

#: The environment variable a team sets once to its ledger's URL: `billkit receive --db` and
#: `billkit report --source` default to it.
LEDGER_URL_ENV: Final = "BILLKIT_LEDGER_URL"
#: The URL schemes that mean a PostgreSQL ledger; anything else is a SQLite path.
SCHEMES: Final = ("postgresql://", "postgres://")


def is_postgres_url(location: str) -> bool:
    return location.startswith(SCHEMES)


def without_password(url: str) -> tuple[str, str | None]:
    """`url` without its password, and the password (None if it had none)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url, None
    host = parts.netloc.rpartition("@")[2]
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit(parts._replace(netloc=f"{user}{host}")), unquote(parts.password)


def shown(url: str) -> str:
    """`url` with its password masked: what reprs, logs and errors may show."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))


def connect(url: str, error: type[Exception]) -> psycopg.Connection[Any]:
    """A connection to `url` in autocommit mode (the ledger says BEGIN itself) with `$N` parameters.

    Raises `error` naming the URL (password masked) when psycopg is missing or the server refuses.
    """
    try:
        import psycopg
    except ImportError:
        raise error(
            f"cannot open ledger {shown(url)!r}: PostgreSQL needs psycopg (pip install 'billkit[postgresql]')"
        ) from None
    try:
        return psycopg.connect(url, autocommit=True, cursor_factory=psycopg.RawCursor)
    except psycopg.Error as exc:
        raise error(f"cannot open ledger {shown(url)!r}: {first_line(exc)}") from None


def check_or_create_schema(
    connection: psycopg.Connection[Any], url: str, error: type[Exception]
) -> None:
    """Create the tables in an empty database, migrate an older ledger, refuse a newer one or a foreign one."""
    with connection.transaction():
        connection.execute(sql.WRITE_LOCK)  # two processes opening an empty database create it once
        tables = [name for (name,) in connection.execute(sql.LEDGER_TABLES)]
        if sql.META_TABLE not in tables:
            if tables:
                raise error(
                    f"{shown(url)!r} has tables named like a ledger's ({', '.join(tables)}) but is not a "
                    "billkit ledger"
                )
            connection.execute(sql.DDL)
            connection.execute(sql.SET_SCHEMA, [sql.SCHEMA_VERSION])
            return
        row = connection.execute(sql.READ_SCHEMA).fetchone()
        version = sql.SCHEMA_VERSION if row is None else int(row[0])
        if version == sql.SCHEMA_VERSION:
            return  # nothing to change: a receiver or an analyst needs no right to create or alter
        if version > sql.SCHEMA_VERSION:
            raise error(
                f"ledger {shown(url)!r} was written by a newer billkit (schema {version}, this one reads "
                f"{sql.SCHEMA_VERSION}); upgrade billkit to read it"
            )
        while version < sql.SCHEMA_VERSION:
            if version not in sql.MIGRATIONS:
                raise error(f"ledger {shown(url)!r} has schema {version}, which no billkit wrote")
            connection.execute(sql.MIGRATIONS[version])
            version += 1
        connection.execute(sql.DDL)
        connection.execute(sql.SET_SCHEMA, [version])


def copy_out(connection: psycopg.Connection[Any], statement: str, params: Sequence[Any]) -> bytes:
    """The output of a `COPY ... TO STDOUT` statement, its `$N` parameters inlined as SQL literals (COPY
    takes no bound parameters; psycopg quotes each value)."""
    from psycopg import sql as pg_sql

    for number in range(len(params), 0, -1):  # $10 before $1
        literal = pg_sql.Literal(params[number - 1]).as_string(connection)
        statement = statement.replace(f"${number}", literal)
    with connection.cursor() as cursor, cursor.copy(statement) as copy:
        return b"".join(bytes(chunk) for chunk in copy)


def copy_in(
    connection: psycopg.Connection[Any],
    rows: Sequence[tuple[Any, ...]],
    stage: str,
    copy: str,
    move: str,
    clear: str,
) -> int:
    """Bulk-write `rows` inside the caller's transaction: COPY them into the session's temporary table
    (`stage`), `move` them to the ledger's table by one INSERT ... SELECT, and `clear` the stage; returns
    how many rows the move wrote."""
    with connection.cursor() as cursor:
        cursor.execute(stage)
        with cursor.copy(copy) as writer:
            for position, row in enumerate(rows):
                writer.write_row((position, *row))
        cursor.execute(move)
        written = int(cursor.rowcount)
        cursor.execute(clear)
    return written


def copy_rows(
    connection: psycopg.Connection[Any], copy: str, rows: Sequence[tuple[Any, ...]]
) -> int:
    """Write `rows` by one `COPY ... FROM STDIN` (`copy`) inside the caller's transaction; returns how many."""
    with connection.cursor() as cursor, cursor.copy(copy) as writer:
        for row in rows:
            writer.write_row(row)
    return len(rows)


def is_driver_error(exc: BaseException) -> bool:
    """Whether psycopg raised `exc` (checked without importing psycopg for a SQLite ledger)."""
    return type(exc).__module__.startswith("psycopg")


def first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
