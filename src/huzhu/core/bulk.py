"""Fast set-based inserts for large loads: COPY on PostgreSQL, executemany on SQLite.

For loads of hundreds of thousands of rows (demo data, roster imports) the ORM's per-object
bulk_create costs more than the database. Rows are plain tuples in the order of `columns`;
values must already be in database form (str, int, Decimal, date). Callers run it inside their
own transaction so that a failed load leaves nothing behind.
"""
from collections.abc import Iterable, Sequence

from django.db import connection


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert rows into `table`; returns the count. Uses COPY on PostgreSQL."""
    count = 0
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # the psycopg cursor behind Django's wrapper
            with raw.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        marks = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})"
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
