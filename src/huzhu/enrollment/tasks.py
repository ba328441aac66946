"""Background jobs for roster imports; they call the services and are safe to run twice."""
from celery import shared_task

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
