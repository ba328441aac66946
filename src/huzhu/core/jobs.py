"""Starting a background job after the current transaction commits, never inside the request.

With a broker (CELERY_BROKER_URL) the job goes to the Celery workers. Without one (the embedded
default) it runs in a thread of this process, so the page answers at once and shows the job's
progress while it runs; an interrupted job resumes like any other (the services are idempotent).
The test suite sets HUZHU_JOBS_IN_THREADS off to run jobs inline, in order.
"""
import logging
import threading

from django.conf import settings
from django.db import connections, transaction

logger = logging.getLogger("huzhu.jobs")
_threads: list[threading.Thread] = []


def enqueue(task, *args) -> None:
    """Run the Celery task `task(*args)` once the current transaction has committed."""
    transaction.on_commit(lambda: _start(task, args))


def _start(task, args) -> None:
    if settings.CELERY_BROKER_URL or not settings.HUZHU_JOBS_IN_THREADS:
        task.delay(*args)
        return
    thread = threading.Thread(target=_run, args=(task, args), daemon=True, name=f"job {task.name}")
    _threads.append(thread)
    thread.start()


def _run(task, args) -> None:
    try:
        task.apply(args=args, throw=True)
    except Exception:  # the job's own row records what failed; the log keeps the traceback
        logger.exception("background job %s%r failed", task.name, args)
    finally:
        connections.close_all()  # this thread's connections; the request threads keep theirs


def wait_for_background_jobs(timeout: float = 120) -> None:
    """Wait until the jobs started in threads have finished (tests, and a clean shutdown)."""
    while _threads:
        _threads.pop().join(timeout)
