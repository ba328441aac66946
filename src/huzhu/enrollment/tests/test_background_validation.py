"""Without a broker the roster is validated in a thread after the upload answers, never inside it."""
import io

import psycopg
import pytest
from django.db import connection
from django.urls import reverse

from huzhu.core.jobs import wait_for_background_jobs
from huzhu.enrollment.models import ImportJob, ImportRow

from .conftest import xlsx_bytes
from .test_imports import good_rows
from .test_pages import login, open_year, unit_draft  # noqa: F401 - fixtures


def _upload(client, enrollment):
    upload = io.BytesIO(xlsx_bytes(good_rows(5)))
    upload.name = "名册.xlsx"
    return client.post(reverse("enrollment:upload", args=[enrollment.pk]), {"file": upload})


@pytest.mark.django_db(transaction=True)
def test_the_upload_answers_and_the_job_validates_in_the_background(client, unit_contact, unit_draft, settings):  # noqa: F811
    settings.HUZHU_JOBS_IN_THREADS = True
    login(client, unit_contact)
    response = _upload(client, unit_draft)
    assert response.status_code == 302
    wait_for_background_jobs()
    job = ImportJob.objects.get()
    assert (job.status, job.valid_count) == (ImportJob.Status.VALIDATED, 5)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a second PostgreSQL session holding a lock")
@pytest.mark.django_db(transaction=True)
def test_the_upload_answers_while_validation_is_still_waiting(client, unit_contact, unit_draft, settings):  # noqa: F811
    settings.HUZHU_JOBS_IN_THREADS = True
    login(client, unit_contact)
    conf = connection.settings_dict
    with connection.cursor() as cursor:  # were validation inside the request, it would fail here, not hang
        cursor.execute("SET lock_timeout = '3s'")
    holder = psycopg.connect(host=conf["HOST"] or "127.0.0.1", port=conf["PORT"] or 5432,
                             user=conf["USER"] or "postgres", dbname=conf["NAME"])
    try:
        holder.execute(f"LOCK TABLE {ImportRow._meta.db_table} IN EXCLUSIVE MODE")  # staging must wait
        response = _upload(client, unit_draft)
        assert response.status_code == 302
        assert ImportJob.objects.get().status != ImportJob.Status.VALIDATED
    finally:
        holder.rollback()
        holder.close()
    wait_for_background_jobs()
    assert ImportJob.objects.get().status == ImportJob.Status.VALIDATED
