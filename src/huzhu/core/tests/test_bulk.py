"""insert_rows: COPY (PostgreSQL) or executemany (SQLite), seen by execute wrappers, errors as Django's."""
import pytest
from django.db import DatabaseError, connection, transaction

from huzhu.core.bulk import SQLITE_LOAD_CACHE_KIB, insert_rows, large_load
from huzhu.regions.models import Division

pytestmark = pytest.mark.django_db


def test_rows_are_inserted_and_counted():
    count = insert_rows(Division._meta.db_table, ("code", "name", "level", "kind", "parent_id"),
                        ((f"99{n:04d}", f"测试旗{n}", "county", "旗", None) for n in range(7)))
    assert count == 7 and Division.objects.filter(code__startswith="99").count() == 7


def test_the_load_passes_through_execute_wrappers():
    seen = []

    def spy(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(spy):
        insert_rows(Division._meta.db_table, ("code", "name", "level", "kind"), [("990001", "测试旗", "county", "旗")])
    verb = "COPY" if connection.vendor == "postgresql" else "INSERT INTO"
    assert any(sql.startswith(f'{verb} "{Division._meta.db_table}"') for sql in seen)


def test_a_failing_load_raises_a_django_database_error_and_leaves_nothing():
    with pytest.raises(DatabaseError), transaction.atomic():
        insert_rows(Division._meta.db_table, ("code", "name", "level", "kind"),
                    [("990002", "甲", "county", "旗"), ("990002", "乙", "county", "旗")])
    assert not Division.objects.filter(code="990002").exists()


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_a_large_load_gets_a_larger_sqlite_cache_and_gives_it_back():
    def cache_size():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    before = cache_size()
    with large_load():
        assert cache_size() == -SQLITE_LOAD_CACHE_KIB
    assert cache_size() == before
