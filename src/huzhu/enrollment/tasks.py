"""Background jobs for roster imports; they call the services and are safe to run twice."""
from celery import shared_task
from celery.schedules import crontab

from huzhu.celery import app
from huzhu.core.errors import DomainError

from .services import imports


@shared_task(name="enrollment.validate_import")
def validate_import_task(job_id: int) -> str:
    """Validate a roster file in chunks (resumes from the last committed chunk)."""
    return imports.validate_import(job_id=job_id).status


@shared_task(name="enrollment.commit_import")
def commit_import_task(job_id: int, policy: str, actor_id: int | None = None) -> str:
    """Import the staged rows of a validated job in one transaction."""
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        return imports.commit_import(actor=actor, job_id=job_id, policy=policy).status
    except DomainError as exc:  # the job row carries the message for the page
        return exc.code


@shared_task(name="enrollment.purge_abandoned_imports")
def purge_abandoned_imports_task() -> int:
    """Drop the staged rows of import jobs left unfinished past HUZHU_IMPORT_STAGING_TTL_HOURS."""
    return imports.purge_abandoned_imports(actor=None)


@app.on_after_finalize.connect
def schedule_import_purge(sender, **kwargs):
    # Hourly: staged personal data of an abandoned import lives at most TTL + 1 hours.
    sender.add_periodic_task(crontab(minute=15), purge_abandoned_imports_task.s(), name="enrollment import purge")
