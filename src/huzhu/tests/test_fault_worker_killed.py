"""A Celery worker killed (SIGKILL) in the middle of a roster validation; another worker finishes it.

Real processes on the local Redis (db 15, as in security's worker test). Tasks are acknowledged
late (settings.CELERY_TASK_ACKS_LATE), so the killed worker's message is still unacknowledged and
Redis hands it out again after the visibility timeout (3 s here, an hour by default); the job
resumes from its last committed chunk, and no row is staged twice.
"""
import io
import os
import signal
import subprocess
import time
import uuid

import pytest
import time_machine
from celery import Celery

from huzhu.conftest import KUNDULUN, make_staff, make_unit
from huzhu.enrollment import services as enrollment_services
from huzhu.enrollment.models import ImportJob, ImportRow
from huzhu.plans.models import PlanYear
from huzhu.plans.services import install_default_plans
from huzhu.regions.models import Role
from huzhu.security.tests.test_celery_worker import (
    BROKER,
    CELERY,
    _database_url_of_test_database,
    _redis_reachable,
)

from .test_faults import TODAY, roster_csv

ROWS = 4_000  # sixteen chunks: the kill lands mid-job (after 500 rows); 12,000 took 108 s on SQLite
CHUNK = 250


def _start_worker(queue: str, log_path, name: str) -> subprocess.Popen:
    env = {**os.environ, "CELERY_BROKER_URL": BROKER, "DATABASE_URL": _database_url_of_test_database(),
           "DJANGO_SETTINGS_MODULE": "huzhu.settings", "HUZHU_CELERY_VISIBILITY_TIMEOUT": "3",
           "HUZHU_IMPORT_CHUNK_ROWS": str(CHUNK)}
    env.pop("CELERY_RESULT_BACKEND", None)
    with log_path.open("ab") as out:
        return subprocess.Popen(
            [str(CELERY), "-A", "huzhu", "worker", "--pool=solo", "-Q", queue, "-n", f"{name}-{queue}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_a_validation_whose_worker_is_killed_is_finished_by_another_worker_without_duplicates(tmp_path, settings):
    if not _redis_reachable():
        pytest.skip(f"Celery 故障测试已跳过：Redis {BROKER} 不可达（redis-server 未启动）")
    settings.VAR_DIR = tmp_path  # the roster file lies here; the workers read it by its absolute path
    with time_machine.travel(TODAY, tick=False):
        install_default_plans()
        desk = make_staff("desk_celery", Role.AGENCY, division=KUNDULUN)
        unit = make_unit(KUNDULUN, eligible_headcount=ROWS, female_headcount=0)
        enrollment = enrollment_services.start_enrollment(
            actor=desk, unit=unit, today=TODAY,
            plan_year=PlanYear.objects.get(plan_id="hospitalization", year=2027))
        job = enrollment_services.create_import_job(actor=desk, enrollment=enrollment,
                                                    file_name="roster.csv", upload=io.BytesIO(roster_csv(ROWS)))
    queue = f"huzhu-fault-{uuid.uuid4().hex[:10]}"
    log = tmp_path / "workers.log"
    first = _start_worker(queue, log, "first")
    second = None
    try:
        sender = Celery("huzhu-fault-sender", broker=BROKER)
        try:
            sender.send_task("enrollment.validate_import", args=[job.pk], queue=queue)
        finally:
            sender.close()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.done >= 2 * CHUNK or job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.VALIDATING):
                break
            assert first.poll() is None, f"the first worker died by itself:\n{log.read_text(errors='replace')[-3000:]}"
            time.sleep(0.02)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        job.refresh_from_db()
        assert job.status == ImportJob.Status.VALIDATING and 0 < job.done < ROWS, (
            f"the worker was not caught mid-job ({job.status}, {job.done}/{ROWS}); log:\n"
            f"{log.read_text(errors='replace')[-2000:]}")
        killed_at = job.done

        second = _start_worker(queue, log, "second")
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status in (ImportJob.Status.VALIDATED, ImportJob.Status.FAILED):
                break
            assert second.poll() is None, f"the second worker died:\n{log.read_text(errors='replace')[-3000:]}"
            time.sleep(0.3)
        assert job.status == ImportJob.Status.VALIDATED, (
            f"not finished after the kill at {killed_at} rows ({job.status}, {job.done}); log:\n"
            f"{log.read_text(errors='replace')[-3000:]}")
        assert (job.done, job.valid_count + job.error_count) == (ROWS, ROWS)
        assert ImportRow.objects.filter(job=job).count() == ROWS
        assert ImportRow.objects.filter(job=job).values("row_no").distinct().count() == ROWS
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
        if second is not None:
            _stop(second)
