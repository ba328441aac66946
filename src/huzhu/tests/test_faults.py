"""Faults: the database connection dropped mid-job, a full disk under an upload.

The connection is really cut: just before a chosen statement, a second connection runs
`pg_terminate_backend` on the job's own backend, so the statement meets a dead connection the way
it would after a database restart. The disk is really full: a 64 KiB tmpfs under the archive.
"""
import io
import os
import subprocess
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import DatabaseError, connection
from django.db.models import Count, Sum
from PIL import Image

from huzhu.archives.models import StoredFile
from huzhu.claims.models import Claim, ClaimDocument
from huzhu.conftest import KUNDULUN, make_staff, make_unit
from huzhu.core.idnumbers import make_resident_id
from huzhu.enrollment import services as enrollment_services
from huzhu.enrollment.models import Coverage, ImportJob, ImportRow
from huzhu.ledger import services as ledger_services
from huzhu.ledger.models import LedgerEntry, Posting
from huzhu.ledger.rules import EntryDraft, transfer
from huzhu.members.models import Worker
from huzhu.plans.models import PlanYear
from huzhu.plans.services import install_default_plans
from huzhu.regions.models import Role

TODAY = date(2026, 8, 3)
postgres_only = pytest.mark.skipif("os.environ.get('DATABASE_URL', '').startswith('sqlite') or "
                                   "not os.environ.get('DATABASE_URL')",
                                   reason="断连故障测试需要 PostgreSQL（pg_terminate_backend）；SQLite 下跳过")


@contextmanager
def connection_cut_before(sql_fragment: str, *, nth: int = 1):
    """Terminate this connection's backend from another connection before the nth matching statement."""
    import psycopg

    seen = 0

    def cut(execute, sql, params, many, context):
        nonlocal seen
        if sql_fragment in sql:
            seen += 1
            if seen == nth:
                pid = connection.connection.info.backend_pid
                with psycopg.connect(**connection.get_connection_params(), autocommit=True) as killer:
                    killer.execute("SELECT pg_terminate_backend(%s)", [pid])
                    for _ in range(100):  # wait until the backend is really gone
                        if not killer.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
                            break
        return execute(sql, params, many, context)

    with connection.execute_wrapper(cut):
        yield
    assert seen >= nth, f"no statement {nth} containing {sql_fragment!r} ran: the fault was never injected"


