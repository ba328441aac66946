"""An interrupted `huzhu import-roster` is carried on; abandoned staged rows are purged.

The interruption is real: the CLI runs as its own process on the test database and is killed
with SIGKILL after it committed a few chunks (as an out-of-memory kill or a lost SSH session does).
"""
import io
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

import huzhu
from huzhu.audit.models import AuditEvent
from huzhu.conftest import KUNDULUN, make_unit
from huzhu.core.actors import SystemActor
from huzhu.core.idnumbers import make_resident_id
from huzhu.core.scopes import PROVINCE
from huzhu.enrollment import services
from huzhu.enrollment.models import Coverage, ImportJob, ImportRow
from huzhu.members.models import Worker
from huzhu.security.tests.test_celery_worker import _database_url_of_test_database

from .conftest import IN_WINDOW, csv_bytes, xlsx_bytes
from .test_imports import good_rows

ROWS = 6_000
CHUNK = 200


def many_rows(n: int):
    """n people with valid, distinct ID numbers (400 a birth day)."""
    return [(f"职工{i}", make_resident_id(KUNDULUN, date(1975, 1, 1) + timedelta(days=i // 400), (i % 400) * 2 + 1),
             f"139{i:08d}", "在职职工", "2020-01-01") for i in range(n)]


def _start_cli(path: Path, unit, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": _database_url_of_test_database(), "HUZHU_IMPORT_CHUNK_ROWS": str(CHUNK),
           "DJANGO_SETTINGS_MODULE": "huzhu.settings",
           "PYTHONPATH": str(Path(huzhu.__file__).resolve().parent.parent)}
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "huzhu.manage", "import-roster", str(path), "--unit", unit.credit_code,
             "--year", "2026", "--plan", "hospitalization", "--as-of", IN_WINDOW.isoformat()],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


@pytest.mark.django_db(transaction=True)
def test_a_cli_import_killed_mid_validation_resumes_to_exactly_the_file_once(tmp_path, hospitalization_2026):
    unit = make_unit(eligible_headcount=0, female_headcount=0)
    path = tmp_path / "roster.csv"
    path.write_bytes(csv_bytes(many_rows(ROWS)))
    log = tmp_path / "cli.log"
    process = _start_cli(path, unit, log)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            job = ImportJob.objects.filter(enrollment__unit=unit).first()
            if job and job.done >= 3 * CHUNK:
                break
            assert process.poll() is None, f"the CLI ended by itself:\n{log.read_text(errors='replace')[-3000:]}"
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.VALIDATING and 0 < job.done < ROWS, (job.status, job.done)

    call_command("import-roster", "--resume", str(job.pk))

    job.refresh_from_db()
    assert (job.status, job.imported_count, job.error_count) == (ImportJob.Status.DONE, ROWS, 0)
    assert Coverage.objects.filter(unit=unit).count() == ROWS
    assert Worker.objects.filter(unit=unit).count() == ROWS
    assert ImportJob.objects.filter(enrollment__unit=unit).count() == 1


def test_a_rerun_of_the_same_file_carries_on_the_unfinished_job(tmp_path, hospitalization_2026, capsys):
    unit = make_unit(eligible_headcount=0, female_headcount=0)
    path = tmp_path / "roster.xlsx"
    path.write_bytes(xlsx_bytes(good_rows(8)))
    draft = services.start_enrollment(actor=SystemActor(PROVINCE), unit=unit, plan_year=hospitalization_2026, today=IN_WINDOW)
    job = services.create_import_job(actor=SystemActor(PROVINCE), enrollment=draft, file_name=path.name, path=path)

    def interrupted(progress_job):
        raise KeyboardInterrupt  # Ctrl-C after the first chunk

    with pytest.raises(KeyboardInterrupt):
        services.validate_import(job_id=job.pk, today=IN_WINDOW, chunk_size=3, progress=interrupted)
    call_command("import-roster", str(path), "--unit", unit.credit_code, "--year", "2026", "--plan",
                 "hospitalization", "--as-of", IN_WINDOW.isoformat())
    assert f"未完成的导入任务#{job.pk}" in capsys.readouterr().err
    job.refresh_from_db()
    assert (job.status, job.imported_count) == (ImportJob.Status.DONE, 8)
    assert ImportJob.objects.count() == 1 and Coverage.objects.filter(unit=unit).count() == 8


def test_the_purge_drops_staged_rows_of_a_stale_job_and_keeps_an_active_one(draft, system_scope, settings,
                                                                           django_capture_on_commit_callbacks):
    settings.HUZHU_IMPORT_STAGING_TTL_HOURS = 24
    jobs = []
    for offset in (0, 300):
        job = services.create_import_job(actor=SystemActor(system_scope), enrollment=draft, file_name="r.csv",
                                         upload=io.BytesIO(csv_bytes(good_rows(4, start=offset))))
        jobs.append(services.validate_import(job_id=job.pk, today=IN_WINDOW))
    stale, active = jobs
    ImportJob.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - timedelta(hours=25))

    with django_capture_on_commit_callbacks(execute=True):  # the uploaded copy goes once the purge commits
        assert services.purge_abandoned_imports(actor=None) == 1

    stale.refresh_from_db()
    active.refresh_from_db()
    assert stale.status == ImportJob.Status.DISCARDED and not ImportRow.objects.filter(job=stale).exists()
    assert active.status == ImportJob.Status.VALIDATED and ImportRow.objects.filter(job=active).count() == 4
    assert not Path(stale.stored_path).exists() and Path(active.stored_path).exists()
    assert AuditEvent.objects.filter(action="purge_abandoned_import", object_id=str(stale.pk)).exists()
    call_command("purge-imports")  # the command runs the same service: nothing more is stale
    active.refresh_from_db()
    assert active.status == ImportJob.Status.VALIDATED
