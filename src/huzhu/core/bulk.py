"""Fast set-based inserts for large loads: COPY on PostgreSQL, executemany on SQLite.

For loads of hundreds of thousands of rows (demo data, roster imports) the ORM's per-object
bulk_create costs more than the database. Rows are plain tuples in the order of `columns`;
values must already be in database form (str, int, Decimal, date). Callers run it inside their
own transaction so that a failed load leaves nothing behind.

Rows already in the database move on with `RowSource`: one service hands another a SELECT, and
the owner of the target table inserts its result with INSERT … SELECT (no round trip per row).
"""
import functools
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DatabaseError, connection


@dataclass(frozen=True)
class RowSource:
    """A SELECT and its parameters whose result rows another service inserts (INSERT … SELECT).

    The receiving service documents the columns it expects, by name and in order.
    """

    sql: str
    params: tuple = ()


# SQLite's default page cache (2 MiB) holds a sliver of the indexes a million-row load writes to;
# every other index insert would then go through the OS. PostgreSQL's cache is the server's.
SQLITE_LOAD_CACHE_KIB = 128 * 1024
POSTGRES_LOAD_WORK_MEM = "256MB"


@contextmanager
def large_load() -> Iterator[None]:
    """Connection settings for a load of many rows, given back afterwards.

    SQLite: a larger page cache. PostgreSQL: a larger work_mem, so that sorting a million rows
    into index order and joining them to their workers stay in memory instead of spilling to disk.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET work_mem = '{POSTGRES_LOAD_WORK_MEM}'")
            restore = "RESET work_mem"
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA cache_size")
            (before,) = cursor.fetchone()
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_LOAD_CACHE_KIB}")
            restore = f"PRAGMA cache_size = {int(before)}"
        else:
            restore = None
    try:
        yield
    finally:
        if restore:
            try:
                with connection.cursor() as cursor:
                    cursor.execute(restore)
            except DatabaseError:  # the connection is gone, and the setting with it
                pass


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert rows into `table`; returns the count. Uses COPY on PostgreSQL."""
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN"
            return _with_execute_wrappers(cursor, sql, functools.partial(_copy, cursor, rows))
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})"
        count = 0
        batch: list[Sequence] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _copy(cursor, rows: Iterable[Sequence], sql: str, *_wrapper_args) -> int:
    count = 0
    connection.validate_no_broken_transaction()
    # Django's error wrapping, as for execute(): a dropped connection is a DatabaseError here too.
    with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _with_execute_wrappers(cursor, sql: str, run) -> int:
    """Run a COPY through the connection's execute wrappers (instrumentation and fault tests see it)."""
    executor = run
    for wrapper in reversed(connection.execute_wrappers):
        executor = functools.partial(wrapper, executor)
    return executor(sql, None, False, {"connection": connection, "cursor": cursor})


def update_rows(table: str, key: str, columns: Sequence[str], rows: Sequence[Sequence], *,
                expected: Sequence[str] = ()) -> int:
    """Set `columns` of the rows whose `key` matches, many rows per statement; returns the rows changed.

    Each row is (key, *new values of `columns`, *values the `expected` columns must still hold):
    a row whose expected columns changed since they were read is left as it is (compare-and-set),
    so a concurrent writer's value is never overwritten with a stale one. One
    `UPDATE … FROM (VALUES …)` per chunk, the same SQL on PostgreSQL and SQLite (≥ 3.33), whose
    VALUES columns are both named column1, column2, …
    """
    quote = connection.ops.quote_name
    width = 1 + len(columns) + len(expected)
    assignments = ", ".join(f"{quote(c)} = v.column{2 + i}" for i, c in enumerate(columns))
    matches = "".join(f" AND {quote(table)}.{quote(c)} = v.column{2 + len(columns) + i}"
                      for i, c in enumerate(expected))
    per_statement = max(1, min(1000, (connection.features.max_query_params or 65535) // width))
    changed = 0
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            values = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(chunk))
            cursor.execute(f"UPDATE {quote(table)} SET {assignments} FROM (VALUES {values}) AS v "
                           f"WHERE {quote(table)}.{quote(key)} = v.column1{matches}",
                           [value for row in chunk for value in row])
            changed += cursor.rowcount
    return changed