def roster_csv(rows: int) -> bytes:
    lines = ["姓名,身份证号,手机号,人员类别,入职日期"]
    for n in range(rows):
        birth = date(1975, 1, 1) + timedelta(days=n // 400)
        lines.append(f"职工{n},{make_resident_id(KUNDULUN, birth, (n % 400) * 2 + 1)},139{n:08d},在职职工,2026-07-01")
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


@pytest.fixture
def draft_with_roster_file(transactional_db, settings, tmp_path):
    """A unit's 2027 annual draft enrollment with a 60-row roster file accepted as an import job."""
    settings.VAR_DIR = tmp_path
    with time_machine.travel(TODAY, tick=False):
        install_default_plans()
        desk = make_staff("desk_fault", Role.AGENCY, division=KUNDULUN)
        unit = make_unit(KUNDULUN, eligible_headcount=60, female_headcount=0)
        enrollment = enrollment_services.start_enrollment(
            actor=desk, unit=unit, today=TODAY,
            plan_year=PlanYear.objects.get(plan_id="hospitalization", year=2027))
        job = enrollment_services.create_import_job(actor=desk, enrollment=enrollment,
                                                    file_name="roster.csv", upload=io.BytesIO(roster_csv(60)))
        yield desk, enrollment, job


@postgres_only
def test_a_roster_import_cut_off_twice_by_the_database_resumes_and_imports_everyone_once(draft_with_roster_file):
    desk, enrollment, job = draft_with_roster_file
    with pytest.raises(DatabaseError), connection_cut_before('COPY "enrollment_importrow"', nth=2):
        enrollment_services.validate_import(job_id=job.pk, chunk_size=20, today=TODAY)
    connection.close()  # what the worker (or the request cycle) does with a connection that broke
    job.refresh_from_db()
    assert (job.status, job.done, job.rows.count()) == (ImportJob.Status.VALIDATING, 20, 20)

    job = enrollment_services.validate_import(job_id=job.pk, chunk_size=20, today=TODAY)
    assert (job.status, job.done, job.valid_count, job.error_count) == (ImportJob.Status.VALIDATED, 60, 60, 0)
    assert ImportRow.objects.filter(job=job).values("row_no").distinct().count() == 60

    workers_before = Worker.objects.count()
    with pytest.raises(DatabaseError), connection_cut_before('INSERT INTO "enrollment_coverage"'):
        enrollment_services.commit_import(actor=desk, job_id=job.pk, policy="all", today=TODAY)
    connection.close()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATED and "中断" in job.message
    assert Coverage.objects.filter(enrollment=enrollment).count() == 0
    assert Worker.objects.count() == workers_before

    job = enrollment_services.commit_import(actor=desk, job_id=job.pk, policy="all", today=TODAY)
    again = enrollment_services.commit_import(actor=desk, job_id=job.pk, policy="all", today=TODAY)
    assert job.status == again.status == ImportJob.Status.DONE
    assert Coverage.objects.filter(enrollment=enrollment).count() == 60
    assert Worker.objects.count() == workers_before + 60
    assert not Coverage.objects.values("worker_id", "plan_year_id").annotate(n=Count("pk")).filter(n__gt=1).exists()


@postgres_only
def test_an_import_left_importing_by_a_dead_run_is_imported_by_the_next_run(draft_with_roster_file):
    desk, enrollment, job = draft_with_roster_file
    enrollment_services.validate_import(job_id=job.pk, today=TODAY)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.IMPORTING)  # the run died with the database
    job = enrollment_services.commit_import(actor=desk, job_id=job.pk, policy="all", today=TODAY)
    assert job.status == ImportJob.Status.DONE and job.imported_count == 60


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_ledger_batch_cut_off_by_the_database_posts_the_rest_on_rerun_and_nothing_twice():
    plan_year = next(py for py in install_default_plans(years=(2026,)) if py.plan_id == "hospitalization")
    ledger_services.ensure_chart(plan_year)
    drafts = [EntryDraft("claim", str(n), "claim_approved", date(2026, 3, 1), f"申领 {n}",
                         transfer("5101", "2201", Decimal("10.00"))) for n in range(1, 31)]
    with pytest.raises(DatabaseError), connection_cut_before("pg_get_serial_sequence", nth=2):
        ledger_services.post_entries(actor=None, plan_year=plan_year, drafts=drafts, chunk_size=10)
    connection.close()
    assert LedgerEntry.objects.count() == 10  # the first chunk committed, the second left nothing

    assert ledger_services.post_entries(actor=None, plan_year=plan_year, drafts=drafts, chunk_size=10) == 20
    assert ledger_services.post_entries(actor=None, plan_year=plan_year, drafts=drafts, chunk_size=10) == 0
    assert LedgerEntry.objects.count() == 30
    assert LedgerEntry.objects.values("cause_id").distinct().count() == 30
    assert Posting.objects.aggregate(total=Sum("amount"))["total"] == 0
    assert not Posting.objects.values("entry_id").annotate(t=Sum("amount")).exclude(t=0).exists()


# --- a full disk under an upload -----------------------------------------------------------------

@pytest.fixture
def tiny_archive_disk(settings, tmp_path):
    """ARCHIVE_ROOT on a 64 KiB tmpfs (needs root); skipped clearly where mounting is not allowed."""
    mount_point = tmp_path / "tiny-archive"
    mount_point.mkdir()
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"磁盘写满测试已跳过：无法挂载 64 KiB tmpfs（需要 root）：{result.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def noisy_png(size=(220, 220)) -> bytes:
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))  # noise does not compress
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_an_upload_onto_a_full_disk_is_a_clean_chinese_error_and_stores_nothing(client, api_world, settings,
                                                                              tiny_archive_disk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.ARCHIVE_ROOT = tiny_archive_disk
    claim = api_world.regions["own"].claim_in_supplement
    content = noisy_png()
    assert len(content) > 64 * 1024
    before = (StoredFile.objects.count(), ClaimDocument.objects.count())
    response = client.post(f"/api/v1/me/claims/{claim.pk}/documents",
                           {"kind": "invoice", "file": SimpleUploadedFile("invoice.png", content)},
                           headers={"Authorization": f"Bearer {api_world.worker_token}"})
    assert response.status_code == 507
    assert response.json() == {"code": "storage_full",
                               "message": "服务器存储空间不足，材料未保存，申领未作任何改动。请稍后再试或联系代办点"}
    assert (StoredFile.objects.count(), ClaimDocument.objects.count()) == before
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.SUPPLEMENT
    leftovers = [name for _, _, files in os.walk(tiny_archive_disk) for name in files]
    assert leftovers == []  # no half-written file, no orphan temporary
