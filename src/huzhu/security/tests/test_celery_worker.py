"""A real Celery worker process, on the local Redis, runs a job end to end against the test database."""
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from huzhu.audit.models import AuditEvent
from huzhu.audit.services import record_event

BROKER = os.environ.get("HUZHU_TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
CELERY = Path(sys.executable).with_name("celery")


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(BROKER, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def _database_url_of_test_database() -> str:
    """The URL a separate process needs to open the very database this test is using."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        if "memory" in str(db["NAME"]):
            pytest.skip("Celery 联调测试已跳过：SQLite 测试库在内存中，worker 进程无法共享")
        return f"sqlite:///{db['NAME']}"
    if connection.vendor == "postgresql":
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    pytest.skip(f"Celery 联调测试不支持数据库 {connection.vendor}")


@pytest.fixture
def celery_worker_process(tmp_path, settings):
    """Start `celery -A huzhu worker --pool=solo` on a private queue; stop it whatever happens."""
    if not _redis_reachable():
        pytest.skip(f"Celery 联调测试已跳过：Redis {BROKER} 不可达（redis-server 未启动）")
    queue = f"huzhu-test-{uuid.uuid4().hex[:10]}"
    env = {**os.environ, "CELERY_BROKER_URL": BROKER, "DATABASE_URL": _database_url_of_test_database(),
           "DJANGO_SETTINGS_MODULE": "huzhu.settings",
           # the test's own audit checkpoints, not the ones other databases left in var/archive
           "HUZHU_AUDIT_CHECKPOINT_PATH": str(settings.HUZHU_AUDIT_CHECKPOINT_PATH)}
    env.pop("CELERY_RESULT_BACKEND", None)
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(CELERY), "-A", "huzhu", "worker", "--pool=solo", "-Q", queue, "-n", f"{queue}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
            env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield queue, process, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_verifies_the_audit_chain_and_records_the_outcome(celery_worker_process):
    queue, process, log = celery_worker_process
    for n in range(3):
        record_event(actor=None, action="test.before_job", object_type="thing", object_id=n)
    sender = Celery("huzhu-test-sender", broker=BROKER)
    try:
        sender.send_task("huzhu.security.verify_audit_chain", kwargs={"requested_by": "pytest"}, queue=queue)
    finally:
        sender.close()
    deadline = time.monotonic() + 90
    outcome = None
    while time.monotonic() < deadline and outcome is None:
        assert process.poll() is None, f"the worker died:\n{log.read_text(errors='replace')[-3000:]}"
        outcome = AuditEvent.objects.filter(action="audit.chain_verified").first()
        time.sleep(0.3)
    assert outcome is not None, f"no result within 90 s; worker log:\n{log.read_text(errors='replace')[-3000:]}"
    assert outcome.after == {"ok": True, "events": 3, "broken_event_id": None, "problem": "",
                             "requested_by": "pytest"}
